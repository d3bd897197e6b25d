//! The fast scanner against the serde path: for every line, `decode_line`
//! (scanner, then serde when the scanner is not sure) gives exactly what
//! `decode_line_serde` gives: the same result and problems, the same record
//! (case id, slots, text buffer, list elements, named fields) and the same
//! unknown keys. Lines are records of the schema of `rules/` (read by the
//! standard rules and by the benchmark workload, which use different
//! fields) with random whitespace, key order, escapes, unicode, nulls,
//! unknown keys and groups, and broken ones (cut, characters inserted or
//! deleted, wrong types, repeated keys, trailing garbage).
//!
//! Case counts: 256, or `PROPTEST_CASES` (20000 runs in a few minutes).

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;

use crate::compile::Compiled;
use crate::records::case::CaseRecord;
use crate::records::json_differential::disagreement;
use crate::records::json_scan;
use crate::records::schema_index::SchemaIndex;
use crate::ruleset::schema::Schema;
use crate::types::Type;

/// A rule set in `dir` (relative to the crate), compiled, with its index.
fn load(dir: &str) -> (Compiled, SchemaIndex) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let loaded = crate::ruleset::load(&dir).expect("the rule set loads");
    let (_, checked) = crate::check::check(loaded);
    let compiled = crate::compile::compile(checked.program.expect("the rule set checks"));
    let index = SchemaIndex::new(&compiled);
    (compiled, index)
}

fn standard() -> &'static (Compiled, SchemaIndex) {
    static SET: OnceLock<(Compiled, SchemaIndex)> = OnceLock::new();
    SET.get_or_init(|| load("rules"))
}

fn workload() -> &'static (Compiled, SchemaIndex) {
    static SET: OnceLock<(Compiled, SchemaIndex)> = OnceLock::new();
    SET.get_or_init(|| load("benches/workload"))
}

/// Asserts that both decoders agree on `line` under both rule sets; whether
/// the scanner alone decoded it under the standard rules.
fn agree(line: &str) -> Result<bool, TestCaseError> {
    for (compiled, index) in [standard(), workload()] {
        if let Some(difference) = disagreement(compiled, index, line) {
            return Err(TestCaseError::fail(difference));
        }
    }
    let (compiled, index) = standard();
    let mut record = CaseRecord::with_fields(compiled.program.schema.fields.len());
    record.clear();
    Ok(json_scan::decode(compiled, index, line, &mut record, &mut HashSet::new()).is_ok())
}

// ------------------------------------------------------------------ writing

/// JSON whitespace, usually none.
fn ws() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just(String::new()),
        2 => Just(" ".to_string()),
        1 => "[ \t\r\n]{1,3}",
    ]
}

/// `text` as a JSON string, each character written plainly or escaped in
/// one of the ways JSON allows (chosen by `style`).
fn json_string(text: &str, style: &[u8]) -> String {
    let mut out = String::from("\"");
    for (i, c) in text.chars().enumerate() {
        let choice = style.get(i % style.len().max(1)).copied().unwrap_or(0) % 4;
        match c {
            '"' if choice == 0 => out.push_str("\\u0022"),
            '"' => out.push_str("\\\""),
            '\\' if choice == 0 => out.push_str("\\u005C"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if choice == 1 => out.push_str("\\/"),
            c if (c as u32) < 0x20 || choice == 3 => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c if choice == 2 && (c as u32) > 0x7f => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON string of `text`, escaped at random (usually not at all).
fn string_of(text: String) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(vec![0xffu8]),
        1 => prop::collection::vec(any::<u8>(), 1..6),
    ]
    .prop_map(move |style| {
        if style == [0xff] {
            json_string(&text, &[0xfe])
        } else {
            json_string(&text, &style)
        }
    })
}

/// Text: the values rules compare with, or anything.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "Tijuana", "Nuevo Laredo", "MX-TAM", "MX-BCN", "es", "pt", "mam", "HN", "MX",
            "Ciudad Juarez", "El Paso", "none", "", "a\"b", "back\\slash", "tab\there",
        ])
        .prop_map(String::from),
        1 => "\\PC{0,12}",
        1 => any::<String>(),
        1 => "[\u{10000}-\u{10ffff}é/\u{0}-\u{1f}]{0,4}",
    ]
}

