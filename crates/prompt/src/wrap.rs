//! Wrapping a prompt into lines without ever breaking a word (MC_ATTR_15).
//!
//! A line may end only where two rules agree:
//! 1. the Unicode line breaking algorithm (UAX #14, via `unicode-linebreak`) allows a break
//!    there, so no line starts with a closing bracket, `!`, `?`, `:` and the like, and
//! 2. the break is a *word* boundary: right after a run of white space, never inside it (no
//!    line starts with white space; for space-separated scripts a word is everything between
//!    white space, so `E-Mail-Adresse` and e-mail addresses stay whole), or between two CJK
//!    characters (ideographs, kana, CJK punctuation).
//!
//! Scripts written without spaces and broken by dictionary (Thai, Lao, Khmer, Myanmar) get no
//! break inside a run: UAX #14 only allows dictionary breaks there, and rule 2 refuses them.
//! A word wider than a line is an error, never cut.
//!
//! Speed (docs/performance.md): text whose only breaking white space is U+0020 and that holds
//! no hard break, ZW or WJ (prompts, as a rule) is split and measured in one pass that
//! decides UAX #14 only where rule 2 could break; any other text runs UAX #14 over every
//! character. Both give the same lines: the tests compare them over every line breaking
//! class in short contexts and on random text.

use crate::width::{display_width, lone_width};
use std::ops::Range;
use unicode_linebreak::{BreakClass, BreakOpportunity, break_property, linebreaks};

/// A word wider than the line: the text cannot be wrapped to these columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordTooWide {
    pub word: String,
    pub width: usize,
    pub columns: usize,
}

/// Byte offsets into `text` where a new line may begin (sorted, excluding 0 and `text.len()`).
pub fn break_opportunities(text: &str) -> Vec<usize> {
    if !is_printable_ascii(text) {
        let mut breaks = Vec::with_capacity(text.len() / 4);
        let handled = local_words(text, &[], |word| {
            if word.next < text.len() {
                breaks.push(word.next);
            }
            true
        });
        if handled {
            return breaks;
        }
    }
    general_breaks(text)
}

