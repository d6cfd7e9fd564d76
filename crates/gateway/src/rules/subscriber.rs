//! Subscriber records as the operator provisions them (MC_RES_06; MC_ATTR_05 and 21: the
//! operator holds the attributes it shares and matches): the rows of an import file (JSON
//! Lines, or CSV with a header row) and the `KEY=VALUE` changes of `admin users set`, checked
//! field by field. No I/O: the flow reads the file, this says what each row sets or why it is
//! refused, the store writes.
//!
//! A row names what it sets: a field that is absent, `null` or empty leaves the stored value
//! as it is, so a file of e-mail addresses does not wipe anyone's name. Clearing a field is
//! `admin users set MSISDN KEY=` (an empty value).

pub use crate::base::model::UserField as Field;
use crate::base::msisdn::normalize_msisdn;
use std::collections::{BTreeMap, HashMap};
use time::format_description::well_known::Rfc3339;

/// The authenticators an imported user gets unless their row names others: USSD first
/// (every handset has it, MC_ATTR_17's single interaction), then SMS.
pub const DEFAULT_AUTHENTICATORS: &str = "ussd sms";

/// The access notices an imported subscriber gets unless their row says otherwise: one SMS
/// a day at most while they have no app (MC_ATTR_19: they hear of who read their data, and
/// are not texted at every access).
pub const DEFAULT_NOTIFY: &str = "daily";

/// The import's column names, for messages.
fn known_columns() -> String {
    let mut names: Vec<&str> = vec!["msisdn"];
    names.extend(Field::ALL.map(Field::name));
    names.push("address");
    names.join(", ")
}

/// What the fields are checked against.
#[derive(Debug, Clone, Copy)]
pub struct Today {
    /// Now, in milliseconds since the epoch (a SIM change cannot be later).
    pub now_ms: i64,
}

impl Today {
    fn date(self) -> time::Date {
        time::OffsetDateTime::from_unix_timestamp(self.now_ms.div_euclid(1000))
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN)
    }
}

/// The longest text value: no name, street or e-mail address needs more (RFC 5321 caps an
/// address at 254), and a prompt has 220 bytes in all.
const MAX_TEXT_CHARS: usize = 254;

/// Checks a field's value and gives it as stored. `text` is not empty.
pub fn check_field(field: Field, text: &str, today: Today) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err(format!(
            "{}: control characters are not allowed",
            field.name()
        ));
    }
    if text.trim() != text {
        return Err(format!(
            "{}: leading or trailing white space is not allowed",
            field.name()
        ));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(format!(
            "{}: longer than {MAX_TEXT_CHARS} characters",
            field.name()
        ));
    }
    match field {
        Field::Birthdate => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let date = time::Date::parse(text, &format)
                .map_err(|_| format!("birthdate {text:?}: write a date as YYYY-MM-DD"))?;
            if date > today.date() {
                return Err(format!("birthdate {text}: in the future"));
            }
            if date.year() < 1900 {
                return Err(format!("birthdate {text}: before 1900"));
            }
            Ok(date.to_string())
        }
        Field::SimChange => {
            let at = time::OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                format!("sim_change {text:?}: write an RFC 3339 time (2026-11-30T18:00:00Z)")
            })?;
            let at_ms = i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
            if at_ms > today.now_ms {
                return Err(format!("sim_change {text}: in the future"));
            }
            // Stored in UTC, as `admin users sim-change` stores it.
            at.to_offset(time::UtcOffset::UTC)
                .replace_nanosecond(0)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok())
                .ok_or_else(|| format!("sim_change {text}: out of range"))
        }
        Field::Email => {
            let well_formed = match text.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.is_empty()
                        && !domain.contains('@')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !text.chars().any(char::is_whitespace)
                }
                None => false,
            };
            if well_formed {
                Ok(text.to_owned())
            } else {
                Err(format!("email {text:?}: not an e-mail address"))
            }
        }
        Field::PostalCode => {
            if text.len() <= 16
                && text
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
            {
                Ok(text.to_owned())
            } else {
                Err(format!(
                    "postal_code {text:?}: letters, digits, spaces and hyphens, at most 16"
                ))
            }
        }
        Field::Authenticators => authenticators(text),
        Field::Notify => match text {
            "off" | "each" | "daily" => Ok(text.to_owned()),
            _ => Err(format!("notify {text:?}: off, each or daily")),
        },
        Field::GivenName
        | Field::FamilyName
        | Field::StreetAddress
        | Field::Locality
        | Field::Country => Ok(text.to_owned()),
    }
}

