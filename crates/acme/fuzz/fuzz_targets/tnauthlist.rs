//! TNAuthList (RFC 8226 §9) and its ACME identifier value (RFC 9448 §3).
//!
//! The same bytes are read three ways:
//! - as DER: whatever `from_der` accepts encodes back to exactly those bytes (DER has one
//!   encoding per value) and decodes again to the same list;
//! - as an identifier value: an accepted value names 1 to 15 digits and
//!   `identifier_value(number)` gives the value back (base64url and DER are both canonical);
//! - as a structured list (`arbitrary`): whatever `to_der` encodes decodes to the same list,
//!   and it refuses exactly the lists RFC 8226's module rules out.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use assent_acme::tnauthlist::{
    TnAuthList, TnEntry, TnError, identifier_value, number_from_identifier_value,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Entry {
    Spc(String),
    Range(String, u32),
    One(String),
}

/// `TelephoneNumber ::= IA5String (SIZE (1..15)) (FROM ("0123456789#*"))`, written out again.
fn telephone_number(number: &str) -> bool {
    (1..=15).contains(&number.len())
        && number
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'#' || b == b'*')
}

fn valid(entries: &[TnEntry]) -> bool {
    !entries.is_empty()
        && entries.iter().all(|entry| match entry {
            TnEntry::Spc(code) => code.is_ascii(),
            TnEntry::Range { start, count } => telephone_number(start) && *count >= 2,
            TnEntry::One(number) => telephone_number(number),
        })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = TnAuthList::from_der(data) {
        let der = list.to_der().expect("a decoded list encodes");
        assert_eq!(der, data, "DER accepted in a non-canonical encoding");
        assert_eq!(TnAuthList::from_der(&der), Ok(list.clone()));
        assert!(
            valid(&list.0),
            "decoded a list RFC 8226 rules out: {list:?}"
        );
    }

    if let Ok(value) = std::str::from_utf8(data)
        && let Ok(number) = number_from_identifier_value(value)
    {
        assert!((1..=15).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            identifier_value(&number).as_deref(),
            Ok(value),
            "another spelling"
        );
    }

    let Ok(entries) = Vec::<Entry>::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let list = TnAuthList(
        entries
            .into_iter()
            .map(|entry| match entry {
                Entry::Spc(code) => TnEntry::Spc(code),
                Entry::Range(start, count) => TnEntry::Range { start, count },
                Entry::One(number) => TnEntry::One(number),
            })
            .collect(),
    );
    match list.to_der() {
        Ok(der) => {
            assert!(
                valid(&list.0),
                "encoded a list RFC 8226 rules out: {list:?}"
            );
            assert_eq!(TnAuthList::from_der(&der), Ok(list));
        }
        Err(error) => {
            assert!(!valid(&list.0), "refused a valid list: {error}: {list:?}");
            assert!(
                !matches!(error, TnError::Der(_)),
                "a valid shape failed to encode: {error}"
            );
        }
    }
});