/// Only printable ASCII: a tab (UAX #14 BA) is breaking white space that is not SP, and
/// LB6 forbids breaking between spaces and a following BK, CR or LF.
fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// [`break_opportunities`] without [`local_words`]: the ASCII path or UAX #14 throughout.
fn general_breaks(text: &str) -> Vec<usize> {
    let mut breaks = Vec::with_capacity(text.len() / 4);
    if is_printable_ascii(text) {
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

/// A word found by [`local_words`]: it ends where the next begins, at `next` (a break
/// opportunity, or the end of the text); its content, without the spaces that end it, ends at
/// `content_end`; `width` is the content's [`display_width`] when every character of it has
/// a [`lone_width`] (their sum), else `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LocalWord {
    next: usize,
    content_end: usize,
    width: Option<usize>,
}

/// The words of `text` between the same break opportunities as [`unicode_breaks`], in one
/// pass and without running UAX #14 over every character: only the two places rule 2
/// accepts are decided, each by the rules that can apply there. It takes text whose only
/// breaking white space is U+0020 and that holds no character of the classes BK, CR, LF,
/// NL, ZW or WJ, so no rule reaches across those places. `on_word` gets each word in order
/// and returns whether to go on; no word ends strictly inside a `glue` range. Returns
/// `false` at the first character of any other text, which then takes the general path (the
/// words given so far are right all the same).
///
/// - After a run of spaces (LB18 SP ÷), unless LB13 (× CL CP EX IS SY), LB14 (OP SP* ×),
///   LB15 (QU SP* × OP), LB16 ((CL|CP) SP* × NS) or LB17 (B2 SP* × B2) forbids it, with the
///   class before the run seen through LB9 (X CM* is X) and the one after through LB10.
/// - Between two CJK characters of the classes ID, OP, CL, CP, NS or EX, which LB13, LB14,
///   LB16 and LB21 (× NS) can forbid: allowed exactly before ID or OP not after OP (LB31).
///   Other CJK characters (combining kana marks, the ideographic space, currency signs)
///   take the general path.
///
/// `tests::local_*_agree_with_*` compare it with the general path over every class in
/// short contexts, and on random text.
fn local_words(
    text: &str,
    glue: &[Range<usize>],
    mut on_word: impl FnMut(LocalWord) -> bool,
) -> bool {
    use BreakClass::{
        CloseParenthesis, ClosePunctuation, Exclamation, Ideographic, NonStarter, OpenPunctuation,
    };
    let bytes = text.as_bytes();
    let mut spaces_from: Option<usize> = None;
    let mut cjk_before: Option<BreakClass> = None;
    let mut word_before = false;
    // The word being read: where its content ends, the sum of the lone widths up to there
    // and up to the current character, and whether every character so far has one.
    let mut content_end = 0;
    let mut content_width = 0;
    let mut width = 0;
    let mut lone = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b' ' {
            spaces_from.get_or_insert(i);
            cjk_before = None;
            width += 1;
            i += 1;
            continue;
        }
        let c = if b.is_ascii() {
            char::from(b)
        } else {
            match text[i..].chars().next() {
                Some(c) => c,
                None => break,
            }
        };
        if is_unhandled(c) {
            return false;
        }
        let cjk = if c >= CJK_START && is_cjk(c) {
            let class = line_break_class(c);
            if !matches!(
                class,
                Ideographic
                    | OpenPunctuation
                    | ClosePunctuation
                    | CloseParenthesis
                    | NonStarter
                    | Exclamation
            ) {
                return false;
            }
            Some(class)
        } else {
            None
        };
        let breaks_before = match (spaces_from.take(), cjk_before, cjk) {
            (Some(start), _, _) if word_before => {
                // ASCII letters are AL and digits NU, which no rule of the list names before
                // the spaces and only LB14 (OP before) names after them.
                let alphanumeric_before = bytes[start - 1].is_ascii_alphanumeric();
                if alphanumeric_before && c.is_ascii_alphanumeric() {
                    true
                } else {
                    let before = if alphanumeric_before {
                        BreakClass::Alphabetic
                    } else {
                        class_before(&text[..start])
                    };
                    let after = cjk.unwrap_or_else(|| line_break_class(c));
                    break_after_spaces(before, after)
                }
            }
            (None, Some(before), Some(after)) => {
                before != OpenPunctuation && matches!(after, Ideographic | OpenPunctuation)
            }
            _ => false,
        };
        if breaks_before && !glue.iter().any(|g| g.start < i && i < g.end) {
            let word = LocalWord {
                next: i,
                content_end,
                width: lone.then_some(content_width),
            };
            if !on_word(word) {
                return true;
            }
            width = 0;
            lone = true;
        }
        match lone_width(c) {
            Some(w) => width += w,
            None => lone = false,
        }
        i += c.len_utf8();
        // The printable ASCII after it but spaces: no break before any of them (no space
        // before, not CJK), one cell each.
        let run = bytes[i..]
            .iter()
            .take_while(|b| (b'!'..=b'~').contains(*b))
            .count();
        i += run;
        width += run;
        content_end = i;
        content_width = width;
        cjk_before = if run == 0 { cjk } else { None };
        word_before = true;
    }
    on_word(LocalWord {
        next: text.len(),
        content_end,
        width: lone.then_some(content_width),
    });
    true
}

