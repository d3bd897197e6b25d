//! Where a batch report comes from: the rule set, the version of
//! nrscreen, the SHA-256 of every file the rule set (and a mapping) was
//! read from, and of every input, computed while the input streams
//! ([`HashingReader`]: no input is read twice, standard input included).

use std::cell::RefCell;
use std::io::{BufRead, Read};
use std::rc::Rc;

use sha2::{Digest, Sha256};

/// One file and its digest.
#[derive(Clone, Debug)]
pub(crate) struct FileDigest {
    /// What the file is to the run (`rules`, `schema`, `mapping`, …).
    pub role: &'static str,
    /// Its name as given or found.
    pub name: String,
    /// Its size in bytes (as read: compressed input counts compressed).
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Whether the whole file was read (an input can be left part-read by
    /// `--strict` or an error).
    pub complete: bool,
}

impl FileDigest {
    /// The digest of bytes held in memory.
    pub(crate) fn of(role: &'static str, name: String, bytes: &[u8]) -> FileDigest {
        FileDigest {
            role,
            name,
            bytes: bytes.len() as u64,
            sha256: hex(&Sha256::digest(bytes)),
            complete: true,
        }
    }
}

/// The report's provenance, filled as the run goes.
#[derive(Default, Debug)]
pub(crate) struct Provenance {
    /// The rule set's name.
    pub ruleset: String,
    /// The rule-set files, then the mapping's.
    pub rule_files: Vec<FileDigest>,
    /// The inputs, in the order read.
    pub inputs: Vec<FileDigest>,
    /// When the batch was evaluated (UTC), as shown.
    pub date: String,
}

/// The provenance, shared by the run (which fills it) and the report
/// format (which shows it at the end).
pub(crate) type SharedProvenance = Rc<RefCell<Provenance>>;

/// A reader that hashes the bytes read through it and, when dropped,
/// records the input's size and digest in the provenance.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    at_end: bool,
    name: String,
    provenance: SharedProvenance,
}

impl<R> HashingReader<R> {
    /// Hashes `inner`, the raw bytes of the input `name`.
    pub(crate) fn new(inner: R, name: &str, provenance: SharedProvenance) -> HashingReader<R> {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            at_end: false,
            name: name.to_string(),
            provenance,
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.at_end = true;
        }
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<R> Drop for HashingReader<R> {
    fn drop(&mut self) {
        let digest = std::mem::take(&mut self.hasher).finalize();
        self.provenance.borrow_mut().inputs.push(FileDigest {
            role: "input",
            name: std::mem::take(&mut self.name),
            bytes: self.bytes,
            sha256: hex(&digest),
            complete: self.at_end,
        });
    }
}

/// A buffered, hashed input: what `eval` reads when a report is asked for.
pub(crate) fn hashed<R: Read + 'static>(
    inner: R,
    name: &str,
    provenance: &SharedProvenance,
) -> Box<dyn BufRead> {
    Box::new(std::io::BufReader::with_capacity(
        1 << 16,
        HashingReader::new(inner, name, Rc::clone(provenance)),
    ))
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_hashed_as_it_is_read_and_recorded_when_done() {
        let provenance = SharedProvenance::default();
        {
            let mut reader = hashed(&b"abc"[..], "in.jsonl", &provenance);
            let mut text = String::new();
            reader.read_to_string(&mut text).unwrap();
            assert_eq!(text, "abc");
        }
        let inputs = &provenance.borrow().inputs;
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].bytes, 3);
        assert!(inputs[0].complete);
        assert_eq!(
            inputs[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            FileDigest::of("rules", "x".into(), b"abc").sha256,
            inputs[0].sha256
        );
    }
}
