//! Writing results: all or nothing, through a temporary file beside the target.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` atomically: a reader sees the old file or the new one, never
/// half of it. A symlink is followed, so the file it points to is replaced and the link stays.
/// A target that is not a regular file (`/dev/stdout`, a pipe, a device) cannot be replaced
/// by a rename; it is written to directly.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = real_target(path)?;
    if let Ok(meta) = std::fs::metadata(&target)
        && !meta.is_file()
    {
        if meta.is_dir() {
            return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a directory"));
        }
        return std::fs::OpenOptions::new().write(true).open(&target)?.write_all(contents);
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // A new file gets the mode any new file gets under the umask (0644 for 022), not
    // tempfile's private 0600: a spec or profile is read by builds running as other users.
    let mut temp = tempfile::Builder::new()
        .prefix(".drvpolicy-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(&target) {
        temp.as_file().set_permissions(meta.permissions())?;
    }
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// The file a path names after following symlinks; a dangling link names its target.
fn real_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // A bounded walk: a symlink loop ends in the error the OS gives for it.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    std::fs::metadata(path).map(|_| current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_a_file_whole_and_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.inc");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[test]
    fn a_new_file_gets_the_mode_of_the_umask() {
        // The umask of this process, read without changing it.
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let umask = status.lines().find_map(|l| l.strip_prefix("Umask:")).unwrap().trim();
        let umask = u32::from_str_radix(umask, 8).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.toml");
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o666 & !umask);
    }

    #[test]
    fn follows_symlinks_and_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.spec");
        let link = dir.path().join("link.spec");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.spec", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn writes_into_what_is_not_a_regular_file() {
        // A FIFO with a reader stands in for /dev/stdout or a device: it must stay what it is.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert!(write_atomic(dir.path(), b"x").is_err(), "a directory is refused");
    }
}