/// Characters [`local_words`] leaves to the general path: white space other than U+0020
/// and the no-break spaces (GL), and the classes BK, CR, LF, NL, ZW and WJ.
fn is_unhandled(c: char) -> bool {
    if c.is_ascii() {
        // The ASCII white space but U+0020 (which is handled): TAB, LF, VT, FF, CR.
        return matches!(c, '\t'..='\r');
    }
    is_breaking_space(c) || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// The line breaking class of `c` after LB1 as `unicode-linebreak` tailors it: AI, SG, XX
/// and SA are AL, CJ is NS.
fn line_break_class(c: char) -> BreakClass {
    match break_property(u32::from(c)) {
        BreakClass::Ambiguous
        | BreakClass::Surrogate
        | BreakClass::Unknown
        | BreakClass::ComplexContext => BreakClass::Alphabetic,
        BreakClass::ConditionalJapaneseStarter => BreakClass::NonStarter,
        class => class,
    }
}

/// The class `text` (which does not end in a space) ends with, for the rules: LB9 sees
/// through combining marks and ZWJ to their base; with a space or nothing before them,
/// LB10 makes them AL.
fn class_before(text: &str) -> BreakClass {
    for c in text.chars().rev() {
        match line_break_class(c) {
            BreakClass::CombiningMark | BreakClass::ZeroWidthJoiner => {}
            BreakClass::Space => return BreakClass::Alphabetic,
            class => return class,
        }
    }
    BreakClass::Alphabetic
}

/// Whether UAX #14 allows a break after a run of spaces between `before` and `after`.
fn break_after_spaces(before: BreakClass, after: BreakClass) -> bool {
    use BreakClass::{
        Alphabetic, BeforeAndAfter, CloseParenthesis, ClosePunctuation, CombiningMark, Exclamation,
        InfixSeparator, NonStarter, OpenPunctuation, Quotation, Symbol, ZeroWidthJoiner,
    };
    let after = match after {
        CombiningMark | ZeroWidthJoiner => Alphabetic,
        class => class,
    };
    let forbidden = matches!(
        after,
        ClosePunctuation | CloseParenthesis | Exclamation | InfixSeparator | Symbol
    ) || before == OpenPunctuation
        || (before == Quotation && after == OpenPunctuation)
        || (matches!(before, ClosePunctuation | CloseParenthesis) && after == NonStarter)
        || (before == BeforeAndAfter && after == BeforeAndAfter);
    !forbidden
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
        // A line breaks only after the whole run of white space, which the break consumes:
        // UAX #14 also allows one inside the run (LB18: SP ÷, e.g. before U+3000 or a tab,
        // which are BA), and the next line would then start with white space.
        if is_breaking_space(after) {
            continue;
        }
        if is_breaking_space(before) || (is_cjk(before) && is_cjk(after)) {
            out.push(offset);
        }
    }
}

/// White space that separates words. No-break spaces (U+00A0, U+2007, U+202F) glue.
pub fn is_breaking_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}')
}

/// No character before this one is [`is_cjk`].
const CJK_START: char = '\u{2E80}';

/// Characters of scripts written without spaces where a line may break between any two
/// characters (subject to UAX #14's kinsoku rules): Han, kana, Bopomofo, CJK punctuation
/// and full-width forms. Hangul is written with spaces and is not included.
pub fn is_cjk(c: char) -> bool {
    if c < CJK_START {
        return false;
    }
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
    glue: &[Range<usize>],
) -> Result<Vec<&'t str>, WordTooWide> {
    if let Some(wrapped) = local_wrap(text, columns, glue) {
        return wrapped;
    }
    let mut breaks = general_breaks(text);
    breaks.retain(|&b| !glue.iter().any(|g| g.start < b && b < g.end));
    fill(text, columns, breaks)
}

