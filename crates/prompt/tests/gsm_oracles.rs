//! Checks the hand-written tables of `src/gsm7.rs` against two GSM 7-bit implementations
//! written by other people, entry by entry:
//!
//! * Perl's `Encode::GSM0338` (default alphabet §6.2.1 and extension table §6.2.1.1 only);
//! * PyPI `gsmcodecs` 1.0.0 (every locking/single shift pair of [`Tables::ALL`]).
//!
//! Each test runs its oracle once, over every code point up to U+2FFF plus a few beyond, and
//! over every septet and escape pair. The oracles are required: a missing one fails the test
//! with what to install, because a silently skipped oracle would let a wrong table ship.
//!
//! Where an oracle departs from TS 23.038, the departure is listed where it is handled, with
//! the clause of the spec that decides the expected value.

// Helpers outside `#[test]` functions are not covered by clippy.toml's allow-expect-in-tests;
// an oracle that misbehaves should stop the test on the spot.
#![allow(clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use assent_prompt::gsm7::{ESCAPE, Language, Tables};
use serde::Deserialize;

/// The gsmcodecs release these tests were written against (and CI installs).
const GSMCODECS_VERSION: &str = "1.0.0";
const GSMCODECS_HINT: &str =
    "these tests need Python 3 with gsmcodecs 1.0.0: `python3 -m pip install gsmcodecs==1.0.0`";

/// `Encode::GSM0338` 2.10 (checked here; its table cites TS 23.038 v16) maps exactly the
/// characters of §6.2.1 and §6.2.1.1. Older releases (2.1, for one) map U+00E7 ç where §6.2.1
/// has U+00C7 Ç at 0x09 and encode U+00A0 as a bare escape, so comparing against them would
/// report the oracle's bugs as ours.
const PERL_MIN_VERSION: (u32, u32) = (2, 10);
const PERL_HINT: &str = "install perl with its core Encode module (Debian/Ubuntu: \
     `apt-get install perl`); Encode::GSM0338 2.10 or newer is needed (`cpanm Encode`)";

/// SS2 (§6.2.1.1 and every Annex A.2 table): 0x1B after an escape is reserved for a further
/// extension table, and a receiver "shall display a space until another extension table is
/// defined".
const SS2_DISPLAY: &str = " ";

/// The code points every encode comparison covers.
///
/// U+0000..=U+2FFF holds every character of the Latin, Greek and symbol blocks these tables
/// draw from (€ U+20AC, ∞ U+221E) and their look-alikes (Ω U+2126, ∆ U+2206). The extras probe
/// the rest: U+FFFF is `gsm7`'s internal placeholder for the escape slot and must never
/// encode; the astral samples must be refused rather than truncated. Surrogates are not
/// `char`s, so they are left out.
fn code_points() -> Vec<char> {
    const EXTRA: [char; 12] = [
        '\u{3000}',
        '\u{FEFF}',
        '\u{FF01}',
        '\u{FF04}',
        '\u{FFE1}',
        '\u{FFFD}',
        '\u{FFFF}',
        '\u{10000}',
        '\u{1D11E}',
        '\u{1F600}',
        '\u{E0041}',
        '\u{10FFFF}',
    ];
    (0..=0x2FFF)
        .filter_map(char::from_u32)
        .chain(EXTRA)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Running the oracles

/// Runs `program` with `input` on stdin and returns its stdout, failing the test (with
/// `hint`) if it cannot be started or exits unsuccessfully.
fn run_oracle(program: &str, args: &[&str], input: String, hint: &str) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}); {hint}"));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Written from another thread: the oracle may fill its stdout pipe before it has read
    // all of its input, and would then wait on us forever.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("oracle output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`{program}` failed ({}):\n{stderr}\n{hint}",
        output.status
    );
    writer
        .join()
        .expect("stdin writer")
        .unwrap_or_else(|e| panic!("writing to `{program}`: {e}"));
    String::from_utf8(output.stdout).expect("oracle prints UTF-8")
}

