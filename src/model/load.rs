//! Reading a park from RON text or a file.

use std::path::Path;

use ron::extensions::Extensions;

use super::Park;
use crate::error::{Error, Result, did_you_mean};

/// The default Jilin park, embedded so `parkflow run` works from any directory.
pub const BUILTIN_PARK: &str = include_str!("../../flows/jilin.ron");

/// The name under which errors in the built-in park are reported.
pub const BUILTIN_PARK_NAME: &str = "flows/jilin.ron (built-in)";

/// The RON reader's recursion limit: how deep it follows nested values (a
/// bracket of a value of any type costs two levels, so about 64 brackets).
/// Every parkflow file nests fewer than ten levels, and its types refuse a
/// bracket where they expect a number or a string, so deeper text is a
/// syntax error found without recursing further: no input can overflow the
/// stack.
pub const MAX_NESTING: usize = 128;

/// RON options every parkflow file is read with: `implicit_some` on, and
/// nesting limited to [`MAX_NESTING`].
pub fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .with_recursion_limit(MAX_NESTING)
}

/// Parse RON text of any parkflow file type, naming `file` in errors.
pub fn parse_ron<'a, T: serde::Deserialize<'a>>(text: &'a str, file: &str) -> Result<T> {
    parse_ron_with(ron_options(), text, file)
}

/// Parse a sweep file: as [`parse_ron`], with a variant's parentheses
/// holding its arguments directly, so that a distribution takes them named
/// or positional (`Uniform(1, 2)`, `Uniform(min: 1, max: 2)`).
pub fn parse_sweep_ron<'a, T: serde::Deserialize<'a>>(text: &'a str, file: &str) -> Result<T> {
    parse_ron_with(model_options(), text, file)
}

/// The options parks and sweeps are read with: a variant's parentheses hold
/// its arguments directly, so the distributions of a park's `uncertainty`
/// and of a sweep's `params` read alike.
fn model_options() -> ron::Options {
    ron_options().with_default_extension(Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// `value` as RON text that [`parse_park`] and [`parse_sweep_ron`] read
/// back: written with the extensions they read with (an optional value
/// bare, a variant's arguments in its own parentheses).
pub fn to_ron<T: serde::Serialize>(value: &T) -> String {
    model_options()
        .to_string(value)
        .expect("parkflow's model types serialize to RON")
}

fn parse_ron_with<'a, T: serde::Deserialize<'a>>(
    options: ron::Options,
    text: &'a str,
    file: &str,
) -> Result<T> {
    options.from_str(text).map_err(|e| {
        let hint = match &e.code {
            ron::Error::NoSuchStructField {
                expected, found, ..
            }
            | ron::Error::NoSuchEnumVariant {
                expected, found, ..
            } => did_you_mean(found, expected.iter().copied()),
            _ => String::new(),
        };
        let message = match &e.code {
            ron::Error::ExceededRecursionLimit => "brackets nested too deep".to_string(),
            code => format!("{code}{hint}"),
        };
        Error::Syntax {
            file: file.to_string(),
            line: e.span.start.line,
            col: e.span.start.col,
            message,
        }
    })
}

/// Parse a park from RON text, naming `file` in errors. Does not validate.
pub fn parse_park(text: &str, file: &str) -> Result<Park> {
    parse_ron_with(model_options(), text, file)
}

/// Read a model file (park, scenario or sweep) to a string, with the path in
/// the error. A file above the input size limit is refused unread
/// ([`crate::limits`]).
pub fn read_text(path: &Path) -> Result<String> {
    crate::limits::read_input_text(path)
}

/// Read, parse and validate a park file.
pub fn load_park(path: &Path) -> Result<(Park, String)> {
    let text = read_text(path)?;
    let file = path.display().to_string();
    let park = parse_park(&text, &file)?;
    validate_text(&park, &text, &file)?;
    Ok((park, text))
}

/// Validate `park`, parsed from `text`: as [`super::validate`], with each
/// permit's problems placed at the permit's line and column.
pub fn validate_text(park: &Park, text: &str, file: &str) -> Result<()> {
    let problems = match super::validate(park, file) {
        Err(Error::Invalid { problems, .. }) => problems,
        other => return other,
    };
    let starts = permit_starts(text);
    let mut placed = Vec::new();
    let mut rest = Vec::new();
    for problem in problems {
        let at = (park.permits.iter().enumerate()).find_map(|(i, p)| {
            let item = super::validate::permit_item(i, &p.enterprise, &p.pollutant);
            problem
                .starts_with(&item)
                .then(|| starts.get(i).copied())
                .flatten()
        });
        match at {
            Some((line, col)) => placed.push((line, col, problem)),
            None => rest.push(problem),
        }
    }
    if rest.is_empty() {
        return crate::error::problems_at(file, placed);
    }
    rest.extend(placed.into_iter().map(|(l, c, m)| format!("{l}:{c}: {m}")));
    Err(Error::Invalid {
        file: file.to_string(),
        problems: rest,
    })
}

/// The 1-based line and column where each of the park's permits starts.
fn permit_starts(text: &str) -> Vec<(usize, usize)> {
    #[derive(serde::Deserialize)]
    #[serde(rename = "Park")]
    struct Permits<'a> {
        #[serde(borrow, default)]
        permits: Vec<&'a ron::value::RawValue>,
    }
    let Ok(spans) = model_options().from_str::<Permits>(text) else {
        return Vec::new();
    };
    spans
        .permits
        .iter()
        .map(|raw| {
            let src = raw.trim().get_ron();
            let offset = (src.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, col)
        })
        .collect()
}

/// The name of a RON file's top-level struct (`Park`, `Scenario`, `Sweep`),
/// if it has one, skipping comments and `#![enable(..)]` attributes.
pub fn top_level_name(text: &str) -> Option<&str> {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else if rest.starts_with("#!") {
            rest = rest.split_once(']').map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::top_level_name;

    #[test]
    fn the_top_level_name_is_found_past_comments_and_attributes() {
        assert_eq!(
            top_level_name("// a park\n/* x */ Park(id: \"a\")"),
            Some("Park")
        );
        assert_eq!(
            top_level_name("#![enable(implicit_some)]\nScenario(id: \"s\")"),
            Some("Scenario")
        );
        assert_eq!(top_level_name("(id: \"a\")"), None);
        assert_eq!(top_level_name(""), None);
    }
}
