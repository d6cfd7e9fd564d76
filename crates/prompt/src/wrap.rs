//! Wrapping a prompt into lines without ever breaking a word (MC_ATTR_15).
//!
//! A line may end only where two rules agree:
//! 1. the Unicode line breaking algorithm (UAX #14, via `unicode-linebreak`) allows a break
//!    there, so no line starts with a closing bracket, `!`, `?`, `:` and the like, and
//! 2. the break is a *word* boundary: right after white space (for space-separated scripts a
//!    word is everything between white space, so `E-Mail-Adresse` and e-mail addresses stay
//!    whole), or between two CJK characters (ideographs, kana, CJK punctuation).
//!
//! Scripts written without spaces and broken by dictionary (Thai, Lao, Khmer, Myanmar) get no
//! break inside a run: UAX #14 only allows dictionary breaks there, and rule 2 refuses them.
//! A word wider than a line is an error, never cut.

use crate::width::display_width;
use unicode_linebreak::{BreakOpportunity, linebreaks};

/// A word wider than the line: the text cannot be wrapped to these columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordTooWide {
    pub word: String,
    pub width: usize,
    pub columns: usize,
}

/// Byte offsets into `text` where a new line may begin (sorted, excluding 0 and `text.len()`).
pub fn break_opportunities(text: &str) -> Vec<usize> {
    let mut breaks = Vec::new();
    // Only printable ASCII: a tab (UAX #14 BA) is breaking white space that is not SP, and
    // LB6 forbids breaking between spaces and a following BK, CR or LF.
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        ascii_breaks(text.as_bytes(), &mut breaks);
    } else {
        unicode_breaks(text, &mut breaks);
    }
    breaks
}

/// UAX #14 restricted to what can occur after a run of spaces in printable ASCII: the
/// rules LB13 (× CL CP EX IS SY), LB14 (OP SP* ×), LB15 (QU SP* × OP) and LB18 (SP ÷).
/// `tests::ascii_fast_path_agrees_with_uax14` checks it against the general path.
fn ascii_breaks(bytes: &[u8], out: &mut Vec<usize>) {
    let mut last_non_space: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b' ' {
            last_non_space = Some(b);
            i += 1;
            continue;
        }
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let (Some(before), Some(&next)) = (last_non_space, bytes.get(i)) else {
            continue;
        };
        let forbidden_before = matches!(
            next,
            b')' | b']' | b'}' | b'!' | b'?' | b',' | b'.' | b':' | b';' | b'/'
        );
        let opener_before = matches!(before, b'(' | b'[' | b'{');
        let quote_then_opener =
            matches!(before, b'"' | b'\'') && matches!(next, b'(' | b'[' | b'{');
        if !(forbidden_before || opener_before || quote_then_opener) {
            out.push(i);
        }
    }
}

fn unicode_breaks(text: &str, out: &mut Vec<usize>) {
    // White space before the first word is not a word boundary.
    let first_word = text
        .find(|c: char| !is_breaking_space(c))
        .unwrap_or(text.len());
    for (offset, opportunity) in linebreaks(text) {
        if offset <= first_word {
            continue;
        }
        if opportunity != BreakOpportunity::Allowed || offset == 0 || offset >= text.len() {
            continue;
        }
        let (Some(before), Some(after)) = (
            text[..offset].chars().next_back(),
            text[offset..].chars().next(),
        ) else {
            continue;
        };
        if is_breaking_space(before) || (is_cjk(before) && is_cjk(after)) {
            out.push(offset);
        }
    }
}

/// White space that separates words. No-break spaces (U+00A0, U+2007, U+202F) glue.
pub fn is_breaking_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}')
}

/// Characters of scripts written without spaces where a line may break between any two
/// characters (subject to UAX #14's kinsoku rules): Han, kana, Bopomofo, CJK punctuation
/// and full-width forms. Hangul is written with spaces and is not included.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF     // CJK radicals, Kangxi radicals
        | 0x3000..=0x303F   // CJK symbols and punctuation
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3100..=0x312F   // Bopomofo
        | 0x31A0..=0x31FF   // Bopomofo extended, CJK strokes, Katakana phonetic extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFE30..=0xFE4F   // CJK compatibility forms
        | 0xFF01..=0xFF60   // full-width forms
        | 0xFFE0..=0xFFE6   // full-width signs
        | 0x20000..=0x3FFFF // CJK extensions B..
    )
}

/// Wraps `text` into lines of at most `columns` cells, breaking only at
/// [`break_opportunities`]. White space at a break is dropped (the line break replaces it);
/// white space inside a line is kept as it is. Greedy filling gives the fewest lines because
/// a line's width is the sum of its parts.
pub fn wrap(text: &str, columns: usize) -> Result<Vec<&str>, WordTooWide> {
    wrap_glued(text, columns, &[])
}

