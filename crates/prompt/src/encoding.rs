//! Character encodings a consent prompt may travel in (MC_ATTR_14) and what each costs on the
//! wire: GSM 7-bit septets, UCS-2 (UTF-16 code units) or UTF-8 octets, plus SMS segmentation
//! (TS 23.040 §9.2.3.24) when the prompt goes by SMS.

use crate::device::DeviceKind;
use crate::gsm7::{self, Tables};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An encoding named in a device profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// GSM 7-bit default alphabet with the extension table, or national shift tables.
    Gsm7,
    /// UCS-2 as UTF-16 code units: an astral character costs a surrogate pair.
    Ucs2,
    /// UTF-8.
    Utf8,
}

impl Encoding {
    pub const ALL: [Encoding; 3] = [Encoding::Gsm7, Encoding::Ucs2, Encoding::Utf8];

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
            Encoding::Utf8 => "utf8",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The exact size of a text in one encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub encoding: Encoding,
    /// For GSM 7-bit: the shift tables in force.
    pub gsm7_tables: Option<Tables>,
    /// Septets (gsm7), UTF-16 code units (ucs2) or octets (utf8).
    pub units: usize,
    /// Octets on the wire with one octet per septet (unpacked).
    pub bytes: usize,
    /// Octets on the wire with septets packed (TS 23.038 §6.1.2.1.1).
    pub packed_bytes: usize,
    /// SMS segments needed when sent by SMS; 1 for every other bearer.
    pub segments: usize,
    /// Everything the bearer spends, used to find the cheapest encoding (not for budgets):
    /// on SMS the packed payload plus every segment's user data header; elsewhere `bytes`
    /// plus 3 octets per national shift table, the size of the element that announces it.
    pub wire_octets: usize,
}

/// Why a text does not fit a bearer in one encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodingMisfit {
    /// Some character is not in the character set (GSM 7-bit only).
    NotRepresentable { encoding: Encoding, character: char },
    /// The bearer has no such text coding: USSD and SMS display GSM 7-bit or UCS-2 only
    /// (TS 23.038 §4, §5); their 8-bit data coding is not shown to the user as text.
    NotCarried {
        encoding: Encoding,
        kind: DeviceKind,
    },
    /// Representable, but over the budget: `spent` of it ([`spent`]).
    OverBudget {
        measure: Measure,
        spent: usize,
        budget_bytes: usize,
    },
}

