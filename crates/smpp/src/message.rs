//! What goes into a `submit_sm` and what comes out of a `deliver_sm`, without I/O.
//!
//! Out: a text the prompt renderer measured (its encoding's name, `gsm7` or `ucs2`) becomes
//! one or more [`Part`]s. GSM 7-bit goes as `data_coding` 0 with one septet per octet
//! (unpacked: the SMSC packs them for the air interface), UCS-2 as `data_coding` 8 in
//! UTF-16BE. A text longer than one SMS is split into segments that carry a user data header
//! with the 8-bit-reference concatenation element (TS 23.040 §9.2.3.24.1), never inside an
//! escape pair or a surrogate pair, with exactly the segment budgets `assent-prompt` measures
//! with; national shift tables are announced by their elements (§9.2.3.24.15/16) in every
//! segment. USSD has no header: a USSD text is one part in the default alphabet or UCS-2.
//!
//! In: a mobile-originated text in the `data_coding` it came with, and a delivery receipt
//! from its TLVs or, failing those, from the text format of SMPP 3.4 Appendix B.

use assent_prompt::DeviceKind;
use assent_prompt::encoding::{
    self, CONCATENATION_UDH_OCTETS, Encoding, SMS_UCS2_CONCAT_UNITS, SMS_UCS2_SINGLE_UNITS,
    sms_septets_with_header,
};
use assent_prompt::gsm7::{Language, Tables};

/// `data_coding` 0: the SMSC's default alphabet, GSM 7-bit here.
pub const DATA_CODING_GSM7: u8 = 0;
/// `data_coding` 1: IA5 (ASCII), which some SMSCs use for mobile-originated texts.
pub const DATA_CODING_IA5: u8 = 1;
/// `data_coding` 3: ISO-8859-1.
pub const DATA_CODING_LATIN1: u8 = 3;
/// `data_coding` 8: UCS-2 (UTF-16BE).
pub const DATA_CODING_UCS2: u8 = 8;

/// The user data header's information elements (TS 23.040 §9.2.3.24).
const IE_CONCATENATION_8BIT: u8 = 0x00;
const IE_LOCKING_SHIFT: u8 = 0x25;
const IE_SINGLE_SHIFT: u8 = 0x24;

/// One `submit_sm`'s payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub data_coding: u8,
    /// The payload starts with a user data header (`esm_class` UDHI bit).
    pub udhi: bool,
    /// `short_message`: the header, if any, then the text.
    pub short_message: Vec<u8>,
}

/// The `ussd_service_op` values of SMPP 3.4 §5.3.2.44 that a USSD dialogue uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UssdOp {
    /// The subscriber dialled a service code (mobile-initiated), from the network.
    PssrIndication,
    /// A screen that waits for the subscriber's answer, to the network.
    UssrRequest,
    /// The last screen of a subscriber-initiated dialogue: it ends the dialogue.
    PssrResponse,
    /// The subscriber's answer to a USSR request, from the network.
    UssrConfirm,
}

impl UssdOp {
    pub fn code(self) -> u8 {
        match self {
            UssdOp::PssrIndication => 1,
            UssdOp::UssrRequest => 2,
            UssdOp::PssrResponse => 17,
            UssdOp::UssrConfirm => 18,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(UssdOp::PssrIndication),
            2 => Some(UssdOp::UssrRequest),
            17 => Some(UssdOp::PssrResponse),
            18 => Some(UssdOp::UssrConfirm),
            _ => None,
        }
    }
}

/// Why a text cannot be sent or read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum MessageError {
    #[error("the encoding {0:?} is not one SMS or USSD carries (gsm7 or ucs2)")]
    Encoding(String),
    #[error("{0:?} is not in the GSM 7-bit alphabet")]
    NotGsm7(char),
    #[error("a USSD text must fit one interaction ({0} octets is too long)")]
    UssdTooLong(usize),
    #[error("a text of {0} segments is more than a concatenated SMS can carry (255)")]
    TooManySegments(usize),
    #[error("the message's data coding {0} is not one this gateway reads")]
    DataCoding(u8),
    #[error("the message's text is not valid in its data coding")]
    Malformed,
}

