//! CAMARA Know Your Customer Match (`POST /kyc-match/v1/match`), the wire rules without
//! I/O: the request body, the CAMARA error model (`status`, `code`, `message`, with
//! `x-correlator`), which of its fields the gateway's match service answers, and the
//! response. The match itself is the Mobile Connect match service's
//! (`rules::resource::claims::match_claims`, on the same data and consent rules); fields
//! the gateway does not hold are `not_available`.
//!
//! Where the published definition leaves room (its `vwip` text names `403
//! INVALID_TOKEN_CONTEXT` for a phone number beside a three-legged token), this follows the
//! CAMARA Commonalities' identifier rules the issue names: a `phoneNumber` beside a token
//! that identifies the user is `422 UNNECESSARY_IDENTIFIER`, none with a token that does not
//! is `422 MISSING_IDENTIFIER`.

use serde_json::{Map, Value, json};

/// The request's fields: (CAMARA name, the gateway's attribute it is matched against, whether
/// the definition gives it a `*MatchScore`).
pub const FIELDS: &[(&str, Option<&str>, bool)] = &[
    ("idDocument", None, false),
    ("name", None, true),
    ("givenName", Some("given_name"), true),
    ("familyName", Some("family_name"), true),
    ("nameKanaHankaku", None, true),
    ("nameKanaZenkaku", None, true),
    ("middleNames", None, true),
    ("familyNameAtBirth", None, true),
    ("address", None, true),
    ("streetName", None, true),
    ("streetNumber", None, true),
    ("postalCode", Some("postal_code"), false),
    ("region", None, true),
    ("locality", None, true),
    ("country", None, false),
    ("houseNumberExtension", None, false),
    ("birthdate", Some("birthdate"), false),
    ("email", Some("email"), true),
    ("gender", None, false),
];

/// A CAMARA error (Commonalities' error model).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct KycError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl KycError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        KycError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(400, "INVALID_ARGUMENT", message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            401,
            "UNAUTHENTICATED",
            "Request not authenticated due to missing, invalid, or expired credentials.",
        )
    }

    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(403, "PERMISSION_DENIED", message)
    }

    pub fn missing_identifier() -> Self {
        Self::new(
            422,
            "MISSING_IDENTIFIER",
            "No phone number has been provided",
        )
    }

    pub fn unnecessary_identifier() -> Self {
        Self::new(
            422,
            "UNNECESSARY_IDENTIFIER",
            "The phone number is already identified by the access token",
        )
    }

    pub fn identifier_not_found() -> Self {
        Self::new(
            404,
            "IDENTIFIER_NOT_FOUND",
            "The phone number provided is not associated with a customer account",
        )
    }

    /// `{"status", "code", "message"}`.
    pub fn body(&self) -> Value {
        json!({"status": self.status, "code": self.code, "message": self.message})
    }
}

/// A request to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KycRequest {
    /// E.164 with `+`, when given.
    pub phone_number: Option<String>,
    /// The fields to match, by CAMARA name, in the definition's order.
    pub fields: Vec<(&'static str, String)>,
}

impl KycRequest {
    /// The `mc_claims` the gateway's match service answers: the fields it holds, by its
    /// attribute names.
    pub fn mc_claims(&self) -> Map<String, Value> {
        self.fields
            .iter()
            .filter_map(|(field, value)| {
                attribute_of(field).map(|attribute| (attribute.to_owned(), json!(value)))
            })
            .collect()
    }
}

fn attribute_of(field: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(name, _, _)| *name == field)
        .and_then(|(_, attribute, _)| *attribute)
}

fn scored(field: &str) -> bool {
    FIELDS
        .iter()
        .any(|(name, _, score)| *name == field && *score)
}

/// `x-correlator` as the definition allows it (`^[a-zA-Z0-9-]{0,55}$`).
pub fn correlator(value: Option<&[u8]>) -> Result<Option<String>, KycError> {
    match value {
        None => Ok(None),
        Some(v) if v.len() <= 55 && v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') => {
            Ok(Some(String::from_utf8_lossy(v).into_owned()))
        }
        Some(_) => Err(KycError::invalid_argument(
            "x-correlator must match ^[a-zA-Z0-9-]{0,55}$",
        )),
    }
}

