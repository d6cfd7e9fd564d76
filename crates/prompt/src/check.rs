//! Independent checks of a rendered prompt against its request, written without the
//! renderer's own machinery where possible (no break-opportunity code, no cost tables): the
//! property tests and the fuzz target run every prompt through them.

use crate::device::DeviceProfile;
use crate::encoding::{Encoding, budget_bytes, spent};
use crate::l10n::Locale;
use crate::render::{
    Attribute, ConsentRequest, PERSON_NAME_ATTRIBUTES, Presentation, Prompt, Renderer,
    SignInRequest,
};
use crate::width::display_width;
use crate::wrap::{is_breaking_space, is_cjk};
use fluent_bundle::FluentArgs;

/// What a prompt got wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Violation(pub String);

fn violation<T>(message: String) -> Result<T, Violation> {
    Err(Violation(message))
}

/// Checks every promise a [`Prompt`] makes for `request`.
pub fn prompt_is_sound(request: &ConsentRequest, prompt: &Prompt) -> Result<(), Violation> {
    if prompt.presentation == Presentation::SignIn {
        return violation("a consent prompt presented as a sign-in prompt".into());
    }
    fits_device(&request.device, prompt)?;
    if prompt.presentation == Presentation::NamesValues
        && let Some(columns) = request.device.columns
    {
        // The words are the catalog's (the pair is `label = value` in the prompt's own
        // language); where the lines may end is checked here without the wrapper's logic.
        let renderer =
            Renderer::shared().map_err(|e| Violation(format!("the catalog does not load: {e}")))?;
        let locale = renderer
            .catalog()
            .negotiate(prompt.locale)
            .map_err(|e| Violation(format!("the prompt's locale: {e}")))?;
        for attribute in &request.attributes {
            let Some(value) = attribute.value.as_deref() else {
                continue;
            };
            value_is_whole(value, &prompt.lines, columns)?;
            if PERSON_NAME_ATTRIBUTES.contains(&attribute.name.as_str()) {
                name_is_whole(value, &prompt.lines)?;
            }
            let pair = shown_pair(locale, attribute, value)?;
            if !prompt.flat.contains(&pair) {
                return violation(format!("the pair {pair:?} is not in the prompt"));
            }
            pair_is_whole(&pair, &prompt.lines, columns)?;
        }
    }
    Ok(())
}

/// The `label = value` pair of `attribute` as the prompt shows it: the localized label, the
/// value isolated where directions mix, without the white space around the pair.
fn shown_pair(locale: &Locale, attribute: &Attribute, value: &str) -> Result<String, Violation> {
    let label = locale
        .label("attr", &attribute.name)
        .map_err(|e| Violation(e.to_string()))?;
    let content = value.trim_matches(is_breaking_space);
    let lead = value.len() - value.trim_start_matches(is_breaking_space).len();
    let shown = [
        &value[..lead],
        &locale.isolate(content),
        &value[lead + content.len()..],
    ]
    .concat();
    let mut args = FluentArgs::new();
    args.set("name", label.as_ref());
    args.set("value", shown);
    let pair = locale
        .format("prompt-name-value", Some(&args))
        .map_err(|e| Violation(e.to_string()))?;
    Ok(pair.trim_matches(is_breaking_space).to_owned())
}

/// A `label = value` pair no wider than a line is on one line: it is never cut at its `=`,
/// so no line starts or ends with the `=` of a pair that fits. A wider pair may be cut, at
/// its own white space only ([`no_word_is_broken`], [`value_is_whole`]).
pub fn pair_is_whole(pair: &str, lines: &[String], columns: usize) -> Result<(), Violation> {
    let width = display_width(pair);
    if width <= columns && !lines.iter().any(|line| line.contains(pair)) {
        return violation(format!(
            "the pair {pair:?} ({width} columns) is split across lines in {columns} columns"
        ));
    }
    Ok(())
}

/// A person's name (the value of a [`PERSON_NAME_ATTRIBUTES`] attribute, without the white
/// space around it) is on one line, whatever its script and width: a prompt that cannot
/// show it whole must not be made at all.
pub fn name_is_whole(name: &str, lines: &[String]) -> Result<(), Violation> {
    let name = name.trim_matches(is_breaking_space);
    if !lines.iter().any(|line| line.contains(name)) {
        return violation(format!("the name {name:?} is split across lines"));
    }
    Ok(())
}

/// A value shown (without the white space around it) is on one line when it fits on one;
/// a wider one is cut only at its own white space, so each of its parts is on one line.
pub fn value_is_whole(value: &str, lines: &[String], columns: usize) -> Result<(), Violation> {
    let value = value.trim_matches(is_breaking_space);
    let parts: Vec<&str> = if display_width(value) <= columns {
        vec![value]
    } else {
        value
            .split(is_breaking_space)
            .filter(|part| !part.is_empty())
            .collect()
    };
    for part in parts {
        if !lines.iter().any(|line| line.contains(part)) {
            return violation(format!(
                "value {value:?}: {part:?} is not on one line in {columns} columns"
            ));
        }
    }
    Ok(())
}

