//! RFC 8226 TNAuthList DER checked live against an independent decoder: PyPI
//! `pyasn1-modules`' `rfc8226` (installed by `.ci/run`). Every list this crate encodes must
//! decode there to the same numbers and re-encode to the same bytes (DER, not just BER); and
//! the pinned-vector script in `tests/oracles/` must pass.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_acme::tnauthlist::TnAuthList;
use std::io::Write;
use std::process::{Command, Stdio};

const DECODE: &str = r#"
import sys
from pyasn1.codec.der import decoder, encoder
from pyasn1_modules import rfc8226
for line in sys.stdin:
    der = bytes.fromhex(line.strip())
    value, rest = decoder.decode(der, asn1Spec=rfc8226.TNAuthorizationList())
    assert not rest, "trailing bytes"
    assert encoder.encode(value) == der, "not DER"
    print(",".join(str(entry["one"]) for entry in value))
"#;

#[test]
fn rfc_8226_9_every_encoding_decodes_in_pyasn1_modules() {
    let numbers = [
        "447700900001",
        "1",
        "123456789012345",
        "33123456789",
        "8613800138000",
        "4915112345678",
    ];
    let mut python = Command::new("python3")
        .args(["-c", DECODE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    {
        let stdin = python.stdin.as_mut().unwrap();
        for number in numbers {
            let der = TnAuthList::single(number).unwrap().to_der().unwrap();
            writeln!(stdin, "{}", hex::encode(der)).unwrap();
        }
    }
    let output = python.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "pyasn1-modules refused our DER (pip install pyasn1-modules): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let decoded: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(decoded, numbers);
}

#[test]
fn the_pinned_vector_script_passes() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/oracles/tnauthlist_pyasn1.py"
    );
    let output = Command::new("python3").arg(script).output().unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
