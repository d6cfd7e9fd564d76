//! Display width of text in terminal-like cells, per grapheme cluster (UAX #29): East Asian
//! wide and emoji presentation count 2 (UAX #11), combining and other zero-width marks 0.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Width of `text` in cells. ASCII (without control characters, which prompts never hold)
/// is one cell a byte, so it skips segmentation; so does text made only of characters that
/// `lone_width` knows, and such a start of any text.
pub fn display_width(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    // The cells of the lone characters read so far but the last, and where that one starts.
    let mut width = 0;
    let mut last: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        match lone_width(c) {
            Some(w) => {
                if let Some((_, previous)) = last {
                    width += previous;
                }
                last = Some((i, w));
            }
            // UAX #29 breaks between two lone characters, and no rule looks back across
            // one, so the clusters from the last lone character on are those of the rest.
            None => return width + segmented_width(&text[last.map_or(0, |(at, _)| at)..]),
        }
    }
    width + last.map_or(0, |(_, w)| w)
}

/// The definition: the sum of the widths of the extended grapheme clusters.
fn segmented_width(text: &str) -> usize {
    text.graphemes(true).map(grapheme_width).sum()
}

/// The width of `c` for characters that are a grapheme cluster of their own next to any
/// other character of this set: neither Extend, ZWJ, SpacingMark nor Prepend, not a Hangul
/// jamo, regional indicator or control that could pair (CR LF), so UAX #29 breaks between any
/// two of them (GB999). A text made only of them needs no segmentation, and its width is
/// the sum of these, each equal to [`grapheme_width`] of the character alone.
/// `tests::lone_widths_agree_with_segmentation` checks every character against
/// `unicode-segmentation` and `unicode-width`; `None` for everything else (emoji, combining
/// marks, Indic and Thai vowel signs, …), which takes the segmenting path.
#[inline]
pub(crate) fn lone_width(c: char) -> Option<usize> {
    if c.is_ascii() {
        return (' '..='~').contains(&c).then_some(1);
    }
    Some(match u32::from(c) {
        0xA0..=0xAC | 0xAE..=0x2FF => 1, // Latin-1, Latin extended A/B, IPA, modifiers
        0xAD => 0,                       // soft hyphen
        0x370..=0x482 | 0x48A..=0x52F => 1, // Greek, Cyrillic (not its combining marks)
        0x5D0..=0x5FF => 1,              // Hebrew letters and punctuation, no points
        0x61D..=0x64A | 0x660..=0x66F | 0x671..=0x6D5 => 1, // Arabic letters and digits
        0x904..=0x939 | 0x93D | 0x950 | 0x958..=0x961 | 0x964..=0x97F => 1, // Devanagari
        0xE00..=0xE30 | 0xE32 | 0xE3B..=0xE46 | 0xE4F..=0xE7F => 1, // Thai, no vowel signs
        0x1E00..=0x1FFF => 1,            // Latin extended additional (Vietnamese), Greek extended
        0x2000..=0x200A | 0x2010..=0x2029 | 0x202F..=0x205F => 1, // spaces, punctuation
        0x200B | 0x200E | 0x200F | 0x202A..=0x202E | 0x2060..=0x206F => 0, // format controls
        0x20A0..=0x20CF | 0x2100..=0x218F => 1, // currency, letterlike, number forms
        0x3000..=0x3029 | 0x3030..=0x303E => 2, // CJK symbols and punctuation
        0x3041..=0x3096 | 0x309B..=0x30FF => 2, // Hiragana, Katakana
        0x4E00..=0x9FFF => 2,            // CJK unified ideographs
        0xAC00..=0xD7A3 => 2,            // Hangul syllables
        0xFF01..=0xFF60 | 0xFFE0..=0xFFE6 => 2, // full-width forms
        0xFF61..=0xFF9D => 1,            // half-width forms
        _ => return None,
    })
}

