//! Reading input files in bounded time and memory: only regular files (a FIFO would block for
//! ever, `/dev/zero` never ends), at most a given size, and text that is UTF-8 with the place
//! of the first byte that is not.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// 1 MiB: far above any real profile (the shipped ones are under 10 KiB).
pub const PROFILE_LIMIT: u64 = 1 << 20;
/// 64 MiB: a spec file, a build script or a saved `qemu-img --help`.
pub const TEXT_LIMIT: u64 = 64 << 20;

/// Why a file could not be read.
#[derive(Debug)]
pub enum InputError {
    /// A FIFO, a device, a socket or a directory.
    NotRegular {
        kind: &'static str,
    },
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(std::io::Error),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotRegular { kind } => write!(f, "not a regular file (it is {kind})"),
            InputError::TooLarge { size, limit } => {
                write!(f, "{} is over the limit of {}", size_text(*size), size_text(*limit))
            }
            InputError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// `1048577 bytes` or `2.0 MiB (2097152 bytes)`: exact, and readable when large.
pub fn size_text(bytes: u64) -> String {
    if bytes < 1 << 10 {
        format!("{bytes} bytes")
    } else if bytes < 1 << 20 {
        format!("{:.1} KiB ({bytes} bytes)", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB ({bytes} bytes)", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a plain file"
    }
}

/// The bytes of `path` (symlinks followed) if it is a regular file of at most `limit` bytes.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    // Opening a FIFO for reading blocks until a writer comes, so stat first.
    let meta = std::fs::metadata(path).map_err(InputError::Io)?;
    if !meta.is_file() {
        return Err(InputError::NotRegular { kind: kind(&meta) });
    }
    read_opened(std::fs::File::open(path).map_err(InputError::Io)?, limit)
}

/// `read_regular_file` of a path that its directory listed as a regular file (not a symlink),
/// without the stat before opening it (10,000 profiles are 10,000 calls fewer). It is opened
/// non-blocking, so that a file swapped for a FIFO since the listing does not hang the open.
pub fn read_listed_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK | libc::O_NOCTTY);
    read_opened(options.open(path).map_err(InputError::Io)?, limit)
}

/// The bytes of an opened file, checked on the file itself, so that a path swapped between a
/// check and the open is still caught.
fn read_opened(file: std::fs::File, limit: u64) -> Result<Vec<u8>, InputError> {
    let meta = file.metadata().map_err(InputError::Io)?;
    if !meta.is_file() {
        return Err(InputError::NotRegular { kind: kind(&meta) });
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge { size: meta.len(), limit });
    }
    if meta.len() == 0 {
        // Empty, or a size the kernel does not know (procfs): read to the end.
        return read_into(Vec::new(), file, limit);
    }
    // The size the opened file has: one read, none past it to find the end (10,000 profiles are
    // 10,000 reads fewer). A file written meanwhile is read up to that size.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(meta.len()).read_to_end(&mut bytes).map_err(InputError::Io)?;
    Ok(bytes)
}

/// At most `limit` bytes of a stream (standard input); one more is an error.
pub fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, InputError> {
    read_into(Vec::new(), reader, limit)
}

fn read_into(mut bytes: Vec<u8>, reader: impl Read, limit: u64) -> Result<Vec<u8>, InputError> {
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(InputError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// Where a text stops being UTF-8: the byte offset, and its 1-based line and column (in
/// characters, as editors count them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadUtf8 {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// The text, or where its first invalid byte is.
pub fn utf8(bytes: Vec<u8>) -> Result<String, (BadUtf8, Vec<u8>)> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        // Everything before `offset` is valid UTF-8.
        let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        (BadUtf8 { offset, line, column }, bytes)
    })
}

/// A size for an option: bytes, or with a binary suffix (`512K`, `1M`, `64MiB`, `1G`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, suffix) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| format!("`{text}` is not a size: expected bytes, or 512K, 1M, 1G"))?;
    let shift = match suffix.trim() {
        "" | "B" => 0,
        "K" | "KiB" | "k" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        other => return Err(format!("unknown size suffix `{other}`: expected K, M or G (powers of 1024)")),
    };
    number.checked_mul(1 << shift).ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO named `fifo.toml` in `dir`.
    fn fifo(dir: &Path) -> std::path::PathBuf {
        let fifo = dir.join("fifo.toml");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        fifo
    }

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = fifo(dir.path());
        let err = read_regular_file(&fifo, PROFILE_LIMIT).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file (it is a FIFO)");
        let zero = dir.path().join("zero.toml");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(
            read_regular_file(&zero, PROFILE_LIMIT).unwrap_err().to_string(),
            "not a regular file (it is a character device)"
        );
        assert_eq!(
            read_regular_file(dir.path(), PROFILE_LIMIT).unwrap_err().to_string(),
            "not a regular file (it is a directory)"
        );
    }

    /// A path listed as a regular file is opened without a stat: one that is a FIFO by then is
    /// still refused, at once (the open does not wait for a writer), and a file is read whole.
    #[test]
    fn a_listed_file_is_checked_once_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = fifo(dir.path());
        let err = read_listed_regular_file(&fifo, PROFILE_LIMIT).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file (it is a FIFO)");
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "a = 1\n").unwrap();
        assert_eq!(read_listed_regular_file(&path, PROFILE_LIMIT).unwrap(), b"a = 1\n");
        assert!(matches!(read_listed_regular_file(&path, 5), Err(InputError::TooLarge { size: 6, limit: 5 })));
        std::fs::write(&path, "").unwrap();
        assert_eq!(read_listed_regular_file(&path, PROFILE_LIMIT).unwrap(), b"");
    }

    /// A file whose size the kernel does not give (procfs says 0) is read to its end.
    #[test]
    fn a_file_of_unknown_size_is_read_to_the_end() {
        let status = read_regular_file(Path::new("/proc/self/status"), PROFILE_LIMIT).unwrap();
        assert!(String::from_utf8(status).unwrap().contains("Name:"));
    }

    #[test]
    fn refuses_a_file_over_the_limit_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        std::fs::write(&path, vec![b'x'; 2049]).unwrap();
        let err = read_regular_file(&path, 2048).unwrap_err();
        assert_eq!(err.to_string(), "2.0 KiB (2049 bytes) is over the limit of 2.0 KiB (2048 bytes)");
        assert_eq!(read_regular_file(&path, 2049).unwrap().len(), 2049);
        assert!(matches!(read_limited(&[0u8; 11][..], 10), Err(InputError::TooLarge { size: 11, limit: 10 })));
    }

    #[test]
    fn locates_the_first_byte_that_is_not_utf8() {
        let (bad, _) = utf8(b"a = 1\nb = \"\xc3\xa9\xff\"\n".to_vec()).unwrap_err();
        assert_eq!(bad, BadUtf8 { offset: 13, line: 2, column: 7 });
        assert_eq!(utf8(b"ok\n".to_vec()).unwrap(), "ok\n");
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert!(parse_size("1T").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
