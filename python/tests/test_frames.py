"""pandas frames, the Dask recipe and the README's example."""

import json
import math
import os
import re
from pathlib import Path

import pytest

import nrscreen
from conftest import EXAMPLE, FEAR, ROOT, RULES, WORKLOAD, read_jsonl

pd = pytest.importorskip("pandas")


def flatten(cases):
    """Findings of CLI output as sortable tuples."""
    return sorted(
        (c["case_id"], f["rule"], f["gap"], f["severity"], f["outcome"], f["because"], json.dumps(f["facts"], sort_keys=True), tuple(f["cites"]))
        for c in cases
        for f in c["findings"]
    )


def frame_rows(frame):
    return sorted(
        (r.case_id, r.rule, r.gap, r.severity, r.outcome, r.because, json.dumps(r.facts, sort_keys=True), tuple(r.cites))
        for r in frame.itertuples()
    )


def test_screen_frame_gives_the_clis_findings(rules, cli):
    df = pd.read_json(EXAMPLE, lines=True)  # dates become Timestamps, gaps NaN/NaT
    findings = nrscreen.screen_frame(rules, df)
    assert list(findings.columns) == nrscreen.FINDING_COLUMNS
    assert frame_rows(findings) == flatten(cli(EXAMPLE))
    per_case = nrscreen.screen_frame(rules, df, per="case")
    assert list(per_case.columns) == nrscreen.CASE_COLUMNS
    expected = {c["case_id"]: c["outcome"] for c in cli(EXAMPLE)}
    assert dict(zip(per_case.case_id, per_case.outcome)) == expected
    with pytest.raises(ValueError):
        nrscreen.screen_frame(rules, df, per="row")


def test_dotted_columns_are_nested(rules):
    records = read_jsonl(EXAMPLE)[:40]
    nested = nrscreen.screen_frame(rules, pd.DataFrame(records))
    flat = nrscreen.screen_frame(rules, pd.json_normalize(records))
    assert frame_rows(flat) == frame_rows(nested)


@pytest.mark.parametrize("missing", [None, math.nan, "NA", "NaT"])
def test_unknown_cells_need_review_never_clear(rules, missing):
    value = {"NA": pd.NA, "NaT": pd.NaT}.get(missing, missing)
    base = dict(FEAR, case_id="U-1")
    df = pd.DataFrame(
        [dict(base, fear_of_mexico_expressed=value), dict(base, case_id="U-2", fear_of_mexico_expressed=True)],
    ).astype({"fear_of_mexico_expressed": "object"})
    df.loc[0, "fear_of_mexico_expressed"] = value
    findings = nrscreen.screen_frame(rules, df)
    fear = findings[findings.gap == "fear-not-screened"].set_index("case_id")
    assert fear.loc["U-1", "outcome"] == "needs-review"
    assert "fear_of_mexico_expressed" in fear.loc["U-1", "unknown"]
    assert fear.loc["U-2", "outcome"] == "flagged"
    cases = nrscreen.screen_frame(rules, df, per="case").set_index("case_id")
    assert cases.loc["U-1", "outcome"] != "clear"


def test_numpy_columns_and_nullable_dtypes(rules):
    records = read_jsonl(EXAMPLE)[:60]
    df = pd.DataFrame(records)
    typed = df.convert_dtypes()  # Int64, boolean, string: pd.NA for gaps
    assert frame_rows(nrscreen.screen_frame(rules, typed)) == frame_rows(nrscreen.screen_frame(rules, df))


def test_a_bad_row_raises_or_is_skipped(rules):
    df = pd.DataFrame([{"case_id": "A", "age": "x"}, {"case_id": "B", "age": 30}])
    with pytest.raises(nrscreen.RecordError) as error:
        nrscreen.screen_frame(rules, df)
    assert error.value.problems[0]["field"] == "age"
    kept = nrscreen.screen_frame(rules, df, per="case", errors="skip")
    assert list(kept.case_id) == ["B"]


def test_screen_frame_through_a_mapping(rules, cli):
    mapping = ROOT / "maps" / "cms-example.toml"
    export = ROOT / "examples" / "data" / "cms-export.csv"
    df = pd.read_csv(export, dtype=str, keep_default_na=False)
    findings = nrscreen.screen_frame(rules, df, map=mapping)
    assert frame_rows(findings) == flatten(cli("--map", mapping, export))


def test_dask_workers_give_the_clis_findings(cli):
    """The README's recipe: a bag of records in partitions over two worker processes."""
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    records = read_jsonl(WORKLOAD)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        bag = db.from_sequence(records, npartitions=6)
        cases = bag.map_partitions(nrscreen.evaluate_partition, str(RULES)).compute()
        # The rule set was loaded once in each worker process.
        loads = client.run(lambda: sorted(nrscreen._cache))
        pids = client.run(os.getpid)
    assert cases == cli(WORKLOAD)
    assert len(set(pids.values())) == 2
    assert all(paths == [str(RULES.resolve())] for paths in loads.values())


def test_dask_dataframe_partitions_give_the_clis_findings(cli):
    dd = pytest.importorskip("dask.dataframe")  # needs dask[dataframe] (pyarrow)
    import dask
    from dask.distributed import Client, LocalCluster

    df = pd.DataFrame(read_jsonl(WORKLOAD))
    # Object columns (truth values with None, lists) stay objects: Dask's
    # default turns them into text, which nrscreen rightly rejects.
    with dask.config.set({"dataframe.convert-string": False}), LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster):
        ddf = dd.from_pandas(df, npartitions=6)
        findings = ddf.map_partitions(
            nrscreen.screen_partition, str(RULES), meta=nrscreen.frame_meta()
        ).compute()
    assert frame_rows(findings) == flatten(cli(WORKLOAD))


def test_the_readme_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "python" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) >= 2
    (tmp_path / "rules").symlink_to(RULES)
    monkeypatch.chdir(tmp_path)
    scope = {}
    for block in blocks:
        exec(compile(block, "python/README.md", "exec"), scope)
    png = tmp_path / "flagged-per-gap.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 5000
