//! The input stream layer: whatever a batch is read from (a file or standard
//! input), it becomes a stream of UTF-8 text here, before any format sees
//! it.
//!
//! * **Compression** is told by the first bytes, never by the name alone:
//!   gzip (`1f 8b`, several members one after another read as one stream)
//!   and zstd (`28 b5 2f fd`, several frames too; skippable frames skipped)
//!   are decompressed as they are read, in constant memory (a zstd frame
//!   keeps at most its window, 128 MiB at the most). xz, bzip2 and ZIP
//!   archives are refused with one error naming them.
//! * **Text**: a UTF-8 byte-order mark is dropped; a UTF-16 one (LE or BE)
//!   makes the text decoded from UTF-16. Without a mark, the text is UTF-8
//!   (left as it is: a record that is not UTF-8 is rejected by its reader,
//!   with its line), or the encoding given. A stream that starts with many
//!   NUL bytes (UTF-16 without a mark, or a binary file) is refused with one
//!   error, rather than read as thousands of bad records.
//!
//! The names of formats come after a compression suffix is taken off
//! ([`without_compression_suffix`]): `cases.jsonl.gz` is JSON Lines.

use std::io::{self, BufRead, BufReader, Cursor, Read};

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// How many bytes of text are looked at for NUL bytes.
const SNIFF_BYTES: usize = 1024;

/// The buffer of a decompressed or decoded stream.
const BUFFER_BYTES: usize = 1 << 16;

/// The longest magic number looked for (bzip2's, with its block magic).
const MAGIC_BYTES: usize = 10;

/// The compressions read, and those recognised only to be refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Not compressed.
    None,
    /// gzip (RFC 1952), one member or several.
    Gzip,
    /// Zstandard (RFC 8878), one frame or several.
    Zstd,
    /// xz: recognised, not read.
    Xz,
    /// bzip2: recognised, not read.
    Bzip2,
    /// A ZIP archive (also an Excel workbook): recognised, not read.
    Zip,
}

impl Compression {
    /// The compression the first bytes of a stream show.
    pub(crate) fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) || is_skippable_zstd(head) {
            Compression::Zstd
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else if head.len() >= 10
            && head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            && (head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
                || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
        {
            Compression::Bzip2
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Compression::Zip
        } else {
            Compression::None
        }
    }
}

/// A zstd skippable frame (`?? 2a 4d 18`, the first byte `50` to `5f`).
fn is_skippable_zstd(head: &[u8]) -> bool {
    head.len() >= 4 && (0x50..=0x5f).contains(&head[0]) && head[1..4] == [0x2a, 0x4d, 0x18]
}

/// The name without a compression suffix (`.gz`, `.zst`, `.zstd`, in any
/// case), for telling the format from what is left.
pub(crate) fn without_compression_suffix(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for suffix in [".gz", ".zst", ".zstd"] {
        if lower.ends_with(suffix) {
            // The suffix is ASCII, so the cut is on a character boundary.
            return name.get(..name.len() - suffix.len()).unwrap_or(name);
        }
    }
    name
}

/// `stream` as UTF-8 text: decompressed (gzip, zstd) if its first bytes
/// say so, a byte-order mark dropped or obeyed, and decoded from `encoding`
/// when one is given and no mark says otherwise (`None` is UTF-8, passed on
/// as it is). Refused (`InvalidData`, one message) when it is compressed in
/// a way not read, or looks like UTF-16 without a mark.
pub(crate) fn open_text<'a>(
    stream: Box<dyn BufRead + 'a>,
    encoding: Option<&'static Encoding>,
) -> io::Result<Box<dyn BufRead + 'a>> {
    let stream = decompress(stream)?;
    decode(stream, encoding)
}

/// `stream` decompressed, if its first bytes show gzip or zstd.
pub(crate) fn decompress<'a>(stream: Box<dyn BufRead + 'a>) -> io::Result<Box<dyn BufRead + 'a>> {
    let (head, stream) = peek(stream, MAGIC_BYTES)?;
    Ok(match Compression::sniff(&head) {
        Compression::None => stream,
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUFFER_BYTES,
            flate2::bufread::MultiGzDecoder::new(stream),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            BUFFER_BYTES,
            ZstdFrames::new(stream),
        )),
        refused => {
            let what = match refused {
                Compression::Xz => "xz-compressed",
                Compression::Bzip2 => "bzip2-compressed",
                _ => "a ZIP archive (an Excel workbook is one: export the sheet as CSV)",
            };
            return Err(invalid(format!(
                "it is {what}; nrscreen reads plain text, gzip (.gz) and zstd (.zst)"
            )));
        }
    })
}

