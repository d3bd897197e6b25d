//! The files of a rule set on disk: reading one (a regular file of at most
//! [`MAX_FILE_BYTES`]; a FIFO, socket, device or directory is named, never
//! opened) and finding the rule files (a walk that follows directory links
//! only inside the rule set and visits each directory once).

use std::collections::HashSet;
use std::fs::{self, File, FileType, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// The largest rule-set file nrscreen reads (rules, manifest, schema,
/// taxonomy, tables): 64 MiB. A larger file is refused before it is read.
pub(crate) const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum Unreadable {
    /// Nothing is there (or a link leads nowhere).
    Missing(io::Error),
    /// Something other than a regular file is there: what it is, in words.
    NotAFile(&'static str),
    /// The file is larger than the limit: its size in bytes.
    TooLarge(u64),
    /// Another I/O failure.
    Io(io::Error),
}

impl Unreadable {
    /// What happened, in one line naming `path`.
    pub(crate) fn message(&self, path: &Path) -> String {
        let path = path.display();
        match self {
            Unreadable::Missing(e) | Unreadable::Io(e) => format!("cannot read `{path}`: {e}"),
            Unreadable::NotAFile(what) => format!("`{path}` is {what}, not a regular file"),
            Unreadable::TooLarge(size) => format!(
                "`{path}` has {size} bytes, more than the {} MiB a rule-set file may have",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        }
    }

    /// The diagnostic for a file refused (not a regular file, too large), at
    /// `named_at` where something names the file; `None` when the file is
    /// missing or could not be read, which callers report their own way.
    pub(crate) fn refusal(&self, path: &Path, named_at: Option<Span>) -> Option<Diagnostic> {
        let (code, help) = match self {
            Unreadable::NotAFile(_) => ("not-a-file", "rule-set files must be regular files (a link to one is fine); nrscreen does not open anything else"),
            Unreadable::TooLarge(_) => ("file-too-large", "split the rules over several files, or the table into several tables"),
            Unreadable::Missing(_) | Unreadable::Io(_) => return None,
        };
        let message = self.message(path);
        let diagnostic = match named_at {
            Some(span) => Diagnostic::error(code, message, span),
            None => Diagnostic::error_without_span(code, message),
        };
        Some(diagnostic.with_help(help))
    }
}

/// The bytes of the regular file at `path` (a link to one is followed), if
/// it has at most [`MAX_FILE_BYTES`].
pub(crate) fn read_regular(path: &Path) -> Result<Vec<u8>, Unreadable> {
    read_limited(path, MAX_FILE_BYTES)
}

/// [`read_regular`] with any limit.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Unreadable> {
    let metadata = fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Unreadable::Missing(e),
        _ => Unreadable::Io(e),
    })?;
    // Looked at before opening: opening a FIFO blocks until a writer comes.
    readable(&metadata, limit)?;
    let file = File::open(path).map_err(Unreadable::Io)?;
    // The file opened may not be the one looked at (it may have been
    // replaced in between), and it may grow while it is read.
    let opened = file.metadata().map_err(Unreadable::Io)?;
    readable(&opened, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(Unreadable::TooLarge(read));
    }
    Ok(bytes)
}

fn readable(metadata: &Metadata, limit: u64) -> Result<(), Unreadable> {
    if !metadata.is_file() {
        return Err(Unreadable::NotAFile(describe(metadata.file_type())));
    }
    if metadata.len() > limit {
        return Err(Unreadable::TooLarge(metadata.len()));
    }
    Ok(())
}

