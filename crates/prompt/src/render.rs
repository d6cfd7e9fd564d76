//! Turning a consent request into a prompt that fits a device (MC_ATTR_10..17), and the
//! short sign-in prompt of a sign-in whose consent was captured elsewhere (MC_ATTR_08).

use crate::device::DeviceProfile;
use crate::encoding::{self, EncodingMisfit, Measure};
use crate::l10n::{Catalog, CatalogError, Locale};
use crate::width::display_width;
use crate::wrap::{self, WordTooWide};
use fluent_bundle::FluentArgs;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;
use unicode_segmentation::UnicodeSegmentation;

/// MC_ATTR_11: the SP's short name is at most 16 bytes.
pub const CLIENT_NAME_MAX_BYTES: usize = 16;

/// The attributes whose values are a person's name: never split across lines, in any script
/// (a name cut in two reads as two people, or as a name and a word).
pub const PERSON_NAME_ATTRIBUTES: [&str; 2] = ["given_name", "family_name"];

/// One attribute the SP asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The claim name, e.g. `given_name`; shown as its localized label.
    pub name: String,
    /// The value that would be shared, shown verbatim; `None` when unknown (e.g. match).
    pub value: Option<String>,
    /// The attribute group, e.g. `name`, `address`; shown as its localized label.
    pub group: Option<String>,
}

/// How the attributes are shown, richest first (MC_ATTR_11); or [`Presentation::SignIn`],
/// the sign-in prompt, which shows none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Presentation {
    /// `given name = Marie, email = marie@example.org`
    NamesValues,
    /// `given name, email`
    Names,
    /// `name, contact details`
    Groups,
    /// `Demo Shop asks to sign you in. Is this you?`: no attributes, made only by
    /// [`Renderer::render_sign_in`] (consent was captured elsewhere, MC_ATTR_08). Its own
    /// variant so that a [`Prompt`] or an [`Attempt`] never claims a presentation of
    /// attributes it did not show; not in [`Presentation::PREFERENCE`], and refused by
    /// [`Renderer::render`].
    SignIn,
}

impl Presentation {
    /// The presentations of a consent prompt, richest first.
    pub const PREFERENCE: [Presentation; 3] = [
        Presentation::NamesValues,
        Presentation::Names,
        Presentation::Groups,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Presentation::NamesValues => "names_values",
            Presentation::Names => "names",
            Presentation::Groups => "groups",
            Presentation::SignIn => "sign_in",
        }
    }
}

impl fmt::Display for Presentation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The presentation asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PresentationChoice {
    /// The richest presentation that fits.
    #[default]
    Auto,
    /// This one or nothing.
    Forced(Presentation),
}

/// Everything the renderer needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRequest {
    pub client_name: String,
    /// A BCP 47 tag; an unshipped language falls back to English.
    pub locale: String,
    pub attributes: Vec<Attribute>,
    pub device: DeviceProfile,
    /// Ask the ownership / not-a-minor assurance when it fits (MC_ATTR_12).
    pub ask_assurance: bool,
    pub presentation: PresentationChoice,
}

/// A sign-in prompt for a Device-Initiated sign-in whose consent was captured on the
/// consumption device (MC_ATTR_08): the authentication device only asks whether the person
/// signing in is its owner, e.g. `Demo Shop asks to sign you in. Is this you? 1 Yes / 2 No`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRequest {
    pub client_name: String,
    /// A BCP 47 tag; an unshipped language falls back to English.
    pub locale: String,
    pub device: DeviceProfile,
}

