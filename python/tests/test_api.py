"""The Python API: loading, screening one record, streams, files, tests and audits."""

import gzip
import json
import math
import pickle
import shutil

import pytest

import nrscreen
from conftest import EXAMPLE, FEAR, ROOT, RULES, WORKLOAD, read_jsonl

def finding(case, gap):
    return next(f for f in case["findings"] if f["gap"] == gap)


def test_load_describes_the_rule_set(rules):
    assert rules.name
    assert isinstance(rules.description, str)
    assert any(r["gap"] == "fear-not-screened" for r in rules.rules)
    assert any(f["name"] == "nri.outcome" for f in rules.fields)
    assert rules.path == str(RULES.resolve())
    assert "RuleSet(" in repr(rules)
    assert rules.warnings == ""
    assert isinstance(nrscreen.RuleSet(RULES), nrscreen.RuleSet)


def test_a_broken_rule_set_raises_with_its_diagnostics(tmp_path):
    copy = tmp_path / "rules"
    copy.mkdir()
    for name in ["ruleset.toml", "schema.toml", "gaps.toml"]:
        shutil.copy(RULES / name, copy / name)
    (copy / "bad.nrs").write_text("rule r {\n  gap nope\n  when true\n}\n")
    with pytest.raises(nrscreen.RuleSetError) as error:
        nrscreen.load(copy)
    assert "bad.nrs:2:" in error.value.diagnostics
    assert error.value.errors >= 1
    assert "bad.nrs:2:" in str(error.value)
    with pytest.raises(nrscreen.RuleSetError):
        nrscreen.load(tmp_path / "absent")


def test_evaluate_returns_the_documented_shape(rules):
    case = rules.evaluate(dict(FEAR, fear_of_mexico_expressed=True))
    assert case["case_id"] == "A-7"
    assert case["outcome"] == "flagged"
    fear = finding(case, "fear-not-screened")
    assert fear["outcome"] == "flagged"
    assert fear["because"].startswith("fear of Mexico was expressed")
    assert fear["severity"] == "critical"
    assert fear["facts"]["nri_held"] is False
    assert fear["cites"]
    assert set(fear) <= {"rule", "gap", "severity", "outcome", "cleared_by", "because", "unknown", "facts", "cites"}


def test_a_bad_record_raises_with_its_problems(rules):
    with pytest.raises(nrscreen.RecordError) as error:
        rules.evaluate({"case_id": "A", "age": "x", "program": "mpp-2012"})
    problems = error.value.problems
    assert [p["field"] for p in problems] == ["age", "program"]
    assert [p["kind"] for p in problems] == ["wrong-type", "not-in-enum"]
    assert problems[0]["reason"] == "expected a number, found the text `x`"
    assert error.value.case_id == "A"
    assert isinstance(error.value, ValueError)
    with pytest.raises(nrscreen.RecordError) as error:
        rules.evaluate({"age": 3})
    assert error.value.problems[0]["kind"] == "missing-case-id"
    with pytest.raises(TypeError):
        rules.evaluate(["not", "a", "dict"])
    with pytest.raises(TypeError):
        rules.evaluate({"case_id": "A", "age": object()})


@pytest.mark.parametrize("unknown", [None, float("nan"), "absent"])
def test_unknown_is_never_false(rules, unknown):
    record = dict(FEAR)
    if unknown != "absent":
        record["fear_of_mexico_expressed"] = unknown
    fear = finding(rules.evaluate(record), "fear-not-screened")
    assert fear["outcome"] == "needs-review"
    assert "fear_of_mexico_expressed" in fear["unknown"]
    assert fear["because"].startswith("not recorded: fear_of_mexico_expressed")
    said_no = rules.evaluate(dict(FEAR, fear_of_mexico_expressed=False))
    assert all(f["gap"] != "fear-not-screened" for f in said_no["findings"])


def test_numpy_scalars_and_dates_are_converted(rules):
    np = pytest.importorskip("numpy")
    import datetime

    plain = rules.evaluate(dict(FEAR, age=34, fear_of_mexico_expressed=True))
    converted = rules.evaluate(
        dict(
            FEAR,
            age=np.int64(34),
            fear_of_mexico_expressed=np.bool_(True),
            nri_held=np.bool_(False),
            return_date=datetime.date(2019, 2, 14),
        )
    )
    assert converted == plain
    assert rules.evaluate(dict(FEAR, age=34.0, fear_of_mexico_expressed=True)) == plain


