//! Independent checks of a rendered prompt against its request, written without the
//! renderer's own machinery where possible (no break-opportunity code, no cost tables): the
//! property tests and the fuzz target run every prompt through them.

use crate::device::DeviceProfile;
use crate::encoding::{Encoding, budget_bytes, spent};
use crate::render::{ConsentRequest, Presentation, Prompt, SignInRequest};
use crate::width::display_width;
use crate::wrap::{is_breaking_space, is_cjk};

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
        for value in request.attributes.iter().filter_map(|a| a.value.as_deref()) {
            value_is_whole(value, &prompt.lines, columns)?;
        }
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