/// A prompt that fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// `lines` joined by `\n`: the string that is sent, on which every budget is computed.
    pub text: String,
    /// The same prompt on one line, unwrapped.
    pub flat: String,
    pub lines: Vec<String>,
    /// [`Presentation::SignIn`] for a sign-in prompt, else how the attributes are shown.
    pub presentation: Presentation,
    /// Whether the assurance clause is included (never in a sign-in prompt).
    pub assurance: bool,
    /// Encoding and sizes of `text`.
    pub measure: Measure,
    pub client_name_truncated: bool,
    /// The shipped locale used.
    pub locale: &'static str,
}

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("invalid request: {0}")]
    InvalidRequest(#[from] InvalidRequest),
    #[error("{0}")]
    DoesNotFit(DoesNotFit),
    #[error("internal error: {0}")]
    Catalog(#[from] CatalogError),
}

/// Bad input: nothing was tried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRequest {
    #[error("client_name is empty")]
    EmptyClientName,
    #[error("a sign-in request has no consent card")]
    NoCard,
    #[error("no attributes requested")]
    NoAttributes,
    #[error("attribute #{index} has an empty name")]
    EmptyAttributeName { index: usize },
    #[error("attribute {name} is requested more than once")]
    DuplicateAttribute { name: String },
    #[error("{field} contains the control character U+{code:04X}")]
    ControlCharacter { field: String, code: u32 },
    #[error(
        "{field} contains the bidi formatting character U+{code:04X}, which could disguise the prompt"
    )]
    BidiControl { field: String, code: u32 },
    #[error("device columns must be at least 1")]
    ZeroColumns,
    #[error("device rows must be at least 1")]
    ZeroRows,
    #[error("device allows no encoding")]
    NoEncodings,
    #[error("presentation names_values needs a value for every attribute; {name} has none")]
    MissingValue { name: String },
    #[error(
        "presentation sign_in shows no attributes: it is the sign-in prompt, not a consent prompt"
    )]
    SignInIsNotConsent,
    #[error(transparent)]
    Locale(#[from] crate::l10n::InvalidLocale),
}

/// Every attempt failed; each says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoesNotFit {
    pub attempts: Vec<Attempt>,
}

/// One presentation tried, with or without the assurance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub presentation: Presentation,
    pub assurance: bool,
    pub misfit: Misfit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    /// Names + values needs every value.
    ValuesMissing { name: String },
    /// A word is wider than the screen; words are never cut (MC_ATTR_15).
    WordTooWide(WordTooWide),
    /// A person's name (names + values) is wider than the screen; a name is never split
    /// across lines, even at its own spaces.
    NameTooWide {
        name: String,
        width: usize,
        columns: usize,
    },
    /// More lines than one screen holds (MC_ATTR_16).
    TooManyLines { lines: usize, rows: usize },
    /// No allowed encoding can carry the text within the budget.
    Encoding(Vec<EncodingMisfit>),
}

impl fmt::Display for Misfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Misfit::ValuesMissing { name } => write!(f, "no value for {name}"),
            Misfit::WordTooWide(w) => {
                write!(
                    f,
                    "\"{}\" is {} columns wide, the screen has {}",
                    w.word, w.width, w.columns
                )
            }
            Misfit::NameTooWide {
                name,
                width,
                columns,
            } => write!(
                f,
                "the name \"{name}\" is {width} columns wide, the screen has {columns}; a name is never split"
            ),
            Misfit::TooManyLines { lines, rows } => {
                write!(f, "{lines} lines, the screen has {rows}")
            }
            Misfit::Encoding(misfits) => {
                let parts: Vec<String> = misfits
                    .iter()
                    .map(|m| match m {
                        EncodingMisfit::NotRepresentable {
                            encoding,
                            character,
                        } => {
                            format!("{encoding} cannot carry U+{:04X}", u32::from(*character))
                        }
                        EncodingMisfit::NotCarried { encoding, kind } => {
                            format!("{kind} cannot show {encoding} text")
                        }
                        EncodingMisfit::OverBudget {
                            measure,
                            spent,
                            budget_bytes,
                        } => format!(
                            "{spent} bytes in {}, the budget is {budget_bytes}",
                            measure.encoding
                        ),
                    })
                    .collect();
                f.write_str(&parts.join("; "))
            }
        }
    }
}