/// A value of type `ty` written as JSON: a good one or `null` when `clean`,
/// otherwise usually a good one.
fn value(schema: &'static Schema, ty: &Type, depth: u32, clean: bool) -> BoxedStrategy<String> {
    let bad = if clean { 0 } else { 1 };
    let good: BoxedStrategy<String> = match ty {
        Type::Str => text().prop_flat_map(string_of).boxed(),
        Type::Date => prop_oneof![
            4 => (1990u32..2030, 1u32..13, 1u32..29)
                .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            bad => prop::sample::select(vec!["2020-02-30", "2020-2-03", "20200203", "2021-02-29", "2024-02-29"])
                .prop_map(String::from),
        ]
        .prop_flat_map(string_of)
        .boxed(),
        Type::Enum(id) => {
            let values = schema.enum_def(*id).values.clone();
            prop_oneof![
                5 => prop::sample::select(values),
                bad => Just("not-a-value".to_string()),
            ]
            .prop_flat_map(string_of)
            .boxed()
        }
        Type::Bool => prop_oneof![
            8 => prop::sample::select(vec!["true", "false"]),
            bad => prop::sample::select(vec!["\"true\"", "tru", "falsey"]),
        ]
        .prop_map(String::from)
        .boxed(),
        Type::Int => prop_oneof![
            6 => (-200i64..200).prop_map(|n| n.to_string()),
            1 => (-999_999_999_999_999_999i64..=999_999_999_999_999_999).prop_map(|n| n.to_string()),
            bad => any::<i64>().prop_map(|n| n.to_string()),
            bad => prop::sample::select(vec![
                "-0", "00", "01", "1.5", "1e3", "-", "12345678901234567890",
                "999999999999999999", "-999999999999999999", "9223372036854775808", "1E-2", "\"7\"",
            ])
            .prop_map(String::from),
        ]
        .boxed(),
        Type::List(element) => {
            let element = (**element).clone();
            prop::collection::vec(
                prop_oneof![
                    8 => value(schema, &element, depth + 1, clean),
                    bad => any_json(1),
                ]
                .prop_filter("a list element is never null", move |v| !clean || v != "null"),
                0..4,
            )
            .prop_flat_map(|items| (Just(items.clone()), prop::collection::vec(ws(), items.len() * 2 + 2)))
            .prop_map(|(items, spaces)| {
                let mut out = format!("[{}", spaces[0]);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        out.push_str(&spaces[2 * i]);
                    }
                    out.push_str(item);
                    out.push_str(&spaces[2 * i + 1]);
                }
                out.push(']');
                out
            })
            .boxed()
        }
        Type::Record => {
            let group = schema
                .fields
                .iter()
                .position(|f| f.ty == Type::Record)
                .map(|i| crate::ruleset::schema::FieldId(i as u32));
            object(schema, group, depth + 1, clean).boxed()
        }
        _ => any_json(1),
    };
    prop_oneof![
        12 => good,
        1 => Just("null".to_string()),
        bad => any_json(1),
    ]
    .boxed()
}

/// Any JSON value (and some that are not quite).
fn any_json(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        (-1000i64..1000).prop_map(|n| n.to_string()),
        prop::sample::select(vec!["1.25", "-0", "1e400", "3E+2", "0.0", "-12"])
            .prop_map(String::from),
        text().prop_flat_map(string_of),
    ];
    if depth > 3 {
        return leaf.boxed();
    }
    prop_oneof![
        4 => leaf,
        1 => prop::collection::vec(any_json(depth + 1), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
        1 => prop::collection::vec((text().prop_flat_map(string_of), any_json(depth + 1)), 0..3)
            .prop_map(|v| {
                let members: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", members.join(", "))
            }),
    ]
    .boxed()
}

/// One member of an object: a key (written at random) and its value.
fn member(key: String, value: BoxedStrategy<String>) -> impl Strategy<Value = String> {
    (string_of(key), ws(), ws(), value)
        .prop_map(|(key, a, b, value)| format!("{key}{a}:{b}{value}"))
}