/// Width of one extended grapheme cluster: at most 2 cells, and 2 when it asks for emoji
/// presentation (U+FE0F) even if its base is narrow (e.g. `☺️`, keycaps).
pub fn grapheme_width(grapheme: &str) -> usize {
    if grapheme.len() == 1 {
        return 1;
    }
    if grapheme.contains('\u{FE0F}') {
        return 2;
    }
    grapheme.width().min(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_uax11_per_grapheme() {
        assert_eq!(display_width("Marie"), 5);
        assert_eq!(display_width("e\u{301}"), 1); // combining acute: 0
        assert_eq!(display_width("氏名"), 4); // East Asian Wide
        assert_eq!(display_width("ｶ"), 1); // halfwidth katakana
        assert_eq!(display_width("😀"), 2); // emoji presentation
        assert_eq!(display_width("👍🏽"), 2); // with a skin tone modifier
        assert_eq!(display_width("👨‍👩‍👧"), 2); // ZWJ sequence
        assert_eq!(display_width("🇫🇷"), 2); // flag
        assert_eq!(display_width("☺\u{FE0F}"), 2); // text default, emoji presentation asked
        assert_eq!(display_width("1\u{FE0F}\u{20E3}"), 2); // keycap
        assert_eq!(display_width("\u{2068}a\u{2069}"), 1); // isolates are zero width
        assert_eq!(display_width("한국"), 4);
        assert_eq!(display_width("\u{1100}\u{1161}\u{11A8}"), 2); // conjoining jamo: one syllable
    }

    fn graphemes(text: &str) -> usize {
        text.graphemes(true).count()
    }

    /// Every character `lone_width` knows is a cluster of its own between any two of them
    /// and has the width the segmenting path gives it. Between `x` and `y` of the set only
    /// these UAX #29 rules could keep a boundary out: GB3 (CR × LF: no CR or LF in the set),
    /// GB6–8 (Hangul jamo: `c c` splits, which fails for L, V and T), GB9/9a (× Extend, ZWJ,
    /// SpacingMark: `a c` splits), GB9b (Prepend ×: `c a` splits), GB9c and GB11 (they need
    /// an Extend or ZWJ between) and GB12/13 (RI RI: `c c` splits).
    #[test]
    fn lone_widths_agree_with_segmentation() {
        let mut known = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let Some(width) = lone_width(c) else {
                continue;
            };
            known += 1;
            assert!(!matches!(c, '\r' | '\n'), "{c:?}");
            assert_eq!(graphemes(&format!("a{c}a")), 3, "U+{:04X}", u32::from(c));
            assert_eq!(graphemes(&format!("{c}{c}")), 2, "U+{:04X}", u32::from(c));
            let alone = c.to_string();
            assert_eq!(width, grapheme_width(&alone), "U+{:04X}", u32::from(c));
            assert_eq!(width, segmented_width(&alone), "U+{:04X}", u32::from(c));
        }
        assert!(known > 30_000, "{known}");
    }

    /// The width as first defined: ASCII one cell a byte, everything else segmented.
    fn reference_width(text: &str) -> usize {
        if text.is_ascii() {
            text.len()
        } else {
            segmented_width(text)
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn fast_and_segmenting_widths_agree_on_random_text(
            chars in proptest::collection::vec(proptest::sample::select(vec![
                'a', ' ', 'é', 'Ж', 'ש', 'ب', 'क', 'ก', '中', 'カ', '한', 'Ａ', 'ｶ', '\u{2068}',
                '\u{AD}', '\u{301}', '\u{94D}', '\u{93F}', '\u{E31}', '\u{E33}', '\u{64E}',
                '\u{200D}', '\u{FE0F}', '\u{3099}', '\u{1100}', '\u{1161}', '\u{11A8}',
                '\u{1F1EB}', '😀', '☺', '\u{600}', '\r', '\n', '©', '™', '®', '\u{1F3FD}',
                '\u{915}', '\u{1F1F7}',
            ]), 0..16)
        ) {
            let text: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(display_width(&text), reference_width(&text), "{:?}", text);
        }
    }

    #[test]
    fn fast_and_segmenting_widths_agree_on_mixed_text() {
        let samples = [
            "Мария Кюри",
            "Μαρία Κιουρί",
            "玛丽·居里",
            "マリー・キュリー",
            "마리 퀴리",
            "มารี กูรี",
            "मैरी क्यूरी",
            "מרי קירי",
            "مريم الكوري",
            "\u{2068}Acme Bank\u{2069}",
            "Şükrü Öztürk, İstanbul",
            "Nguyễn Thị Minh Khai",
            "Zoë 🌻 Martin",
            "e\u{301}a",
            "a\u{0483}b",
            "ｶﾞ",
            "が",
            "か\u{3099}",
            "\u{AD}x",
            "\r\n",
            "\r\né",
        ];
        for s in samples {
            assert_eq!(display_width(s), reference_width(s), "{s:?}");
        }
    }
}