/// The budget a bearer gives one prompt in `encoding`, in the unit of [`spent`]. `None` means
/// no limit.
pub fn budget_bytes(
    kind: DeviceKind,
    max_bytes: Option<usize>,
    encoding: Encoding,
) -> Option<usize> {
    let bearer = match (kind, encoding) {
        // MC_ATTR_13: at most 220 bytes on the authentication device.
        (DeviceKind::Phone, _) => Some(PHONE_MAX_BYTES),
        // MC_ATTR_17: one USSD interaction carries 182 septets or 80 UCS-2 characters.
        (DeviceKind::Ussd, Encoding::Gsm7) => Some(USSD_MAX_SEPTETS),
        (DeviceKind::Ussd, Encoding::Ucs2 | Encoding::Utf8) => Some(USSD_MAX_UCS2_UNITS * 2),
        (DeviceKind::Sms | DeviceKind::Screen, _) => None,
    };
    match (bearer, max_bytes) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What a text spends of its bearer's budget, in the budget's unit. On SMS, the octets of
/// the user data — packed septets or UCS-2 units plus the header that announces national
/// shift tables — so that the 140 of one segment admits 160 GSM 7-bit characters (fewer
/// with shift tables) or 70 UCS-2 units (TS 23.040 §9.2.3.24); elsewhere, [`Measure::bytes`].
pub fn spent(kind: DeviceKind, measure: &Measure) -> usize {
    if kind == DeviceKind::Sms {
        measure.wire_octets
    } else {
        measure.bytes
    }
}

/// A national language shift information element: IEI, length, language (TS 23.040).
pub const SHIFT_ELEMENT_OCTETS: usize = 3;

pub const PHONE_MAX_BYTES: usize = 220;
pub const USSD_MAX_SEPTETS: usize = 182;
pub const USSD_MAX_UCS2_UNITS: usize = 80;

/// Picks the cheapest encoding among `allowed` that represents `text` exactly and fits the
/// bearer's budget. "Cheapest" is fewest SMS segments (SMS only), then fewest octets; ties go
/// to the more widely supported encoding (gsm7, then ucs2, then utf8) and, within GSM 7-bit,
/// to the table pair with the least signalling.
pub fn choose(
    text: &str,
    kind: DeviceKind,
    max_bytes: Option<usize>,
    allowed: &[Encoding],
) -> Result<Measure, Vec<EncodingMisfit>> {
    let mut best: Option<Measure> = None;
    let mut misfits = Vec::new();
    for encoding in Encoding::ALL {
        if !allowed.contains(&encoding) {
            continue;
        }
        if !carries(kind, encoding) {
            misfits.push(EncodingMisfit::NotCarried { encoding, kind });
            continue;
        }
        let measure = match measure(text, kind, encoding) {
            Ok(m) => m,
            Err(character) => {
                misfits.push(EncodingMisfit::NotRepresentable {
                    encoding,
                    character,
                });
                continue;
            }
        };
        if let Some(budget) = budget_bytes(kind, max_bytes, encoding)
            && spent(kind, &measure) > budget
        {
            misfits.push(EncodingMisfit::OverBudget {
                spent: spent(kind, &measure),
                measure,
                budget_bytes: budget,
            });
            continue;
        }
        if best.is_none_or(|b| cost(&measure) < cost(&b)) {
            best = Some(measure);
        }
    }
    best.ok_or(misfits)
}

/// Whether the bearer can show text in `encoding`.
pub fn carries(kind: DeviceKind, encoding: Encoding) -> bool {
    !(encoding == Encoding::Utf8 && matches!(kind, DeviceKind::Ussd | DeviceKind::Sms))
}

/// Fewest SMS segments first, then fewest octets on the wire.
fn cost(m: &Measure) -> (usize, usize) {
    (m.segments, m.wire_octets)
}

/// Measures `text` in one encoding for one bearer; GSM 7-bit tries every table pair the
/// bearer can signal. `Err` carries the first character GSM 7-bit cannot represent.
pub fn measure(text: &str, kind: DeviceKind, encoding: Encoding) -> Result<Measure, char> {
    match encoding {
        Encoding::Gsm7 => measure_gsm7(text, kind),
        Encoding::Ucs2 => {
            let units = text.encode_utf16().count();
            let segments = if kind == DeviceKind::Sms {
                sms_segments(
                    text.chars().map(char::len_utf16),
                    SMS_UCS2_SINGLE_UNITS,
                    SMS_UCS2_CONCAT_UNITS,
                )
            } else {
                1
            };
            Ok(Measure {
                encoding,
                gsm7_tables: None,
                units,
                bytes: units * 2,
                packed_bytes: units * 2,
                segments,
                wire_octets: units * 2 + concatenation_headers(segments),
            })
        }
        Encoding::Utf8 => Ok(Measure {
            encoding,
            gsm7_tables: None,
            units: text.len(),
            bytes: text.len(),
            packed_bytes: text.len(),
            segments: 1,
            wire_octets: text.len(),
        }),
    }
}

/// UDH length octet + the 8-bit-reference concatenation element (TS 23.040 §9.2.3.24.1).
pub const CONCATENATION_UDH_OCTETS: usize = 6;

fn concatenation_headers(segments: usize) -> usize {
    if segments > 1 {
        segments * CONCATENATION_UDH_OCTETS
    } else {
        0
    }
}
/// UCS-2 units in one SMS without a header, and in one segment of a concatenated message.
pub const SMS_UCS2_SINGLE_UNITS: usize = 70;
pub const SMS_UCS2_CONCAT_UNITS: usize = 67;

/// Septets one SMS carries with a user data header of `udh_octets` octets (0 = none); the
/// header is padded to a septet boundary (TS 23.040 §9.2.3.24).
pub fn sms_septets_with_header(udh_octets: usize) -> usize {
    if udh_octets == 0 {
        160
    } else {
        160 - (udh_octets * 8).div_ceil(7)
    }
}

/// Segments for a sequence of indivisible pieces (a character, or an escape pair), never
/// splitting a piece across segments.
fn sms_segments(
    pieces: impl Iterator<Item = usize> + Clone,
    single: usize,
    concat: usize,
) -> usize {
    let total: usize = pieces.clone().sum();
    if total <= single {
        return 1;
    }
    let mut segments = 1;
    let mut fill = 0;
    for piece in pieces {
        if fill + piece > concat {
            segments += 1;
            fill = 0;
        }
        fill += piece;
    }
    segments
}

fn measure_gsm7(text: &str, kind: DeviceKind) -> Result<Measure, char> {
    // USSD has no user data header to announce national shift tables in, so only the
    // default alphabet and its extension table apply there (see docs/prompt-fitting.md).
    let candidates: &[Tables] = if kind == DeviceKind::Ussd {
        &[Tables::DEFAULT]
    } else {
        &Tables::ALL
    };

    let mut best: Option<Measure> = None;
    let mut first_unrepresentable = None;
    for &tables in candidates {
        match measure_gsm7_with(text, kind, tables) {
            Ok(m) => {
                let cheapest_possible = m.units == text.chars().count();
                if best.is_none_or(|b| cost(&m) < cost(&b)) {
                    best = Some(m);
                }
                // Nothing can beat one septet per character with no signalling.
                if cheapest_possible && tables == Tables::DEFAULT {
                    break;
                }
            }
            Err(c) => {
                first_unrepresentable.get_or_insert(c);
            }
        }
    }
    best.ok_or(first_unrepresentable.unwrap_or('\u{FFFD}'))
}

fn measure_gsm7_with(text: &str, kind: DeviceKind, tables: Tables) -> Result<Measure, char> {
    let mut septets = 0usize;
    for c in text.chars() {
        septets += usize::from(tables.cost(c).ok_or(c)?);
    }
    let elements = usize::from(tables.shift_elements()) * SHIFT_ELEMENT_OCTETS;
    let (segments, wire_octets) = if kind == DeviceKind::Sms {
        // Each national shift table costs a 3-octet information element (TS 23.040
        // §9.2.3.24.15/16) in every segment, beside the concatenation element.
        let single_udh = if elements == 0 { 0 } else { 1 + elements };
        let concat_udh = CONCATENATION_UDH_OCTETS + elements;
        let pieces = text
            .chars()
            .map(|c| usize::from(tables.cost(c).unwrap_or(1)));
        let segments = sms_segments(
            pieces,
            sms_septets_with_header(single_udh),
            sms_septets_with_header(concat_udh),
        );
        let headers = if segments == 1 {
            single_udh
        } else {
            segments * concat_udh
        };
        (segments, gsm7::packed_len(septets) + headers)
    } else {
        (1, septets + elements)
    };
    Ok(Measure {
        encoding: Encoding::Gsm7,
        gsm7_tables: Some(tables),
        units: septets,
        bytes: septets,
        packed_bytes: gsm7::packed_len(septets),
        segments,
        wire_octets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gsm7::Language;

    #[test]
    fn sms_capacities_match_ts_23_040() {
        assert_eq!(sms_septets_with_header(0), 160);
        assert_eq!(sms_septets_with_header(6), 153); // concatenated
        assert_eq!(sms_septets_with_header(4), 155); // one national table
        assert_eq!(sms_septets_with_header(9), 149); // concatenated + one table
        assert_eq!(sms_septets_with_header(7), 152); // both tables
        assert_eq!(sms_septets_with_header(12), 146); // concatenated + both
    }

    #[test]
    fn a_budget_of_one_sms_segment_admits_160_gsm7_characters_or_70_ucs2_units() {
        let one_segment = Some(140);
        let allowed = [Encoding::Gsm7, Encoding::Ucs2];
        let fits = |text: &str| choose(text, DeviceKind::Sms, one_segment, &allowed);
        let full = fits(&"a".repeat(160)).unwrap();
        assert_eq!((full.encoding, full.segments), (Encoding::Gsm7, 1));
        assert!(fits(&"a".repeat(161)).is_err());
        let cyrillic = fits(&"ж".repeat(70)).unwrap();
        assert_eq!((cyrillic.encoding, cyrillic.segments), (Encoding::Ucs2, 1));
        assert!(fits(&"ж".repeat(71)).is_err());
        // On any other bearer the budget counts one octet per septet.
        let ussd = choose(&"a".repeat(160), DeviceKind::Ussd, Some(140), &allowed);
        assert!(ussd.is_err());
    }

    #[test]
    fn sms_gsm7_segments_at_160_and_153() {
        let one = "a".repeat(160);
        assert_eq!(
            measure(&one, DeviceKind::Sms, Encoding::Gsm7)
                .unwrap()
                .segments,
            1
        );
        let two = "a".repeat(161);
        assert_eq!(
            measure(&two, DeviceKind::Sms, Encoding::Gsm7)
                .unwrap()
                .segments,
            2
        );
        let three = "a".repeat(153 * 2 + 1);
        assert_eq!(
            measure(&three, DeviceKind::Sms, Encoding::Gsm7)
                .unwrap()
                .segments,
            3
        );
    }

    #[test]
    fn an_escape_pair_is_never_split_across_segments() {
        // 152 septets then '€' (2 septets) = 154 > 153: the pair moves whole to segment 2.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        let m = measure(&text, DeviceKind::Sms, Encoding::Gsm7).unwrap();
        // The Turkish locking table has '€' in one septet, but its header costs more.
        assert_eq!(m.gsm7_tables, Some(Tables::DEFAULT));
        assert_eq!(m.units, 164);
        assert_eq!(m.segments, 2);
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        // Segment 1: 152 (pair does not fit), segment 2: 2 + 151 = 153, segment 3: 1.
        assert_eq!(
            measure(&text, DeviceKind::Sms, Encoding::Gsm7)
                .unwrap()
                .segments,
            3
        );
    }

    #[test]
    fn ucs2_surrogate_pairs_are_never_split() {
        let text = format!("{}😀", "ж".repeat(66)); // 66 + 2 = 68 units > 70? no: fits one
        let m = measure(&text, DeviceKind::Sms, Encoding::Ucs2).unwrap();
        assert_eq!((m.units, m.segments), (68, 1));
        let text = format!("{}😀{}", "ж".repeat(66), "ж".repeat(10)); // 78 units
        let m = measure(&text, DeviceKind::Sms, Encoding::Ucs2).unwrap();
        // 66 fits, the pair would make 68 > 67: moves whole; segment 2 has 12.
        assert_eq!((m.units, m.segments), (78, 2));
    }

    #[test]
    fn turkish_text_prefers_a_national_table_to_ucs2() {
        let m = choose(
            "Paylaşılsın mı? 1 Evet / 2 Hayır",
            DeviceKind::Phone,
            None,
            &Encoding::ALL,
        )
        .unwrap();
        assert_eq!(m.encoding, Encoding::Gsm7);
        let tables = m.gsm7_tables.unwrap();
        assert_eq!(tables.locking, Language::Turkish);
        assert_eq!(m.units, 32);
    }

    #[test]
    fn ussd_uses_only_the_default_tables() {
        let err = choose("ı", DeviceKind::Ussd, None, &[Encoding::Gsm7]).unwrap_err();
        assert!(matches!(
            err[0],
            EncodingMisfit::NotRepresentable {
                character: 'ı', ..
            }
        ));
        let ok = choose(
            "ı",
            DeviceKind::Ussd,
            None,
            &[Encoding::Gsm7, Encoding::Ucs2],
        )
        .unwrap();
        assert_eq!(ok.encoding, Encoding::Ucs2);
    }

    #[test]
    fn cjk_is_cheaper_in_ucs2_and_emoji_ties_go_to_ucs2() {
        let m = choose("氏名", DeviceKind::Screen, None, &Encoding::ALL).unwrap();
        assert_eq!((m.encoding, m.bytes), (Encoding::Ucs2, 4));
        let m = choose("😀", DeviceKind::Screen, None, &Encoding::ALL).unwrap();
        assert_eq!((m.encoding, m.bytes), (Encoding::Ucs2, 4));
        let m = choose("é😀", DeviceKind::Screen, None, &[Encoding::Utf8]).unwrap();
        assert_eq!((m.encoding, m.bytes), (Encoding::Utf8, 6));
        // Mostly-Latin text with some Arabic is cheaper in UTF-8 where the bearer shows it.
        let mixed = "Demo Shop مرحبا";
        assert_eq!(
            choose(mixed, DeviceKind::Phone, None, &Encoding::ALL)
                .unwrap()
                .encoding,
            Encoding::Utf8
        );
    }

    #[test]
    fn ussd_and_sms_never_carry_utf8() {
        for kind in [DeviceKind::Ussd, DeviceKind::Sms] {
            let m = choose("Demo Shop مرحبا", kind, None, &Encoding::ALL).unwrap();
            assert_eq!(m.encoding, Encoding::Ucs2);
            let err = choose("abc", kind, None, &[Encoding::Utf8]).unwrap_err();
            assert!(matches!(err[0], EncodingMisfit::NotCarried { .. }));
        }
    }

    #[test]
    fn phone_budget_is_220_bytes() {
        let fits = "a".repeat(220);
        assert!(choose(&fits, DeviceKind::Phone, None, &Encoding::ALL).is_ok());
        let over = "a".repeat(221);
        assert!(choose(&over, DeviceKind::Phone, Some(500), &Encoding::ALL).is_err());
        // 110 UCS-2 units = 220 bytes fits; 111 does not.
        assert!(choose(&"ж".repeat(110), DeviceKind::Phone, None, &[Encoding::Ucs2]).is_ok());
        assert!(choose(&"ж".repeat(111), DeviceKind::Phone, None, &[Encoding::Ucs2]).is_err());
    }

    #[test]
    fn ussd_budget_is_182_septets_or_80_units() {
        assert!(choose(&"a".repeat(182), DeviceKind::Ussd, None, &Encoding::ALL).is_ok());
        assert!(choose(&"a".repeat(183), DeviceKind::Ussd, None, &Encoding::ALL).is_err());
        assert!(choose(&"ж".repeat(80), DeviceKind::Ussd, None, &Encoding::ALL).is_ok());
        assert!(choose(&"ж".repeat(81), DeviceKind::Ussd, None, &Encoding::ALL).is_err());
    }
}
