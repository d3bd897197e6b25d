"""Type stubs of the ``nrscreen`` package (the Rust extension ``nrscreen._native`` and its Python helpers)."""

import os
from typing import Any, Dict, Iterable, Iterator, List, Literal, Mapping, Optional, Union

_Path = Union[str, "os.PathLike[str]"]
#: A problem of a record: ``{"field", "column", "reason", "kind"}``.
Problem = Dict[str, Optional[str]]
#: One case as ``nrscreen eval`` writes it: ``{"case_id", "outcome", "findings": [...]}``.
Case = Dict[str, Any]

class RuleSetError(Exception):
    """The rule set could not be loaded."""

    diagnostics: str
    errors: int

class RecordError(ValueError):
    """A record was not screened."""

    problems: List[Problem]
    case_id: Optional[str]
    index: Optional[int]

class MappingError(ValueError):
    """A mapping has errors or does not fit its input."""

    diagnostics: str

class FileResult:
    """What ``evaluate_file`` found."""

    @property
    def cases(self) -> List[Case]: ...
    @property
    def rejections(self) -> List[Dict[str, Any]]: ...
    @property
    def totals(self) -> Dict[str, int]: ...
    @property
    def unknown_keys(self) -> List[str]: ...

class RunResult:
    """The result of ``test()`` or ``audit()``."""

    @property
    def passed(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def report(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    def __bool__(self) -> bool: ...

class CaseStream(Iterator[Union[Case, RecordError]]):
    """The lazy iterator of ``evaluate_many``."""

    def __iter__(self) -> "CaseStream": ...
    def __next__(self) -> Union[Case, RecordError]: ...

class RuleSet:
    """A loaded, checked and compiled rule set."""

    def __init__(self, path: _Path) -> None: ...
    @property
    def path(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def rules(self) -> List[Dict[str, Any]]: ...
    @property
    def fields(self) -> List[Dict[str, Any]]: ...
    @property
    def warnings(self) -> str: ...
    def evaluate(self, record: Mapping[str, Any], *, show_cleared: bool = ...) -> Case: ...
    def evaluate_many(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        show_cleared: bool = ...,
        errors: Literal["raise", "return"] = ...,
        chunk: int = ...,
    ) -> CaseStream: ...
    def evaluate_file(
        self,
        path: _Path,
        map: Optional[_Path] = ...,
        jobs: Optional[int] = ...,
        *,
        show_cleared: bool = ...,
    ) -> FileResult: ...
    def evaluate_bytes(
        self,
        data: Union[str, bytes],
        name: str,
        map: Optional[_Path] = ...,
        jobs: Optional[int] = ...,
        *,
        show_cleared: bool = ...,
    ) -> FileResult: ...
    def test(self, filter: Optional[str] = ...) -> RunResult: ...
    def audit(self, cases: int = ..., seed: int = ...) -> RunResult: ...

def load(path: _Path) -> RuleSet: ...
def load_cached(path: _Path) -> RuleSet: ...

FINDING_COLUMNS: List[str]
CASE_COLUMNS: List[str]

def findings_frame(cases: List[Case], per: Literal["finding", "case"] = ...) -> Any: ...
def frame_meta(per: Literal["finding", "case"] = ...) -> Any: ...
def screen_frame(
    rules: RuleSet,
    df: Any,
    map: Optional[_Path] = ...,
    per: Literal["finding", "case"] = ...,
    *,
    jobs: Optional[int] = ...,
    show_cleared: bool = ...,
    errors: Literal["raise", "skip"] = ...,
) -> Any: ...
def screen_partition(
    df: Any, rules_path: _Path, map: Optional[_Path] = ..., per: Literal["finding", "case"] = ...
) -> Any: ...
def evaluate_partition(records: Iterable[Mapping[str, Any]], rules_path: _Path, show_cleared: bool = ...) -> List[Case]: ...