/// `ussd,sms`, `sms ussd`: the user's authenticators, most preferred first, as stored
/// (space-separated). `app` comes with a registered device, never by hand.
pub fn authenticators(text: &str) -> Result<String, String> {
    let mut list: Vec<&str> = Vec::new();
    for name in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        if !["ussd", "sms"].contains(&name) {
            return Err(format!(
                "authenticators: unknown authenticator {name:?} (known: ussd, sms; app comes \
                 with a registered device)"
            ));
        }
        if list.contains(&name) {
            return Err(format!("authenticators: {name} is named twice"));
        }
        list.push(name);
    }
    if list.is_empty() {
        return Err("authenticators: name at least one (ussd, sms)".into());
    }
    Ok(list.join(" "))
}

/// One accepted row: the number it is about and the fields it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberRow {
    /// The row's line in the file (1 is the first line; CSV's header is line 1).
    pub line: u64,
    /// E.164 digits without `+`.
    pub msisdn: String,
    pub fields: BTreeMap<Field, String>,
}

/// A refused row and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: u64,
    pub reason: String,
}

/// An import file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line; blank lines are skipped.
    JsonLines,
    /// A header row naming the columns, then one row per subscriber (RFC 4180).
    Csv,
}

impl Format {
    /// By the file's extension (`.jsonl`, `.ndjson`, `.json`; `.csv`), else by its first
    /// character: `{` is JSON Lines.
    pub fn of(path: &str, text: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Format::Csv
        } else if [".jsonl", ".ndjson", ".json"]
            .iter()
            .any(|ext| lower.ends_with(ext))
            || text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('{')
        {
            Format::JsonLines
        } else {
            Format::Csv
        }
    }
}

/// Every row of an import file: the accepted ones, and the refused ones with their line and
/// reason. A number that appears twice is refused the second time (which row would win is
/// not the operator's intent to guess).
pub fn parse(text: &str, format: Format, today: Today) -> (Vec<SubscriberRow>, Vec<Refusal>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    let raw_rows = match format {
        Format::JsonLines => json_rows(text),
        Format::Csv => csv_rows(text),
    };
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for raw in raw_rows {
        match raw.and_then(|(line, values)| row(line, values, today).map_err(|r| (line, r))) {
            Ok(row) => match first_line.get(&row.msisdn) {
                Some(first) => refused.push(Refusal {
                    line: row.line,
                    reason: format!("the same number as line {first}"),
                }),
                None => {
                    first_line.insert(row.msisdn.clone(), row.line);
                    accepted.push(row);
                }
            },
            Err((line, reason)) => refused.push(Refusal { line, reason }),
        }
    }
    if accepted.is_empty() && refused.is_empty() {
        refused.push(Refusal {
            line: 1,
            reason: "the file has no rows".into(),
        });
    }
    (accepted, refused)
}

/// A row's values by column; `None` is absent (`null`, or an empty cell).
type RawRow = Result<(u64, Vec<(String, Option<String>)>), (u64, String)>;

fn json_rows(text: &str) -> Vec<RawRow> {
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = u64::try_from(index).unwrap_or(u64::MAX - 1) + 1;
        if line.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(object)) => object,
            Ok(_) => {
                rows.push(Err((line_no, "not a JSON object".to_owned())));
                continue;
            }
            Err(e) => {
                rows.push(Err((line_no, format!("not JSON: {e}"))));
                continue;
            }
        };
        let mut values = Vec::new();
        let mut bad = None;
        for (key, value) in object {
            match json_value(&key, value) {
                Ok(mut more) => values.append(&mut more),
                Err(reason) => {
                    bad = Some(reason);
                    break;
                }
            }
        }
        rows.push(match bad {
            Some(reason) => Err((line_no, reason)),
            None => Ok((line_no, values)),
        });
    }
    rows
}

