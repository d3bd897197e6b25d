//! How untrusted text is shown, per sink: the one place that decides.
//!
//! Case ids and record values, the text of rule, schema and table files, and
//! file names can hold anything: escape sequences that clear or retitle a
//! terminal, bidirectional overrides that make text read backwards, line
//! breaks that forge a line of output, spreadsheet formulas. Every writer that
//! shows such text (the `table` and `csv` formats, rejection messages and
//! warnings on stderr, rendered diagnostics) passes it through one of these
//! functions. JSON output needs none of this: `serde_json` escapes control
//! characters, and JSON stays exact.
//!
//! The base rule ([`terminal`]) makes unsafe characters visible and inert:
//!
//! * unsafe are the control characters (Unicode category Cc: C0 U+0000–U+001F,
//!   DEL U+007F, C1 U+0080–U+009F), the bidirectional controls (the
//!   Bidi_Control property: U+061C, U+200E, U+200F, U+202A–U+202E,
//!   U+2066–U+2069) and the Unicode line and paragraph separators (U+2028,
//!   U+2029);
//! * line feed, carriage return and tab become `\n`, `\r` and `\t`; every
//!   other unsafe character becomes `\u{…}` with its code point in lowercase
//!   hex (ESC is `\u{1b}`, U+202E is `\u{202e}`);
//! * everything else, a backslash included, is shown as itself. The result
//!   is for reading, not for parsing back: the JSON outputs are the exact
//!   form.
//!
//! The other sinks build on it: [`csv()`] adds a leading `'` to a cell that a
//! spreadsheet would read as a formula, [`html`] and [`markdown`] escape the
//! characters those languages interpret.
//!
//! JSON stays exact: [`write_json`] and [`json_string`] write the same values
//! as `serde_json`, but the unsafe characters JSON does not require escaping
//! (DEL, C1, bidi controls, U+2028, U+2029; `serde_json` escapes only C0) are
//! written as `\uXXXX` escapes, so JSON Lines on a terminal are inert too and
//! every parser reads the same string.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use serde::Serialize;

/// Whether `c` must not reach a terminal as itself: a control character, a
/// bidirectional control, or a Unicode line or paragraph separator.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Whether `byte` may start the UTF-8 encoding of an unsafe character: it
/// is a C0 control or DEL, or the first byte of a C1 character
/// (U+0080–U+009F), of U+061C, or of the U+2xxx bidi controls and
/// separators. Such a byte is never inside a character.
fn may_start_unsafe(byte: u8) -> bool {
    byte < 0x20 || matches!(byte, 0x7f | 0xc2 | 0xd8 | 0xe2)
}

/// The first byte of `bytes` that [`may_start_unsafe`]. Text without one,
/// nearly all, is safe as it is; eight bytes are tested at a time (a chunk
/// of printable ASCII is passed over at once), since every output line of
/// the batch formats goes through here.
fn first_candidate(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let Ok(array) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(array);
        // Whether some byte is below 0x20, is 0x7f, or is not ASCII.
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let del = x ^ (ONES * 0x7f);
        let is_del = del.wrapping_sub(ONES) & !del & HIGH;
        if (below_space | is_del | (x & HIGH)) != 0 {
            if let Some(i) = chunk.iter().position(|&b| may_start_unsafe(b)) {
                return Some(at + i);
            }
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| may_start_unsafe(b))
        .map(|i| at + i)
}

/// Appends the visible form of an unsafe character: `\n`, `\r`, `\t`, or
/// `\u{…}` (lowercase hex).
pub(crate) fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => {
            // Writing to a `String` cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `text` for a terminal (stdout of `--format table`, stderr, diagnostics):
/// every unsafe character replaced by its visible form, the rest unchanged.
/// Borrows when there is nothing to replace.
pub(crate) fn terminal(text: &str) -> Cow<'_, str> {
    let Some(first) =
        first_candidate(text.as_bytes()).and_then(|at| text[at..].find(is_unsafe).map(|i| at + i))
    else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_unsafe(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as one word for a POSIX shell: as it is when it is made only of
/// characters no shell treats specially (and is not empty), else in single
/// quotes (a `'` inside written `'\''`).
pub(crate) fn shell_word(text: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+,=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("'{}'", text.replace('\'', "'\\''")))
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (OWASP, "CSV Injection"), with their fullwidth forms, which some
/// spreadsheets read the same way. Tab, carriage return and line feed, also
/// on OWASP's list, never lead a cell: [`terminal`] has replaced them.
const FORMULA_START: [char; 8] = [
    '=', '+', '-', '@', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
];

/// `text` as a CSV cell: [`terminal`]'s rule, then a `'` before a cell that
/// starts with `=`, `+`, `-`, `@` or their fullwidth forms, so a spreadsheet
/// shows it as text instead of evaluating it. (Quoting the cell for CSV is
/// the CSV writer's job.)
pub(crate) fn csv(text: &str) -> Cow<'_, str> {
    let shown = terminal(text);
    if shown.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{shown}"))
    } else {
        shown
    }
}

