//! `assent prompt render`: the JSON contract QA scripts rely on, run through the real binary.

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

fn run(stdin: &[u8]) -> (i32, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assent"))
        .args(["prompt", "render"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "one JSON document on one line: {stdout}"
    );
    (
        output.status.code().unwrap(),
        serde_json::from_str(&stdout).unwrap(),
    )
}

fn example() -> Value {
    json!({"client_name": "Demo Shop", "locale": "en",
           "attributes": [{"name": "given_name", "value": "Marie", "group": "name"}],
           "device": {"kind": "phone", "columns": 32, "rows": 8, "max_bytes": 220,
                      "encodings": ["gsm7", "ucs2", "utf8"]},
           "ask_assurance": true, "presentation": "auto"})
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn the_issue_example_renders_with_exactly_the_documented_fields() {
    let (code, result) = run(example().to_string().as_bytes());
    assert_eq!(code, 0, "{result}");
    assert_eq!(
        keys(&result),
        [
            "assurance",
            "bytes",
            "client_name_truncated",
            "encoding",
            "flat",
            "lines",
            "packed_bytes",
            "presentation",
            "segments",
            "text",
            "units"
        ]
    );
    assert_eq!(result["presentation"], "names_values");
    assert_eq!(result["assurance"], true);
    assert_eq!(result["encoding"], "gsm7");
    assert_eq!(result["client_name_truncated"], false);
    assert_eq!(result["segments"], 1);
    let flat = result["flat"].as_str().unwrap();
    assert_eq!(
        flat,
        "Demo Shop asks for: given name = Marie. Confirm this data is yours and you are not a \
         minor. Share? Yes / No"
    );
    let lines: Vec<&str> = result["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(result["text"].as_str().unwrap(), lines.join("\n"));
    assert!(lines.iter().all(|l| l.chars().count() <= 32));
    let text_len = result["text"].as_str().unwrap().len();
    assert_eq!(result["bytes"], text_len); // ASCII: one septet a character
    assert_eq!(result["units"], text_len);
    assert_eq!(result["packed_bytes"], (text_len * 7).div_ceil(8));
}

#[test]
fn nothing_fits_exits_2_with_does_not_fit() {
    let mut request = example();
    request["device"]["columns"] = json!(4);
    let (code, result) = run(request.to_string().as_bytes());
    assert_eq!(code, 2);
    assert_eq!(keys(&result), ["error", "message"]);
    assert_eq!(result["error"], "does_not_fit");
    assert!(
        result["message"].as_str().unwrap().contains("columns wide"),
        "{result}"
    );
}

#[test]
fn bad_input_exits_2_with_invalid_request() {
    let mut unknown_field = example();
    unknown_field["device"]["colums"] = json!(32);
    let mut bad_kind = example();
    bad_kind["device"]["kind"] = json!("pager");
    let mut no_attributes = example();
    no_attributes["attributes"] = json!([]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not json".to_vec(), "malformed request"),
        (b"".to_vec(), "malformed request"),
        (vec![0xff, 0xfe], "cannot read the request"),
        (
            unknown_field.to_string().into_bytes(),
            "unknown field `colums`",
        ),
        (bad_kind.to_string().into_bytes(), "unknown variant `pager`"),
        (
            no_attributes.to_string().into_bytes(),
            "no attributes requested",
        ),
    ];
    for (input, expected) in cases {
        let (code, result) = run(&input);
        assert_eq!(code, 2, "{result}");
        assert_eq!(result["error"], "invalid_request");
        let message = result["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
}

#[test]
fn a_long_client_name_is_cut_and_says_so() {
    let mut request = example();
    request["client_name"] = json!("The Very Long Shop Name Ltd");
    let (code, result) = run(request.to_string().as_bytes());
    assert_eq!(code, 0);
    assert_eq!(result["client_name_truncated"], true);
    assert!(
        result["flat"]
            .as_str()
            .unwrap()
            .starts_with("The Very Long Sh asks")
    );
}

/// Japanese on the phone: kana and ideographs are two columns, lines end between them, and
/// neither the names nor their `label = value` pairs are cut; UCS-2 (GSM 7-bit has no kana)
/// within the 220 bytes.
#[test]
fn japanese_renders_in_ucs2_within_the_phones_220_bytes() {
    let mut request = example();
    request["locale"] = json!("ja-JP");
    request["attributes"] = json!([
        {"name": "family_name", "value": "山田", "group": "name"},
        {"name": "given_name", "value": "花子", "group": "name"}
    ]);
    let (code, result) = run(request.to_string().as_bytes());
    assert_eq!(code, 0, "{result}");
    assert_eq!(
        result["flat"],
        "Demo Shopが次の情報を求めています：姓 = 山田、名 = 花子。 \
         この情報がご本人のもので、未成年ではないことを確認してください。 \
         共有しますか？ はい / いいえ"
    );
    assert_eq!(
        result["lines"],
        json!([
            "Demo Shopが次の情報を求めていま",
            "す：姓 = 山田、名 = 花子。 この",
            "情報がご本人のもので、未成年では",
            "ないことを確認してください。 共",
            "有しますか？ はい / いいえ"
        ])
    );
    assert_eq!(result["presentation"], "names_values");
    assert_eq!(result["assurance"], true);
    assert_eq!(result["encoding"], "ucs2");
    let units = result["text"].as_str().unwrap().encode_utf16().count();
    assert_eq!(result["units"], units);
    assert_eq!(result["bytes"], units * 2);
    assert!(units * 2 <= 220, "{units}");
}

/// Hindi on USSD: Devanagari breaks only at spaces, UCS-2 within the 80 units of one
/// interaction.
#[test]
fn hindi_renders_in_ucs2_on_ussd() {
    let request = json!({"client_name": "Demo Shop", "locale": "hi",
        "attributes": [{"name": "given_name", "value": "क्षितिज", "group": "name"}],
        "device": {"kind": "ussd", "columns": 30, "rows": 8, "encodings": ["gsm7", "ucs2"]},
        "ask_assurance": true, "presentation": "auto"});
    let (code, result) = run(request.to_string().as_bytes());
    assert_eq!(code, 0, "{result}");
    assert_eq!(
        result["lines"],
        json!([
            "Demo Shop को यह जानकारी चाहिए:",
            "पहला नाम = क्षितिज। साझा करें?",
            "1 हाँ / 2 नहीं"
        ])
    );
    assert_eq!(result["presentation"], "names_values");
    assert_eq!(result["assurance"], false);
    assert_eq!(result["encoding"], "ucs2");
    assert_eq!(result["units"], 76);
}

/// A name is never split: a Japanese given name wider than the screen is does_not_fit,
/// and the message says why.
#[test]
fn a_name_wider_than_the_screen_does_not_fit() {
    let request = json!({"client_name": "Demo Shop", "locale": "ja",
        "attributes": [{"name": "given_name", "value": "アレクサンドラ", "group": "name"}],
        "device": {"kind": "ussd", "columns": 12, "encodings": ["gsm7", "ucs2"]},
        "presentation": "names_values"});
    let (code, result) = run(request.to_string().as_bytes());
    assert_eq!(code, 2);
    assert_eq!(keys(&result), ["error", "message"]);
    assert_eq!(result["error"], "does_not_fit");
    assert_eq!(
        result["message"],
        "no presentation fits the device: names_values: the name \"アレクサンドラ\" is 14 \
         columns wide, the screen has 12; a name is never split"
    );
}