/// The most octets `short_message` takes (SMPP 3.4 §5.2.21): longer USSD texts would need
/// `message_payload`, which USSD gateways rarely accept.
const SHORT_MESSAGE_MAX: usize = 254;

fn encoding_named(name: &str) -> Result<Encoding, MessageError> {
    match name {
        "gsm7" => Ok(Encoding::Gsm7),
        "ucs2" => Ok(Encoding::Ucs2),
        other => Err(MessageError::Encoding(other.to_owned())),
    }
}

/// A piece of text no segment boundary may fall in: a septet or an escape pair, a UTF-16
/// code unit or a surrogate pair.
fn pieces(text: &str, encoding: Encoding, tables: Tables) -> Result<Vec<Vec<u8>>, MessageError> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match encoding {
            Encoding::Gsm7 => {
                let piece = tables
                    .encode(c.encode_utf8(&mut [0; 4]))
                    .ok_or(MessageError::NotGsm7(c))?;
                out.push(piece);
            }
            _ => {
                let mut units = [0u16; 2];
                let piece = c
                    .encode_utf16(&mut units)
                    .iter()
                    .flat_map(|u| u.to_be_bytes())
                    .collect();
                out.push(piece);
            }
        }
    }
    Ok(out)
}

/// The elements announcing national shift tables, in every segment (empty for the default
/// alphabet).
fn shift_elements(tables: Tables) -> Vec<u8> {
    let mut elements = Vec::new();
    if tables.locking != Language::Default {
        elements.extend([IE_LOCKING_SHIFT, 1, tables.locking.identifier()]);
    }
    if tables.single != Language::Default {
        elements.extend([IE_SINGLE_SHIFT, 1, tables.single.identifier()]);
    }
    elements
}

/// An SMS: `text` in the encoding the renderer chose (`gsm7` or `ucs2`), split into as many
/// segments as the renderer measured. `reference` ties the segments of one message together
/// on the handset; a sender keeps it different between messages to the same number.
pub fn sms_parts(text: &str, encoding: &str, reference: u8) -> Result<Vec<Part>, MessageError> {
    let encoding = encoding_named(encoding)?;
    let (tables, data_coding) = match encoding {
        Encoding::Gsm7 => {
            let measure = encoding::measure(text, DeviceKind::Sms, Encoding::Gsm7)
                .map_err(MessageError::NotGsm7)?;
            (
                measure.gsm7_tables.unwrap_or(Tables::DEFAULT),
                DATA_CODING_GSM7,
            )
        }
        _ => (Tables::DEFAULT, DATA_CODING_UCS2),
    };
    let pieces = pieces(text, encoding, tables)?;
    let elements = shift_elements(tables);
    // What one segment carries, in octets of `short_message` after the header: septets are
    // one octet each here, UCS-2 units two.
    let capacity = |udh_octets: usize| match encoding {
        Encoding::Gsm7 => sms_septets_with_header(udh_octets),
        _ if udh_octets == 0 => SMS_UCS2_SINGLE_UNITS * 2,
        _ => (SMS_UCS2_CONCAT_UNITS * 2).min(140 - udh_octets),
    };
    let single_udh = if elements.is_empty() {
        0
    } else {
        1 + elements.len()
    };
    let total: usize = pieces.iter().map(Vec::len).sum();
    if total <= capacity(single_udh) {
        let mut short_message = Vec::with_capacity(single_udh + total);
        if single_udh > 0 {
            short_message.push((single_udh - 1) as u8);
            short_message.extend(&elements);
        }
        short_message.extend(pieces.concat());
        return Ok(vec![Part {
            data_coding,
            udhi: single_udh > 0,
            short_message,
        }]);
    }
    let concat_udh = CONCATENATION_UDH_OCTETS + elements.len();
    let room = capacity(concat_udh);
    let mut bodies: Vec<Vec<u8>> = vec![Vec::new()];
    for piece in pieces {
        if bodies.last().is_some_and(|b| b.len() + piece.len() > room) {
            bodies.push(Vec::new());
        }
        if let Some(body) = bodies.last_mut() {
            body.extend(piece);
        }
    }
    let count =
        u8::try_from(bodies.len()).map_err(|_| MessageError::TooManySegments(bodies.len()))?;
    Ok(bodies
        .into_iter()
        .zip(1..=count)
        .map(|(body, seq)| {
            let mut short_message = Vec::with_capacity(concat_udh + body.len());
            short_message.push((concat_udh - 1) as u8);
            short_message.extend([IE_CONCATENATION_8BIT, 3, reference, count, seq]);
            short_message.extend(&elements);
            short_message.extend(body);
            Part {
                data_coding,
                udhi: true,
                short_message,
            }
        })
        .collect())
}