/// Checks every promise a sign-in [`Prompt`] makes for `request`: the device's promises of
/// a consent prompt, and nothing claimed that a sign-in prompt does not show.
pub fn sign_in_prompt_is_sound(request: &SignInRequest, prompt: &Prompt) -> Result<(), Violation> {
    if prompt.presentation != Presentation::SignIn || prompt.assurance {
        return violation(format!(
            "a sign-in prompt reported as {} with assurance {}",
            prompt.presentation, prompt.assurance
        ));
    }
    fits_device(&request.device, prompt)
}

/// Lines, rows, unbroken words, and the encoding.
fn fits_device(device: &DeviceProfile, prompt: &Prompt) -> Result<(), Violation> {
    if prompt.text != prompt.lines.join("\n") {
        return violation("text is not lines joined by \\n".into());
    }
    if let Some(columns) = device.columns {
        for line in &prompt.lines {
            let width = display_width(line);
            if width > columns {
                return violation(format!("line {line:?} is {width} wide, columns {columns}"));
            }
        }
    }
    if let Some(rows) = device.rows
        && prompt.lines.len() > rows
    {
        return violation(format!("{} lines, rows {rows}", prompt.lines.len()));
    }
    no_word_is_broken(&prompt.flat, &prompt.lines)?;
    encoding_is_exact_on(device, prompt)
}

/// The lines are the flat prompt cut only at white space (which the cut consumes) or
/// between two CJK characters.
pub fn no_word_is_broken(flat: &str, lines: &[String]) -> Result<(), Violation> {
    let mut rest = flat;
    for (i, line) in lines.iter().enumerate() {
        let Some(after) = rest.strip_prefix(line.as_str()) else {
            return violation(format!(
                "line {i} {line:?} is not the next part of the prompt"
            ));
        };
        if i + 1 == lines.len() {
            if !after.trim_end_matches(is_breaking_space).is_empty() {
                return violation(format!("prompt text after the last line: {after:?}"));
            }
            return Ok(());
        }
        let skipped = after.trim_start_matches(is_breaking_space);
        let consumed_space = skipped.len() != after.len();
        let cjk_seam = line.chars().next_back().is_some_and(is_cjk)
            && skipped.chars().next().is_some_and(is_cjk);
        if !consumed_space && !cjk_seam {
            let next: String = skipped.chars().take(8).collect();
            return violation(format!("word broken between {line:?} and {next:?}"));
        }
        rest = skipped;
    }
    violation("no lines".into())
}

/// The chosen encoding is allowed, carries the text exactly, is counted right and fits.
pub fn encoding_is_exact(request: &ConsentRequest, prompt: &Prompt) -> Result<(), Violation> {
    encoding_is_exact_on(&request.device, prompt)
}

fn encoding_is_exact_on(device: &DeviceProfile, prompt: &Prompt) -> Result<(), Violation> {
    let m = &prompt.measure;
    if !device.encodings.contains(&m.encoding) {
        return violation(format!("{} is not allowed", m.encoding));
    }
    let text = &prompt.text;
    let (units, bytes, packed) = match m.encoding {
        Encoding::Gsm7 => {
            let Some(tables) = m.gsm7_tables else {
                return violation("gsm7 without tables".into());
            };
            let Some(septets) = tables.encode(text) else {
                return violation("gsm7 cannot encode the text".into());
            };
            if tables.decode(&septets).as_deref() != Some(text.as_str()) {
                return violation("gsm7 round trip changed the text".into());
            }
            let packed = crate::gsm7::pack(&septets);
            (septets.len(), septets.len(), packed.len())
        }
        Encoding::Ucs2 => {
            let units: Vec<u16> = text.encode_utf16().collect();
            if String::from_utf16(&units).ok().as_deref() != Some(text.as_str()) {
                return violation("UTF-16 round trip changed the text".into());
            }
            (units.len(), units.len() * 2, units.len() * 2)
        }
        Encoding::Utf8 => (text.len(), text.len(), text.len()),
    };
    if (units, bytes, packed) != (m.units, m.bytes, m.packed_bytes) {
        return violation(format!(
            "counted {:?}, reported {:?}",
            (units, bytes, packed),
            (m.units, m.bytes, m.packed_bytes)
        ));
    }
    if let Some(budget) = budget_bytes(device.kind, device.max_bytes, m.encoding)
        && spent(device.kind, m) > budget
    {
        return violation(format!(
            "{} bytes over the budget of {budget}",
            spent(device.kind, m)
        ));
    }
    Ok(())
}