/// An object of the fields of `group` (the record itself when `None`):
/// most fields in any order; unless `clean`, some unknown keys and now and
/// then a field twice.
fn object(
    schema: &'static Schema,
    group: Option<crate::ruleset::schema::FieldId>,
    depth: u32,
    clean: bool,
) -> impl Strategy<Value = String> {
    let bad = if clean { 0 } else { 1 };
    let mut members: Vec<BoxedStrategy<Option<String>>> = Vec::new();
    for field in &schema.fields {
        if field.parent != group || depth > 2 {
            continue;
        }
        let key = match group {
            Some(_) => field.name.rsplit('.').next().unwrap_or("").to_string(),
            None => field.name.clone(),
        };
        if group.is_none() && key == "case_id" {
            let id = prop_oneof![
                20 => "[A-Z]-[0-9]{3}".prop_flat_map(string_of),
                bad => Just("\"\"".to_string()),
                bad => Just("null".to_string()),
                bad => Just("12".to_string()),
            ];
            members.push(
                prop_oneof![
                    20 => member(key.clone(), id.boxed()).prop_map(Some),
                    bad => Just(None),
                ]
                .boxed(),
            );
            continue;
        }
        let value = value(schema, &field.ty, depth, clean);
        members.push(
            prop_oneof![
                3 => member(key, value).prop_map(Some),
                1 => Just(None),
            ]
            .boxed(),
        );
    }
    let unknown = prop::collection::vec(member_any(), 0..if clean { 1 } else { 3 });
    let repeated = prop::option::weighted(
        0.1,
        (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
    )
    .prop_map(move |r| r.filter(|_| !clean));
    (members, unknown, repeated, ws(), ws())
        .prop_flat_map(|(members, unknown, repeated, a, b)| {
            let mut members: Vec<String> = members.into_iter().flatten().chain(unknown).collect();
            if let (Some((from, to)), false) = (repeated, members.is_empty()) {
                let copy = members[from.index(members.len())].clone();
                let at = to.index(members.len() + 1);
                members.insert(at, copy);
            }
            (Just(members).prop_shuffle(), Just(a), Just(b), ws())
        })
        .prop_map(|(members, a, b, c)| format!("{{{a}{}{b}}}", members.join(&format!("{c},{a}"))))
}

/// A key not in the schema (or, written escaped, one that is) with any value.
fn member_any() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            "[a-z_]{1,8}",
            Just("case_id".to_string()),
            Just("nri".to_string()),
            "\\PC{0,4}",
        ],
        any_json(1),
    )
        .prop_flat_map(|(key, value)| member(key, Just(value).boxed()))
}

/// A record line of the schema of `rules/`: a good record (every value of
/// its field's type, or `null`) when `clean`, otherwise one with bad values,
/// repeated keys and unknown keys now and then.
fn record_line(clean: bool) -> impl Strategy<Value = String> {
    let schema: &'static Schema = &standard().0.program.schema;
    (ws(), object(schema, None, 0, clean), ws())
        .prop_map(|(a, object, b)| format!("{a}{object}{b}"))
}

/// `line` broken (or not): cut, a character put in, taken out or changed,
/// something after it.
fn mutate(line: String) -> impl Strategy<Value = String> {
    let len = line.len();
    prop_oneof![
        3 => Just(line.clone()),
        1 => (0..=len).prop_map({
            let line = line.clone();
            move |at| line[..floor(&line, at)].to_string()
        }),
        2 => (0..=len, prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "0", "-", "e", ".", "n", "x", "\u{0}", "é", "\\u",
        ]))
        .prop_map({
            let line = line.clone();
            move |(at, put)| {
                let at = floor(&line, at);
                format!("{}{put}{}", &line[..at], &line[at..])
            }
        }),
        1 => (0..=len).prop_map({
            let line = line.clone();
            move |at| {
                let at = floor(&line, at);
                let mut out = line.clone();
                if at < out.len() {
                    out.remove(at);
                }
                out
            }
        }),
        1 => prop::sample::select(vec![" x", ",", "}", " {}", "\u{0}", "\t", " null"])
            .prop_map(move |tail| format!("{line}{tail}")),
    ]
}

