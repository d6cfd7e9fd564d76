//! Reading the six-digit verification code for the ACME `sms-link-00` challenge out of an SMS.
//!
//! Sans-I/O: [`extract`] takes the text of the SMS the user received — or whatever they pasted
//! or typed — and returns the code, or says why it will not.
//!
//! The gateway's message (English shown; the tests below read it in en, de, fr, es, pt, tr and
//! ar; the app also ships ja and hi, see docs/app-core.md for what free text reads there) reads:
//!
//! ```text
//! Assent: your number verification code is 123456. It expires in 10 minutes.
//!
//! @gw.example #123456
//! ```
//!
//! Its last line is the origin-bound one-time-code form `@<host> #<code>`, the convention
//! browsers and mobile operating systems use for autofill; the host is a domain or IP address
//! without scheme or port (`@127.0.0.1 #123456`).
//!
//! # Rules
//!
//! The whole input is refused with [`CodeError::TooLong`] above [`MAX_TEXT_BYTES`] bytes (an SMS
//! is a few hundred bytes; nobody should make us scan megabytes). Leading and trailing
//! whitespace is trimmed; lines may end in LF, CRLF or a lone CR.
//!
//! 1. **Origin-bound line first.** If the last non-empty line is `@host #code` — exactly two
//!    whitespace-separated words, a non-empty host after `@`, exactly six ASCII digits after
//!    `#` — that code is used and [`Code::origin`] is the host. When the caller passes an
//!    `expected_host` and the line names another host (compared ASCII case-insensitively,
//!    ignoring one trailing dot), the result is [`CodeError::WrongOrigin`]. A last line that
//!    only looks origin-bound (`#12345`, `#1234567`, a third word, non-ASCII digits) is not
//!    used; the text is then read as free text.
//! 2. **Free text otherwise.** A candidate is a standalone six-digit number: six decimal digits
//!    in a row, or two groups of three joined by exactly one ASCII space or hyphen (`123 456`,
//!    `123-456`). Digits are any Unicode decimal digits (general category Nd: ASCII, Arabic-Indic
//!    `٠`–`٩`, Extended Arabic-Indic `۰`–`۹`, fullwidth, Devanagari, …) and are returned as ASCII.
//!    One distinct candidate is the code; the same code written twice (or once as `123456` and
//!    once as `123 456`) is one candidate. Two or more distinct candidates are
//!    [`CodeError::Ambiguous`]; none is [`CodeError::NoCode`].
//! 3. **What is skipped, and why.** Digits are grouped into *numbers*: maximal sequences of digit
//!    runs in which each run is joined to the next by exactly one joiner — a space (also
//!    no-break, narrow no-break and thin space), a hyphen or dash, `.`, `,`, `:`, `/`, an
//!    apostrophe, or the Arabic decimal and thousands separators `٫` `٬`. Only a number whose
//!    whole shape is one run of six, or three + space-or-hyphen + three, is a candidate. So:
//!    - phone numbers: a number right after `+` (`+447700900001`, `+44 7700 900001`,
//!      `+482913`), and any run longer than six digits;
//!    - times (`10:30`, `10:30:15`), dates (`2026-11-27`, `27.11.2026`, `27/11/2026`) and
//!      amounts with separators (`12.345,67`, `1,234.56`, `123.456`, `12'345`, `١٢٫٥`);
//!    - a six-digit run joined by one space to another number (`030 123456`,
//!      `482913 482913`, `123 456 789`): we cannot tell it from a longer number, so we do not
//!      try — write the code apart from other numbers;
//!    - digits glued to a letter (`A482913`, `482913abc`, the SMS Retriever hash): an
//!      identifier, not a code.
//!
//!    Nothing else is interpreted: no currencies, no words like "code", no position in the
//!    text. Simple and predictable beats clever here — a miss only means the user types the
//!    code; a wrong pick would send a wrong or foreign code.
//!
//! # Why ambiguous texts are refused
//!
//! A text with two different six-digit numbers (a new code and an old one, a code and an order
//! number, two SMS pasted together) has no safe reading: any choice is a guess, and a wrong
//! guess either fails the challenge — burning an attempt — or, worse, relays a code that
//! belongs to something else. So the caller gets all candidates back and asks the user to
//! pick or type the code.
//!
//! # Origin binding
//!
//! The `@host #code` line binds the code to the site that sent it. A code whose line names
//! another host is refused even though the code itself is perfectly readable: a code meant for
//! another site must never be relayed — an attacker who gets the user to paste *their* bank's
//! (or their own site's) SMS into Assent must not get that code submitted on their behalf. Text
//! without an origin-bound line cannot be checked and yields [`Code::origin`] `None`; the
//! caller decides whether that is acceptable (for text the user typed, it is).
//!
//! # The mobile boundary
//!
//! Getting the SMS is the platform's job, not this module's:
//! - Android: the SMS User Consent API (one tap, no hash needed) or the SMS Retriever API
//!   (automatic; the message must also carry the app's 11-character hash, which would have to
//!   go *before* the origin-bound line, since that one must stay last) hand the app the full
//!   message text.
//! - iOS (and web views): an input with `autocomplete="one-time-code"` (`textContentType =
//!   .oneTimeCode` natively) makes the OS offer the code from the SMS above the keyboard; the
//!   field then receives just the code.
//! - Desktop: the user pastes the SMS or types the code.
//!
//! Whatever arrives — the whole message, a pasted fragment or a bare `482913` — goes through
//! [`extract`], so every platform turns text into a code by the same rules.

