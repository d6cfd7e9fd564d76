//! The GSM 7-bit alphabets of 3GPP TS 23.038: the default alphabet (§6.2.1), its extension
//! table (§6.2.1.1) and the national language locking and single shift tables of Annex A
//! (Turkish, Spanish, Portuguese).
//!
//! Written by hand because no maintained Rust crate carries the national language tables;
//! `tests/gsm_oracles.rs` checks every entry against Perl's `Encode::GSM0338` (default and
//! extension) and PyPI `gsmcodecs` (all national tables).

use std::fmt;

/// The septet that escapes to the single shift (extension) table.
pub const ESCAPE: u8 = 0x1B;

/// A national language of TS 23.038 Annex A (the language identifier is the IE value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// The default alphabet (§6.2.1) or the default extension table (§6.2.1.1).
    Default,
    /// Language identifier 1 (A.2.1 single shift, A.3.1 locking shift).
    Turkish,
    /// Language identifier 2 (A.2.2 single shift; Spanish has no locking shift table).
    Spanish,
    /// Language identifier 3 (A.2.3 single shift, A.3.3 locking shift).
    Portuguese,
}

impl Language {
    /// The national language identifier carried in the UDH information element (Table 6.2.1.2.4.1).
    pub fn identifier(self) -> u8 {
        match self {
            Language::Default => 0,
            Language::Turkish => 1,
            Language::Spanish => 2,
            Language::Portuguese => 3,
        }
    }

    /// Lower-case English name, as used in JSON and docs.
    pub fn name(self) -> &'static str {
        match self {
            Language::Default => "default",
            Language::Turkish => "turkish",
            Language::Spanish => "spanish",
            Language::Portuguese => "portuguese",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pair of tables in force for one message: the locking shift table gives the 128 basic
/// septets, the single shift table the characters reached through [`ESCAPE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tables {
    pub locking: Language,
    pub single: Language,
}

impl Tables {
    pub const DEFAULT: Tables = Tables {
        locking: Language::Default,
        single: Language::Default,
    };

    /// Every pair this crate can encode with: locking ∈ {default, Turkish, Portuguese},
    /// single shift ∈ {default, Turkish, Spanish, Portuguese}; the default pair first, then
    /// pairs needing one information element, then two (cheapest signalling first).
    pub const ALL: [Tables; 12] = {
        use Language::*;
        [
            Tables {
                locking: Default,
                single: Default,
            },
            Tables {
                locking: Default,
                single: Turkish,
            },
            Tables {
                locking: Default,
                single: Spanish,
            },
            Tables {
                locking: Default,
                single: Portuguese,
            },
            Tables {
                locking: Turkish,
                single: Default,
            },
            Tables {
                locking: Portuguese,
                single: Default,
            },
            Tables {
                locking: Turkish,
                single: Turkish,
            },
            Tables {
                locking: Turkish,
                single: Spanish,
            },
            Tables {
                locking: Turkish,
                single: Portuguese,
            },
            Tables {
                locking: Portuguese,
                single: Turkish,
            },
            Tables {
                locking: Portuguese,
                single: Spanish,
            },
            Tables {
                locking: Portuguese,
                single: Portuguese,
            },
        ]
    };

    /// How many UDH information elements announce these tables (TS 23.040 §9.2.3.24.15/16).
    pub fn shift_elements(self) -> u8 {
        u8::from(self.locking != Language::Default) + u8::from(self.single != Language::Default)
    }

    /// Septets needed for `c`: 1 from the locking table, 2 (escape + septet) from the single
    /// shift table, `None` when neither table has it.
    #[inline]
    pub fn cost(self, c: char) -> Option<u8> {
        if self.locking_septet(c).is_some() {
            Some(1)
        } else if self.single_septet(c).is_some() {
            Some(2)
        } else {
            None
        }
    }

    /// The septet for `c` in the locking shift table.
    pub fn locking_septet(self, c: char) -> Option<u8> {
        let table = locking_table(self.locking);
        // Most prompt text is ASCII and sits at its own code in every locking table.
        if c.is_ascii() {
            let code = c as u8;
            if table[code as usize] == c && code != ESCAPE {
                return Some(code);
            }
        }
        table
            .iter()
            .position(|&t| t == c && t != NOT_A_CHAR)
            .and_then(|p| {
                let septet = p as u8;
                (septet != ESCAPE).then_some(septet)
            })
    }

    /// The septet (after [`ESCAPE`]) for `c` in the single shift table.
    pub fn single_septet(self, c: char) -> Option<u8> {
        single_shift_table(self.single)
            .iter()
            .find(|&&(_, t)| t == c)
            .map(|&(s, _)| s)
    }