/// A JSON member as column values: strings (a number for `msisdn`), an array of names for
/// `authenticators`, an OpenID Connect address object for `address`.
fn json_value(
    key: &str,
    value: serde_json::Value,
) -> Result<Vec<(String, Option<String>)>, String> {
    use serde_json::Value;
    let one = |text: Option<String>| Ok(vec![(key.to_owned(), text)]);
    match (key, value) {
        (_, Value::Null) => one(None),
        (_, Value::String(text)) => one(Some(text)),
        ("msisdn", Value::Number(n)) if n.is_u64() => one(Some(n.to_string())),
        ("authenticators", Value::Array(items)) => {
            let names: Option<Vec<String>> = items
                .into_iter()
                .map(|item| match item {
                    Value::String(name) => Some(name),
                    _ => None,
                })
                .collect();
            match names {
                Some(names) => one(Some(names.join(" "))),
                None => Err("authenticators: a list of names (\"ussd\", \"sms\")".into()),
            }
        }
        ("address", Value::Object(parts)) => {
            let mut values = Vec::new();
            for (part, value) in parts {
                let column = match part.as_str() {
                    "street_address" | "postal_code" | "locality" | "country" => part.clone(),
                    _ => {
                        return Err(format!(
                            "address.{part}: unknown (street_address, postal_code, locality, \
                             country)"
                        ));
                    }
                };
                match value {
                    Value::String(text) => values.push((column, Some(text))),
                    Value::Null => values.push((column, None)),
                    _ => return Err(format!("address.{part}: a string")),
                }
            }
            Ok(values)
        }
        (key, _) => Err(format!("{key}: a string")),
    }
}

fn csv_rows(text: &str) -> Vec<RawRow> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(|h| h.trim().to_owned()).collect(),
        Err(e) => return vec![Err((1, format!("the header row cannot be read: {e}")))],
    };
    if let Some(unknown) = headers.iter().find(|h| {
        h.as_str() != "msisdn" && h.as_str() != "address" && Field::from_name(h).is_none()
    }) {
        return vec![Err((
            1,
            format!("unknown column {unknown:?} (known: {})", known_columns()),
        ))];
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = headers.iter().find(|h| !seen.insert(h.as_str())) {
        return vec![Err((1, format!("column {twice:?} is named twice")))];
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, csv::Position::line);
                let values = headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| (h.clone(), (!v.is_empty()).then(|| v.to_owned())))
                    .collect();
                rows.push(Ok((line, values)));
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                rows.push(Err((line, format!("not a CSV row: {e}"))));
            }
        }
    }
    rows
}

/// Checks one row's values.
fn row(
    line: u64,
    values: Vec<(String, Option<String>)>,
    today: Today,
) -> Result<SubscriberRow, String> {
    let mut msisdn = None;
    let mut fields = BTreeMap::new();
    for (column, value) in values {
        let value = value.filter(|v| !v.is_empty());
        if column == "msisdn" {
            let text = value.ok_or("msisdn: missing")?;
            msisdn = Some(
                normalize_msisdn(&text)
                    .ok_or_else(|| format!("msisdn {text:?}: not an E.164 number"))?,
            );
            continue;
        }
        // A string `address` (CSV, or JSON without the object) is the street address.
        let field = match column.as_str() {
            "address" => Field::StreetAddress,
            name => Field::from_name(name)
                .ok_or_else(|| format!("unknown column {name:?} (known: {})", known_columns()))?,
        };
        if let Some(text) = value {
            let stored = check_field(field, &text, today)?;
            if fields.insert(field, stored).is_some() {
                return Err(format!("{} is given twice", field.name()));
            }
        }
    }
    Ok(SubscriberRow {
        line,
        msisdn: msisdn.ok_or("msisdn: missing")?,
        fields,
    })
}