/// Inputs longer than this many bytes are refused with [`CodeError::TooLong`].
pub const MAX_TEXT_BYTES: usize = 4096;

/// Number of digits in a code.
const CODE_LEN: usize = 6;

/// A verification code read from a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Six ASCII digits.
    pub code: String,
    /// The host from the origin-bound last line (`@host #code`), as written there; `None` when
    /// the code came from free text.
    pub origin: Option<String>,
}

/// Why no code was read.
///
/// The messages never contain the codes themselves, so logging an error leaks no code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodeError {
    /// The text contains no six-digit code.
    #[error("no six-digit code found in the text")]
    NoCode,
    /// The text contains several different six-digit codes; none was chosen.
    #[error("the text contains {} different six-digit codes; refusing to guess", candidates.len())]
    Ambiguous {
        /// The distinct candidates as ASCII digits, in order of first appearance.
        candidates: Vec<String>,
    },
    /// The origin-bound line names another host than the expected one. (The hosts are shown
    /// quoted and escaped: `found` is text from the SMS.)
    #[error("the code is bound to {found:?}, not to {expected:?}; refusing to use it")]
    WrongOrigin {
        /// The host the caller expected.
        expected: String,
        /// The host named in the origin-bound line.
        found: String,
    },
    /// The text is longer than [`MAX_TEXT_BYTES`].
    #[error("the text is {len} bytes long; at most {MAX_TEXT_BYTES} bytes are read")]
    TooLong {
        /// Length of the text in bytes.
        len: usize,
    },
}

/// Reads the verification code out of `text` (an SMS, or text the user pasted or typed).
///
/// `expected_host` is the host the code must be bound to if the text carries an origin-bound
/// line. See the [module documentation](self) for the exact rules.
///
/// # Errors
///
/// - [`CodeError::TooLong`] if `text` is over [`MAX_TEXT_BYTES`] bytes;
/// - [`CodeError::WrongOrigin`] if the origin-bound last line names another host than
///   `expected_host`;
/// - [`CodeError::Ambiguous`] if the free text holds two or more different codes;
/// - [`CodeError::NoCode`] if it holds none.
pub fn extract(text: &str, expected_host: Option<&str>) -> Result<Code, CodeError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(CodeError::TooLong { len: text.len() });
    }
    let text = text.trim();

    if let Some((host, code)) = origin_bound_line(text) {
        // Origin binding: a code meant for another site must never be relayed, however
        // readable it is. This check is the whole point of the `@host #code` line.
        if let Some(expected) = expected_host
            && !same_host(expected, host)
        {
            return Err(CodeError::WrongOrigin {
                expected: expected.to_owned(),
                found: host.to_owned(),
            });
        }
        return Ok(Code {
            code: code.to_owned(),
            origin: Some(host.to_owned()),
        });
    }

    let mut candidates = free_text_candidates(text);
    match candidates.len() {
        0 => Err(CodeError::NoCode),
        1 => Ok(Code {
            code: candidates.swap_remove(0),
            origin: None,
        }),
        _ => Err(CodeError::Ambiguous { candidates }),
    }
}

