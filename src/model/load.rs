//! Reading a park from RON text or a file.

use std::path::Path;

use ron::extensions::Extensions;

use super::Park;
use crate::error::{Error, Result, did_you_mean};

/// The default Jilin park, embedded so `parkflow run` works from any directory.
pub const BUILTIN_PARK: &str = include_str!("../../flows/jilin.ron");

/// The name under which errors in the built-in park are reported.
pub const BUILTIN_PARK_NAME: &str = "flows/jilin.ron (built-in)";

/// RON options every parkflow file is read with: `implicit_some` on.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// Parse RON text of any parkflow file type, naming `file` in errors.
pub fn parse_ron<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    ron_options().from_str(text).map_err(|e| {
        let hint = match &e.code {
            ron::Error::NoSuchStructField {
                expected, found, ..
            }
            | ron::Error::NoSuchEnumVariant {
                expected, found, ..
            } => did_you_mean(found, expected.iter().copied()),
            _ => String::new(),
        };
        Error::Syntax {
            file: file.to_string(),
            line: e.span.start.line,
            col: e.span.start.col,
            message: format!("{}{hint}", e.code),
        }
    })
}

/// Parse a park from RON text, naming `file` in errors. Does not validate.
pub fn parse_park(text: &str, file: &str) -> Result<Park> {
    parse_ron(text, file)
}

/// Read a file to a string, with the path in the error.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Read, parse and validate a park file.
pub fn load_park(path: &Path) -> Result<(Park, String)> {
    let text = read_text(path)?;
    let file = path.display().to_string();
    let park = parse_park(&text, &file)?;
    super::validate(&park, &file)?;
    Ok((park, text))
}