/// A file type in words, e.g. "a named pipe (FIFO)".
fn describe(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// What the walk for rule files found.
#[derive(Debug, Default)]
pub(crate) struct RuleFiles {
    /// Every `.nrs` entry, sorted (each still to be read with
    /// [`read_regular`], which refuses what is not a regular file).
    pub files: Vec<PathBuf>,
    /// Links to directories outside the rule set, not followed: the link
    /// and where it leads.
    pub outside: Vec<(PathBuf, PathBuf)>,
}

/// A directory's identity: device and inode where there are such, else its
/// canonical path.
#[cfg(unix)]
type DirKey = (u64, u64);
#[cfg(not(unix))]
type DirKey = PathBuf;

#[cfg(unix)]
fn dir_key(_canonical: &Path, metadata: &Metadata) -> DirKey {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
}

#[cfg(not(unix))]
fn dir_key(canonical: &Path, _metadata: &Metadata) -> DirKey {
    canonical.to_path_buf()
}

/// Every `.nrs` file below `root`, skipping hidden directories. The
/// directories themselves are walked first; then links to directories, each
/// followed only if it leads to a directory inside the rule set not walked
/// yet (so a link loop, or a second way into a directory, reads nothing
/// twice). An I/O failure names the path.
pub(crate) fn rule_files(root: &Path) -> Result<RuleFiles, (PathBuf, io::Error)> {
    let real_root = fs::canonicalize(root).map_err(|e| (root.to_path_buf(), e))?;
    let mut walk = Walk {
        real_root,
        visited: HashSet::new(),
        found: RuleFiles::default(),
        links: Vec::new(),
    };
    walk.enter(root)?;
    let mut next_link = 0;
    while let Some(link) = walk.links.get(next_link).cloned() {
        next_link += 1;
        walk.follow(&link)?;
    }
    walk.found.files.sort();
    Ok(walk.found)
}

/// The state of [`rule_files`].
struct Walk {
    /// The rule set's directory, canonical.
    real_root: PathBuf,
    /// The directories walked.
    visited: HashSet<DirKey>,
    /// What was found.
    found: RuleFiles,
    /// Links to directories, to follow once the directories are walked.
    links: Vec<PathBuf>,
}

impl Walk {
    /// Walks `dir` and the directories below it (not links to directories),
    /// unless it was walked already.
    fn enter(&mut self, dir: &Path) -> Result<(), (PathBuf, io::Error)> {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let fail = |e| (dir.clone(), e);
            let canonical = fs::canonicalize(&dir).map_err(fail)?;
            let metadata = fs::metadata(&canonical).map_err(fail)?;
            if !self.visited.insert(dir_key(&canonical, &metadata)) {
                continue;
            }
            let mut entries = Vec::new();
            for entry in fs::read_dir(&dir).map_err(fail)? {
                let entry = entry.map_err(fail)?;
                let file_type = entry.file_type().map_err(fail)?;
                entries.push((entry.file_name(), entry.path(), file_type));
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            // Pushed in reverse so that directories are walked in name order.
            for (name, path, file_type) in entries.into_iter().rev() {
                let hidden = name.to_string_lossy().starts_with('.');
                let is_rule_file = path.extension().is_some_and(|e| e == "nrs");
                if file_type.is_dir() {
                    if !hidden {
                        stack.push(path);
                    }
                } else if file_type.is_symlink() {
                    if fs::metadata(&path).is_ok_and(|target| target.is_dir()) {
                        if !hidden {
                            self.links.push(path);
                        }
                    } else if is_rule_file {
                        // A link to a file, or to nothing: read (or
                        // reported missing) like a file.
                        self.found.files.push(path);
                    }
                } else if is_rule_file {
                    self.found.files.push(path);
                }
            }
        }
        Ok(())
    }

    /// Follows a link to a directory if it stays inside the rule set.
    fn follow(&mut self, link: &Path) -> Result<(), (PathBuf, io::Error)> {
        let target = fs::canonicalize(link).map_err(|e| (link.to_path_buf(), e))?;
        if !target.starts_with(&self.real_root) {
            self.found.outside.push((link.to_path_buf(), target));
            return Ok(());
        }
        self.enter(link)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        std::fs::write(&path, "x = 1\n").unwrap();
        assert_eq!(read_limited(&path, 6).unwrap(), b"x = 1\n");
        assert!(matches!(
            read_limited(&path, 5),
            Err(Unreadable::TooLarge(6))
        ));
        // Sparse: the size is known without writing 64 MiB.
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 1)
            .unwrap();
        assert!(matches!(
            read_regular(&path),
            Err(Unreadable::TooLarge(n)) if n == MAX_FILE_BYTES + 1
        ));
    }

    #[test]
    fn a_directory_or_nothing_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_regular(dir.path()),
            Err(Unreadable::NotAFile("a directory"))
        ));
        assert!(matches!(
            read_regular(&dir.path().join("none")),
            Err(Unreadable::Missing(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_named_and_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.nrs");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Opening it for reading would block this test forever.
        assert!(matches!(
            read_regular(&fifo),
            Err(Unreadable::NotAFile("a named pipe (FIFO)"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_inside_the_rule_set_once_and_not_out_of_it() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("rules");
        let outside = dir.path().join("elsewhere");
        for d in [&root.join("sub"), &root.join(".hidden"), &outside] {
            std::fs::create_dir_all(d).unwrap();
        }
        for f in ["a.nrs", "sub/b.nrs", ".hidden/c.nrs", "notes.txt"] {
            std::fs::write(root.join(f), "").unwrap();
        }
        std::fs::write(outside.join("d.nrs"), "").unwrap();
        symlink(".", root.join("loop")).unwrap(); // to itself
        symlink("..", root.join("sub/up")).unwrap(); // to its parent
        symlink("sub", root.join("alias")).unwrap(); // a second way in
        symlink(".hidden", root.join("shown")).unwrap(); // the only way in
        symlink("../elsewhere", root.join("out")).unwrap();
        symlink("../elsewhere/d.nrs", root.join("d.nrs")).unwrap(); // a file
        let found = rule_files(&root).unwrap();
        let names: Vec<String> = found
            .files
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.nrs", "d.nrs", "shown/c.nrs", "sub/b.nrs"]);
        assert_eq!(found.outside.len(), 1);
        assert_eq!(found.outside[0].0, root.join("out"));
    }
}
