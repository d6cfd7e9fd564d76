//! Raw bytes through the JSON contract of `assent prompt render`: never a panic, and
//! internal errors never happen.
#![no_main]

use assent_prompt::wire::{FailureKind, render_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(failure) = render_json(text) {
        assert_ne!(failure.error, FailureKind::InternalError, "{}", failure.message);
    }
});