/// Reads the body: a JSON object of strings; `phoneNumber` in E.164 with `+`; `birthdate`
/// a calendar date; `gender` one of the enum; at least one field besides `phoneNumber`.
pub fn parse(body: &[u8]) -> Result<KycRequest, KycError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| KycError::invalid_argument("the body is not JSON"))?;
    let object = value
        .as_object()
        .ok_or_else(|| KycError::invalid_argument("the body is not a JSON object"))?;
    let mut phone_number = None;
    let mut fields = Vec::new();
    for (name, value) in object {
        let Some(text) = value.as_str() else {
            return Err(KycError::invalid_argument(format!(
                "{name} must be a string"
            )));
        };
        if name == "phoneNumber" {
            if !e164(text) {
                return Err(KycError::invalid_argument(
                    "phoneNumber must be E.164 with a leading + (^\\+[1-9][0-9]{4,14}$)",
                ));
            }
            phone_number = Some(text.to_owned());
            continue;
        }
        let Some((field, _, _)) = FIELDS.iter().find(|(field, _, _)| field == name) else {
            return Err(KycError::invalid_argument(format!(
                "{name} is not a field of this API"
            )));
        };
        match *field {
            "birthdate"
                if time::Date::parse(
                    text,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .is_err() =>
            {
                return Err(KycError::invalid_argument(
                    "birthdate must be a date (YYYY-MM-DD)",
                ));
            }
            "gender" if !["MALE", "FEMALE", "OTHER"].contains(&text) => {
                return Err(KycError::invalid_argument(
                    "gender must be MALE, FEMALE or OTHER",
                ));
            }
            _ => {}
        }
        fields.push((*field, text.to_owned()));
    }
    if fields.is_empty() {
        return Err(KycError::new(
            400,
            "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION",
            "Indicated parameter combination is invalid: name at least one field to match",
        ));
    }
    fields.sort_by_key(|(field, _)| FIELDS.iter().position(|(f, _, _)| f == field));
    Ok(KycRequest {
        phone_number,
        fields,
    })
}

fn e164(text: &str) -> bool {
    let Some(digits) = text.strip_prefix('+') else {
        return false;
    };
    (5..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// The response: for each requested field, `<field>Match` — the match service's
/// `true`/`false`/`not_available` for the fields it answers (`claims`, its answer's
/// `<attribute>_match` members), `not_available` for the rest — and `<field>MatchScore`
/// (`similarity`, by attribute) where the definition gives one and the answer is `false`.
pub fn response(
    request: &KycRequest,
    claims: &Map<String, Value>,
    similarity: &[(String, u8)],
) -> Value {
    let mut body = Map::new();
    for (field, _) in &request.fields {
        let attribute = attribute_of(field);
        let result = attribute
            .and_then(|a| claims.get(&format!("{a}_match")))
            .and_then(Value::as_str)
            .unwrap_or("not_available");
        body.insert(format!("{field}Match"), json!(result));
        if result == "false" && scored(field) {
            let score = attribute
                .and_then(|a| similarity.iter().find(|(name, _)| name == a))
                .map(|(_, score)| *score);
            if let Some(score) = score {
                body.insert(format!("{field}MatchScore"), json!(score));
            }
        }
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_names_at_least_one_field_besides_the_number() {
        let only_number = parse(br#"{"phoneNumber": "+447700900001"}"#).unwrap_err();
        assert_eq!(
            only_number.code,
            "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION"
        );
        assert_eq!(parse(b"{}").unwrap_err().status, 400);
        let request = parse(
            br#"{"email": "a@b.example", "givenName": "Marie", "phoneNumber": "+447700900001"}"#,
        )
        .unwrap();
        assert_eq!(request.phone_number.as_deref(), Some("+447700900001"));
        // In the definition's order.
        assert_eq!(request.fields[0].0, "givenName");
    }

    #[test]
    fn wrong_input_is_invalid_argument() {
        for body in [
            &b"not json"[..],
            br#"[]"#,
            br#"{"givenName": 7}"#,
            br#"{"givenName": "M", "phoneNumber": "447700900001"}"#,
            br#"{"givenName": "M", "phoneNumber": "+0447700900001"}"#,
            br#"{"givenName": "M", "shoeSize": "44"}"#,
            br#"{"birthdate": "7 Nov 1967"}"#,
            br#"{"gender": "male"}"#,
        ] {
            let error = parse(body).unwrap_err();
            assert_eq!(
                (error.status, error.code),
                (400, "INVALID_ARGUMENT"),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn only_the_held_fields_are_matched_and_the_rest_are_not_available() {
        let request = parse(
            br#"{"givenName": "Marie", "familyName": "Curry", "idDocument": "X1", "postalCode": "75005"}"#,
        )
        .unwrap();
        let claims = request.mc_claims();
        assert_eq!(claims.len(), 3, "{claims:?}");
        let answered: Map<String, Value> = serde_json::from_value(json!({
            "given_name_match": "true", "family_name_match": "false",
            "postal_code_match": "false",
        }))
        .unwrap();
        let body = response(
            &request,
            &answered,
            &[("family_name".into(), 93), ("postal_code".into(), 80)],
        );
        assert_eq!(
            body,
            json!({"givenNameMatch": "true", "familyNameMatch": "false",
                   "familyNameMatchScore": 93, "postalCodeMatch": "false",
                   "idDocumentMatch": "not_available"})
        );
    }

    #[test]
    fn a_correlator_is_what_the_definition_allows() {
        assert_eq!(
            correlator(Some(b"abc-123")).unwrap().as_deref(),
            Some("abc-123")
        );
        assert!(correlator(Some(b"a b")).is_err());
        assert!(correlator(Some(&[b'a'; 56])).is_err());
        assert_eq!(correlator(None).unwrap(), None);
    }

    #[test]
    fn errors_are_commonalities_bodies() {
        assert_eq!(
            KycError::missing_identifier().body(),
            json!({"status": 422, "code": "MISSING_IDENTIFIER",
                   "message": "No phone number has been provided"})
        );
    }
}
