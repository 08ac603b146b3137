//! `parkflow merge DIR... --out DIR`: combine shard parts into the files an
//! unsharded sweep writes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::error::Result;
use crate::output;

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Directories holding part-K-of-N.csv and .json files.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Directory for samples.csv and summary.json.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Merge shard parts.
pub fn merge(args: &MergeArgs) -> Result<ExitCode> {
    for dir in &args.dirs {
        crate::limits::check_files_in(dir, |name| {
            name.starts_with("part-") && (name.ends_with(".csv") || name.ends_with(".json"))
        })?;
    }
    let (info, table) = crate::sweep::merge_parts(&args.dirs)?;
    let summary = crate::sweep::write_sweep(output::Batch::new(&args.out)?, &info, &table, None)?;
    print!("{}", super::sweep::findings(&info, &summary));
    println!(
        "merged {} runs of sweep `{}` into {}",
        table.runs.len(),
        info.sweep,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