/// `(host, code)` from the last non-empty line if it is exactly `@host #dddddd`.
fn origin_bound_line(text: &str) -> Option<(&str, &str)> {
    let line = text
        .split(['\n', '\r'])
        .map(|line| line.trim_matches(|c: char| c.is_whitespace() || is_invisible(c)))
        .rfind(|line| !line.is_empty())?;
    let mut words = line.split_whitespace();
    let host = words.next()?.strip_prefix('@')?;
    let code = words.next()?.strip_prefix('#')?;
    let well_formed = words.next().is_none()
        && !host.is_empty()
        && code.len() == CODE_LEN
        && code.bytes().all(|b| b.is_ascii_digit());
    well_formed.then_some((host, code))
}

/// Bidi marks and the byte-order mark, which messaging apps and copy-paste put around RTL text;
/// trimmed from the ends of the last line so they cannot hide the origin-bound form.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Host equality for origin binding: ASCII case-insensitive, one trailing dot ignored.
fn same_host(a: &str, b: &str) -> bool {
    fn bare(host: &str) -> &str {
        host.strip_suffix('.').unwrap_or(host)
    }
    bare(a).eq_ignore_ascii_case(bare(b))
}

/// Distinct free-text candidates in order of first appearance (rules 2 and 3).
///
/// Hand-written scanning instead of a regex: the rules are "runs of decimal digits and what
/// touches them", which a short loop states directly, handles every Unicode decimal digit
/// without a Unicode-aware regex engine, and keeps the crate free of a dependency.
fn free_text_candidates(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut candidates: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit_at(&chars, i) {
            i += 1;
            continue;
        }
        // One "number": digit runs joined by single joiner characters.
        let start = i;
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut joiners: Vec<char> = Vec::new();
        loop {
            let run_start = i;
            while is_digit_at(&chars, i) {
                i += 1;
            }
            runs.push((run_start, i));
            match chars.get(i) {
                Some(&c) if is_joiner(c) && is_digit_at(&chars, i + 1) => {
                    joiners.push(c);
                    i += 1;
                }
                _ => break,
            }
        }
        if let Some(code) = number_as_code(&chars, start, i, &runs, &joiners)
            && !candidates.contains(&code)
        {
            candidates.push(code);
        }
    }
    candidates
}

/// The code a number spanning `chars[start..end]` stands for, if it is one (rule 3).
fn number_as_code(
    chars: &[char],
    start: usize,
    end: usize,
    runs: &[(usize, usize)],
    joiners: &[char],
) -> Option<String> {
    let before = start.checked_sub(1).and_then(|p| chars.get(p)).copied();
    let after = chars.get(end).copied();
    // `+` starts an international phone number.
    if matches!(before, Some('+' | '\u{FF0B}')) {
        return None;
    }
    // Glued to a letter: part of an identifier or a word.
    if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric) {
        return None;
    }
    let is_code_shaped = match (runs, joiners) {
        // `123456`
        ([(s, e)], []) => e - s == CODE_LEN,
        // `123 456`, `123-456`
        ([(s1, e1), (s2, e2)], [' ' | '-']) => e1 - s1 == CODE_LEN / 2 && e2 - s2 == CODE_LEN / 2,
        _ => false,
    };
    if !is_code_shaped {
        return None;
    }
    let code = chars
        .get(start..end)?
        .iter()
        .filter_map(|&c| decimal_value(c))
        .map(|v| char::from(b'0' + v))
        .collect();
    Some(code)
}

/// Whether `chars[i]` exists and is a decimal digit.
fn is_digit_at(chars: &[char], i: usize) -> bool {
    chars.get(i).is_some_and(|&c| decimal_value(c).is_some())
}