impl fmt::Display for DoesNotFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The sign-in prompt has a single form: "no presentation fits" would suggest others.
        if let [
            Attempt {
                presentation: Presentation::SignIn,
                misfit,
                ..
            },
        ] = self.attempts.as_slice()
        {
            return write!(f, "the sign-in prompt does not fit the device: {misfit}");
        }
        f.write_str("no presentation fits the device: ")?;
        for (i, a) in self.attempts.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            let with = if a.assurance { " with assurance" } else { "" };
            write!(f, "{}{with}: {}", a.presentation, a.misfit)?;
        }
        Ok(())
    }
}

impl std::error::Error for DoesNotFit {}

/// The renderer: the parsed locale catalog. Cheap to share; build it once.
#[derive(Debug)]
pub struct Renderer {
    catalog: Catalog,
}

impl Renderer {
    pub fn new() -> Result<Self, CatalogError> {
        Ok(Renderer {
            catalog: Catalog::new()?,
        })
    }

    /// A process-wide renderer, built on first use.
    pub fn shared() -> Result<&'static Renderer, &'static CatalogError> {
        static SHARED: OnceLock<Result<Renderer, CatalogError>> = OnceLock::new();
        SHARED.get_or_init(Renderer::new).as_ref()
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Renders `request`: the richest presentation that fits (or the forced one), with the
    /// assurance when it still fits, in the cheapest encoding that carries it.
    pub fn render(&self, request: &ConsentRequest) -> Result<Prompt, RenderError> {
        validate(request)?;
        let locale = self
            .catalog
            .negotiate(&request.locale)
            .map_err(InvalidRequest::from)?;
        let (client_name, client_name_truncated) = shorten_client_name(&request.client_name);
        let texts = Texts::new(
            locale,
            &client_name,
            &request.attributes,
            request.device.kind,
        )?;

        let forced: [Presentation; 1];
        let presentations: &[Presentation] = match request.presentation {
            PresentationChoice::Auto => &Presentation::PREFERENCE,
            PresentationChoice::Forced(p) => {
                forced = [p];
                &forced
            }
        };
        if let PresentationChoice::Forced(Presentation::NamesValues) = request.presentation
            && let Some(missing) = texts.first_missing_value()
        {
            return Err(InvalidRequest::MissingValue {
                name: missing.to_owned(),
            }
            .into());
        }

        let assurance_options: &[bool] = if request.ask_assurance {
            &[true, false]
        } else {
            &[false]
        };
        let mut attempts = Vec::new();
        for &presentation in presentations {
            if presentation == Presentation::NamesValues
                && let Some(missing) = texts.first_missing_value()
            {
                for &assurance in assurance_options {
                    let misfit = Misfit::ValuesMissing {
                        name: missing.to_owned(),
                    };
                    attempts.push(Attempt {
                        presentation,
                        assurance,
                        misfit,
                    });
                }
                continue;
            }
            for &assurance in assurance_options {
                let Composed {
                    flat,
                    answers,
                    values,
                } = texts.compose(presentation, assurance)?;
                let fitted = glue(&flat, &answers, &values, request.device.columns)
                    .and_then(|glue| fit(&flat, &glue, &request.device));
                match fitted {
                    Ok((lines, measure)) => {
                        let lines: Vec<String> = lines.into_iter().map(str::to_owned).collect();
                        return Ok(Prompt {
                            text: lines.join("\n"),
                            flat,
                            lines,
                            presentation,
                            assurance,
                            measure,
                            client_name_truncated,
                            locale: locale.tag(),
                        });
                    }
                    Err(misfit) => attempts.push(Attempt {
                        presentation,
                        assurance,
                        misfit,
                    }),
                }
            }
        }
        Err(RenderError::DoesNotFit(DoesNotFit { attempts }))
    }

    /// Renders the sign-in prompt of `request`: `{client} asks to sign you in. Is this you?`
    /// and the answers, under the same rules as a consent prompt (client name ≤ 16 bytes,
    /// isolated where directions mix, no broken word, one screen, the cheapest encoding
    /// within the budget). It has one form, so a misfit is a [`DoesNotFit`] with one
    /// [`Presentation::SignIn`] attempt.
    pub fn render_sign_in(&self, request: &SignInRequest) -> Result<Prompt, RenderError> {
        validate_client_name(&request.client_name)?;
        validate_device(&request.device)?;
        let locale = self
            .catalog
            .negotiate(&request.locale)
            .map_err(InvalidRequest::from)?;
        let (client_name, client_name_truncated) = shorten_client_name(&request.client_name);
        let mut args = FluentArgs::new();
        args.set("client", locale.isolate(&client_name).into_owned());
        let mut flat = locale.format("signin-request", Some(&args))?;
        flat.push(' ');
        let offset = flat.len();
        let question = Question::new(locale, "signin-ask", request.device.kind)?;
        flat.push_str(&question.text);
        let glue = question.answers.map(|r| r.start + offset..r.end + offset);
        match fit(&flat, &glue, &request.device) {
            Ok((lines, measure)) => {
                let lines: Vec<String> = lines.into_iter().map(str::to_owned).collect();
                Ok(Prompt {
                    text: lines.join("\n"),
                    flat,
                    lines,
                    presentation: Presentation::SignIn,
                    assurance: false,
                    measure,
                    client_name_truncated,
                    locale: locale.tag(),
                })
            }
            Err(misfit) => Err(RenderError::DoesNotFit(DoesNotFit {
                attempts: vec![Attempt {
                    presentation: Presentation::SignIn,
                    assurance: false,
                    misfit,
                }],
            })),
        }
    }
}

/// Wraps to the screen, checks the rows, then picks the encoding of the wrapped text.
fn fit<'a>(
    flat: &'a str,
    glue: &[Range<usize>],
    device: &DeviceProfile,
) -> Result<(Vec<&'a str>, Measure), Misfit> {
    let lines = match device.columns {
        Some(columns) => wrap::wrap_glued(flat, columns, glue).map_err(Misfit::WordTooWide)?,
        None => vec![flat],
    };
    if let Some(rows) = device.rows
        && lines.len() > rows
    {
        return Err(Misfit::TooManyLines {
            lines: lines.len(),
            rows,
        });
    }
    let text_len: usize = lines.iter().map(|l| l.len()).sum::<usize>() + lines.len() - 1;
    let mut text = String::with_capacity(text_len);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(line);
    }
    let measure = encoding::choose(&text, device.kind, device.max_bytes, &device.encodings)
        .map_err(Misfit::Encoding)?;
    Ok((lines, measure))
}