    /// Encodes `text` as unpacked septets (one per octet), or `None` if a character is in
    /// neither table.
    pub fn encode(self, text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            if let Some(s) = self.locking_septet(c) {
                out.push(s);
            } else {
                out.push(ESCAPE);
                out.push(self.single_septet(c)?);
            }
        }
        Some(out)
    }

    /// Decodes unpacked septets. An escape followed by a septet the single shift table lacks
    /// decodes as the locking table's character (TS 23.038 §6.2.1.1 note 1), two escapes as
    /// a space (SS2, below), a trailing escape as nothing, and a septet above 0x7F is refused.
    pub fn decode(self, septets: &[u8]) -> Option<String> {
        let locking = locking_table(self.locking);
        let single = single_shift_table(self.single);
        let mut out = String::with_capacity(septets.len());
        let mut iter = septets.iter().copied();
        while let Some(s) = iter.next() {
            if s > 0x7F {
                return None;
            }
            if s == ESCAPE {
                let Some(next) = iter.next() else { break };
                if next > 0x7F {
                    return None;
                }
                match single.iter().find(|&&(code, _)| code == next) {
                    Some(&(_, c)) => out.push(c),
                    // SS2 (§6.2.1.1, every Annex A.2 table): 0x1B is reserved for a further
                    // extension table and shows as a space until one is defined. The locking
                    // table has no character there, only the escape placeholder.
                    None if next == ESCAPE => out.push(' '),
                    None => out.push(locking[next as usize]),
                }
            } else {
                out.push(locking[s as usize]);
            }
        }
        Some(out)
    }
}

/// Packs septets into octets as TS 23.038 §6.1.2.1.1 describes (LSB first).
pub fn pack(septets: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(packed_len(septets.len()));
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &s in septets {
        acc |= u32::from(s & 0x7F) << bits;
        bits += 7;
        while bits >= 8 {
            out.push((acc & 0xFF) as u8);
            acc >>= 8;
            bits -= 8;
        }
    }
    if bits > 0 {
        out.push((acc & 0xFF) as u8);
    }
    out
}

/// Octets needed to carry `septets` septets packed.
pub fn packed_len(septets: usize) -> usize {
    (septets * 7).div_ceil(8)
}

/// Marks the escape position in locking tables (never matched as a character).
const NOT_A_CHAR: char = '\u{FFFF}';
const ESC: char = NOT_A_CHAR;

fn locking_table(language: Language) -> &'static [char; 128] {
    match language {
        Language::Turkish => &TURKISH_LOCKING,
        Language::Portuguese => &PORTUGUESE_LOCKING,
        // Spanish has no locking shift table (A.3.2 is void): the default alphabet applies.
        Language::Default | Language::Spanish => &DEFAULT_ALPHABET,
    }
}

fn single_shift_table(language: Language) -> &'static [(u8, char)] {
    match language {
        Language::Default => &DEFAULT_EXTENSION,
        Language::Turkish => &TURKISH_SINGLE,
        Language::Spanish => &SPANISH_SINGLE,
        Language::Portuguese => &PORTUGUESE_SINGLE,
    }
}

/// TS 23.038 §6.2.1, the GSM 7 bit default alphabet.
#[rustfmt::skip]
static DEFAULT_ALPHABET: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ESC, 'Æ', 'æ', 'ß', 'É',
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];

/// TS 23.038 Annex A.3.1, Turkish locking shift table.
#[rustfmt::skip]
static TURKISH_LOCKING: [char; 128] = [
    '@', '£', '$', '¥', '€', 'é', 'ù', 'ı', 'ò', 'Ç', '\n', 'Ğ', 'ğ', '\r', 'Å', 'å',
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ESC, 'Ş', 'ş', 'ß', 'É',
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    'İ', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
    'ç', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];

