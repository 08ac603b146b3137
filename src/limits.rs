//! How much parkflow reads: every input file (park, scenario, sweep, and
//! the result files `merge`, `report` and `diff` read back) is refused above
//! a size limit before any of it is read into memory.
//!
//! The limit is 64 MiB unless the command line sets another
//! (`--max-input-size BYTES`, or the `PARKFLOW_MAX_INPUT_SIZE` variable it
//! falls back to). It is one value for the whole process, like the
//! thread count: a library user sets it once with [`set_max_input_size`].
//! The limits on what a park may hold are validation rules
//! (`model::validate`); the nesting depth of RON text is `model::MAX_NESTING`.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

pub use crate::error::human_size;
use crate::error::{Error, RAISE_LIMIT, Result};

/// The default largest input file: 64 MiB.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 64 * 1024 * 1024;

static MAX_INPUT_SIZE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_SIZE);

/// The largest input file read, in bytes.
pub fn max_input_size() -> u64 {
    MAX_INPUT_SIZE.load(Ordering::Relaxed)
}

/// Set the largest input file read, in bytes, for the rest of the process.
pub fn set_max_input_size(bytes: u64) {
    MAX_INPUT_SIZE.store(bytes, Ordering::Relaxed);
}

/// A file read line by line keeping nothing per line (a sweep's
/// `samples.csv` in `report`), so that its size needs no limit: it fails
/// once a line grows longer than `limit` bytes, as a file with no line ends
/// would otherwise be read into one record.
pub(crate) struct LineLimit<R> {
    inner: R,
    since_line_end: u64,
    limit: u64,
}

impl<R> LineLimit<R> {
    /// `inner`, refused at its first line longer than `limit` bytes.
    pub(crate) fn new(inner: R, limit: u64) -> LineLimit<R> {
        LineLimit {
            inner,
            since_line_end: 0,
            limit,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        // The first piece goes on the line before; each later one starts a line.
        let mut pieces = buf[..n].split(|&b| b == b'\n');
        let first = pieces.next().map_or(0, <[u8]>::len) as u64;
        let mut line = self.since_line_end + first;
        let mut longest = line;
        for piece in pieces {
            line = piece.len() as u64;
            longest = longest.max(line);
        }
        self.since_line_end = line;
        if longest > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "a row longer than the input size limit of {} bytes; {RAISE_LIMIT}",
                    self.limit
                ),
            ));
        }
        Ok(n)
    }
}

fn too_large(path: &Path, size: Option<u64>) -> Error {
    Error::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: max_input_size(),
    }
}

/// Refuse `path` when it is larger than the limit, from its size on disk,
/// without reading it.
pub fn check_input_size(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.len() > max_input_size() {
        return Err(too_large(path, Some(meta.len())));
    }
    Ok(())
}

/// Refuse the files directly in `dir` that `reads` selects by name, when
/// any is larger than the limit: the result files `report` and `merge` read
/// back. A directory that cannot be listed is left to its reader to report.
pub fn check_files_in(dir: &Path, reads: impl Fn(&str) -> bool) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if reads(&name.to_string_lossy()) {
            check_input_size(&entry.path())?;
        }
    }
    Ok(())
}

/// Read a whole input file, refusing it when it is larger than the limit.
///
/// The size on disk is checked first. A file whose size the system does not
/// know (a pipe, a device) is read up to the limit and refused beyond it.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let limit = max_input_size();
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > limit {
        return Err(too_large(path, Some(len)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, None));
    }
    Ok(bytes)
}

/// Read a whole input file as UTF-8 text, refusing it when it is larger
/// than the limit. Bytes that are not UTF-8 are an error naming their line
/// and column.
pub fn read_input_text(path: &Path) -> Result<String> {
    let bytes = read_input(path)?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Both sides of the bad byte are valid up to it, so this is text.
        let before = std::str::from_utf8(good).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        Error::Syntax {
            file: path.display().to_string(),
            line,
            col,
            message: "the file is not UTF-8 text".into(),
        }
    })
}

/// Parse a size: a whole number of bytes, or one with a unit
/// (`K`/`KiB`, `M`/`MiB`, `G`/`GiB`, powers of 1024; `B` for bytes).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "`{text}`: write a number of bytes, optionally with K, M or G (KiB, MiB, GiB)"
            ));
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}`: write a whole number of bytes, such as 67108864 or 64M"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_read_in_bytes_or_binary_units() {
        assert_eq!(parse_size("67108864"), Ok(64 << 20));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("64 MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("0"), Ok(0));
        assert!(parse_size("-1").is_err());
        assert!(parse_size("1.5M").is_err());
        assert!(parse_size("64 parsecs").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
        assert!(parse_size("").is_err());
    }

    fn lines(limit: u64, text: &[u8], chunk: usize) -> std::io::Result<Vec<u8>> {
        // Feed the text in chunks of `chunk` bytes, as a file may.
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        LineLimit::new(Chunks(text, chunk), limit).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn a_line_longer_than_the_limit_is_refused_however_the_file_is_read() {
        for chunk in [1, 3, 7, 64] {
            // Lines of 5 bytes and their line ends pass a limit of 5, across chunks.
            let ok = b"abcde\nfghij\nklmno";
            assert_eq!(lines(5, ok, chunk).unwrap(), ok, "chunk {chunk}");
            // A line of 6 does not, wherever it is.
            for bad in [&b"abcdef\nxy\n"[..], b"ab\ncdefgh\n", b"ab\ncdefgh"] {
                let e = lines(5, bad, chunk).unwrap_err();
                assert!(e.to_string().contains("limit of 5 bytes"), "{e}");
            }
        }
    }
}