/// The byte ranges of `flat` no line may end inside, for [`wrap::wrap_glued`]: the keypad
/// answers (`1 Yes`), and in names + values (MC_ATTR_15, issue 17):
/// - a `label = value` pair that fits on a line: it moves to the next line whole rather than
///   leave `label` at the end of one line and `= value` at the start of the next;
/// - a person's name, whatever its width: one wider than the line is a
///   [`Misfit::NameTooWide`] (a name cut at its spaces reads as two people, or as a name
///   and a word);
/// - any other value that fits on a line (CJK text could otherwise break between any two
///   ideographs, e.g. in the middle of an address), and each space-separated part of one
///   wider than a line.
///
/// What UAX #14 binds to a glued range (the comma or full stop after it, which no line may
/// start with) stays with it: a pair or value that fits only without its punctuation makes
/// the attempt misfit rather than be cut, and `auto` moves on to the names.
fn glue(
    flat: &str,
    answers: &[Range<usize>],
    values: &[ShownValue],
    columns: Option<usize>,
) -> Result<Vec<Range<usize>>, Misfit> {
    let mut glue = answers.to_vec();
    let Some(columns) = columns else {
        // Nothing is wrapped: the prompt is one line.
        return Ok(glue);
    };
    for shown in values {
        if display_width(&flat[shown.pair.clone()]) <= columns {
            glue.push(shown.pair.clone());
        }
        let (start, end) = (shown.value.start, shown.value.end);
        let value = &flat[start..end];
        let width = display_width(value);
        if width <= columns {
            glue.push(start..end);
            continue;
        }
        if shown.person_name {
            return Err(Misfit::NameTooWide {
                // The name as the request gave it, without the renderer's isolation marks.
                name: value.trim_matches(is_isolation_mark).to_owned(),
                width,
                columns,
            });
        }
        let mut part_start = None;
        for (i, c) in value.char_indices() {
            match (wrap::is_breaking_space(c), part_start) {
                (false, None) => part_start = Some(i),
                (true, Some(from)) => {
                    glue.push(start + from..start + i);
                    part_start = None;
                }
                _ => {}
            }
        }
        if let Some(from) = part_start {
            glue.push(start + from..end);
        }
    }
    Ok(glue)
}