/// The byte-order marks, longest first where one starts another.
const BOMS: [(&[u8], &Encoding); 3] = [
    (&[0xef, 0xbb, 0xbf], UTF_8),
    (&[0xff, 0xfe], UTF_16LE),
    (&[0xfe, 0xff], UTF_16BE),
];

/// `stream` (text, not compressed) as UTF-8: see [`open_text`].
pub(crate) fn decode<'a>(
    stream: Box<dyn BufRead + 'a>,
    encoding: Option<&'static Encoding>,
) -> io::Result<Box<dyn BufRead + 'a>> {
    let (head, mut stream) = peek(stream, SNIFF_BYTES)?;
    let marked = BOMS.iter().find(|(bom, _)| head.starts_with(bom));
    let encoding = match marked {
        Some((bom, marked)) => {
            // The stream holds the mark unread in its buffer: passed over.
            stream.consume(bom.len());
            *marked
        }
        None => {
            let encoding = encoding.unwrap_or(UTF_8);
            if encoding != UTF_16LE && encoding != UTF_16BE && looks_like_utf16(&head) {
                return Err(invalid(
                    "it has NUL bytes in its first kilobyte: it looks like UTF-16 text without \
                     a byte-order mark (or a binary file); save it as UTF-8, or as UTF-16 with \
                     a byte-order mark"
                        .into(),
                ));
            }
            encoding
        }
    };
    if encoding == UTF_8 {
        // Left as it is: a record that is not UTF-8 is rejected, with its
        // line, by the reader of its format.
        return Ok(stream);
    }
    let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_sniffing(false)
        .build(stream);
    Ok(Box::new(BufReader::with_capacity(BUFFER_BYTES, decoder)))
}

/// Whether text without a byte-order mark looks like UTF-16 (or binary):
/// an eighth or more of its first bytes are NUL. Text in UTF-8 has none.
fn looks_like_utf16(head: &[u8]) -> bool {
    let nuls = head.iter().filter(|&&b| b == 0).count();
    nuls > 0 && nuls * 8 >= head.len()
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// A copy of the first `want` bytes of `stream` (fewer only at its end),
/// and the stream with them still unread and in its buffer (so that a
/// `consume` of at most that many passes over them). A file's buffer
/// usually holds them already; otherwise (a pipe giving a few bytes at a
/// time) they are read and put back in front of the rest.
fn peek<'a>(
    mut stream: Box<dyn BufRead + 'a>,
    want: usize,
) -> io::Result<(Vec<u8>, Box<dyn BufRead + 'a>)> {
    let buffered = stream.fill_buf()?;
    if buffered.len() >= want {
        let head = buffered[..want].to_vec();
        return Ok((head, stream));
    }
    let mut head = Vec::with_capacity(want);
    stream.by_ref().take(want as u64).read_to_end(&mut head)?;
    let again = head.clone();
    Ok((head, Box::new(Cursor::new(again).chain(stream))))
}

/// Every zstd frame of a stream, one after another, decompressed as read
/// (a block at a time, so memory stays within the frame's window);
/// skippable frames are skipped and each frame's checksum, when it has one,
/// is checked.
struct ZstdFrames<'a> {
    source: Box<dyn BufRead + 'a>,
    decoder: FrameDecoder,
    /// Inside a frame (its header read).
    in_frame: bool,
}

impl<'a> ZstdFrames<'a> {
    fn new(source: Box<dyn BufRead + 'a>) -> ZstdFrames<'a> {
        ZstdFrames {
            source,
            decoder: FrameDecoder::new(),
            in_frame: false,
        }
    }

    /// Reads the next frame's header; false at the end of the stream.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            if self.source.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.decoder.init(&mut self.source) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let length = u64::from(length);
                    let skipped =
                        io::copy(&mut self.source.by_ref().take(length), &mut io::sink())?;
                    if skipped < length {
                        return Err(damaged("it ends inside a skippable frame"));
                    }
                }
                Err(error) => return Err(damaged(&error.to_string())),
            }
        }
    }
}