/// A USSD screen: one part, the default alphabet or UCS-2, no header.
pub fn ussd_part(text: &str, encoding: &str) -> Result<Part, MessageError> {
    let encoding = encoding_named(encoding)?;
    let (short_message, data_coding) = match encoding {
        Encoding::Gsm7 => (
            Tables::DEFAULT
                .encode(text)
                .ok_or_else(|| MessageError::NotGsm7(first_not_gsm7(text)))?,
            DATA_CODING_GSM7,
        ),
        _ => (
            text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            DATA_CODING_UCS2,
        ),
    };
    if short_message.len() > SHORT_MESSAGE_MAX {
        return Err(MessageError::UssdTooLong(short_message.len()));
    }
    Ok(Part {
        data_coding,
        udhi: false,
        short_message,
    })
}

/// A USSD screen laid out without a named encoding (a menu): the default alphabet when it
/// carries the text, else UCS-2, as the menu's layout measured it.
pub fn ussd_screen(text: &str) -> Result<Part, MessageError> {
    let encoding = if Tables::DEFAULT.encode(text).is_some() {
        "gsm7"
    } else {
        "ucs2"
    };
    ussd_part(text, encoding)
}

fn first_not_gsm7(text: &str) -> char {
    text.chars()
        .find(|&c| Tables::DEFAULT.cost(c).is_none())
        .unwrap_or('\u{FFFD}')
}

/// The text of a mobile-originated message (an SMS reply, a dialled code, a USSD answer):
/// its user data header, if any, skipped; GSM 7-bit as one septet per octet.
pub fn decode_text(
    data_coding: u8,
    udhi: bool,
    short_message: &[u8],
) -> Result<String, MessageError> {
    let body = if udhi {
        let header = usize::from(*short_message.first().ok_or(MessageError::Malformed)?) + 1;
        short_message.get(header..).ok_or(MessageError::Malformed)?
    } else {
        short_message
    };
    match data_coding {
        DATA_CODING_GSM7 => Tables::DEFAULT.decode(body).ok_or(MessageError::Malformed),
        DATA_CODING_IA5 if body.is_ascii() => Ok(body.iter().map(|&b| char::from(b)).collect()),
        DATA_CODING_LATIN1 => Ok(body.iter().map(|&b| char::from(b)).collect()),
        DATA_CODING_UCS2 if body.len() % 2 == 0 => {
            let units: Vec<u16> = body
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).map_err(|_| MessageError::Malformed)
        }
        DATA_CODING_IA5 | DATA_CODING_UCS2 => Err(MessageError::Malformed),
        other => Err(MessageError::DataCoding(other)),
    }
}

/// The final state of a submitted message as the SMSC reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Delivered,
    Expired,
    Deleted,
    Undeliverable,
    Accepted,
    Rejected,
    Unknown,
}

