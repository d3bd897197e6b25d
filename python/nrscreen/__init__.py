"""nrscreen from Python: nonrefoulement risk screening with the nrscreen rules engine.

>>> import nrscreen
>>> rules = nrscreen.load("rules")
>>> case = rules.evaluate({"case_id": "A-1", "program": "mpp-2019"})
>>> case["outcome"]
'needs-review'

The engine is Rust (``nrscreen._native``); evaluation runs with the GIL
released. A field that is absent, ``None``, NaN, ``pd.NA`` or ``NaT`` is
unknown, never false: a finding that depends on it needs review.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Dict, List, Optional, Union

from ._native import (
    CaseStream,
    FileResult,
    MappingError,
    RecordError,
    RuleSet,
    RuleSetError,
    RunResult,
    load,
)

__all__ = [
    "CaseStream",
    "FileResult",
    "MappingError",
    "RecordError",
    "RuleSet",
    "RuleSetError",
    "RunResult",
    "load",
    "load_cached",
    "screen_frame",
    "screen_partition",
    "findings_frame",
    "FINDING_COLUMNS",
    "CASE_COLUMNS",
]

_cache: Dict[str, RuleSet] = {}
_cache_lock = threading.Lock()


def load_cached(path: Union[str, "os.PathLike[str]"]) -> RuleSet:
    """The rule set in ``path``, loaded once per process (keyed by its
    absolute path): what a Dask worker calls, and what an unpickled
    ``RuleSet`` is."""
    key = os.path.realpath(os.fspath(path))
    with _cache_lock:
        rules = _cache.get(key)
        if rules is None:
            rules = load(key)
            _cache[key] = rules
        return rules


#: Columns of ``screen_frame(..., per="finding")``: one row per finding.
FINDING_COLUMNS = [
    "case_id",
    "case_outcome",
    "rule",
    "gap",
    "severity",
    "outcome",
    "cleared_by",
    "because",
    "unknown",
    "facts",
    "cites",
]

#: Columns of ``screen_frame(..., per="case")``: one row per case.
CASE_COLUMNS = ["case_id", "outcome", "flagged", "needs_review", "flagged_gaps", "review_gaps"]


def findings_frame(cases: List[Dict[str, Any]], per: str = "finding") -> "Any":
    """A pandas DataFrame of evaluated cases (dicts as ``evaluate`` returns
    them): one row per finding (``per="finding"``, the columns
    ``FINDING_COLUMNS``) or per case (``per="case"``, ``CASE_COLUMNS``)."""
    import pandas as pd

    if per == "finding":
        rows = [
            (
                case["case_id"],
                case["outcome"],
                f["rule"],
                f["gap"],
                f["severity"],
                f["outcome"],
                f.get("cleared_by"),
                f["because"],
                f.get("unknown", []),
                f["facts"],
                f["cites"],
            )
            for case in cases
            for f in case["findings"]
        ]
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)
    if per == "case":
        rows = []
        for case in cases:
            flagged = [f["gap"] for f in case["findings"] if f["outcome"] == "flagged"]
            review = [f["gap"] for f in case["findings"] if f["outcome"] == "needs-review"]
            rows.append(
                (case["case_id"], case["outcome"], len(flagged), len(review), flagged, review)
            )
        return pd.DataFrame(rows, columns=CASE_COLUMNS)
    raise ValueError(f'per is "finding" or "case", not {per!r}')


def _bool_columns(rules: RuleSet, df: "Any") -> "Any":
    """``df`` with numeric columns of yes/no fields that hold only 0 and 1
    (pandas reads a true/false column with gaps as 1.0/0.0/NaN) as
    True/False, gaps kept."""
    bools = {f["name"] for f in rules.fields if f["type"] == "true/false"}
    copied = False
    for column in df.columns:
        if column not in bools or df[column].dtype.kind not in "fiu":
            continue
        values = df[column]
        known = values.dropna()
        if not known.isin([0, 1]).all():
            continue  # left as it is: the record decoder reports it
        if not copied:
            df = df.copy()
            copied = True
        df[column] = values.astype(object).where(values.isna(), values == 1)
    return df


def _frame_records(df: "Any") -> List[Dict[str, Any]]:
    """The rows of ``df`` as records: dotted columns (``nri.outcome``)
    nested, unknown cells left out."""
    import pandas as pd

    columns = [str(c) for c in df.columns]
    records = df.to_dict("records") if len(columns) == len(set(columns)) else None
    if records is None:
        raise ValueError("the frame has repeated column names")
    dotted = [c for c in df.columns if isinstance(c, str) and "." in c]
    if not dotted:
        return records
    for record in records:
        for column in dotted:
            value = record.pop(column)
            if value is None or value is pd.NaT or value is pd.NA:
                continue
            if isinstance(value, float) and value != value:
                continue
            head, _, tail = column.partition(".")
            record.setdefault(head, {})[tail] = value
    return records


def screen_frame(
    rules: RuleSet,
    df: "Any",
    map: Optional[Union[str, "os.PathLike[str]"]] = None,
    per: str = "finding",
    *,
    jobs: Optional[int] = None,
    show_cleared: bool = False,
    errors: str = "raise",
) -> "Any":
    """Screens the rows of pandas DataFrame ``df`` and returns a DataFrame
    with one row per finding (``per="finding"``) or per case
    (``per="case"``).

    Without ``map``, columns are schema fields (``nri.outcome`` or an
    ``nri`` column of dicts for records; lists for list fields). With
    ``map`` (a mapping file, as ``nrscreen eval --map``), columns are an
    export's and are read through the mapping. Unknown cells (NaN, None,
    ``pd.NA``, ``NaT``) are unknown, never false; numpy scalars are
    converted. A row that cannot be screened raises ``RecordError``
    (``errors="skip"`` leaves it out).
    """
    if errors not in ("raise", "skip"):
        raise ValueError(f'errors is "raise" or "skip", not {errors!r}')
    if per not in ("finding", "case"):
        raise ValueError(f'per is "finding" or "case", not {per!r}')
    if map is not None:
        data = df.to_csv(index=False)
        result = rules.evaluate_bytes(data, "frame.csv", map=map, jobs=jobs, show_cleared=show_cleared)
        if result.rejections and errors == "raise":
            first = result.rejections[0]
            error = RecordError(
                f"row {first['line'] - 2}: "
                + "; ".join(p["reason"] for p in first["problems"])
            )
            error.problems = first["problems"]
            error.case_id = first["case_id"]
            error.index = first["line"] - 2
            raise error
        cases = result.cases
    else:
        cases = [
            c
            for c in rules.evaluate_many(
                _frame_records(_bool_columns(rules, df)),
                show_cleared=show_cleared,
                errors="raise" if errors == "raise" else "return",
                chunk=1024,
            )
            if not isinstance(c, RecordError)
        ]
    return findings_frame(cases, per)


def screen_partition(
    df: "Any",
    rules_path: Union[str, "os.PathLike[str]"],
    map: Optional[Union[str, "os.PathLike[str]"]] = None,
    per: str = "finding",
) -> "Any":
    """``screen_frame`` of one partition, with the rule set in
    ``rules_path`` loaded once per process: for
    ``ddf.map_partitions(nrscreen.screen_partition, "rules", meta=nrscreen.frame_meta())``."""
    return screen_frame(load_cached(rules_path), df, map=map, per=per, jobs=1)


def evaluate_partition(
    records: "Any", rules_path: Union[str, "os.PathLike[str]"], show_cleared: bool = False
) -> List[Dict[str, Any]]:
    """The cases of one partition of records (dicts), with the rule set in
    ``rules_path`` loaded once per process: for
    ``bag.map_partitions(nrscreen.evaluate_partition, "/abs/rules")``.
    A record that cannot be screened raises ``RecordError``."""
    return list(load_cached(rules_path).evaluate_many(records, show_cleared=show_cleared, chunk=1024))


def frame_meta(per: str = "finding") -> "Any":
    """An empty DataFrame with the columns of ``screen_frame(..., per=per)``:
    Dask's ``meta``."""
    return findings_frame([], per)


__all__ += ["frame_meta", "evaluate_partition"]