/// `text` inside HTML (element content or a quoted attribute value):
/// [`terminal`]'s rule, then `&`, `<`, `>`, `"` and `'` as `&amp;`, `&lt;`,
/// `&gt;`, `&quot;` and `&#39;`.
pub(crate) fn html(text: &str) -> Cow<'_, str> {
    let shown = terminal(text);
    if !shown.contains(['&', '<', '>', '"', '\'']) {
        return shown;
    }
    let mut out = String::with_capacity(shown.len() + 16);
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` inline in Markdown (a paragraph, a list item, a table cell):
/// [`terminal`]'s rule (so line breaks are `\n`, and the text stays on one
/// line), then a backslash before every ASCII punctuation character, which
/// CommonMark then shows as itself: no emphasis, link, code span, HTML tag,
/// heading, list marker or table cell boundary can start inside it.
pub(crate) fn markdown(text: &str) -> Cow<'_, str> {
    let shown = terminal(text);
    if !shown.contains(|c: char| c.is_ascii_punctuation()) {
        return shown;
    }
    let mut out = String::with_capacity(shown.len() * 2);
    for c in shown.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Writes `value` as compact JSON, the unsafe characters as `\uXXXX`
/// (see [`json_into`]).
pub(crate) fn write_json<W: io::Write, T: Serialize + ?Sized>(
    mut writer: W,
    value: &T,
) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(1024);
    json_into(&mut buffer, value)?;
    writer.write_all(&buffer)
}

/// `value` as compact JSON, the unsafe characters as `\uXXXX` (see
/// [`json_into`]).
pub(crate) fn json_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut buffer = Vec::new();
    json_into(&mut buffer, value)?;
    // serde_json writes UTF-8, and `json_into` keeps it so.
    Ok(String::from_utf8(buffer)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Appends `text` as a JSON string, byte for byte as [`write_json`] writes
/// it: serde_json's escapes (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other C0
/// controls as `\u00xx`), the other unsafe characters as `\uXXXX`, the rest
/// as it is. No allocation: what needs no escape is copied in runs.
pub(crate) fn json_str_into(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.push(b'"');
    let mut run = 0;
    let mut i = 0;
    loop {
        i += plain_json_run(&bytes[i..]);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => {
                let c = text[i..].chars().next().unwrap_or('\0');
                if !is_unsafe(c) {
                    i += 1;
                    continue;
                }
                out.extend_from_slice(&bytes[run..i]);
                let code = c as u32;
                // Every unsafe character is in the Basic Multilingual Plane.
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((code >> shift) & 0xf) as usize]);
                }
                i += c.len_utf8();
                run = i;
                continue;
            }
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(escape);
        i += 1;
        run = i;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Whether `byte` may need an escape in a JSON string: `"`, `\`, or a byte
/// that [`may_start_unsafe`].
fn may_need_json_escape(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || may_start_unsafe(byte)
}

/// How many bytes at the start of `bytes` need no escape in a JSON string
/// (up to the first that [`may_need_json_escape`]); eight bytes are tested at
/// a time, as in [`first_candidate`].
fn plain_json_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // Whether some byte of `x` equals `byte` (exact for ASCII `byte`).
    let has = |x: u64, byte: u8| {
        let y = x ^ (ONES * u64::from(byte));
        y.wrapping_sub(ONES) & !y & HIGH
    };
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let Ok(array) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(array);
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        if (below_space | has(x, 0x7f) | has(x, b'"') | has(x, b'\\') | (x & HIGH)) != 0 {
            if let Some(i) = chunk.iter().position(|&b| may_need_json_escape(b)) {
                return at + i;
            }
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| may_need_json_escape(b))
        .map_or(bytes.len(), |i| at + i)
}