/// [`wrap`], with no break strictly inside any of the `glue` byte ranges (the renderer glues
/// "1 Yes": GSM 7-bit has no no-break space to do it in the text itself). A glued range is
/// then part of one word, and too wide a one is [`WordTooWide`].
pub fn wrap_glued<'t>(
    text: &'t str,
    columns: usize,
    glue: &[std::ops::Range<usize>],
) -> Result<Vec<&'t str>, WordTooWide> {
    let mut lines = Vec::new();
    // The line being filled: text[start..end], `width` cells wide.
    let mut current: Option<(usize, usize, usize)> = None;
    let mut word_start = 0;
    let mut breaks = break_opportunities(text);
    breaks.retain(|&b| !glue.iter().any(|g| g.start < b && b < g.end));
    for word_next in breaks.into_iter().chain(std::iter::once(text.len())) {
        let content = text[word_start..word_next].trim_end_matches(is_breaking_space);
        let content_end = word_start + content.len();
        let content_width = display_width(content);
        if content_width > columns {
            return Err(WordTooWide {
                word: content.to_owned(),
                width: content_width,
                columns,
            });
        }
        current = Some(match current {
            None => (word_start, content_end, content_width),
            Some((start, end, width)) => {
                let joined = width + display_width(&text[end..word_start]) + content_width;
                if joined <= columns {
                    (start, content_end, joined)
                } else {
                    lines.push(&text[start..end]);
                    (word_start, content_end, content_width)
                }
            }
        });
        word_start = word_next;
    }
    if let Some((start, end, _)) = current {
        lines.push(&text[start..end]);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, columns: usize) -> Vec<&str> {
        wrap(text, columns).unwrap()
    }

    #[test]
    fn breaks_at_spaces_and_keeps_compound_words_whole() {
        assert_eq!(
            lines("Bitte E-Mail-Adresse teilen", 15),
            ["Bitte", "E-Mail-Adresse", "teilen"]
        );
        assert_eq!(
            lines("email = marie.curie@example.org ok", 23),
            ["email =", "marie.curie@example.org", "ok"]
        );
    }

    #[test]
    fn a_word_wider_than_the_line_does_not_fit() {
        let err = wrap("to marie.curie@example.org", 10).unwrap_err();
        assert_eq!(err.word, "marie.curie@example.org");
        assert_eq!((err.width, err.columns), (23, 10));
    }

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        // French puts a space before '?' and ':'; UAX #14 LB13 keeps them on the line.
        assert_eq!(lines("Partager ? 1 Oui", 10), ["Partager ?", "1 Oui"]);
        assert!(wrap("Partager ? 1 Oui", 9).is_err());
    }

    #[test]
    fn cjk_breaks_between_ideographs_but_not_before_closing_punctuation() {
        assert_eq!(lines("氏名と住所", 4), ["氏名", "と住", "所"]);
        assert_eq!(lines("氏名、住所", 4), ["氏", "名、", "住所"]);
    }

    #[test]
    fn thai_runs_stay_whole() {
        let thai = "ชื่อและที่อยู่";
        assert!(wrap(thai, 5).is_err());
        assert_eq!(
            lines(&format!("{thai} ok"), display_width(thai)),
            [thai, "ok"]
        );
    }

    #[test]
    fn glued_ranges_stay_on_one_line() {
        let text = "Share? 1 Yes / 2 No";
        assert_eq!(lines(text, 8), ["Share? 1", "Yes / 2", "No"]);
        assert_eq!(
            wrap_glued(text, 8, &[7..12, 15..19]).unwrap(),
            ["Share?", "1 Yes /", "2 No"]
        );
    }

    #[test]
    fn no_break_spaces_glue() {
        assert_eq!(break_opportunities("a\u{a0}b c"), vec![5]);
    }

    #[test]
    fn ascii_control_characters_take_the_general_path() {
        // LB6: no break before a line feed, even after spaces.
        assert_eq!(break_opportunities("a \nb"), Vec::<usize>::new());
        assert_eq!(break_opportunities("a \rb"), Vec::<usize>::new());
        // A tab is breaking white space (UAX #14 BA).
        assert_eq!(break_opportunities("a\tb"), vec![2]);
        assert_eq!(break_opportunities("a \tb"), vec![2, 3]);
    }

    #[test]
    fn ascii_fast_path_agrees_with_uax14() {
        let samples = [
            "a b",
            "a  b",
            "( a",
            "a )",
            "a ] b",
            "a ! b",
            "a ? b",
            "a , b",
            "a . b",
            "a : b",
            "a ; b",
            "a / b",
            "\" (a",
            "' [b",
            "x \" y",
            "1 Yes / 2 No",
            "a - b",
            "$ 5",
            "# a",
            "a { b } c",
            "a | b",
            "a ~ b",
            "a ` b",
            "a @ b",
            "a % b",
            "a + b",
            "a = b",
            "a < b",
            "a > b",
            "a ^ b",
            "a \\ b",
            "a _ b",
            "a & b",
            "a * b",
            "  lead",
            "trail  ",
        ];
        for s in samples {
            let mut fast = Vec::new();
            ascii_breaks(s.as_bytes(), &mut fast);
            let mut general = Vec::new();
            unicode_breaks(s, &mut general);
            assert_eq!(fast, general, "{s:?}");
        }
    }
}