impl DeliveryState {
    /// The name the gateway stores and counts.
    pub fn name(self) -> &'static str {
        match self {
            DeliveryState::Delivered => "delivered",
            DeliveryState::Expired => "expired",
            DeliveryState::Deleted => "deleted",
            DeliveryState::Undeliverable => "undeliverable",
            DeliveryState::Accepted => "accepted",
            DeliveryState::Rejected => "rejected",
            DeliveryState::Unknown => "unknown",
        }
    }

    /// From the `message_state` TLV (SMPP 3.4 §5.2.28).
    pub fn from_message_state(state: u8) -> Option<Self> {
        Some(match state {
            2 => DeliveryState::Delivered,
            3 => DeliveryState::Expired,
            4 => DeliveryState::Deleted,
            5 => DeliveryState::Undeliverable,
            6 => DeliveryState::Accepted,
            7 => DeliveryState::Unknown,
            8 => DeliveryState::Rejected,
            _ => return None,
        })
    }

    /// From the `stat:` word of a receipt's text (SMPP 3.4 Appendix B).
    pub fn from_stat(stat: &str) -> Option<Self> {
        Some(match stat {
            "DELIVRD" => DeliveryState::Delivered,
            "EXPIRED" => DeliveryState::Expired,
            "DELETED" => DeliveryState::Deleted,
            "UNDELIV" => DeliveryState::Undeliverable,
            "ACCEPTD" => DeliveryState::Accepted,
            "UNKNOWN" => DeliveryState::Unknown,
            "REJECTD" => DeliveryState::Rejected,
            _ => return None,
        })
    }
}

/// A delivery receipt: which submitted message (the id the SMSC gave in `submit_sm_resp`)
/// reached which state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub message_id: String,
    pub state: DeliveryState,
}

