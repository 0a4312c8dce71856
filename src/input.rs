//! Reading an input file within bounds: only a regular file (a FIFO would block for ever, a
//! device such as `/dev/zero` never ends), and no larger than a limit the caller chooses.

use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// A FIFO, a device, a directory or a socket.
    NotRegular,
    /// Larger than the limit (`size` as the file system says, or as far as it was read).
    TooLarge {
        size: u64,
        limit: u64,
    },
}

impl ReadError {
    /// A sentence about `path`, for an error message.
    pub fn describe(&self, path: &str) -> String {
        match self {
            ReadError::Io(e) => format!("cannot read {path}: {e}"),
            ReadError::NotRegular => format!("cannot read {path}: it is not a regular file"),
            ReadError::TooLarge { size, limit } => {
                format!("{path} is {size} bytes, more than the limit of {limit} bytes")
            }
        }
    }
}

/// The bytes of `path`, a regular file of at most `limit` bytes (symlinks are followed).
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // Checked before opening: opening a FIFO blocks until someone writes to it.
    let metadata = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular);
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge { size: metadata.len(), limit });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // The file may have changed in between: check what was opened, and read no further.
    if !file.metadata().map_err(ReadError::Io)?.is_file() {
        return Err(ReadError::NotRegular);
    }
    read_bounded(file, limit)
}

/// At most `limit` bytes from `reader` (standard input, an opened file), or `TooLarge`.
pub fn read_bounded(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    Ok(bytes)
}

/// `64MiB`, `1M`, `512k`, `1048576`: a size in bytes (k, M, G are powers of 1024).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().ok()?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" | "kb" => 10,
        "m" | "mib" | "mb" => 20,
        "g" | "gib" | "gb" => 30,
        _ => return None,
    };
    number.checked_mul(1u64.checked_shl(shift)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.spec");
        std::fs::write(&file, "0123456789").unwrap();
        assert_eq!(read_regular_file(&file, 10).unwrap(), b"0123456789");
        let err = read_regular_file(&file, 9).unwrap_err();
        assert_eq!(err.describe("a.spec"), "a.spec is 10 bytes, more than the limit of 9 bytes");
        let err = read_regular_file(dir.path(), 100).unwrap_err();
        assert_eq!(err.describe("d"), "cannot read d: it is not a regular file");
        let err = read_regular_file(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular), "{err:?}");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64MiB"), Some(64 << 20));
        assert_eq!(parse_size("1k"), Some(1024));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("12x"), None);
        assert_eq!(parse_size("99999999999G"), None);
    }
}