/// FSI and PDI, which the renderer puts around a value where directions mix.
fn is_isolation_mark(c: char) -> bool {
    matches!(c, '\u{2068}' | '\u{2069}')
}

/// What marks a placeable while a message is formatted, to find where its text lands: a
/// control character, which no request text holds (`check_text` refuses them) and no message
/// of the catalog.
const PLACEHOLDER: &str = "\u{1}";

/// Formats message `id` with `args` and `name` set to `text`, and tells where `text` is in
/// the result. A message that does not show `name` exactly once is a defect of the catalog.
fn format_placing(
    locale: &Locale,
    id: &str,
    args: &mut FluentArgs<'_>,
    name: &'static str,
    text: &str,
) -> Result<(String, Range<usize>), CatalogError> {
    args.set(name, PLACEHOLDER);
    let formatted = locale.format(id, Some(args))?;
    match formatted.split_once(PLACEHOLDER) {
        Some((before, after)) if !after.contains(PLACEHOLDER) => {
            let range = before.len()..before.len() + text.len();
            Ok(([before, text, after].concat(), range))
        }
        _ => Err(CatalogError::Resource {
            locale: locale.tag(),
            detail: format!("message {id} must show ${name} exactly once"),
        }),
    }
}

/// `label = value`, and where the value is in it: isolated where directions mix, without
/// the white space around it.
struct NameValue {
    text: String,
    value: Range<usize>,
    /// The pair in `text`: from the label to the end of the value, without white space
    /// around it.
    pair: Range<usize>,
    /// Whether the value is a person's name ([`PERSON_NAME_ATTRIBUTES`]).
    person_name: bool,
}

/// Where a value shown in names + values is in the composed prompt, for [`glue`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct ShownValue {
    /// The value, without the white space around it, with its isolation marks.
    value: Range<usize>,
    /// Its `label = value` pair, without the white space around it.
    pair: Range<usize>,
    person_name: bool,
}

impl ShownValue {
    fn shifted(&self, by: usize) -> ShownValue {
        ShownValue {
            value: self.value.start + by..self.value.end + by,
            pair: self.pair.start + by..self.pair.end + by,
            person_name: self.person_name,
        }
    }
}

/// The localized pieces of one request, formatted once and assembled per attempt.
struct Texts<'l> {
    locale: &'l Locale,
    client: String,
    separator: String,
    /// Per attribute: its name, label, and `label = value` when it has a value.
    names: Vec<(String, String, Option<NameValue>)>,
    groups: Vec<String>,
    assurance: String,
    question: Question,
}

/// The closing question and its answers: "{ask} {yes} / {no}", or "{ask} 1 {yes} / 2 {no}"
/// on the keypad.
struct Question {
    text: String,
    /// Byte ranges of the answers within `text`, never broken across lines: "1" must not
    /// end a line without its "Yes".
    answers: [Range<usize>; 2],
}

impl Question {
    /// `ask` is the message id of the question (`prompt-ask`, `signin-ask`); the answers are
    /// the same for every prompt, so a handset's "1" always means yes.
    fn new(
        locale: &Locale,
        ask: &str,
        kind: crate::device::DeviceKind,
    ) -> Result<Self, CatalogError> {
        let (mut yes, mut no) = (
            locale.format("prompt-yes", None)?,
            locale.format("prompt-no", None)?,
        );
        if kind.answers_by_keypad() {
            yes = format!("1 {yes}");
            no = format!("2 {no}");
        }
        let mut text = locale.format(ask, None)?;
        text.push(' ');
        let yes_range = text.len()..text.len() + yes.len();
        text.push_str(&yes);
        text.push_str(" / ");
        let no_range = text.len()..text.len() + no.len();
        text.push_str(&no);
        Ok(Question {
            text,
            answers: [yes_range, no_range],
        })
    }
}

