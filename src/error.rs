//! The library's errors. Each says what to fix: the file, line and column,
//! the item and field, the closest valid id. Sizes in them are written by
//! [`human_size`], here rather than in `limits`, which raises the errors:
//! so that this module depends on no other.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong loading, validating or running a park.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file is larger than the input size limit (see [`crate::limits`]).
    #[error(
        "{}: {} is more than the input size limit of {} bytes ({}); {}",
        path.display(),
        size.map_or_else(|| "the file".to_string(), |s| format!("{s} bytes ({})", human_size(s))),
        limit,
        human_size(*limit),
        RAISE_LIMIT
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size, when the system knows it (not for a pipe).
        size: Option<u64>,
        /// The limit in force.
        limit: u64,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// RON syntax error, wrong type or unknown field.
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        /// File name as given by the user.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What the parser said.
        message: String,
    },
    /// The file parsed, but its content is not a valid park.
    #[error("{file}: {} problem{}:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, Problems(problems))]
    Invalid {
        /// File name as given by the user.
        file: String,
        /// One line per problem, naming the item and field.
        problems: Vec<String>,
    },
    /// A Leontief block (a cycle of Demand processes) cannot be solved.
    #[error(
        "year {year}: the Leontief block of processes {} is {reason}",
        Names(processes)
    )]
    Leontief {
        /// Calendar year of the failing step.
        year: i32,
        /// Processes in the block.
        processes: Vec<String>,
        /// "singular" or "not productive (...)".
        reason: String,
    },
    /// A cycle did not reach its fixed point.
    #[error(
        "year {year}: the cycle through processes {} did not converge after {sweeps} sweeps (relative change {change:.3e})",
        Names(processes)
    )]
    NotConverged {
        /// Calendar year of the failing step.
        year: i32,
        /// Processes in the cycle.
        processes: Vec<String>,
        /// Sweeps tried.
        sweeps: usize,
        /// Last relative change.
        change: f64,
    },
    /// A sweep was stopped (Ctrl-C) before all its runs were done.
    #[error("interrupted: {saved} of {runs} runs are saved in {}", partial.display())]
    Interrupted {
        /// Runs saved in finished chunks.
        saved: usize,
        /// Runs asked for.
        runs: usize,
        /// Where the finished chunks are.
        partial: std::path::PathBuf,
    },
    /// A reconciliation that has no solution: equations that contradict its
    /// constants, a relation undefined where it is evaluated, or an
    /// iteration that does not converge.
    #[error("reconciliation `{id}`: {message}")]
    Reconcile {
        /// The reconciliation file's id.
        id: String,
        /// What is wrong, naming the equation.
        message: String,
    },
    /// A computed quantity overflowed or became undefined.
    #[error("year {year}: {what} of `{item}` is not a finite number ({value})")]
    NonFinite {
        /// Calendar year.
        year: i32,
        /// What quantity.
        what: &'static str,
        /// Which process, link or pool.
        item: String,
        /// The value.
        value: f64,
    },
}

struct Problems<'a>(&'a [String]);

/// Problems listed in a message; the rest are counted, so that a file with
/// thousands of problems still gets a message a person can read.
const PROBLEMS_SHOWN: usize = 100;

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().take(PROBLEMS_SHOWN).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {p}")?;
        }
        if self.0.len() > PROBLEMS_SHOWN {
            write!(f, "\n  ... and {} more", self.0.len() - PROBLEMS_SHOWN)?;
        }
        Ok(())
    }
}

struct Names<'a>(&'a [String]);

impl fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{p}`")?;
        }
        Ok(())
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The problems found in `file`, each at its 1-based `(line, column)`, as
/// one error: none is `Ok`; one is a [`Error::Syntax`] at its place; more
/// are an [`Error::Invalid`] listing them in file order.
pub fn problems_at(file: &str, mut problems: Vec<(usize, usize, String)>) -> Result<()> {
    problems.sort_by_key(|p| (p.0, p.1));
    match problems.len() {
        0 => Ok(()),
        1 => {
            let (line, col, message) = problems.remove(0);
            Err(Error::Syntax {
                file: file.to_string(),
                line,
                col,
                message,
            })
        }
        _ => Err(Error::Invalid {
            file: file.to_string(),
            problems: problems
                .iter()
                .map(|(l, c, m)| format!("{l}:{c}: {m}"))
                .collect(),
        }),
    }
}

/// The id in `candidates` closest to `wanted`, if any is close enough to suggest:
/// the fewest edits (case ignored), at most a third of the word (and at least one).
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(&wanted_lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "; did you mean `x`?" or nothing.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(wanted, candidates) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

/// How to raise the input size limit (see [`crate::limits`]), as every
/// refusal says.
pub(crate) const RAISE_LIMIT: &str =
    "raise the limit with --max-input-size BYTES or PARKFLOW_MAX_INPUT_SIZE";

/// A size as people read it: `64 MiB`, `1.5 KiB`, `12 bytes`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if v.fract() == 0.0 {
        format!("{v} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_shown_in_binary_units() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(64 << 20), "64 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
    }
}
