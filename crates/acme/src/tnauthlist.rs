//! The TN Authorization List of RFC 8226 §9 and the `TNAuthList` ACME identifier of RFC 9448.
//!
//! A TNAuthList names the telephone numbers a certificate speaks for. Assent only ever proves
//! control of one number at a time, but the decoder reads the whole syntax so that it can say
//! precisely what it refused.
//!
//! # Format
//!
//! The ASN.1 module of RFC 8226 (Appendix A, errata applied) is declared with
//! `DEFINITIONS EXPLICIT TAGS`:
//!
//! ```text
//! id-pe-TNAuthList OBJECT IDENTIFIER ::= { id-pe 26 }      -- 1.3.6.1.5.5.7.1.26
//!
//! TNAuthorizationList ::= SEQUENCE SIZE (1..MAX) OF TNEntry
//!
//! TNEntry ::= CHOICE {
//!   spc   [0] ServiceProviderCode,
//!   range [1] TelephoneNumberRange,
//!   one   [2] TelephoneNumber
//!   }
//!
//! ServiceProviderCode ::= IA5String
//!
//! TelephoneNumberRange ::= SEQUENCE {
//!   start TelephoneNumber,
//!   count INTEGER (2..MAX),
//!   ...
//!   }
//!
//! TelephoneNumber ::= IA5String (SIZE (1..15)) (FROM ("0123456789#*"))
//! ```
//!
//! Because the tags are EXPLICIT, each `TNEntry` is a *constructed* context-specific element
//! whose contents are the complete universal encoding of the alternative. The single number
//! `15551234567` is therefore
//!
//! ```text
//! 30 0f                      SEQUENCE (TNAuthorizationList)
//!    a2 0d                   [2] constructed (one)
//!       16 0b 3135353531...  IA5String "15551234567"
//! ```
//!
//! An IMPLICIT reading (`82 0b 31...`, primitive) is a known interoperability mistake; it is
//! refused here, as the RFC's module leaves no room for it.
//!
//! # ACME identifier (RFC 9448 §3)
//!
//! The identifier is `{"type": "TNAuthList", "value": V}` where `V` is the base64url encoding
//! (RFC 4648 §5, no padding, as everywhere in RFC 8555) of the DER TNAuthList.
//!
//! # Decisions
//!
//! - The encoding and decoding go through the `der` crate's derive macros; nothing is written
//!   byte by byte. `der` is strict DER: indefinite lengths, non-minimal lengths or integers,
//!   constructed strings and trailing bytes are all refused.
//! - `TelephoneNumberRange` has an extension marker (`...`). No extension has ever been
//!   defined; the decoder refuses unknown trailing components rather than silently dropping
//!   something that might narrow or widen the range.
//! - `count` is decoded as `u32`. `INTEGER (2..MAX)` is unbounded, but a range of more than
//!   four thousand million numbers is refused as out of range rather than silently truncated.
//! - A number taken from a person or an ACME order (`single`, `number_from_identifier_value`)
//!   must be E.164 digits: `#` and `*` are legal in a `TelephoneNumber`, but no such string
//!   can receive the SMS that Assent's challenge sends. The generic decoder (`from_der`)
//!   accepts the full `TelephoneNumber` alphabet.
//! - `to_der` returns a `Result`: the fields are public, so a list could be built by hand
//!   that is not a valid TNAuthList (empty, `count` below 2, non-ASCII text). Refusing to
//!   encode it keeps `from_der(to_der(x)) == x` for everything that encodes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use der::asn1::Ia5StringRef;
use der::{Choice, Decode, Encode, Sequence};

/// `id-pe-TNAuthList` (RFC 8226 §9): `{ id-pe 26 }`, the certificate extension's OID.
pub const ID_PE_TNAUTHLIST: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 26];

/// The ACME identifier type of RFC 9448 §3.
pub const IDENTIFIER_TYPE: &str = "TNAuthList";

/// `TelephoneNumber ::= IA5String (SIZE (1..15))`.
const MAX_TELEPHONE_NUMBER_LEN: usize = 15;

/// `count INTEGER (2..MAX)`: a range of one number would be a `one` entry.
const MIN_RANGE_COUNT: u32 = 2;