/// A composed prompt on one line, with the byte ranges of the answers, which no line break
/// may fall inside, and of the values shown, which [`glue`] keeps together.
struct Composed {
    flat: String,
    answers: [Range<usize>; 2],
    values: Vec<ShownValue>,
}

impl<'l> Texts<'l> {
    fn new(
        locale: &'l Locale,
        client_name: &str,
        attributes: &[Attribute],
        kind: crate::device::DeviceKind,
    ) -> Result<Self, CatalogError> {
        let mut names: Vec<(String, String, Option<NameValue>)> = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        for attribute in attributes {
            let label = locale.label("attr", &attribute.name)?.into_owned();
            let group = match &attribute.group {
                Some(group) => locale.label("group", group)?.into_owned(),
                None => label.clone(),
            };
            if !groups.contains(&group) {
                groups.push(group);
            }
            let name_value = match &attribute.value {
                Some(value) if !value.trim().is_empty() => {
                    // The white space around a value is not part of it: it stays outside
                    // the isolation marks and the glue ([`glue`]).
                    let content = value.trim_matches(wrap::is_breaking_space);
                    let lead =
                        value.len() - value.trim_start_matches(wrap::is_breaking_space).len();
                    let shown = [
                        &value[..lead],
                        &locale.isolate(content),
                        &value[lead + content.len()..],
                    ]
                    .concat();
                    let trail = value.len() - lead - content.len();
                    let mut args = FluentArgs::new();
                    args.set("name", label.as_str());
                    let (text, placed) =
                        format_placing(locale, "prompt-name-value", &mut args, "value", &shown)?;
                    let value = placed.start + lead..placed.end - trail;
                    let pair_text = text.trim_matches(wrap::is_breaking_space);
                    let pair_start =
                        text.len() - text.trim_start_matches(wrap::is_breaking_space).len();
                    Some(NameValue {
                        pair: pair_start..pair_start + pair_text.len(),
                        value,
                        text,
                        person_name: PERSON_NAME_ATTRIBUTES.contains(&attribute.name.as_str()),
                    })
                }
                _ => None,
            };
            names.push((attribute.name.clone(), label, name_value));
        }
        Ok(Texts {
            locale,
            client: locale.isolate(client_name).into_owned(),
            separator: locale.format("list-separator", None)?,
            names,
            groups,
            assurance: locale.format("prompt-assurance", None)?,
            question: Question::new(locale, "prompt-ask", kind)?,
        })
    }

    fn first_missing_value(&self) -> Option<&str> {
        self.names
            .iter()
            .find(|(_, _, nv)| nv.is_none())
            .map(|(name, _, _)| name.as_str())
    }

