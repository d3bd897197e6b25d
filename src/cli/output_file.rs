//! Files nrscreen writes (`--output`, `--rejects`), written so that no input
//! is ever lost: a path that is one of the run's inputs or rule-set files
//! (compared by identity, device and inode, so a hard link, a symbolic link
//! or `./in.jsonl` for `in.jsonl` are caught) is refused before anything is
//! read or written, and the file is written to a temporary file beside it and
//! renamed over the old one only when the run succeeds.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// What identifies a file on disk, whatever path names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileIdentity {
    device: u64,
    inode: u64,
}

impl FileIdentity {
    /// The identity of the file at `path`, if it exists.
    pub(crate) fn of(path: &Path) -> Option<FileIdentity> {
        let metadata = std::fs::metadata(path).ok()?;
        Some(identity(&metadata))
    }
}

#[cfg(unix)]
fn identity(metadata: &std::fs::Metadata) -> FileIdentity {
    use std::os::unix::fs::MetadataExt;
    FileIdentity {
        device: metadata.dev(),
        inode: metadata.ino(),
    }
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> FileIdentity {
    // Without inodes no two files can be told apart this way; the run then
    // relies on the temporary file and rename alone.
    FileIdentity {
        device: 0,
        inode: 0,
    }
}

/// A file the run reads, with what it is for ("an input", "a rule-set
/// file"), to name it in the refusal.
pub(crate) struct Protected {
    identity: FileIdentity,
    path: PathBuf,
    role: &'static str,
}

impl Protected {
    /// `path`, if it exists, as a file that must not be overwritten.
    pub(crate) fn file(path: &Path, role: &'static str) -> Option<Protected> {
        Some(Protected {
            identity: FileIdentity::of(path)?,
            path: path.to_path_buf(),
            role,
        })
    }
}

/// A file being written: a temporary file beside its destination.
pub(crate) struct OutputFile {
    temp: BufWriter<NamedTempFile>,
    path: PathBuf,
}

impl OutputFile {
    /// Starts writing `path` for the option `option` (`--rejects`), unless
    /// it is one of `protected`. Nothing at `path` changes until
    /// [`OutputFile::commit`].
    pub(crate) fn create(
        path: &Path,
        option: &str,
        protected: &[Protected],
    ) -> Result<OutputFile, String> {
        if let Some(existing) = FileIdentity::of(path) {
            if let Some(clash) = protected.iter().find(|p| p.identity == existing) {
                return Err(format!(
                    "{option} `{}` is {} (`{}`); refusing to overwrite it",
                    path.display(),
                    clash.role,
                    clash.path.display()
                ));
            }
            if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
                return Err(format!(
                    "{option} `{}` exists and is not a regular file",
                    path.display()
                ));
            }
        }
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".nrscreen-")
            .suffix(".partial")
            .tempfile_in(directory)
            .map_err(|e| format!("cannot write {option} `{}`: {e}", path.display()))?;
        Ok(OutputFile {
            temp: BufWriter::with_capacity(1 << 16, temp),
            path: path.to_path_buf(),
        })
    }

    /// Where the results go until the run succeeds.
    pub(crate) fn writer(&mut self) -> &mut BufWriter<NamedTempFile> {
        &mut self.temp
    }

    /// Flushes the file and puts it in place of the destination.
    pub(crate) fn commit(self) -> Result<(), String> {
        let path = self.path;
        let temp = self
            .temp
            .into_inner()
            .map_err(|e| format!("cannot write `{}`: {}", path.display(), e.error()))?;
        temp.as_file()
            .sync_all()
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        temp.persist(&path)
            .map(|_: File| ())
            .map_err(|e| format!("cannot write `{}`: {}", path.display(), e.error))
    }
}

/// Replaces the contents of the existing file at `path` (through a link,
/// the file it leads to) with `contents`, atomically: a temporary file
/// beside it, with its permissions, renamed over it once written whole.
pub(crate) fn replace_contents(path: &Path, contents: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let fail = |e: &dyn std::fmt::Display| format!("cannot write `{}`: {e}", path.display());
    let target = std::fs::canonicalize(path).map_err(|e| fail(&e))?;
    let permissions = std::fs::metadata(&target)
        .map_err(|e| fail(&e))?
        .permissions();
    let directory = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".nrscreen-")
        .suffix(".partial")
        .tempfile_in(directory)
        .map_err(|e| fail(&e))?;
    temp.write_all(contents).map_err(|e| fail(&e))?;
    temp.as_file()
        .set_permissions(permissions)
        .map_err(|e| fail(&e))?;
    temp.as_file().sync_all().map_err(|e| fail(&e))?;
    temp.persist(&target)
        .map(|_: File| ())
        .map_err(|e| fail(&e.error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn an_input_is_refused_under_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, "{}\n").unwrap();
        let protected = [Protected::file(&input, "an input").unwrap()];
        let alias = dir.path().join(".").join("in.jsonl");
        let link = dir.path().join("link.jsonl");
        std::fs::hard_link(&input, &link).unwrap();
        for path in [&input, &alias, &link] {
            let error = OutputFile::create(path, "--rejects", &protected)
                .err()
                .unwrap();
            assert!(error.contains("is an input"), "{error}");
        }
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "{}\n");
    }

    #[test]
    fn the_old_file_stays_until_commit_and_an_abandoned_run_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejects.jsonl");
        std::fs::write(&path, "old\n").unwrap();
        let mut abandoned = OutputFile::create(&path, "--rejects", &[]).unwrap();
        writeln!(abandoned.writer(), "half").unwrap();
        drop(abandoned);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        let mut file = OutputFile::create(&path, "--rejects", &[]).unwrap();
        writeln!(file.writer(), "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn replacing_contents_keeps_the_permissions_and_the_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.nrs");
        std::fs::write(&path, "old\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.nrs");
        std::os::unix::fs::symlink("a.nrs", &link).unwrap();
        replace_contents(&link, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