/// Serialises `value` into `buffer` (cleared first) as compact JSON, then
/// writes the unsafe characters JSON allows raw as `\uXXXX`. In
/// serde_json's output such a character can only stand inside a string
/// (JSON's own syntax is ASCII, and C0 controls are escaped already), where
/// the escape means the same character: the JSON reads back exactly. One
/// scan of the whole text, eight bytes at a time, finds nothing in nearly
/// every case.
fn json_into<T: Serialize + ?Sized>(buffer: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, value)?;
    let Some(at) = first_candidate(buffer) else {
        return Ok(());
    };
    let Ok(tail) = std::str::from_utf8(&buffer[at..]) else {
        return Ok(());
    };
    if !tail.contains(is_unsafe) {
        return Ok(());
    }
    let mut inert = String::with_capacity(buffer.len() + 16);
    for c in tail.chars() {
        if is_unsafe(c) {
            // Every unsafe character is in the Basic Multilingual Plane.
            let _ = write!(inert, "\\u{:04x}", c as u32);
        } else {
            inert.push(c);
        }
    }
    buffer.truncate(at);
    buffer.extend_from_slice(inert.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("rules"), "rules");
        assert_eq!(shell_word("../my-rules/v2"), "../my-rules/v2");
        assert_eq!(shell_word("my rules"), "'my rules'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$HOME;rm"), "'$HOME;rm'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn terminal_shows_the_issue_reproduction_inert() {
        assert_eq!(
            terminal("A-1\x1b[2J\x1b]0;pwned\x07"),
            "A-1\\u{1b}[2J\\u{1b}]0;pwned\\u{7}"
        );
        assert_eq!(terminal("Tijuana\nB-2  FLAGGED"), "Tijuana\\nB-2  FLAGGED");
        assert_eq!(terminal("a\rb\tc\x08d\x7f"), "a\\rb\\tc\\u{8}d\\u{7f}");
        assert_eq!(terminal("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(
            terminal("\u{202e}gpj.exe\u{2066}x\u{2069}\u{200f}\u{061c}"),
            "\\u{202e}gpj.exe\\u{2066}x\\u{2069}\\u{200f}\\u{61c}"
        );
        assert_eq!(terminal("a\u{2028}b\u{2029}"), "a\\u{2028}b\\u{2029}");
    }

    #[test]
    fn terminal_leaves_ordinary_text_alone_and_borrowed() {
        for text in ["", "Tijuana", "Ciudad Juárez", "§ 239 “quoted” 東京 \\n"] {
            assert!(matches!(terminal(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn csv_neutralises_formulas() {
        assert_eq!(
            csv("=HYPERLINK(\"http://evil.example\",\"x\")"),
            "'=HYPERLINK(\"http://evil.example\",\"x\")"
        );
        for text in ["+1", "-1", "@SUM(A1)", "＝1+1", "＋1", "－1", "＠x"] {
            assert_eq!(csv(text), format!("'{text}"));
        }
        assert_eq!(csv("\t=1+1"), "\\t=1+1");
        assert_eq!(csv("\r=1+1"), "\\r=1+1");
        assert_eq!(csv("a=1\x1b"), "a=1\\u{1b}");
        assert_eq!(csv(""), "");
        assert_eq!(csv("A-0001"), "A-0001");
    }

    #[test]
    fn html_uses_entities() {
        assert_eq!(
            html("<a href=\"x\" title='y'>&amp;</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(html("a\x1b<"), "a\\u{1b}&lt;");
        assert_eq!(html("plain"), "plain");
    }

    #[test]
    fn markdown_escapes_what_markdown_interprets() {
        assert_eq!(
            markdown("*a* _b_ `c` [d](e) <f> # | ! \\"),
            "\\*a\\* \\_b\\_ \\`c\\` \\[d\\]\\(e\\) \\<f\\> \\# \\| \\! \\\\"
        );
        assert_eq!(markdown("1. x\n- y"), "1\\. x\\\\n\\- y");
        assert_eq!(markdown("Tijuana"), "Tijuana");
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw() {
        let text = "a\u{1b}\u{7f}\u{9b}\u{202e}\u{2066}\u{2028}\u{61c}\u{200f}é東";
        let json = json_string(text).unwrap();
        assert_eq!(
            json,
            r#""a\u001b\u007f\u009b\u202e\u2066\u2028\u061c\u200fé東""#
        );
        assert_eq!(json_string("plain").unwrap(), r#""plain""#);
    }

    proptest! {
        #[test]
        fn first_candidate_finds_the_first_byte_that_may_start_an_unsafe_character(
            bytes in proptest::collection::vec(
                prop_oneof![0x20u8..0x7f, any::<u8>()],
                0..40,
            )
        ) {
            prop_assert_eq!(
                first_candidate(&bytes),
                bytes.iter().position(|&b| may_start_unsafe(b))
            );
        }

        #[test]
        fn plain_json_run_stops_at_the_first_byte_that_may_need_an_escape(
            bytes in proptest::collection::vec(
                prop_oneof![0x20u8..0x7f, Just(b'"'), Just(b'\\'), any::<u8>()],
                0..40,
            )
        ) {
            prop_assert_eq!(
                plain_json_run(&bytes),
                bytes.iter().position(|&b| may_need_json_escape(b)).unwrap_or(bytes.len())
            );
        }

        #[test]
        fn json_str_into_writes_what_write_json_writes(
            text in prop_oneof![
                any::<String>(),
                "[ -~\u{0}-\u{1f}\u{7f}-\u{a0}\u{61c}\u{200d}-\u{2030}\u{2066}-\u{2069}é]{0,30}",
            ],
            before in "[a-z]{0,2}",
        ) {
            let mut written = before.as_bytes().to_vec();
            json_str_into(&mut written, &text);
            let expected = [before.as_bytes(), json_string(&text).unwrap().as_bytes()].concat();
            prop_assert_eq!(written, expected);
        }

        #[test]
        fn json_is_exact_and_inert(text in any::<String>(), key in any::<String>()) {
            let value = serde_json::json!({ key.clone(): [text.clone()] });
            let json = json_string(&value).unwrap();
            prop_assert!(!json.chars().any(is_unsafe), "{json:?}");
            let back: serde_json::Value = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &value);
            let mut written = Vec::new();
            write_json(&mut written, &value).unwrap();
            prop_assert_eq!(&written[..], json.as_bytes());
            // Text without unsafe characters is written as serde_json writes it.
            if !text.chars().chain(key.chars()).any(is_unsafe) {
                prop_assert_eq!(json, serde_json::to_string(&value).unwrap());
            }
        }

        #[test]
        fn terminal_output_has_no_unsafe_character(text in any::<String>()) {
            let shown = terminal(&text);
            prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
            if !text.chars().any(is_unsafe) {
                prop_assert_eq!(&*shown, &*text);
            }
        }

        #[test]
        fn unsafe_text_is_still_unsafe_free(
            parts in proptest::collection::vec(
                prop_oneof![
                    any::<String>(),
                    Just("\x1b[2J".to_string()),
                    Just("\n".to_string()),
                    Just("\u{202e}".to_string()),
                    Just("\u{9b}".to_string()),
                    Just("=".to_string()),
                    (0u32..0x250).prop_filter_map("a char", char::from_u32).prop_map(String::from),
                    (0x2000u32..0x2070).prop_filter_map("a char", char::from_u32).prop_map(String::from),
                ],
                0..8,
            )
        ) {
            let text = parts.concat();
            for shown in [terminal(&text), csv(&text), html(&text), markdown(&text)] {
                prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
            }
        }

        #[test]
        fn csv_cell_never_starts_a_formula(text in any::<String>(), lead in "[=+\\-@\t\r\n＝＋－＠]") {
            for text in [text.clone(), format!("{lead}{text}")] {
                let cell = csv(&text);
                prop_assert!(!cell.starts_with(FORMULA_START), "{cell:?}");
                prop_assert!(!cell.starts_with(['\t', '\r', '\n']), "{cell:?}");
                prop_assert!(!cell.chars().any(is_unsafe), "{cell:?}");
            }
        }

        #[test]
        fn html_output_has_no_markup_character(text in any::<String>()) {
            let shown = html(&text);
            prop_assert!(!shown.contains(['<', '>', '"', '\'']), "{shown:?}");
            // Every `&` starts one of the entities written above.
            for (at, _) in shown.match_indices('&') {
                let rest = &shown[at..];
                prop_assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|e| rest.starts_with(e)),
                    "{shown:?}"
                );
            }
        }

        #[test]
        fn markdown_output_escapes_every_punctuation_character(text in any::<String>()) {
            let shown = markdown(&text);
            prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
            // Read back as CommonMark does: a backslash escapes the next
            // punctuation character; none may stand unescaped.
            let mut chars = shown.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let next = chars.next();
                    prop_assert!(next.is_some_and(|n| n.is_ascii_punctuation()), "{shown:?}");
                } else {
                    prop_assert!(!c.is_ascii_punctuation(), "{shown:?}");
                }
            }
        }
    }
}