/// Why a telephone number or a TNAuthList was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TnError {
    /// No digits at all (an empty string, or a lone `+`).
    #[error("the telephone number is empty")]
    EmptyNumber,
    /// More than the 15 characters a `TelephoneNumber` (and E.164) allows.
    #[error("the telephone number has {0} characters; a TelephoneNumber has at most 15")]
    NumberTooLong(usize),
    /// A number given by a person or an order that is not plain E.164 digits.
    #[error("the telephone number must be E.164 digits 0-9 (one leading '+' allowed), got {0:?}")]
    NotE164(String),
    /// A decoded or hand-built `TelephoneNumber` outside the `"0123456789#*"` alphabet.
    #[error("the TelephoneNumber {0:?} has a character outside \"0123456789#*\"")]
    BadTelephoneNumber(String),
    /// A `ServiceProviderCode` that is not IA5 (ASCII) text.
    #[error("the service provider code {0:?} is not IA5 (ASCII) text")]
    BadServiceProviderCode(String),
    /// A range whose count is below the minimum of 2.
    #[error("the TelephoneNumberRange count is {0}; RFC 8226 requires at least 2")]
    RangeCountTooSmall(u32),
    /// `SEQUENCE SIZE (1..MAX)`: an empty list.
    #[error("the TNAuthorizationList is empty; RFC 8226 requires at least one entry")]
    EmptyList,
    /// The bytes are not a DER `TNAuthorizationList` (wrong tags, BER, trailing bytes, ...).
    #[error("not a DER TNAuthorizationList (RFC 8226 §9): {0}")]
    Der(String),
    /// An identifier value that is not unpadded base64url.
    #[error("the identifier value is not base64url without padding (RFC 9448 §3)")]
    Base64,
    /// A list that is well formed but is not exactly one `one` entry.
    #[error("the TNAuthList must hold exactly one telephone number, it holds {0}")]
    NotSingleNumber(String),
}

/// One `TNEntry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TnEntry {
    /// `spc [0] ServiceProviderCode`: every number a service provider serves.
    Spc(String),
    /// `range [1] TelephoneNumberRange`: `count` consecutive numbers from `start`.
    Range {
        /// The first number of the range.
        start: String,
        /// How many numbers (at least 2).
        count: u32,
    },
    /// `one [2] TelephoneNumber`: one number.
    One(String),
}

/// A `TNAuthorizationList`: the entries in their encoded order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TnAuthList(pub Vec<TnEntry>);

// The DER shapes. `constructed = "true"` matters: with EXPLICIT tagging the context tag wraps
// a complete TLV, so its identifier octet is 0xA0/0xA1/0xA2, never 0x80/0x82. The derive
// would otherwise announce a primitive tag around a constructed body.
#[derive(Choice)]
enum EntryDer<'a> {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Spc(Ia5StringRef<'a>),
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    Range(RangeDer<'a>),
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    One(Ia5StringRef<'a>),
}

#[derive(Sequence)]
struct RangeDer<'a> {
    start: Ia5StringRef<'a>,
    count: u32,
}

impl TnAuthList {
    /// The list of one `one` entry for `number`, which must be E.164 digits (1 to 15 of
    /// them, no separators); one leading `+` is accepted and dropped, as a `TelephoneNumber`
    /// carries none.
    pub fn single(number: &str) -> Result<Self, TnError> {
        Ok(Self(vec![TnEntry::One(e164_digits(number)?)]))
    }

    /// The DER encoding, after checking that the list is a valid `TNAuthorizationList`
    /// (see the module documentation for why this can fail).
    pub fn to_der(&self) -> Result<Vec<u8>, TnError> {
        if self.0.is_empty() {
            return Err(TnError::EmptyList);
        }
        let mut entries = Vec::with_capacity(self.0.len());
        for entry in &self.0 {
            entries.push(match entry {
                TnEntry::Spc(code) => EntryDer::Spc(
                    Ia5StringRef::new(code)
                        .map_err(|_| TnError::BadServiceProviderCode(code.clone()))?,
                ),
                TnEntry::Range { start, count } => {
                    if *count < MIN_RANGE_COUNT {
                        return Err(TnError::RangeCountTooSmall(*count));
                    }
                    EntryDer::Range(RangeDer {
                        start: telephone_number_der(start)?,
                        count: *count,
                    })
                }
                TnEntry::One(number) => EntryDer::One(telephone_number_der(number)?),
            });
        }
        entries.to_der().map_err(|e| TnError::Der(e.to_string()))
    }