/// One `KEY=VALUE` of `admin users set`: the field and its new value, `None` to clear it.
pub fn change(assignment: &str, today: Today) -> Result<(Field, Option<String>), String> {
    let (key, value) = assignment
        .split_once('=')
        .ok_or_else(|| format!("{assignment:?}: write KEY=VALUE (an empty VALUE clears it)"))?;
    if key == "msisdn" {
        return Err(
            "msisdn: a number is not changed in place (delete the user and import the new one)"
                .into(),
        );
    }
    let field = match key {
        "address" => Field::StreetAddress,
        name => Field::from_name(name)
            .ok_or_else(|| format!("unknown field {name:?} (known: {})", known_columns()))?,
    };
    if value.is_empty() {
        if field == Field::Authenticators {
            return Err("authenticators: a user keeps at least one (ussd, sms)".into());
        }
        if field == Field::Notify {
            return Err("notify: off, each or daily".into());
        }
        return Ok((field, None));
    }
    Ok((field, Some(check_field(field, value, today)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-06T12:00:00Z.
    const TODAY: Today = Today {
        now_ms: 1_796_558_400_000,
    };

    fn fields(row: &SubscriberRow) -> Vec<(&'static str, &str)> {
        row.fields
            .iter()
            .map(|(f, v)| (f.name(), v.as_str()))
            .collect()
    }

    #[test]
    fn json_lines_rows_name_what_they_set() {
        let text = concat!(
            r#"{"msisdn":"+447700900101","given_name":"Zoë","birthdate":"1990-02-03","authenticators":"sms,ussd"}"#,
            "\n\n",
            r#"{"msisdn":447700900102,"address":{"street_address":"1 High St","postal_code":"SW1A 1AA","locality":"London","country":"GB"},"email":null}"#,
            "\n",
            r#"{"msisdn":"447700900103","authenticators":["ussd"],"sim_change":"2026-12-01T10:00:00+01:00"}"#,
        );
        let (rows, refused) = parse(text, Format::JsonLines, TODAY);
        assert_eq!(refused, []);
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].line, rows[0].msisdn.as_str()), (1, "447700900101"));
        assert_eq!(
            fields(&rows[0]),
            [
                ("given_name", "Zoë"),
                ("birthdate", "1990-02-03"),
                ("authenticators", "sms ussd")
            ]
        );
        assert_eq!(rows[1].line, 3);
        assert_eq!(
            fields(&rows[1]),
            [
                ("street_address", "1 High St"),
                ("postal_code", "SW1A 1AA"),
                ("locality", "London"),
                ("country", "GB")
            ]
        );
        assert_eq!(
            fields(&rows[2]),
            [
                ("sim_change", "2026-12-01T09:00:00Z"),
                ("authenticators", "ussd")
            ]
        );
    }

    #[test]
    fn csv_rows_with_quotes_and_empty_cells() {
        let text = "msisdn,given_name,family_name,email\n\
                    447700900201,\"O'Brien, Jr\",,jo@example.org\n\
                    +447700900202,Ana,\"Lee\nSmith\",\n";
        let (rows, refused) = parse(text, Format::Csv, TODAY);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(
            fields(&rows[0]),
            [("given_name", "O'Brien, Jr"), ("email", "jo@example.org")]
        );
        // A quoted line break is a control character in a name: refused, on its row's line.
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].line, 3);
        assert!(refused[0].reason.contains("control characters"));
        let (rows, refused) = parse(&text.replace("Lee\nSmith", "Lee"), Format::Csv, TODAY);
        assert_eq!(refused, []);
        assert_eq!(rows[1].msisdn, "447700900202");
        assert_eq!(
            fields(&rows[1]),
            [("given_name", "Ana"), ("family_name", "Lee")]
        );
    }

    #[test]
    fn every_bad_row_is_refused_with_its_line_and_reason() {
        let text = [
            r#"{"msisdn":"447700900301"}"#,
            r#"{"msisdn":"12ab"}"#,
            r#"{"given_name":"No Number"}"#,
            r#"{"msisdn":"447700900304","birthdate":"2031-01-01"}"#,
            r#"{"msisdn":"447700900305","birthdate":"1990-02-30"}"#,
            r#"{"msisdn":"447700900306","email":"not-an-address"}"#,
            r#"{"msisdn":"447700900307","authenticators":"ussd,app"}"#,
            r#"{"msisdn":"447700900308","nickname":"x"}"#,
            r#"{"msisdn":"+447700900301"}"#,
            r#"["447700900310"]"#,
            r#"{"msisdn":"447700900311","given_name":"A\u0007"}"#,
            r#"{"msisdn":"447700900312","sim_change":"2030-01-01T00:00:00Z"}"#,
            r#"{"msisdn":"447700900313","given_name":7}"#,
            "{not json",
        ]
        .join("\n");
        let (rows, refused) = parse(&text, Format::JsonLines, TODAY);
        assert_eq!(rows.len(), 1);
        let lines: Vec<u64> = refused.iter().map(|r| r.line).collect();
        assert_eq!(lines, (2..=14).collect::<Vec<_>>());
        let reason = |line: u64| {
            refused
                .iter()
                .find(|r| r.line == line)
                .map(|r| r.reason.clone())
                .unwrap()
        };
        assert!(reason(2).contains("not an E.164 number"), "{}", reason(2));
        assert_eq!(reason(3), "msisdn: missing");
        assert!(reason(4).contains("in the future"));
        assert!(reason(5).contains("YYYY-MM-DD"));
        assert!(reason(6).contains("not an e-mail address"));
        assert!(reason(7).contains("\"app\""));
        assert!(reason(8).contains("unknown column \"nickname\""));
        assert_eq!(reason(9), "the same number as line 1");
        assert_eq!(reason(10), "not a JSON object");
        assert!(reason(11).contains("control characters"));
        assert!(reason(12).contains("in the future"));
        assert_eq!(reason(13), "given_name: a string");
        assert!(reason(14).starts_with("not JSON"));
    }

    #[test]
    fn a_csv_header_must_name_known_columns_once() {
        let (rows, refused) = parse("msisdn,nick\n447700900401,x\n", Format::Csv, TODAY);
        assert!(rows.is_empty());
        assert_eq!(refused[0].line, 1);
        assert!(refused[0].reason.contains("unknown column \"nick\""));
        let (_, refused) = parse(
            "msisdn,email,email\n447700900401,a@b.c,d@e.f\n",
            Format::Csv,
            TODAY,
        );
        assert!(refused[0].reason.contains("named twice"));
        let (_, refused) = parse("msisdn,email\n447700900401\n", Format::Csv, TODAY);
        assert_eq!(refused[0].line, 2);
        let (_, refused) = parse("", Format::Csv, TODAY);
        assert_eq!(refused[0].reason, "the file has no rows");
    }

    #[test]
    fn the_format_follows_the_extension_then_the_first_character() {
        assert_eq!(Format::of("subs.CSV", "{"), Format::Csv);
        assert_eq!(Format::of("subs.jsonl", "msisdn"), Format::JsonLines);
        assert_eq!(
            Format::of("-", "\u{feff}  {\"msisdn\":1}"),
            Format::JsonLines
        );
        assert_eq!(Format::of("-", "msisdn,email"), Format::Csv);
    }

    #[test]
    fn changes_set_or_clear_one_field() {
        assert_eq!(
            change("email=zoe@example.org", TODAY),
            Ok((Field::Email, Some("zoe@example.org".into())))
        );
        assert_eq!(change("given_name=", TODAY), Ok((Field::GivenName, None)));
        assert_eq!(
            change("authenticators=sms", TODAY),
            Ok((Field::Authenticators, Some("sms".into())))
        );
        assert!(change("authenticators=", TODAY).is_err());
        assert!(change("msisdn=447700900999", TODAY).is_err());
        assert!(change("email", TODAY).is_err());
        assert!(change("shoe_size=44", TODAY).is_err());
        assert!(change("birthdate=tomorrow", TODAY).is_err());
    }
}