/// Greedy filling of lines from the words between `breaks`.
fn fill(text: &str, columns: usize, breaks: Vec<usize>) -> Result<Vec<&str>, WordTooWide> {
    let mut lines = Vec::new();
    // The line being filled: text[start..end], `width` cells wide.
    let mut current: Option<(usize, usize, usize)> = None;
    let mut word_start = 0;
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

/// [`fill`] over [`local_words`], which measures the words as it finds them; `None` when
/// the text needs the general path. Between two words there are only U+0020 spaces, one
/// cell each.
fn local_wrap<'t>(
    text: &'t str,
    columns: usize,
    glue: &[Range<usize>],
) -> Option<Result<Vec<&'t str>, WordTooWide>> {
    let mut lines = Vec::with_capacity(text.len() / columns.max(1) + 1);
    let mut current: Option<(usize, usize, usize)> = None;
    let mut word_start = 0;
    let mut too_wide = None;
    let handled = local_words(text, glue, |word| {
        let content = || &text[word_start..word.content_end];
        let content_width = word.width.unwrap_or_else(|| display_width(content()));
        if content_width > columns {
            too_wide = Some(WordTooWide {
                word: content().to_owned(),
                width: content_width,
                columns,
            });
            return false;
        }
        current = Some(match current {
            None => (word_start, word.content_end, content_width),
            Some((start, end, width)) => {
                let joined = width + (word_start - end) + content_width;
                if joined <= columns {
                    (start, word.content_end, joined)
                } else {
                    lines.push(&text[start..end]);
                    (word_start, word.content_end, content_width)
                }
            }
        });
        word_start = word.next;
        true
    });
    if !handled {
        return None;
    }
    if let Some(too_wide) = too_wide {
        return Some(Err(too_wide));
    }
    if let Some((start, end, _)) = current {
        lines.push(&text[start..end]);
    }
    Some(Ok(lines))
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
        // A tab is breaking white space (UAX #14 BA); a line breaks after the whole run of
        // white space, never inside it (UAX #14 alone allows SP ÷ BA).
        assert_eq!(break_opportunities("a\tb"), vec![2]);
        assert_eq!(break_opportunities("a \tb"), vec![3]);
    }

    /// One character for each combination of what either path looks at: the UAX #14 class
    /// and whether the character is CJK, breaking white space, U+0020 or left to the general
    /// path. Both paths give the same answer for all characters of one combination.
    fn representatives() -> Vec<char> {
        let mut seen = Vec::new();
        let mut reps = Vec::new();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let key = (
                break_property(u32::from(c)),
                is_cjk(c),
                is_breaking_space(c),
                is_unhandled(c),
                c == ' ',
            );
            if !seen.contains(&key) {
                seen.push(key);
                reps.push(c);
            }
        }
        reps
    }

    fn general(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        unicode_breaks(text, &mut out);
        out
    }

    fn local(text: &str) -> Option<Vec<usize>> {
        let mut out = Vec::new();
        let handled = local_words(text, &[], |word| {
            if word.next < text.len() {
                out.push(word.next);
            }
            true
        });
        handled.then_some(out)
    }

    fn assert_local_agrees(text: &str) {
        if let Some(local) = local(text) {
            assert_eq!(local, general(text), "{text:?}");
            for columns in [2, 4] {
                assert_eq!(
                    local_wrap(text, columns, &[]),
                    Some(fill(text, columns, general(text))),
                    "{text:?} in {columns} columns"
                );
            }
        }
    }

    #[test]
    fn ascii_letters_are_alphabetic_and_digits_numeric() {
        for b in (0..0x80u8).filter(u8::is_ascii_alphanumeric) {
            let expected = if b.is_ascii_digit() {
                BreakClass::Numeric
            } else {
                BreakClass::Alphabetic
            };
            assert_eq!(
                break_property(u32::from(b)),
                expected,
                "{:?}",
                char::from(b)
            );
        }
        for before in [BreakClass::Alphabetic, BreakClass::Numeric] {
            for after in [BreakClass::Alphabetic, BreakClass::Numeric] {
                assert!(break_after_spaces(before, after));
            }
        }
    }

    #[test]
    fn local_words_leave_hard_breaks_and_other_spaces_to_the_general_path() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let class = break_property(u32::from(c));
            let hard = matches!(
                class,
                BreakClass::Mandatory
                    | BreakClass::CarriageReturn
                    | BreakClass::LineFeed
                    | BreakClass::NextLine
                    | BreakClass::ZeroWidthSpace
                    | BreakClass::WordJoiner
                    | BreakClass::Space
            );
            if c != ' ' && (hard || is_breaking_space(c)) {
                assert!(is_unhandled(c), "U+{:04X}", u32::from(c));
                assert!(local(&format!("a{c}b")).is_none());
            }
        }
    }

    #[test]
    fn local_words_agree_with_the_general_path_on_every_short_text() {
        let reps = representatives();
        let mut alphabet = reps.clone();
        alphabet.push(' ');
        let mut handled = 0;
        for &a in &alphabet {
            for &b in &alphabet {
                for &c in &alphabet {
                    let text = format!("{a}{b}{c}");
                    assert_local_agrees(&text);
                    handled += usize::from(local(&text).is_some());
                }
            }
        }
        assert!(handled > alphabet.len().pow(3) / 4, "{handled}");
    }

    #[test]
    fn local_words_agree_with_the_general_path_after_spaces_in_every_class_context() {
        let reps = representatives();
        let prefixes = std::iter::once(String::new()).chain(reps.iter().map(char::to_string));
        let prefixes: Vec<String> = prefixes.collect();
        for prefix in &prefixes {
            for &base in &reps {
                for marks in ["", "\u{301}", "\u{200D}", "\u{301}\u{200D}"] {
                    for &after in &reps {
                        assert_local_agrees(&format!("{prefix}{base}{marks} {after}"));
                    }
                }
            }
        }
        for &base in &reps {
            for &after in &reps {
                assert_local_agrees(&format!("{base}   {after}"));
                assert_local_agrees(&format!(" {base}\u{301}  {after}x"));
            }
        }
    }

    #[test]
    fn local_words_agree_with_the_general_path_between_cjk_in_every_class_context() {
        let reps = representatives();
        let cjk: Vec<char> = reps.iter().copied().filter(|&c| is_cjk(c)).collect();
        let prefixes = std::iter::once(String::new()).chain(reps.iter().map(char::to_string));
        let prefixes: Vec<String> = prefixes.collect();
        for p in &prefixes {
            for q in &prefixes {
                for &x in &cjk {
                    for &y in &cjk {
                        assert_local_agrees(&format!("{p}{q}{x}{y}"));
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn local_words_agree_with_the_general_path_on_random_text(
            chars in proptest::collection::vec(proptest::sample::select(vec![
                ' ', ' ', ' ', 'a', 'Z', '1', '.', ',', ':', '?', '!', '(', ')', '[', '"', '\'',
                '-', '/', '=', '@', '%', '$', '+', '«', '»', '„', '“', '”', '¿', '¡', '—', '–',
                'é', 'ß', 'Ж', 'Ω', 'א', 'ب', '،', '؟', 'क', '\u{94D}', 'ก', '\u{E31}', '한',
                '中', '国', 'カ', 'ー', 'ッ', '々', '、', '。', '「', '」', '（', '）', '！', '・',
                '\u{3099}', '\u{3000}', '\u{A0}', '\u{202F}', '\u{2007}', '\u{301}', '\u{200D}',
                '\u{FE0F}', '\u{2068}', '\u{2069}', '😀', '👍', '\u{1F3FD}', '🇫', '🇷', '\t',
                '\n', '\u{200B}', '\u{2060}', '\u{1}', '％', '￥', '１',
            ]), 0..24),
            glue in proptest::collection::vec((0usize..48, 0usize..16), 0..3),
        ) {
            let text: String = chars.into_iter().collect();
            let glue: Vec<Range<usize>> = glue.into_iter().map(|(at, len)| at..at + len).collect();
            if let Some(local) = local(&text) {
                proptest::prop_assert_eq!(local, general(&text), "{:?}", text);
                let mut glued = general(&text);
                glued.retain(|&b| !glue.iter().any(|g| g.start < b && b < g.end));
                for columns in 1..12 {
                    proptest::prop_assert_eq!(
                        local_wrap(&text, columns, &[]),
                        Some(fill(&text, columns, general(&text))),
                        "{:?} in {} columns", text, columns
                    );
                    proptest::prop_assert_eq!(
                        local_wrap(&text, columns, &glue),
                        Some(fill(&text, columns, glued.clone())),
                        "{:?} in {} columns glued {:?}", text, columns, glue
                    );
                }
            }
        }
    }

    #[test]
    fn local_words_agree_with_the_ascii_path() {
        let printable: Vec<char> = (b' '..=b'~').map(char::from).collect();
        for r in ["", "a", "(", "\"", ")", " "] {
            for &p in &printable {
                for s in [" ", "  "] {
                    for &q in &printable {
                        let text = format!("{r}{p}{s}{q}");
                        let mut ascii = Vec::new();
                        ascii_breaks(text.as_bytes(), &mut ascii);
                        assert_eq!(local(&text), Some(ascii.clone()), "{text:?}");
                        for columns in [1, 2, 3] {
                            let filled = fill(&text, columns, ascii.clone());
                            assert_eq!(local_wrap(&text, columns, &[]), Some(filled), "{text:?}");
                        }
                    }
                }
            }
        }
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