    /// Decodes a DER `TNAuthorizationList`, checking every constraint of the ASN.1 module.
    /// Anything after the outer SEQUENCE is refused.
    pub fn from_der(der: &[u8]) -> Result<Self, TnError> {
        let entries =
            Vec::<EntryDer<'_>>::from_der(der).map_err(|e| TnError::Der(e.to_string()))?;
        if entries.is_empty() {
            return Err(TnError::EmptyList);
        }
        let mut list = Vec::with_capacity(entries.len());
        for entry in entries {
            list.push(match entry {
                EntryDer::Spc(code) => TnEntry::Spc(code.as_str().to_owned()),
                EntryDer::Range(range) => {
                    if range.count < MIN_RANGE_COUNT {
                        return Err(TnError::RangeCountTooSmall(range.count));
                    }
                    TnEntry::Range {
                        start: telephone_number(range.start.as_str())?,
                        count: range.count,
                    }
                }
                EntryDer::One(number) => TnEntry::One(telephone_number(number.as_str())?),
            });
        }
        Ok(Self(list))
    }

    /// The number, when the list is exactly one `one` entry (the only shape Assent issues
    /// for); `None` for anything else, including a range of one provider's numbers.
    pub fn single_number(&self) -> Option<&str> {
        match self.0.as_slice() {
            [TnEntry::One(number)] => Some(number),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        match self.0.as_slice() {
            [] => "no entries".to_owned(),
            [TnEntry::Spc(_)] => "one service provider code".to_owned(),
            [TnEntry::Range { .. }] => "one range".to_owned(),
            [TnEntry::One(_)] => "one number".to_owned(),
            entries => format!("{} entries", entries.len()),
        }
    }
}

/// The RFC 9448 §3 identifier value for one number: base64url (no padding) of the DER list
/// of one `one` entry.
pub fn identifier_value(number: &str) -> Result<String, TnError> {
    Ok(URL_SAFE_NO_PAD.encode(TnAuthList::single(number)?.to_der()?))
}

/// The number an RFC 9448 identifier value names. The value must decode to exactly one
/// `one` entry whose number is E.164 digits; for every value accepted,
/// `identifier_value(&number) == value` (both base64url and DER are canonical here).
pub fn number_from_identifier_value(value: &str) -> Result<String, TnError> {
    // The base64 engine refuses padding, the '+' and '/' alphabet, whitespace and non-zero
    // trailing bits, so each list has exactly one accepted spelling.
    let der = URL_SAFE_NO_PAD.decode(value).map_err(|_| TnError::Base64)?;
    let list = TnAuthList::from_der(&der)?;
    let number = list
        .single_number()
        .ok_or_else(|| TnError::NotSingleNumber(list.describe()))?;
    e164_digits(number)
}

/// Checks a person's or an order's number: optional leading '+', then 1 to 15 digits.
fn e164_digits(number: &str) -> Result<String, TnError> {
    let digits = number.strip_prefix('+').unwrap_or(number);
    if digits.is_empty() {
        return Err(TnError::EmptyNumber);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TnError::NotE164(number.to_owned()));
    }
    if digits.len() > MAX_TELEPHONE_NUMBER_LEN {
        return Err(TnError::NumberTooLong(digits.len()));
    }
    Ok(digits.to_owned())
}

/// Checks `TelephoneNumber ::= IA5String (SIZE (1..15)) (FROM ("0123456789#*"))`.
fn telephone_number(number: &str) -> Result<String, TnError> {
    if number.is_empty() {
        return Err(TnError::EmptyNumber);
    }
    if !number
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'#' || b == b'*')
    {
        return Err(TnError::BadTelephoneNumber(number.to_owned()));
    }
    if number.len() > MAX_TELEPHONE_NUMBER_LEN {
        return Err(TnError::NumberTooLong(number.len()));
    }
    Ok(number.to_owned())
}