    fn compose(
        &self,
        presentation: Presentation,
        assurance: bool,
    ) -> Result<Composed, RenderError> {
        // Each item, with where its value and pair are in it (names + values only).
        let items: Vec<(&str, Option<ShownValue>)> = match presentation {
            Presentation::NamesValues => self
                .names
                .iter()
                .filter_map(|(_, _, nv)| nv.as_ref())
                .map(|nv| {
                    let shown = ShownValue {
                        value: nv.value.clone(),
                        pair: nv.pair.clone(),
                        person_name: nv.person_name,
                    };
                    (nv.text.as_str(), Some(shown))
                })
                .collect(),
            Presentation::Names => self
                .names
                .iter()
                .map(|(_, label, _)| (label.as_str(), None))
                .collect(),
            Presentation::Groups => self.groups.iter().map(|g| (g.as_str(), None)).collect(),
            // `validate` refuses it before anything is composed; refused here too rather
            // than shown as a consent prompt listing nothing.
            Presentation::SignIn => return Err(InvalidRequest::SignInIsNotConsent.into()),
        };
        let mut attributes = String::new();
        let mut values = Vec::new();
        for (i, (item, value)) in items.into_iter().enumerate() {
            if i > 0 {
                attributes.push_str(&self.separator);
            }
            if let Some(value) = value {
                values.push(value.shifted(attributes.len()));
            }
            attributes.push_str(item);
        }
        let mut args = FluentArgs::new();
        args.set("client", self.client.as_str());
        let (mut flat, placed) = format_placing(
            self.locale,
            "prompt-request",
            &mut args,
            "attributes",
            &attributes,
        )?;
        for value in &mut values {
            *value = value.shifted(placed.start);
        }
        if assurance {
            flat.push(' ');
            flat.push_str(&self.assurance);
        }
        flat.push(' ');
        let offset = flat.len();
        flat.push_str(&self.question.text);
        let answers = self
            .question
            .answers
            .clone()
            .map(|r| r.start + offset..r.end + offset);
        Ok(Composed {
            flat,
            answers,
            values,
        })
    }
}

/// Trims the client name and cuts it to 16 bytes on a grapheme boundary (MC_ATTR_11).
pub fn shorten_client_name(name: &str) -> (String, bool) {
    let name = name.trim();
    if name.len() <= CLIENT_NAME_MAX_BYTES {
        return (name.to_owned(), false);
    }
    let mut end = 0;
    for (offset, grapheme) in name.grapheme_indices(true) {
        if offset + grapheme.len() > CLIENT_NAME_MAX_BYTES {
            break;
        }
        end = offset + grapheme.len();
    }
    (name[..end].trim_end().to_owned(), true)
}

fn validate(request: &ConsentRequest) -> Result<(), InvalidRequest> {
    validate_client_name(&request.client_name)?;
    if request.attributes.is_empty() {
        return Err(InvalidRequest::NoAttributes);
    }
    for (index, attribute) in request.attributes.iter().enumerate() {
        if attribute.name.trim().is_empty() {
            return Err(InvalidRequest::EmptyAttributeName { index });
        }
        check_text(&format!("attributes[{index}].name"), &attribute.name)?;
        if request.attributes[..index]
            .iter()
            .any(|a| a.name == attribute.name)
        {
            return Err(InvalidRequest::DuplicateAttribute {
                name: attribute.name.clone(),
            });
        }
        if let Some(value) = &attribute.value {
            check_text(&format!("attributes[{index}].value"), value)?;
        }
        if let Some(group) = &attribute.group {
            check_text(&format!("attributes[{index}].group"), group)?;
        }
    }
    validate_device(&request.device)?;
    if request.presentation == PresentationChoice::Forced(Presentation::SignIn) {
        return Err(InvalidRequest::SignInIsNotConsent);
    }
    Ok(())
}

fn validate_client_name(client_name: &str) -> Result<(), InvalidRequest> {
    if client_name.trim().is_empty() {
        return Err(InvalidRequest::EmptyClientName);
    }
    check_text("client_name", client_name)
}

fn validate_device(device: &DeviceProfile) -> Result<(), InvalidRequest> {
    if device.columns == Some(0) {
        return Err(InvalidRequest::ZeroColumns);
    }
    if device.rows == Some(0) {
        return Err(InvalidRequest::ZeroRows);
    }
    if device.encodings.is_empty() {
        return Err(InvalidRequest::NoEncodings);
    }
    Ok(())
}

/// Refuses control characters (a prompt line never holds one; line breaks are the
/// renderer's) and bidi formatting characters, which could reorder what the user reads
/// (the renderer adds its own isolates where needed).
fn check_text(field: &str, text: &str) -> Result<(), InvalidRequest> {
    for c in text.chars() {
        let code = u32::from(c);
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            return Err(InvalidRequest::ControlCharacter {
                field: field.to_owned(),
                code,
            });
        }
        if matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        {
            return Err(InvalidRequest::BidiControl {
                field: field.to_owned(),
                code,
            });
        }
    }
    Ok(())
}