/// A receipt from the text of SMPP 3.4 Appendix B (`id:… sub:… dlvrd:… submit date:… done
/// date:… stat:… err:… text:…`), for SMSCs that send no TLVs.
pub fn parse_receipt_text(text: &str) -> Option<Receipt> {
    let field = |name: &str| {
        let start = text.find(name)? + name.len();
        let rest = &text[start..];
        Some(rest.split(' ').next().unwrap_or(rest))
    };
    let message_id = field("id:")?.to_owned();
    let state = DeliveryState::from_stat(field("stat:")?)?;
    (!message_id.is_empty()).then_some(Receipt { message_id, state })
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_prompt::gsm7::ESCAPE;
    use proptest::prelude::*;

    fn decoded(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| decode_text(p.data_coding, p.udhi, &p.short_message).unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_short_gsm7_text_is_one_unpacked_part() -> Result<(), MessageError> {
        let parts = sms_parts("Code 123456 {ok}", "gsm7", 7)?;
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].data_coding, 0);
        assert!(!parts[0].udhi);
        // One octet per septet; `{` is the escape pair 0x1B 0x28.
        assert_eq!(&parts[0].short_message[..4], b"Code");
        assert_eq!(parts[0].short_message.len(), 18);
        assert!(
            parts[0]
                .short_message
                .windows(2)
                .any(|w| w == [ESCAPE, 0x28])
        );
        Ok(())
    }

    #[test]
    fn ucs2_is_utf16_big_endian() -> Result<(), MessageError> {
        let parts = sms_parts("Zoë 👍", "ucs2", 1)?;
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].data_coding, 8);
        assert_eq!(&parts[0].short_message[..2], &[0x00, b'Z']);
        assert_eq!(
            parts[0].short_message.len(),
            2 * "Zoë 👍".encode_utf16().count()
        );
        assert_eq!(decoded(&parts), "Zoë 👍");
        Ok(())
    }

    #[test]
    fn a_long_text_is_concatenated_with_one_reference() -> Result<(), MessageError> {
        let text = "word ".repeat(40);
        let parts = sms_parts(&text, "gsm7", 42)?;
        assert_eq!(parts.len(), 2);
        for (i, part) in parts.iter().enumerate() {
            assert!(part.udhi);
            assert_eq!(&part.short_message[..6], &[5, 0, 3, 42, 2, i as u8 + 1]);
        }
        assert_eq!(parts[0].short_message.len(), 6 + 153);
        assert_eq!(decoded(&parts), text);
        Ok(())
    }

    #[test]
    fn national_tables_are_announced_in_every_segment() -> Result<(), MessageError> {
        // ş and ğ are in the Turkish tables only.
        let parts = sms_parts("Onay kodunuz: 4711. Şifre değil, ğ.", "gsm7", 3)?;
        assert_eq!(parts.len(), 1);
        assert!(parts[0].udhi);
        let header = &parts[0].short_message[..usize::from(parts[0].short_message[0]) + 1];
        assert!(
            header
                .windows(3)
                .any(|w| w[0] == IE_LOCKING_SHIFT || w[0] == IE_SINGLE_SHIFT)
        );
        Ok(())
    }

    #[test]
    fn ussd_is_one_part_without_a_header() -> Result<(), MessageError> {
        let part = ussd_part("1 My consents\n2 Recent access", "gsm7")?;
        assert_eq!(part.data_coding, 0);
        assert!(!part.udhi);
        assert_eq!(part.short_message, b"1 My consents\n2 Recent access");
        assert_eq!(
            ussd_part("x", "utf8"),
            Err(MessageError::Encoding("utf8".into()))
        );
        assert_eq!(ussd_screen("Çok iyi ş")?.data_coding, DATA_CODING_UCS2);
        assert_eq!(ussd_screen("1 Yes")?.data_coding, DATA_CODING_GSM7);
        assert!(matches!(
            ussd_part(&"é".repeat(130), "ucs2"),
            Err(MessageError::UssdTooLong(260))
        ));
        Ok(())
    }

    #[test]
    fn mobile_originated_texts_decode() {
        assert_eq!(decode_text(0, false, b"1"), Ok("1".into()));
        assert_eq!(decode_text(8, false, &[0, b'2']), Ok("2".into()));
        assert_eq!(decode_text(3, false, &[0xE9]), Ok("é".into()));
        assert_eq!(decode_text(8, false, &[0]), Err(MessageError::Malformed));
        assert_eq!(
            decode_text(4, false, b"1"),
            Err(MessageError::DataCoding(4))
        );
        assert_eq!(decode_text(0, true, &[]), Err(MessageError::Malformed));
        assert_eq!(decode_text(0, true, &[2, 0x70, 0, b'1']), Ok("1".into()));
    }

    #[test]
    fn receipts_read_from_text() {
        let text = "id:S12 sub:001 dlvrd:001 submit date:2612070130 done date:2612070131 stat:DELIVRD err:000 text:";
        assert_eq!(
            parse_receipt_text(text),
            Some(Receipt {
                message_id: "S12".into(),
                state: DeliveryState::Delivered
            })
        );
        assert_eq!(parse_receipt_text("stat:DELIVRD"), None);
        assert_eq!(parse_receipt_text("id:1 stat:WHATEVER"), None);
    }

    proptest! {
        /// Any text splits into exactly the segments the renderer measured, each within
        /// 140 octets once packed, and the segments read back as the text.
        #[test]
        fn segments_agree_with_the_renderer(text in "[a-zA-Z0-9 {}€\\[\\]~çşğıİ]{0,400}", ucs2 in any::<bool>()) {
            let encoding = if ucs2 { Encoding::Ucs2 } else { Encoding::Gsm7 };
            let parts = sms_parts(&text, encoding.name(), 9).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let measure = encoding::measure(&text, DeviceKind::Sms, encoding).map_err(|c| TestCaseError::fail(c.to_string()))?;
            prop_assert_eq!(parts.len(), measure.segments);
            for part in &parts {
                let header = if part.udhi { usize::from(part.short_message[0]) + 1 } else { 0 };
                let body = part.short_message.len() - header;
                if ucs2 {
                    prop_assert!(header + body <= 140, "{} octets", header + body);
                } else {
                    // The header is padded to a septet boundary (TS 23.040 §9.2.3.24).
                    let septets = (header * 8).div_ceil(7) + body;
                    prop_assert!(septets <= 160, "{} septets", septets);
                }
            }
            // National tables read back with their own tables; the default alphabet here.
            if ucs2 || parts.iter().all(|p| !p.udhi || p.short_message[0] == 5) {
                prop_assert_eq!(decoded(&parts), text);
            }
        }
    }
}