/// A single character that joins two digit runs into one number (rule 3).
fn is_joiner(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{00A0}' // no-break space
            | '\u{2009}' // thin space
            | '\u{202F}' // narrow no-break space (French thousands separator)
            | '-'
            | '\u{2010}'
            ..='\u{2013}' // hyphen, non-breaking hyphen, figure dash, en dash
            | '\u{2212}' // minus sign
            | '.'
            | ','
            | ':'
            | '/'
            | '\''
            | '\u{2019}' // right single quotation mark (Swiss thousands separator)
            | '\u{066B}' // Arabic decimal separator
            | '\u{066C}' // Arabic thousands separator
    )
}

/// The value of a Unicode decimal digit (general category Nd), `None` for anything else.
fn decimal_value(c: char) -> Option<u8> {
    let cp = u32::from(c);
    // Number of blocks starting at or before `cp`; the candidate block is the last of them.
    let blocks = DECIMAL_ZEROS.partition_point(|&zero| zero <= cp);
    let zero = DECIMAL_ZEROS.get(blocks.checked_sub(1)?)?;
    u8::try_from(cp - zero).ok().filter(|&v| v < 10)
}

/// First code point (the zero) of every block of ten decimal digits, general category Nd,
/// Unicode 16.0 (every Nd character is `zero + value` for one of these). Sorted.
const DECIMAL_ZEROS: [u32; 76] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450,
    0x114D0, 0x11650, 0x116C0, 0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50,
    0x11D50, 0x11DA0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E5F1, 0x1E950, 0x1FBF0,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A code read from free text.
    fn free(code: &str) -> Result<Code, CodeError> {
        Ok(Code {
            code: code.to_owned(),
            origin: None,
        })
    }

    /// A code read from the origin-bound line.
    fn bound(code: &str, host: &str) -> Result<Code, CodeError> {
        Ok(Code {
            code: code.to_owned(),
            origin: Some(host.to_owned()),
        })
    }

    fn ambiguous(candidates: &[&str]) -> Result<Code, CodeError> {
        Err(CodeError::Ambiguous {
            candidates: candidates.iter().map(|c| (*c).to_owned()).collect(),
        })
    }

    /// The same gateway message in every locale the app ships, each as the plain message, with
    /// the code written twice, and with an earlier code mentioned (ambiguous).
    macro_rules! locale_tests {
        ($($locale:ident {
            plain: $plain:expr,
            repeated: $repeated:expr,
            ambiguous: $ambiguous:expr $(,)?
        })*) => {$(
            mod $locale {
                use super::*;

                #[test]
                fn message_yields_code() {
                    assert_eq!(extract($plain, None), free("482913"));
                    assert_eq!(extract($plain, Some("gw.example")), free("482913"));
                }

                #[test]
                fn message_with_origin_line_yields_code_and_host() {
                    let text = format!("{}\n\n@gw.example #482913", $plain);
                    assert_eq!(extract(&text, None), bound("482913", "gw.example"));
                    assert_eq!(extract(&text, Some("gw.example")), bound("482913", "gw.example"));
                }

                #[test]
                fn message_with_origin_line_for_another_host_is_refused() {
                    let text = format!("{}\n\n@evil.example #482913", $plain);
                    assert_eq!(
                        extract(&text, Some("gw.example")),
                        Err(CodeError::WrongOrigin {
                            expected: "gw.example".to_owned(),
                            found: "evil.example".to_owned(),
                        })
                    );
                }

                #[test]
                fn code_written_twice_is_one_candidate() {
                    assert_eq!(extract($repeated, None), free("482913"));
                }

                #[test]
                fn two_different_codes_are_refused() {
                    assert_eq!(extract($ambiguous, None), ambiguous(&["482913", "157036"]));
                }
            }
        )*};
    }

    locale_tests! {
        en {
            plain: "Assent: your number verification code is 482913. It expires in 10 minutes.",
            repeated: "Assent: your number verification code is 482913. Enter 482913 in the app \
                       within 10 minutes.",
            ambiguous: "Assent: your number verification code is 482913. It expires in 10 \
                        minutes. Your previous code 157036 no longer works.",
        }
        de {
            plain: "Ihr Bestätigungscode für Assent lautet 482913. Er läuft in 10 Minuten ab.",
            repeated: "Ihr Bestätigungscode für Assent lautet 482913. Geben Sie 482913 innerhalb \
                       von 10 Minuten in der App ein.",
            ambiguous: "Ihr Bestätigungscode für Assent lautet 482913. Der vorherige Code 157036 \
                        ist nicht mehr gültig.",
        }
        fr {
            // French typography: narrow no-break space before the colon.
            plain: "Assent\u{202F}: votre code de vérification est 482913. Il expire dans 10 \
                    minutes.",
            repeated: "Assent\u{202F}: votre code de vérification est 482913. Saisissez 482913 \
                       dans l’application d’ici 10 minutes.",
            ambiguous: "Assent\u{202F}: votre code de vérification est 482913. L’ancien code \
                        157036 n’est plus valable.",
        }
        es {
            plain: "Assent: tu código de verificación es 482913. Caduca en 10 minutos.",
            repeated: "Assent: tu código de verificación es 482913. Introduce 482913 en la \
                       aplicación antes de 10 minutos.",
            ambiguous: "Assent: tu código de verificación es 482913. El código anterior, 157036, \
                        ya no es válido.",
        }
        pt {
            plain: "Assent: o seu código de verificação é 482913. Expira dentro de 10 minutos.",
            repeated: "Assent: o seu código de verificação é 482913. Introduza 482913 na \
                       aplicação nos próximos 10 minutos.",
            ambiguous: "Assent: o seu código de verificação é 482913. O código anterior (157036) \
                        já não é válido.",
        }
        tr {
            plain: "Assent: numara doğrulama kodunuz 482913. Kodun süresi 10 dakika içinde \
                    dolar; kimseyle paylaşmayın.",
            repeated: "Assent: numara doğrulama kodunuz 482913. Lütfen 482913 kodunu 10 dakika \
                       içinde uygulamaya girin.",
            ambiguous: "Assent: numara doğrulama kodunuz 482913. Önceki kodunuz 157036 artık \
                        geçersiz. İyi günler.",
        }
        ar {
            // Right-to-left text with Arabic-Indic digits and an embedded Latin name.
            plain: "رمز التحقق الخاص برقمك في Assent هو ٤٨٢٩١٣. تنتهي صلاحيته خلال ١٠ دقائق.",
            repeated: "رمز التحقق الخاص برقمك في Assent هو ٤٨٢٩١٣. أدخل الرمز ٤٨٢٩١٣ في التطبيق \
                       خلال ١٠ دقائق.",
            ambiguous: "رمز التحقق الخاص برقمك في Assent هو ٤٨٢٩١٣. الرمز السابق ١٥٧٠٣٦ لم يعد \
                        صالحًا.",
        }
    }

    const GATEWAY_SMS: &str = "Assent: your number verification code is 123456. It expires in \
                               10 minutes.\n\n@gw.example #123456";

    // --- origin-bound line ---

    #[test]
    fn gateway_sms_yields_code_and_origin() {
        assert_eq!(
            extract(GATEWAY_SMS, Some("gw.example")),
            bound("123456", "gw.example")
        );
    }

    #[test]
    fn origin_line_alone_is_enough() {
        assert_eq!(
            extract("@gw.example #123456", None),
            bound("123456", "gw.example")
        );
    }

    #[test]
    fn origin_line_with_ip_host() {
        assert_eq!(
            extract(
                "Your code is 123456.\n@127.0.0.1 #123456",
                Some("127.0.0.1")
            ),
            bound("123456", "127.0.0.1")
        );
    }

    #[test]
    fn origin_host_comparison_ignores_ascii_case_and_one_trailing_dot() {
        let text = "Code 123456\n@GW.Example. #123456";
        assert_eq!(
            extract(text, Some("gw.example")),
            bound("123456", "GW.Example.")
        );
        assert_eq!(
            extract(text, Some("gw.EXAMPLE.")),
            bound("123456", "GW.Example.")
        );
        assert_eq!(
            extract("Code 123456\n@gw.example #123456", Some("gw.example.")),
            bound("123456", "gw.example")
        );
    }

    #[test]
    fn wrong_origin_is_refused() {
        assert_eq!(
            extract(
                "Your bank code is 123456.\n\n@bank.example #123456",
                Some("gw.example")
            ),
            Err(CodeError::WrongOrigin {
                expected: "gw.example".to_owned(),
                found: "bank.example".to_owned(),
            })
        );
    }

    #[test]
    fn wrong_origin_is_refused_for_lookalike_hosts() {
        for host in [
            "gw.example.evil",
            "evil-gw.example",
            "gw.example..",
            "xgw.example",
        ] {
            let text = format!("Code 123456\n@{host} #123456");
            assert_eq!(
                extract(&text, Some("gw.example")),
                Err(CodeError::WrongOrigin {
                    expected: "gw.example".to_owned(),
                    found: host.to_owned(),
                }),
                "{host}"
            );
        }
    }

    #[test]
    fn origin_line_wins_over_other_numbers_in_the_body() {
        let text = "Order 555555 shipped. Your code is 123456.\n@gw.example #123456";
        assert_eq!(extract(text, None), bound("123456", "gw.example"));
    }

    #[test]
    fn origin_line_with_extra_spaces_and_bidi_marks_is_recognised() {
        assert_eq!(
            extract("Code 123456\n  @gw.example   #123456  ", None),
            bound("123456", "gw.example")
        );
        assert_eq!(
            extract(
                "رمز ١٢٣٤٥٦\n\u{200E}@gw.example #123456\u{200E}",
                Some("gw.example")
            ),
            bound("123456", "gw.example")
        );
    }

    #[test]
    fn five_digit_origin_line_falls_back_to_free_text() {
        let text = "Assent: your number verification code is 123456.\n\n@gw.example #12345";
        assert_eq!(extract(text, Some("gw.example")), free("123456"));
    }

    #[test]
    fn seven_digit_origin_line_falls_back_to_free_text() {
        let text = "Assent: your number verification code is 123456.\n\n@gw.example #1234567";
        assert_eq!(extract(text, None), free("123456"));
    }

    #[test]
    fn malformed_origin_line_without_body_code_is_no_code() {
        assert_eq!(extract("@gw.example #12345", None), Err(CodeError::NoCode));
        assert_eq!(
            extract("@gw.example #1234567", None),
            Err(CodeError::NoCode)
        );
    }

    #[test]
    fn origin_line_with_empty_host_or_third_word_or_arabic_digits_is_not_used() {
        let cases = [
            "Code 123456\n@ #123456",
            "Code 123456\n@gw.example #123456 @other.example",
            "Code 123456\n@gw.example #123456.",
            "Code 123456\n@gw.example#123456",
            "Code 123456\n@gw.example #١٢٣٤٥٦",
        ];
        for text in cases {
            assert_eq!(
                extract(text, Some("gw.example")),
                free("123456"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn origin_line_that_is_not_last_is_not_used() {
        let text = "@gw.example #123456\nYour code is 123456.";
        assert_eq!(extract(text, Some("gw.example")), free("123456"));
    }

    #[test]
    fn free_text_with_expected_host_has_no_origin() {
        assert_eq!(
            extract("Your code is 123456.", Some("gw.example")),
            free("123456")
        );
    }

    // --- free text: what counts as a code ---

    #[test]
    fn bare_code_as_typed() {
        assert_eq!(extract("482913", None), free("482913"));
    }

    #[test]
    fn code_written_as_three_plus_three_with_space_or_hyphen() {
        assert_eq!(extract("Your code is 482 913.", None), free("482913"));
        assert_eq!(extract("Your code is 482-913.", None), free("482913"));
        assert_eq!(extract("482 913", None), free("482913"));
        assert_eq!(extract("٤٨٢ ٩١٣", None), free("482913"));
    }

    #[test]
    fn split_code_and_whole_code_are_one_candidate() {
        assert_eq!(extract("Code 482913 (482 913)", None), free("482913"));
    }

    #[test]
    fn other_splits_are_not_codes() {
        for text in [
            "48 2913",
            "4829 13",
            "482  913",
            "482\t913",
            "482.913",
            "482/913",
            "482 913 700",
            "12 345 6",
            "482\u{00A0}913",
        ] {
            assert_eq!(extract(text, None), Err(CodeError::NoCode), "{text:?}");
        }
    }

    #[test]
    fn five_and_seven_digit_runs_are_not_codes() {
        assert_eq!(
            extract("Code 48291, ref 4829130", None),
            Err(CodeError::NoCode)
        );
    }

    #[test]
    fn digits_glued_to_letters_are_not_codes() {
        for text in [
            "A482913",
            "482913abc",
            "ref:AB482913",
            "FA+9qCX9VSu",
            "ٮ٤٨٢٩١٣",
        ] {
            assert_eq!(extract(text, None), Err(CodeError::NoCode), "{text:?}");
        }
    }

    #[test]
    fn code_next_to_punctuation_is_a_code() {
        for text in [
            "code:482913",
            "(482913)",
            "«482913»",
            "#482913",
            "G-482913",
            "“482913”",
            "482913!",
        ] {
            assert_eq!(extract(text, None), free("482913"), "{text:?}");
        }
    }

    #[test]
    fn extended_arabic_indic_digits_are_normalised() {
        // Persian/Urdu digits.
        assert_eq!(extract("کد تأیید شما: ۴۸۲۹۱۳", None), free("482913"));
    }

    #[test]
    fn fullwidth_and_devanagari_digits_are_normalised() {
        assert_eq!(extract("認証コード：４８２９１３", None), free("482913"));
        assert_eq!(extract("आपका कोड ४८२९१३ है।", None), free("482913"));
    }

    #[test]
    fn bidi_marks_around_an_arabic_code_do_not_hide_it() {
        assert_eq!(
            extract("رمز التحقق هو \u{200F}٤٨٢٩١٣\u{200F}.", None),
            free("482913")
        );
        assert_eq!(
            extract("رمز التحقق هو \u{2066}482913\u{2069}.", None),
            free("482913")
        );
    }

    #[test]
    fn no_code_at_all() {
        assert_eq!(
            extract("Assent: your number was verified. Thank you!", None),
            Err(CodeError::NoCode)
        );
    }

    #[test]
    fn empty_and_blank_texts_have_no_code() {
        assert_eq!(extract("", None), Err(CodeError::NoCode));
        assert_eq!(extract(" \r\n\t\n ", None), Err(CodeError::NoCode));
    }

    // --- free text: what is skipped ---

    #[test]
    fn phone_numbers_are_not_codes() {
        for text in [
            "Call +447700900001 if you did not ask for this.",
            "Call +44 7700 900001 if you did not ask for this.",
            "Call +44-7700-900001 if you did not ask for this.",
            "Anrufen: +49 30 123456",
            "Tel. 030 123456",
            "+482913",
            "اتصل على +٤٤٧٧٠٠٩٠٠٠٠١",
            "Call 447700900001",
        ] {
            assert_eq!(extract(text, None), Err(CodeError::NoCode), "{text:?}");
        }
    }

    #[test]
    fn phone_number_next_to_code_is_ignored() {
        assert_eq!(
            extract(
                "Assent: your code is 482913. Not you? Call +447700900001.",
                None
            ),
            free("482913")
        );
    }

    #[test]
    fn times_are_not_codes() {
        for text in ["Valid until 10:30", "Gültig bis 10:30:15 Uhr", "à 10h30"] {
            assert_eq!(extract(text, None), Err(CodeError::NoCode), "{text:?}");
        }
    }

    #[test]
    fn dates_are_not_codes() {
        for text in [
            "Expires 2026-11-27",
            "Gültig bis 27.11.2026",
            "Expire le 27/11/2026",
            "Expires 2026-11-27T10:30",
            "20261127",
        ] {
            assert_eq!(extract(text, None), Err(CodeError::NoCode), "{text:?}");
        }
    }

    #[test]
    fn amounts_are_not_codes() {
        for text in [
            "Betrag: 12.345,67 EUR",
            "Amount: $1,234.56",
            "Total 123.456",
            "Montant : 123,456",
            "CHF 12'345",
            "المبلغ ١٢٣٫٤٥٦",
            "المبلغ ١٢٣٬٤٥٦",
        ] {
            assert_eq!(extract(text, None), Err(CodeError::NoCode), "{text:?}");
        }
    }

    #[test]
    fn code_among_times_dates_and_amounts_is_found() {
        let text = "Assent: code 482913 for the payment of 12.345,67 EUR on 2026-11-27 at 10:30.";
        assert_eq!(extract(text, None), free("482913"));
    }

    #[test]
    fn six_digit_run_touching_another_number_is_skipped() {
        // Documented limitation: the code must stand apart from other numbers.
        assert_eq!(extract("482913 482913", None), Err(CodeError::NoCode));
        assert_eq!(extract("27.11.2026 482913", None), Err(CodeError::NoCode));
    }

    // --- ambiguity ---

    #[test]
    fn three_different_codes_are_listed_in_order() {
        assert_eq!(
            extract("111111, 222222 or 333333? Not 222222.", None),
            ambiguous(&["111111", "222222", "333333"])
        );
    }

    #[test]
    fn two_pasted_messages_are_ambiguous() {
        let text = "Your code is 482913.\nYour code is 157036.";
        assert_eq!(extract(text, None), ambiguous(&["482913", "157036"]));
    }

    #[test]
    fn ambiguous_and_wrong_origin_messages_do_not_contain_codes() {
        let err = CodeError::Ambiguous {
            candidates: vec!["482913".to_owned(), "157036".to_owned()],
        };
        let message = err.to_string();
        assert!(
            !message.contains("482913") && !message.contains("157036"),
            "{message}"
        );
        assert!(message.contains('2'), "{message}");
    }

    #[test]
    fn wrong_origin_message_escapes_the_host_from_the_sms() {
        let err = extract(
            "Code 123456\n@evil\u{1b}[31m.example #123456",
            Some("gw.example"),
        )
        .expect_err("wrong origin");
        let message = err.to_string();
        assert!(!message.contains('\u{1b}'), "{message}");
        assert!(message.contains("evil\\u{1b}[31m.example"), "{message}");
    }

    // --- line endings, whitespace, size ---

    #[test]
    fn crlf_message_with_origin_line() {
        let text = "Assent: your number verification code is 123456.\r\nIt expires in 10 \
                    minutes.\r\n\r\n@gw.example #123456\r\n";
        assert_eq!(
            extract(text, Some("gw.example")),
            bound("123456", "gw.example")
        );
    }

    #[test]
    fn crlf_message_with_malformed_origin_line_falls_back() {
        let text = "Your code is 123456.\r\n\r\n@gw.example #12345\r\n";
        assert_eq!(extract(text, Some("gw.example")), free("123456"));
    }

    #[test]
    fn lone_cr_line_endings() {
        let text = "Your code is 123456.\r\r@gw.example #123456";
        assert_eq!(extract(text, None), bound("123456", "gw.example"));
    }

    #[test]
    fn pasted_text_with_surrounding_whitespace() {
        assert_eq!(
            extract("\n\n   Your code is 482913.   \n\t\n", None),
            free("482913")
        );
        assert_eq!(extract("  \t482913\n", None), free("482913"));
        assert_eq!(
            extract(&format!("\u{FEFF}\n  {GATEWAY_SMS}  \n\n\n"), None),
            bound("123456", "gw.example")
        );
    }

    #[test]
    fn text_over_the_limit_is_refused() {
        let text = format!("Your code is 482913.{}", " ".repeat(MAX_TEXT_BYTES));
        assert_eq!(
            extract(&text, None),
            Err(CodeError::TooLong { len: text.len() })
        );
    }

    #[test]
    fn text_at_the_limit_is_read() {
        let head = "Your code is 482913.";
        let text = format!("{head}{}", "x ".repeat((MAX_TEXT_BYTES - head.len()) / 2));
        assert_eq!(text.len(), MAX_TEXT_BYTES);
        assert_eq!(extract(&text, None), free("482913"));
    }

    // --- digit table ---

    #[test]
    fn digit_table_is_sorted_and_every_block_is_numeric() {
        assert!(DECIMAL_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]));
        for zero in DECIMAL_ZEROS {
            for value in 0..10u8 {
                let c = char::from_u32(zero + u32::from(value)).expect("valid char");
                assert!(c.is_numeric(), "{c:?}");
                assert_eq!(decimal_value(c), Some(value), "{c:?}");
            }
        }
    }

    #[test]
    fn non_decimal_numerics_are_not_digits() {
        for c in [
            '²', '½', '①', 'Ⅻ', '〇', 'a', ' ', '٫', '\u{065F}', '\u{06FA}',
        ] {
            assert_eq!(decimal_value(c), None, "{c:?}");
        }
    }
}