fn unhex(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd hex string {hex:?}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// What one oracle says about one pair of tables.
#[derive(Debug, Default)]
struct Oracle {
    /// Strict encodings, by code point; a code point it refuses is absent.
    encode: BTreeMap<u32, Vec<u8>>,
    /// Strict decoding of each lone septet (index 0x1B unused).
    decode: Vec<Option<String>>,
    /// Strict decoding of escape + each septet.
    escaped: Vec<Option<String>>,
}

/// Perl: for each code point on stdin, `E <cp> <hex|none>`; then `D`/`X <septet> <cps|none>`
/// for each lone septet and each escape pair. FB_CROAK makes both directions strict (without
/// it, unknown characters silently become `?` and unknown sequences U+FFFD).
const PERL_SCRIPT: &str = r#"
use strict;
use warnings;
use Encode ();
require Encode::GSM0338;
print "V $Encode::GSM0338::VERSION\n";
my $check = Encode::FB_CROAK | Encode::LEAVE_SRC;
while (my $line = <STDIN>) {
    chomp $line;
    next unless length $line;
    my $bytes = eval { Encode::encode('gsm0338', chr($line), $check) };
    print "E $line ", (defined $bytes ? unpack('H*', $bytes) : 'none'), "\n";
}
for my $septet (0 .. 0x7F) {
    for my $escaped (0, 1) {
        next if !$escaped && $septet == 0x1B;
        my $bytes = ($escaped ? "\x1B" : '') . chr($septet);
        my $text = eval { Encode::decode('gsm0338', $bytes, $check) };
        my $shown = defined $text ? join(',', map { ord } split //, $text) : 'none';
        print(($escaped ? 'X' : 'D') . " $septet $shown\n");
    }
}
"#;

/// Runs Perl's `Encode::GSM0338` once over `chars` and every septet.
fn perl_oracle(chars: &[char]) -> Oracle {
    let input: String = chars
        .iter()
        .map(|&c| format!("{}\n", u32::from(c)))
        .collect();
    let stdout = run_oracle("perl", &["-e", PERL_SCRIPT], input, PERL_HINT);
    let mut oracle = Oracle {
        decode: vec![None; 0x80],
        escaped: vec![None; 0x80],
        ..Oracle::default()
    };
    let mut version = None;
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields.as_slice() {
            ["V", v] => version = Some(v.to_string()),
            ["E", _, "none"] => {}
            ["E", cp, hex] => {
                oracle.encode.insert(cp.parse().expect("cp"), unhex(hex));
            }
            [kind @ ("D" | "X"), septet, text] => {
                let septet: usize = septet.parse().expect("septet");
                let text = (*text != "none").then(|| {
                    text.split(',')
                        .map(|cp| char::from_u32(cp.parse().expect("cp")).expect("scalar"))
                        .collect::<String>()
                });
                if *kind == "D" {
                    oracle.decode[septet] = text;
                } else {
                    oracle.escaped[septet] = text;
                }
            }
            _ => panic!("unexpected line from perl: {line:?}"),
        }
    }
    let version = version.expect("perl printed the Encode::GSM0338 version");
    let parsed = version
        .split_once('.')
        .and_then(|(major, minor)| Some((major.parse().ok()?, minor.parse().ok()?)));
    assert!(
        parsed.is_some_and(|v: (u32, u32)| v >= PERL_MIN_VERSION),
        "Encode::GSM0338 {version} is older than {}.{}; {PERL_HINT}",
        PERL_MIN_VERSION.0,
        PERL_MIN_VERSION.1
    );
    oracle
}

/// Python: reads `{"pairs": [[locking, single], ...], "code_points": [...]}` and prints, for
/// each pair, the codec's name, strict encodings (refused code points left out) and strict
/// decodings of every septet and escape pair (`null` where the codec refuses).
const PYTHON_SCRIPT: &str = r#"
import codecs, importlib.metadata, json, sys
try:
    import gsmcodecs  # registers the gsm23.038-L-S codecs
except ImportError as e:
    sys.exit(f"gsmcodecs is not importable ({e})")
req = json.load(sys.stdin)

def decode(name, data):
    try:
        return bytes(data).decode(name, "strict")
    except UnicodeDecodeError:
        return None

pairs = []
for lock, single in req["pairs"]:
    name = f"gsm23.038-{lock}-{single}"
    encode = []
    for cp in req["code_points"]:
        try:
            encode.append([cp, chr(cp).encode(name, "strict").hex()])
        except UnicodeEncodeError:
            pass
    pairs.append({
        "codec": codecs.lookup(name).name,
        "encode": encode,
        "decode": [decode(name, [s]) for s in range(128)],
        "escaped": [decode(name, [0x1B, s]) for s in range(128)],
    })
json.dump({"version": importlib.metadata.version("gsmcodecs"), "pairs": pairs}, sys.stdout)
"#;

#[derive(Deserialize)]
struct GsmcodecsReport {
    version: String,
    pairs: Vec<GsmcodecsPair>,
}

#[derive(Deserialize)]
struct GsmcodecsPair {
    codec: String,
    encode: Vec<(u32, String)>,
    decode: Vec<Option<String>>,
    escaped: Vec<Option<String>>,
}

fn codec_name(tables: Tables) -> String {
    format!(
        "gsm23.038-{}-{}",
        tables.locking.identifier(),
        tables.single.identifier()
    )
}

/// Runs `gsmcodecs` once over `pairs`, `chars` and every septet.
fn gsmcodecs_oracle(pairs: &[Tables], chars: &[char]) -> Vec<Oracle> {
    let request = serde_json::json!({
        "pairs": pairs
            .iter()
            .map(|t| [t.locking.identifier(), t.single.identifier()])
            .collect::<Vec<_>>(),
        "code_points": chars.iter().map(|&c| u32::from(c)).collect::<Vec<_>>(),
    });
    let stdout = run_oracle(
        "python3",
        &["-c", PYTHON_SCRIPT],
        request.to_string(),
        GSMCODECS_HINT,
    );
    let report: GsmcodecsReport = serde_json::from_str(&stdout).expect("gsmcodecs JSON");
    assert_eq!(
        report.version, GSMCODECS_VERSION,
        "these tests pin gsmcodecs {GSMCODECS_VERSION}; {GSMCODECS_HINT}"
    );
    assert_eq!(report.pairs.len(), pairs.len());
    pairs
        .iter()
        .zip(report.pairs)
        .map(|(&tables, pair)| {
            // gsmcodecs quietly substitutes the default table for a language it lacks; the
            // name it reports back tells us it really used the tables we asked for.
            assert_eq!(
                pair.codec,
                codec_name(tables),
                "gsmcodecs substituted a table"
            );
            Oracle {
                encode: pair
                    .encode
                    .iter()
                    .map(|(cp, hex)| (*cp, unhex(hex)))
                    .collect(),
                decode: pair.decode,
                escaped: pair.escaped,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Comparing

fn show(text: Option<&str>) -> String {
    match text {
        Some(t) => format!("{t:?} ({})", codes(t)),
        None => "refused".to_owned(),
    }
}

fn codes(text: &str) -> String {
    text.chars()
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every code point of `chars`: our encoding (and cost) must be the oracle's, byte for byte.
fn compare_encode(tables: Tables, oracle: &Oracle, chars: &[char], diffs: &mut Vec<String>) {
    for &c in chars {
        let ours = tables.encode(c.encode_utf8(&mut [0; 4]));
        let theirs = oracle.encode.get(&u32::from(c));
        if ours.as_ref() != theirs {
            diffs.push(format!(
                "{tables:?} encode U+{:04X} {c:?}: ours {ours:02X?}, oracle {theirs:02X?}",
                u32::from(c)
            ));
        }
        let expected_cost = theirs.map(|septets| match septets.as_slice() {
            [_] => 1,
            [ESCAPE, _] => 2,
            other => panic!("oracle encoded {c:?} as {other:02X?}"),
        });
        if tables.cost(c) != expected_cost {
            diffs.push(format!(
                "{tables:?} cost {c:?}: ours {:?}, oracle {expected_cost:?}",
                tables.cost(c)
            ));
        }
    }
}

/// Every lone septet but the escape must decode to the oracle's character.
fn compare_locking_decode(tables: Tables, oracle: &Oracle, diffs: &mut Vec<String>) {
    for septet in (0u8..0x80).filter(|&s| s != ESCAPE) {
        let ours = tables.decode(&[septet]);
        let theirs = &oracle.decode[usize::from(septet)];
        if ours != *theirs {
            diffs.push(format!(
                "{tables:?} decode {septet:02X}: ours {}, oracle {}",
                show(ours.as_deref()),
                show(theirs.as_deref())
            ));
        }
    }
}

/// Every escape pair must decode to the oracle's character. Both oracles refuse an escape
/// pair the single shift table leaves unassigned; TS 23.038 §6.2.1.1 note 1 (and the same
/// note under each Annex A.2 table) says a receiver shows the locking shift table's
/// character instead, so that is expected there, taken from the oracle's own decoding of
/// the lone septet. Escape + escape is SS2 (see [`SS2_DISPLAY`]).
fn compare_single_decode(tables: Tables, oracle: &Oracle, diffs: &mut Vec<String>) {
    for septet in 0u8..0x80 {
        let ours = tables.decode(&[ESCAPE, septet]);
        let expected = match &oracle.escaped[usize::from(septet)] {
            Some(text) => Some(text.clone()),
            None if septet == ESCAPE => Some(SS2_DISPLAY.to_owned()),
            None => oracle.decode[usize::from(septet)].clone(),
        };
        if ours != expected {
            diffs.push(format!(
                "{tables:?} decode 1B {septet:02X}: ours {}, expected {} (oracle {})",
                show(ours.as_deref()),
                show(expected.as_deref()),
                show(oracle.escaped[usize::from(septet)].as_deref())
            ));
        }
    }
}

fn assert_no_diffs(what: &str, diffs: &[String]) {
    assert!(
        diffs.is_empty(),
        "{} disagreement(s) with {what}:\n{}",
        diffs.len(),
        diffs
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Which half of the pair a test is about, for the decode comparison.
#[derive(Debug, Clone, Copy)]
enum Side {
    Locking(Language),
    Single(Language),
}

/// Compares every pair of [`Tables::ALL`] that uses the table under test with gsmcodecs:
/// encodings of every code point, and decodings through the table under test.
fn check_against_gsmcodecs(side: Side) {
    let pairs: Vec<Tables> = Tables::ALL
        .into_iter()
        .filter(|t| match side {
            Side::Locking(language) => t.locking == language,
            Side::Single(language) => t.single == language,
        })
        .collect();
    assert!(!pairs.is_empty(), "no pair of Tables::ALL uses {side:?}");
    let chars = code_points();
    let oracles = gsmcodecs_oracle(&pairs, &chars);
    let mut diffs = Vec::new();
    for (&tables, oracle) in pairs.iter().zip(&oracles) {
        compare_encode(tables, oracle, &chars, &mut diffs);
        match side {
            Side::Locking(_) => compare_locking_decode(tables, oracle, &mut diffs),
            Side::Single(_) => compare_single_decode(tables, oracle, &mut diffs),
        }
    }
    assert_no_diffs(&format!("gsmcodecs {GSMCODECS_VERSION}"), &diffs);
}

// ---------------------------------------------------------------------------------------------
// Perl: Encode::GSM0338 knows only the default alphabet and its extension table.

#[test]
fn ts_23_038_6_2_1_default_alphabet_matches_perl_encode_gsm0338() {
    let chars = code_points();
    let oracle = perl_oracle(&chars);
    let mut diffs = Vec::new();
    compare_encode(Tables::DEFAULT, &oracle, &chars, &mut diffs);
    compare_locking_decode(Tables::DEFAULT, &oracle, &mut diffs);
    assert_no_diffs("Perl Encode::GSM0338", &diffs);
}

#[test]
fn ts_23_038_6_2_1_1_default_extension_table_matches_perl_encode_gsm0338() {
    let chars = code_points();
    let oracle = perl_oracle(&chars);
    let mut diffs = Vec::new();
    compare_encode(Tables::DEFAULT, &oracle, &chars, &mut diffs);
    compare_single_decode(Tables::DEFAULT, &oracle, &mut diffs);
    assert_no_diffs("Perl Encode::GSM0338", &diffs);
}

// ---------------------------------------------------------------------------------------------
// gsmcodecs: every table, through every pair of Tables::ALL that uses it.

#[test]
fn ts_23_038_6_2_1_default_alphabet_matches_gsmcodecs() {
    check_against_gsmcodecs(Side::Locking(Language::Default));
}

#[test]
fn ts_23_038_6_2_1_1_default_extension_table_matches_gsmcodecs() {
    check_against_gsmcodecs(Side::Single(Language::Default));
}

#[test]
fn ts_23_038_a_2_1_turkish_single_shift_matches_gsmcodecs() {
    check_against_gsmcodecs(Side::Single(Language::Turkish));
}

#[test]
fn ts_23_038_a_2_2_spanish_single_shift_matches_gsmcodecs() {
    check_against_gsmcodecs(Side::Single(Language::Spanish));
}

#[test]
fn ts_23_038_a_2_3_portuguese_single_shift_matches_gsmcodecs() {
    check_against_gsmcodecs(Side::Single(Language::Portuguese));
}

#[test]
fn ts_23_038_a_3_1_turkish_locking_shift_matches_gsmcodecs() {
    check_against_gsmcodecs(Side::Locking(Language::Turkish));
}

#[test]
fn ts_23_038_a_3_3_portuguese_locking_shift_matches_gsmcodecs() {
    check_against_gsmcodecs(Side::Locking(Language::Portuguese));
}

/// The locking tests above cover pairs by locking table and the single shift tests by single
/// shift table; this guards that together they reach every pair the crate offers, so a pair
/// added to [`Tables::ALL`] with a new language cannot go unchecked.
#[test]
fn ts_23_038_6_2_1_2_every_table_pair_is_checked_against_gsmcodecs() {
    let checked_locking = [Language::Default, Language::Turkish, Language::Portuguese];
    let checked_single = [
        Language::Default,
        Language::Turkish,
        Language::Spanish,
        Language::Portuguese,
    ];
    for tables in Tables::ALL {
        assert!(
            checked_locking.contains(&tables.locking) && checked_single.contains(&tables.single),
            "{tables:?} has no gsmcodecs test"
        );
    }
}
