//! Display width of text in terminal-like cells, per grapheme cluster (UAX #29): East Asian
//! wide and emoji presentation count 2 (UAX #11), combining and other zero-width marks 0.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Width of `text` in cells. ASCII (without control characters, which prompts never hold)
/// is one cell a byte, so it skips segmentation.
pub fn display_width(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    text.graphemes(true).map(grapheme_width).sum()
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
}