fn telephone_number_der(number: &str) -> Result<Ia5StringRef<'_>, TnError> {
    telephone_number(number)?;
    Ia5StringRef::new(number).map_err(|_| TnError::BadTelephoneNumber(number.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // Vectors encoded by pyasn1 0.6.3 with pyasn1-modules 0.4.2 `rfc8226.TNAuthorizationList`
    // (crates/acme/tests/oracles/tnauthlist_pyasn1.py prints and re-checks them). Our
    // decoder must accept them, and our encoder must reproduce them byte for byte.
    // one 15551234567
    const PYASN1_ONE: &str = "300fa20d160b3135353531323334353637";
    // spc "1234" (an OCN-style code)
    const PYASN1_SPC: &str = "3008a006160431323334";
    // range start 15551230000 count 100
    const PYASN1_RANGE: &str = "3014a1123010160b3135353531323330303030020164";
    // spc "1234", range start 15551230000 count 10000, one 441632960961, one *67#
    const PYASN1_SEVERAL: &str = "3035a006160431323334a1133011160b313535353132333030303002022710\
        a20e160c343431363332393630393631a20616042a363723";

    #[test]
    fn rfc_8226_9_explicit_tags() {
        let der = TnAuthList::single("15551234567").unwrap().to_der().unwrap();
        // 0xA2: context-specific, constructed, number 2, wrapping a complete IA5String TLV.
        assert_eq!(der, hex("30 0f a2 0d 16 0b 3135353531323334353637"));
        assert_eq!(der, hex(PYASN1_ONE));
    }

    #[test]
    fn rfc_8226_9_pyasn1_vectors_decode_and_reencode() {
        let cases = [
            (
                PYASN1_ONE,
                TnAuthList(vec![TnEntry::One("15551234567".into())]),
            ),
            (PYASN1_SPC, TnAuthList(vec![TnEntry::Spc("1234".into())])),
            (
                PYASN1_RANGE,
                TnAuthList(vec![TnEntry::Range {
                    start: "15551230000".into(),
                    count: 100,
                }]),
            ),
            (
                PYASN1_SEVERAL,
                TnAuthList(vec![
                    TnEntry::Spc("1234".into()),
                    TnEntry::Range {
                        start: "15551230000".into(),
                        count: 10000,
                    },
                    TnEntry::One("441632960961".into()),
                    TnEntry::One("*67#".into()),
                ]),
            ),
        ];
        for (vector, expected) in cases {
            let decoded = TnAuthList::from_der(&hex(vector)).unwrap();
            assert_eq!(decoded, expected, "{vector}");
            assert_eq!(decoded.to_der().unwrap(), hex(vector), "{vector}");
        }
    }

    #[test]
    fn rfc_8226_9_implicit_tags_refused() {
        // The common mistake: [2] IMPLICIT IA5String, primitive 0x82.
        let implicit = hex("300d 820b 3135353531323334353637");
        assert!(matches!(
            TnAuthList::from_der(&implicit),
            Err(TnError::Der(_))
        ));
        // A primitive [2] around a full TLV (constructed bit missing) is not DER either.
        let primitive_explicit = hex("300f 820d 160b 3135353531323334353637");
        assert!(TnAuthList::from_der(&primitive_explicit).is_err());
        // A tag outside the CHOICE.
        let tag3 = hex("300f a30d 160b 3135353531323334353637");
        assert!(TnAuthList::from_der(&tag3).is_err());
        // A UTF8String where an IA5String belongs.
        let utf8 = hex("300f a20d 0c0b 3135353531323334353637");
        assert!(TnAuthList::from_der(&utf8).is_err());
    }

    #[test]
    fn rfc_8226_9_strict_der() {
        let good = hex(PYASN1_ONE);
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(matches!(
            TnAuthList::from_der(&trailing),
            Err(TnError::Der(_))
        ));
        // Indefinite length (BER only).
        let indefinite = hex("3080 a20d 160b 3135353531323334353637 0000");
        assert!(TnAuthList::from_der(&indefinite).is_err());
        // Non-minimal long-form length.
        let long_form = hex("30810f a20d 160b 3135353531323334353637");
        assert!(TnAuthList::from_der(&long_form).is_err());
        // Truncated.
        assert!(TnAuthList::from_der(&good[..good.len() - 1]).is_err());
        assert!(TnAuthList::from_der(&[]).is_err());
        // Not a SEQUENCE (a SET).
        let set = hex("310f a20d 160b 3135353531323334353637");
        assert!(TnAuthList::from_der(&set).is_err());
    }

    #[test]
    fn rfc_8226_9_size_constraints() {
        // SEQUENCE SIZE (1..MAX): the empty list.
        assert_eq!(TnAuthList::from_der(&hex("3000")), Err(TnError::EmptyList));
        assert_eq!(TnAuthList(vec![]).to_der(), Err(TnError::EmptyList));
        // TelephoneNumber SIZE (1..15): 16 digits, and zero.
        let sixteen = hex("3014 a212 1610 31323334353637383930313233343536");
        assert_eq!(
            TnAuthList::from_der(&sixteen),
            Err(TnError::NumberTooLong(16))
        );
        assert_eq!(
            TnAuthList::from_der(&hex("3004 a202 1600")),
            Err(TnError::EmptyNumber)
        );
        // FROM ("0123456789#*"): a '+' inside the DER is refused.
        let plus = hex("3010 a20e 160c 2b3135353531323334353637");
        assert!(matches!(
            TnAuthList::from_der(&plus),
            Err(TnError::BadTelephoneNumber(_))
        ));
        // count INTEGER (2..MAX): 1, 0, negative, and beyond u32.
        let count1 = hex("3014 a112 3010 160b 3135353531323330303030 020101");
        assert_eq!(
            TnAuthList::from_der(&count1),
            Err(TnError::RangeCountTooSmall(1))
        );
        let negative = hex("3014 a112 3010 160b 3135353531323330303030 0201ff");
        assert!(TnAuthList::from_der(&negative).is_err());
        let huge = hex("3019 a117 3015 160b 3135353531323330303030 0206 010000000000");
        assert!(TnAuthList::from_der(&huge).is_err());
        assert_eq!(
            TnAuthList(vec![TnEntry::Range {
                start: "1555".into(),
                count: 1
            }])
            .to_der(),
            Err(TnError::RangeCountTooSmall(1))
        );
    }

    #[test]
    fn rfc_8226_9_range_extension_marker_not_skipped() {
        // A third component after count: refused rather than ignored.
        let extra = hex("3018 a116 3014 160b 3135353531323330303030 020164 0500");
        assert!(matches!(TnAuthList::from_der(&extra), Err(TnError::Der(_))));
    }

    #[test]
    fn rfc_8226_9_hand_built_lists_checked_before_encoding() {
        let bad = TnAuthList(vec![TnEntry::One("1555-123".into())]);
        assert!(matches!(bad.to_der(), Err(TnError::BadTelephoneNumber(_))));
        let non_ascii = TnAuthList(vec![TnEntry::Spc("opérateur".into())]);
        assert!(matches!(
            non_ascii.to_der(),
            Err(TnError::BadServiceProviderCode(_))
        ));
    }

    #[test]
    fn rfc_9448_3_single_number_only_for_one_entry() {
        assert_eq!(
            TnAuthList::single("+15551234567").unwrap().single_number(),
            Some("15551234567")
        );
        let two = TnAuthList(vec![
            TnEntry::One("15551234567".into()),
            TnEntry::One("15551234568".into()),
        ]);
        assert_eq!(two.single_number(), None);
        assert_eq!(
            TnAuthList(vec![TnEntry::Spc("1234".into())]).single_number(),
            None
        );
        assert_eq!(
            TnAuthList(vec![TnEntry::Range {
                start: "15551234567".into(),
                count: 2
            }])
            .single_number(),
            None
        );
    }

    #[test]
    fn rfc_8226_9_single_takes_e164_digits() {
        assert_eq!(
            TnAuthList::single("+447700900123").unwrap(),
            TnAuthList(vec![TnEntry::One("447700900123".into())])
        );
        assert_eq!(TnAuthList::single("1").unwrap().single_number(), Some("1"));
        assert!(TnAuthList::single("123456789012345").is_ok());
        assert_eq!(
            TnAuthList::single("1234567890123456"),
            Err(TnError::NumberTooLong(16))
        );
        assert_eq!(TnAuthList::single(""), Err(TnError::EmptyNumber));
        assert_eq!(TnAuthList::single("+"), Err(TnError::EmptyNumber));
        for bad in [
            "++1555",
            "1 555",
            "1555-1234",
            "*67",
            "#1",
            "１５５５",
            "+1555\n",
            "tel:1",
        ] {
            assert!(
                matches!(TnAuthList::single(bad), Err(TnError::NotE164(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rfc_9448_3_identifier_value() {
        let value = identifier_value("+15551234567").unwrap();
        assert_eq!(value, "MA-iDRYLMTU1NTEyMzQ1Njc");
        assert_eq!(number_from_identifier_value(&value).unwrap(), "15551234567");
        assert_eq!(identifier_value("15551234567").unwrap(), value);
    }

    #[test]
    fn rfc_9448_3_identifier_value_spelling_is_strict() {
        let value = identifier_value("15551234567").unwrap();
        for bad in [
            format!("{value}="),
            format!("{value}=="),
            value.replace('-', "+"),
            format!(" {value}"),
            format!("{value}\n"),
            String::new(),
            // Same bytes, non-zero trailing bits in the last character ('c' -> 'd').
            format!("{}d", &value[..value.len() - 1]),
        ] {
            assert!(number_from_identifier_value(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rfc_9448_3_identifier_must_be_one_number() {
        for vector in [PYASN1_SPC, PYASN1_RANGE, PYASN1_SEVERAL] {
            let value = URL_SAFE_NO_PAD.encode(hex(vector));
            assert!(
                matches!(
                    number_from_identifier_value(&value),
                    Err(TnError::NotSingleNumber(_))
                ),
                "{vector}"
            );
        }
        // One TelephoneNumber, but not one a person can receive an SMS on.
        let star = TnAuthList(vec![TnEntry::One("*67".into())])
            .to_der()
            .unwrap();
        assert!(matches!(
            number_from_identifier_value(&URL_SAFE_NO_PAD.encode(star)),
            Err(TnError::NotE164(_))
        ));
    }
}
