//! `parkflow init DIR`: a small commented park, a scenario and a sweep that
//! pass `check` and run, with a README telling a new user what to edit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::error::{Error, Result};
use crate::output::Batch;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create the files in (made if missing).
    pub dir: PathBuf,
}

/// The starter files: (name, text).
pub const FILES: [(&str, &str); 4] = [
    ("park.ron", include_str!("init/park.ron")),
    ("scenario.ron", include_str!("init/scenario.ron")),
    ("sweep.ron", include_str!("init/sweep.ron")),
    ("README.md", include_str!("init/README.md")),
];

/// Write the starter files; refuse to overwrite any.
pub fn init(args: &InitArgs) -> Result<ExitCode> {
    let existing: Vec<String> = FILES
        .iter()
        .filter(|(name, _)| args.dir.join(name).exists())
        .map(|(name, _)| name.to_string())
        .collect();
    if !existing.is_empty() {
        return Err(Error::Invalid {
            file: args.dir.display().to_string(),
            problems: vec![format!(
                "already holds {}; parkflow init never overwrites files",
                existing.join(", ")
            )],
        });
    }
    let mut batch = Batch::new(&args.dir)?;
    for (name, text) in FILES {
        batch.add(name, text.as_bytes())?;
    }
    batch.commit()?;
    println!(
        "wrote park.ron, scenario.ron, sweep.ron and README.md to {}; start with `parkflow check {}`",
        args.dir.display(),
        args.dir.join("park.ron").display()
    );
    Ok(ExitCode::SUCCESS)
}