fn damaged(why: &str) -> io::Error {
    invalid(format!("the zstd data is damaged: {why}"))
}

impl Read for ZstdFrames<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if !self.next_frame()? {
                    return Ok(0);
                }
                self.in_frame = true;
            }
            while self.decoder.can_collect() == 0 && !self.decoder.is_finished() {
                self.decoder
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(|e| damaged(&e.to_string()))?;
            }
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // The frame is done and read out: check it, then the next.
            if let (Some(stored), Some(computed)) = (
                self.decoder.get_checksum_from_data(),
                self.decoder.get_calculated_checksum(),
            ) {
                if stored != computed {
                    return Err(damaged("a frame's checksum does not match its content"));
                }
            }
            self.in_frame = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Everything `open_text` gives for `bytes`, read through a source that
    /// hands over one byte at a time (as a slow pipe may) and through one
    /// that holds them all in its buffer (as a file's usually does): the
    /// same either way.
    fn text(bytes: &[u8], encoding: Option<&'static Encoding>) -> io::Result<Vec<u8>> {
        let read = |capacity: usize| -> io::Result<Vec<u8>> {
            let source = BufReader::with_capacity(capacity, bytes);
            let mut out = Vec::new();
            open_text(Box::new(source), encoding)?.read_to_end(&mut out)?;
            Ok(out)
        };
        let slow = read(1);
        let whole = read(1 << 16);
        match (&slow, &whole) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("{slow:?} but {whole:?}"),
        }
        slow
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn zstd(bytes: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
    }

    const LINES: &[u8] = b"{\"case_id\":\"A\"}\n{\"case_id\":\"B\"}\n";

    #[test]
    fn plain_text_passes_through_unchanged_even_when_not_utf8() {
        assert_eq!(text(LINES, None).unwrap(), LINES);
        assert_eq!(text(b"a\xffb\n", None).unwrap(), b"a\xffb\n");
        assert_eq!(text(b"", None).unwrap(), b"");
        assert_eq!(text(b"x", None).unwrap(), b"x");
    }

    #[test]
    fn gzip_is_told_by_its_first_bytes_and_members_are_read_one_after_another() {
        assert_eq!(text(&gzip(LINES), None).unwrap(), LINES);
        let mut two = gzip(b"first\n");
        two.extend(gzip(b"second\n"));
        assert_eq!(text(&two, None).unwrap(), b"first\nsecond\n");
        // Compressed text is text too: a byte-order mark inside is dropped.
        assert_eq!(text(&gzip(b"\xef\xbb\xbfa,b\n"), None).unwrap(), b"a,b\n");
    }

    #[test]
    fn zstd_frames_are_read_one_after_another_and_skippable_frames_skipped() {
        assert_eq!(text(&zstd(LINES), None).unwrap(), LINES);
        let mut frames = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        frames.extend(zstd(b"first\n"));
        frames.extend([0x5f, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
        frames.extend(zstd(b"second\n"));
        assert_eq!(text(&frames, None).unwrap(), b"first\nsecond\n");
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        assert_eq!(text(&zstd(&big), None).unwrap(), big);
    }

    #[test]
    fn damaged_or_cut_compressed_data_is_an_error_not_text() {
        let mut cut = gzip(LINES);
        cut.truncate(cut.len() - 6);
        assert!(text(&cut, None).is_err());
        let mut cut = zstd(LINES);
        cut.truncate(cut.len() - 3);
        assert!(text(&cut, None).is_err());
        let mut garbage_after = zstd(LINES);
        garbage_after.extend(b"not zstd");
        let error = text(&garbage_after, None).unwrap_err();
        assert!(
            error.to_string().contains("the zstd data is damaged"),
            "{error}"
        );
    }

    #[test]
    fn a_zstd_checksum_that_does_not_match_is_an_error() {
        // A frame with a checksum: header (checksum flag, single segment,
        // content size 3), one raw last block `abc`, then the checksum.
        let frame = |checksum: [u8; 4]| {
            let mut f = vec![0x28, 0xb5, 0x2f, 0xfd, 0x24, 3, 0x19, 0, 0];
            f.extend(b"abc");
            f.extend(checksum);
            f
        };
        let mut checksum = twox_hash_of(b"abc");
        assert_eq!(text(&frame(checksum), None).unwrap(), b"abc");
        checksum[0] ^= 1;
        let error = text(&frame(checksum), None).unwrap_err();
        assert!(error.to_string().contains("checksum"), "{error}");
    }

    /// The low 32 bits of the XXH64 (seed 0) of `bytes`, as a zstd frame
    /// stores it: the hash the decoder computes over a frame's content.
    fn twox_hash_of(bytes: &[u8]) -> [u8; 4] {
        let mut decoder = FrameDecoder::new();
        let mut content = Vec::with_capacity(bytes.len() + 64);
        decoder
            .decode_all_to_vec(&zstd(bytes), &mut content)
            .unwrap();
        assert_eq!(content, bytes);
        decoder.get_calculated_checksum().unwrap().to_le_bytes()
    }

    #[test]
    fn other_compressions_are_refused_by_name() {
        for (head, what) in [
            (&b"\xfd7zXZ\x00\x00\x04rest"[..], "xz-compressed"),
            (&b"BZh91AY&SYrest"[..], "bzip2-compressed"),
            (&b"PK\x03\x04rest"[..], "a ZIP archive"),
        ] {
            let error = text(head, None).unwrap_err();
            assert!(error.to_string().contains(what), "{error}");
        }
        // Text that merely starts like one is text.
        assert_eq!(text(b"BZh9 header\n", None).unwrap(), b"BZh9 header\n");
    }

    #[test]
    fn a_utf8_byte_order_mark_is_dropped() {
        assert_eq!(
            text(b"\xef\xbb\xbfcase_id,age\n", None).unwrap(),
            b"case_id,age\n"
        );
        // A mark wins over the encoding given.
        assert_eq!(
            text(
                b"\xef\xbb\xbfcaf\xc3\xa9\n",
                Some(encoding_rs::WINDOWS_1252)
            )
            .unwrap(),
            "café\n".as_bytes()
        );
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if big_endian {
                [0xfe, 0xff]
            } else {
                [0xff, 0xfe]
            });
        }
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let source = "case_id,return_city\nA,Ciudad Juárez\n";
        for big_endian in [false, true] {
            let bytes = utf16(source, big_endian, true);
            assert_eq!(text(&bytes, None).unwrap(), source.as_bytes());
            // Also compressed, and whatever encoding was given.
            assert_eq!(
                text(&gzip(&bytes), Some(encoding_rs::WINDOWS_1252)).unwrap(),
                source.as_bytes()
            );
        }
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_refused_unless_it_is_the_encoding_given() {
        let bytes = utf16("case_id,age\nA,30\n", false, false);
        let error = text(&bytes, None).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("looks like UTF-16"), "{error}");
        assert!(text(&zstd(&bytes), None).is_err());
        assert_eq!(
            text(&bytes, Some(UTF_16LE)).unwrap(),
            b"case_id,age\nA,30\n"
        );
        let big = utf16("x\n", true, false);
        assert_eq!(text(&big, Some(UTF_16BE)).unwrap(), b"x\n");
        // One NUL in a kilobyte of text is not UTF-16 (the reader rejects
        // the record it is in).
        let mut mostly = vec![b'a'; 1000];
        mostly[10] = 0;
        assert_eq!(text(&mostly, None).unwrap(), mostly);
    }

    #[test]
    fn an_encoding_given_decodes_text_without_a_mark() {
        assert_eq!(
            text(b"caf\xe9\n", Some(encoding_rs::WINDOWS_1252)).unwrap(),
            "café\n".as_bytes()
        );
        assert_eq!(
            text(b"caf\xc3\xa9\n", Some(UTF_8)).unwrap(),
            "café\n".as_bytes()
        );
    }

    #[test]
    fn the_format_is_named_under_a_compression_suffix() {
        assert_eq!(without_compression_suffix("cases.jsonl.gz"), "cases.jsonl");
        assert_eq!(without_compression_suffix("CASES.CSV.ZST"), "CASES.CSV");
        assert_eq!(without_compression_suffix("a.tsv.zstd"), "a.tsv");
        assert_eq!(without_compression_suffix("a.csv"), "a.csv");
        assert_eq!(without_compression_suffix("gz"), "gz");
        assert_eq!(without_compression_suffix("é.gz"), "é");
    }
}