/// `at` moved back to a character boundary of `text`.
fn floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    /// Both decoders agree on records, broken or not.
    #[test]
    fn the_scanner_decodes_what_serde_decodes(
        line in prop_oneof![record_line(true), record_line(false)].prop_flat_map(mutate)
    ) {
        agree(&line)?;
    }

    /// The scanner alone decodes a good record with no unknown keys.
    #[test]
    fn the_scanner_decodes_good_records(line in record_line(true)) {
        prop_assert!(agree(&line)?, "the scanner fell back on {:?}", line);
    }

    /// Both agree on arbitrary text and JSON values.
    #[test]
    fn the_scanner_agrees_on_anything(line in prop_oneof![any::<String>(), any_json(0)]) {
        agree(&line)?;
    }
}

/// The scanner alone decodes every record of the workload batch and the
/// examples (so the fast path is the one measured), and both agree.
#[test]
fn the_scanner_decodes_the_shipped_batches() {
    for file in [
        "tests/data/workload-3000.jsonl",
        "rules/examples/cases.jsonl",
    ] {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
            .expect("batch");
        let mut fast = 0;
        for line in text.lines() {
            if agree(line).expect("the decoders agree") {
                fast += 1;
            }
        }
        assert!(fast > 0, "{file}: the scanner decoded no line");
        if file.starts_with("tests/data/workload") {
            assert_eq!(fast, text.lines().count(), "{file}");
        }
    }
    let edge = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/workload-edge-cases.jsonl"),
    )
    .expect("batch");
    for line in edge.lines() {
        agree(line).expect("the decoders agree");
    }
}

/// Lines written to test the scanner's edges.
#[test]
fn the_scanner_agrees_on_hand_written_lines() {
    let lines = [
        r#"{"case_id":"A"}"#,
        r#" {"case_id" : "A" , "age" : 7 } "#,
        r#"{"case_id":"A","age":-0}"#,
        r#"{"case_id":"A","age":01}"#,
        r#"{"case_id":"A","age":1.0}"#,
        r#"{"case_id":"A","age":99999999999999999999}"#,
        r#"{"case_id":"A",}"#,
        r#"{"case_id":"A"}x"#,
        r#"{"case_id":"A"}}"#,
        r#"{"case_id":"A","case_id":"B"}"#,
        r#"{"case_id":"A","age":1,"age":2}"#,
        r#"{"case_id":"\u0041\ud83d\ude00\n\t\/\\\"\b\f\r"}"#,
        r#"{"case_id":"\ud83d"}"#,
        r#"{"case_id":"\ude00"}"#,
        r#"{"case_id":"\ud83d\u0041"}"#,
        r#"{"case_id":"\x"}"#,
        r#"{"case_id":"A","zz":{"a":[1,{"b":null}],"c":"\u00e9"},"zz":2}"#,
        r#"{"case_id":"A","nri":{"date":"2020-01-02","outcome":"positive","zz":1},"nri_held":true}"#,
        r#"{"case_id":"A","nri":{"date":"2020-01-02","date":"2020-01-03"}}"#,
        r#"{"case_id":"A","nri":{"case_id":"B"}}"#,
        r#"{"case_id":"A","languages":["es", "pt" ,"mam"],"hearing_dates":[]}"#,
        r#"{"case_id":"A","languages":["es",]}"#,
        r#"{"case_id":"A","languages":[null]}"#,
        r#"{"case_id":"A","vulnerabilities":["pregnant","x"]}"#,
        r#"{"case_id":"A","program":"mpp-2019","program":null}"#,
        r#"{"case_id":"A","zz":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
        "{\"case_id\":\"A\u{0}\"}",
        "{\"case_id\":\"A\"}\u{0}",
        "\t{\"case_id\":\"A\"}\r",
        "",
        "[]",
        "null",
        r#"{"case_id":null}"#,
        r#"{"case_id":""}"#,
        r#"{}"#,
        r#"{"case_id":"A","age":"7"}"#,
        r#"{"case_id":"A","returned_to_mexico":"true"}"#,
        r#"{"case_id":"A","\u0061ge":7}"#,
    ];
    for line in lines {
        agree(line).expect("the decoders agree");
    }
}