/// TS 23.038 Annex A.3.3, Portuguese locking shift table.
#[rustfmt::skip]
static PORTUGUESE_LOCKING: [char; 128] = [
    '@', '£', '$', '¥', 'ê', 'é', 'ú', 'í', 'ó', 'ç', '\n', 'Ô', 'ô', '\r', 'Á', 'á',
    'Δ', '_', 'ª', 'Ç', 'À', '∞', '^', '\\', '€', 'Ó', '|', ESC, 'Â', 'â', 'Ê', 'É',
    ' ', '!', '"', '#', 'º', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    'Í', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ã', 'Õ', 'Ú', 'Ü', '§',
    '~', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ã', 'õ', '`', 'ü', 'à',
];

/// TS 23.038 §6.2.1.1, the default extension table (0x0A is FORM FEED, a page break).
static DEFAULT_EXTENSION: [(u8, char); 10] = [
    (0x0A, '\u{0C}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// TS 23.038 Annex A.2.1, Turkish single shift table.
static TURKISH_SINGLE: [(u8, char); 17] = [
    (0x0A, '\u{0C}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x47, 'Ğ'),
    (0x49, 'İ'),
    (0x53, 'Ş'),
    (0x63, 'ç'),
    (0x65, '€'),
    (0x67, 'ğ'),
    (0x69, 'ı'),
    (0x73, 'ş'),
];

/// TS 23.038 Annex A.2.2, Spanish single shift table.
static SPANISH_SINGLE: [(u8, char); 19] = [
    (0x09, 'ç'),
    (0x0A, '\u{0C}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x41, 'Á'),
    (0x49, 'Í'),
    (0x4F, 'Ó'),
    (0x55, 'Ú'),
    (0x61, 'á'),
    (0x65, '€'),
    (0x69, 'í'),
    (0x6F, 'ó'),
    (0x75, 'ú'),
];

/// TS 23.038 Annex A.2.3, Portuguese single shift table.
static PORTUGUESE_SINGLE: [(u8, char); 37] = [
    (0x05, 'ê'),
    (0x09, 'ç'),
    (0x0A, '\u{0C}'),
    (0x0B, 'Ô'),
    (0x0C, 'ô'),
    (0x0E, 'Á'),
    (0x0F, 'á'),
    (0x12, 'Φ'),
    (0x13, 'Γ'),
    (0x14, '^'),
    (0x15, 'Ω'),
    (0x16, 'Π'),
    (0x17, 'Ψ'),
    (0x18, 'Σ'),
    (0x19, 'Θ'),
    (0x1F, 'Ê'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x41, 'À'),
    (0x49, 'Í'),
    (0x4F, 'Ó'),
    (0x55, 'Ú'),
    (0x5B, 'Ã'),
    (0x5C, 'Õ'),
    (0x61, 'Â'),
    (0x65, '€'),
    (0x69, 'í'),
    (0x6F, 'ó'),
    (0x75, 'ú'),
    (0x7B, 'ã'),
    (0x7C, 'õ'),
    (0x7F, 'â'),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_alphabet_round_trips_every_septet() {
        for septet in 0u8..0x80 {
            if septet == ESCAPE {
                continue;
            }
            let c = DEFAULT_ALPHABET[septet as usize];
            assert_eq!(Tables::DEFAULT.encode(&c.to_string()), Some(vec![septet]));
        }
    }

    #[test]
    fn extension_characters_cost_two_septets() {
        assert_eq!(Tables::DEFAULT.encode("€"), Some(vec![ESCAPE, 0x65]));
        assert_eq!(Tables::DEFAULT.cost('['), Some(2));
        assert_eq!(Tables::DEFAULT.cost('`'), None);
    }

    #[test]
    fn turkish_dotless_i_needs_a_national_table() {
        assert_eq!(Tables::DEFAULT.cost('ı'), None);
        let single = Tables {
            locking: Language::Default,
            single: Language::Turkish,
        };
        assert_eq!(single.encode("ı"), Some(vec![ESCAPE, 0x69]));
        let locking = Tables {
            locking: Language::Turkish,
            single: Language::Default,
        };
        assert_eq!(locking.encode("ı"), Some(vec![0x07]));
    }

    #[test]
    fn pack_matches_ts_23_038_example() {
        // "hellohello" packs to E8329BFD4697D9EC37 (the classic TS 23.038 worked example).
        let septets = Tables::DEFAULT.encode("hellohello").unwrap();
        assert_eq!(
            pack(&septets),
            vec![0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]
        );
        assert_eq!(packed_len(10), 9);
        assert_eq!(packed_len(8), 7);
    }

    #[test]
    fn decode_inverts_encode_for_every_table_pair() {
        let sample = "Şişli İzmir ığ €[] Ação ÇÁÍ ê ô ú ª º ∞ `~";
        for tables in Tables::ALL {
            let filtered: String = sample
                .chars()
                .filter(|&c| tables.cost(c).is_some())
                .collect();
            let septets = tables.encode(&filtered).unwrap();
            assert_eq!(
                tables.decode(&septets).as_deref(),
                Some(filtered.as_str()),
                "{tables:?}"
            );
        }
    }
}