def test_evaluate_many_streams_and_rejects_repeated_ids(rules):
    pulled = []

    def source():
        for i in range(5):
            pulled.append(i)
            yield {"case_id": f"C-{i}"}

    stream = rules.evaluate_many(source(), chunk=2)
    first = next(stream)
    assert first["case_id"] == "C-0"
    assert len(pulled) == 2  # lazy: one chunk read ahead
    assert [c["case_id"] for c in stream] == ["C-1", "C-2", "C-3", "C-4"]

    records = [{"case_id": "A"}, {"case_id": "B", "age": "x"}, {"case_id": "A"}, {"case_id": "D"}]
    out = list(rules.evaluate_many(records, errors="return"))
    assert [type(o).__name__ for o in out] == ["dict", "RecordError", "RecordError", "dict"]
    assert out[1].problems[0]["field"] == "age" and out[1].index == 1
    assert out[2].problems == [
        {
            "field": "case_id",
            "column": None,
            "reason": "case id `A` was already used in this batch",
            "kind": "duplicate-case-id",
        }
    ]
    stream = rules.evaluate_many(records)
    assert next(stream)["case_id"] == "A"
    with pytest.raises(nrscreen.RecordError) as error:
        next(stream)
    assert error.value.index == 1
    with pytest.raises(StopIteration):
        next(stream)
    with pytest.raises(ValueError):
        rules.evaluate_many(records, errors="ignore")


@pytest.mark.parametrize("batch", [EXAMPLE, WORKLOAD], ids=["example", "workload-3000"])
def test_evaluate_file_and_many_equal_the_cli(rules, cli, batch):
    expected = cli(batch)
    assert len(expected) == len(read_jsonl(batch))
    for jobs in (1, 2):
        result = rules.evaluate_file(batch, jobs=jobs)
        assert result.cases == expected
        assert result.rejections == []
        assert result.totals["read"] == result.totals["evaluated"] == len(expected)
    assert list(rules.evaluate_many(read_jsonl(batch))) == expected
    assert [rules.evaluate(r) for r in read_jsonl(batch)[:50]] == expected[:50]


def test_results_are_left_out_of_the_cycle_collector_until_a_container_goes_in(rules):
    """Results hold no reference cycle, so their dicts and lists are taken
    out of the collector's lists (its walks were most of the time Python
    added); CPython puts a dict back as soon as a container is stored in it."""
    import gc

    for cases in (
        rules.evaluate_file(WORKLOAD, jobs=1).cases,
        list(rules.evaluate_many(read_jsonl(WORKLOAD)[:200])),
        [rules.evaluate(r) for r in read_jsonl(WORKLOAD)[:20]],
    ):
        containers = 0
        for case in cases:
            assert not gc.is_tracked(case) and not gc.is_tracked(case["findings"])
            for f in case["findings"]:
                for obj in (f, f["facts"], f["cites"], *([f["unknown"]] if "unknown" in f else [])):
                    assert not gc.is_tracked(obj)
                    containers += 1
        assert containers > 0
        case = next(c for c in cases if c["findings"])
        case["mine"] = {"a": [case]}  # a cycle through a dict
        assert gc.is_tracked(case)
        del case["mine"]


def test_results_share_no_mutable_objects(rules):
    """The rule set's strings are shared between cases (str is immutable);
    every list and dict is each case's own, so changing one result leaves
    every other, and the next call's, as they were."""

    def mutables(case):
        yield case
        yield case["findings"]
        for f in case["findings"]:
            yield f
            yield f["facts"]
            yield f["cites"]
            if "unknown" in f:
                yield f["unknown"]
            yield from (v for v in f["facts"].values() if isinstance(v, (list, dict)))

    for screen in (
        lambda: rules.evaluate_file(WORKLOAD, jobs=1).cases,
        lambda: list(rules.evaluate_many(read_jsonl(WORKLOAD))),
        lambda: [rules.evaluate(r) for r in read_jsonl(WORKLOAD)[:100]],
    ):
        cases = screen()
        pristine = json.loads(json.dumps(cases))
        seen = {}
        for n, case in enumerate(cases):
            for obj in mutables(case):
                assert seen.setdefault(id(obj), n) == n, "a list or dict is in two cases"
        first = next(c for c in cases if c["findings"])
        cited = first["findings"][0]["rule"]
        first["findings"][0]["cites"].append("mutated")
        first["findings"][0]["facts"]["mutated"] = True
        first["findings"].append({})
        others = [(c, p) for c, p in zip(cases, pristine) if c is not first]
        for case, _ in others:
            for f in case["findings"]:
                assert "mutated" not in f["cites"] and "mutated" not in f["facts"]
        assert [c for c, _ in others] == [p for _, p in others]
        again = screen()
        assert again == pristine
        assert all(
            "mutated" not in f["cites"] for c in again for f in c["findings"] if f["rule"] == cited
        )


def test_show_cleared_gives_the_clis_cleared_findings():
    fixtures = ROOT / "tests" / "fixtures" / "eval"
    rules = nrscreen.load(fixtures / "rules")
    expected = read_jsonl(fixtures / "expected" / "cases.show-cleared.jsonl")
    assert any(f.get("cleared_by") for c in expected for f in c["findings"])
    for jobs in (1, 2):
        result = rules.evaluate_file(fixtures / "cases.jsonl", jobs=jobs, show_cleared=True)
        assert result.cases == expected
    records = read_jsonl(fixtures / "cases.jsonl")
    assert list(rules.evaluate_many(records, show_cleared=True)) == expected
    assert [rules.evaluate(r, show_cleared=True) for r in records] == expected


