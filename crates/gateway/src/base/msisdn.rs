//! E.164 numbers as the gateway stores them: digits only, no `+`.

/// `+447700900001`, `447700900001` → `447700900001`; anything else is not an E.164 number.
pub fn normalize_msisdn(text: &str) -> Option<String> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    let valid = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    valid.then(|| digits.to_owned())
}

#[cfg(test)]
mod tests {
    use super::normalize_msisdn;

    #[test]
    fn msisdns_are_e164_digits() {
        assert_eq!(
            normalize_msisdn("+447700900001").as_deref(),
            Some("447700900001")
        );
        assert_eq!(
            normalize_msisdn("447700900001").as_deref(),
            Some("447700900001")
        );
        for bad in [
            "",
            "+",
            "0447700900001",
            "44770090000a",
            "1234567",
            "1234567890123456",
            "++44",
        ] {
            assert_eq!(normalize_msisdn(bad), None, "{bad}");
        }
    }
}