def test_evaluate_file_reads_csv_gzip_and_mappings_like_the_cli(rules, cli, tmp_path):
    csv = ROOT / "rules" / "examples" / "cases.csv"
    assert rules.evaluate_file(csv).cases == cli(csv)
    zipped = tmp_path / "cases.jsonl.gz"
    zipped.write_bytes(gzip.compress(EXAMPLE.read_bytes()))
    assert rules.evaluate_file(zipped, jobs=2).cases == cli(EXAMPLE)
    mapping = ROOT / "maps" / "cms-example.toml"
    export = ROOT / "examples" / "data" / "cms-export.csv"
    mapped = rules.evaluate_file(export, map=mapping)
    assert mapped.cases == cli("--map", mapping, export)
    assert mapped.totals["read"] == mapped.totals["evaluated"] + mapped.totals["rejected"]
    with pytest.raises(nrscreen.MappingError) as error:
        rules.evaluate_file(export, map=RULES / "schema.toml")
    assert error.value.diagnostics
    with pytest.raises(OSError):
        rules.evaluate_file(tmp_path / "absent.jsonl")
    with pytest.raises(OSError):
        rules.evaluate_file(RULES / "ruleset.toml.txt")


def test_evaluate_file_returns_rejections(rules, cli, tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"case_id":"A"}\n{"case_id":"B","age":"x"}\nnot json\n{"case_id":"A"}\n')
    result = rules.evaluate_file(batch)
    assert result.totals == {
        "read": 4,
        "evaluated": 1,
        "rejected": 3,
        "flagged": 0,
        "needs_review": 1,
        "clear": 0,
    }
    assert result.cases == cli(batch)
    assert [r["line"] for r in result.rejections] == [2, 3, 4]
    first = result.rejections[0]
    assert first["file"] == str(batch)
    assert first["case_id"] == "B"
    assert first["raw"] == '{"case_id":"B","age":"x"}'
    assert first["problems"][0]["field"] == "age"
    assert result.rejections[1]["problems"][0]["kind"] == "bad-json"
    assert result.rejections[2]["problems"][0]["kind"] == "duplicate-case-id"
    same = rules.evaluate_bytes(batch.read_text(), "batch.jsonl")
    assert same.cases == result.cases and same.totals == result.totals
    assert "totals" in repr(result)


def test_tests_and_audits_run(rules):
    tests = rules.test()
    assert tests.passed > 10 and tests.failed == 0 and tests.ok, tests.report
    assert isinstance(tests.report, str)
    some = rules.test("not recorded")
    assert 0 < some.passed < tests.passed
    audits = rules.audit(cases=200, seed=1)
    assert audits.passed > 0 and audits.failed == 0 and bool(audits), audits.report
    assert rules.audit(cases=200, seed=1).report == audits.report
    assert "RunResult(passed=" in repr(audits)


def test_a_rule_set_pickles_as_its_path(rules):
    again = pickle.loads(pickle.dumps(rules))
    assert again.path == rules.path
    assert again is pickle.loads(pickle.dumps(rules))  # one load per process
    assert again.evaluate(FEAR) == rules.evaluate(FEAR)


def test_the_gil_is_released_while_screening(rules):
    import threading
    import time

    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    thread = threading.Thread(target=tick)
    thread.start()
    windows = []
    try:
        for _ in range(5):
            start = time.perf_counter()
            rules.audit(cases=300, seed=2)  # Rust alone, no Python objects made
            windows.append((start, time.perf_counter()))
    finally:
        stop.set()
        thread.join()
    inside = sum(1 for t in ticks for a, b in windows if a < t < b)
    # Another Python thread ran while Rust worked.
    assert inside > 5, (inside, windows)


def test_nan_in_a_list_is_a_problem_not_a_value(rules):
    with pytest.raises(nrscreen.RecordError) as error:
        rules.evaluate({"case_id": "L", "languages": ["es", math.nan]})
    assert error.value.problems[0]["field"] == "languages"


@pytest.mark.parametrize(
    "changes",
    [
        {"case_id": 'A "quoted" \\ id'},
        {"case_id": "tab\there, é-ü-😀"},
        {"case_id": "line\nbreak\u0001"},
        {"return_city": "Ciudad Juárez \"centro\""},
        {"age": 34},
        {"age": -1},
        {"age": 2**70},
    ],
)
def test_records_from_python_read_as_their_json_does(rules, changes):
    """A record given as a dict screens as its `json.dumps` text does when
    read from a file: text with quotes, escapes and control characters,
    and integers of any size, reach the decoder intact."""
    record = {**FEAR, **changes}
    from_file = rules.evaluate_bytes(json.dumps(record) + "\n", "record.jsonl")
    try:
        case = rules.evaluate(record)
    except nrscreen.RecordError as error:
        assert from_file.cases == []
        assert [p["reason"] for p in error.problems] == [
            p["reason"] for p in from_file.rejections[0]["problems"]
        ]
    else:
        assert [case] == from_file.cases
