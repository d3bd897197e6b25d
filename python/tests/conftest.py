"""Shared fixtures: the repository's rule set and batches, and the `nrscreen` binary to compare with."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import nrscreen

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
EXAMPLE = ROOT / "rules" / "examples" / "cases.jsonl"
WORKLOAD = ROOT / "tests" / "data" / "workload-3000.jsonl"

#: A record returned to Tijuana without an interview; whether fear of
#: Mexico was expressed is left to each test.
FEAR = {
    "case_id": "A-7",
    "nationality": "HN",
    "program": "mpp-2019",
    "returned_to_mexico": True,
    "return_city": "Tijuana",
    "return_date": "2019-02-14",
    "nri_held": False,
}


def _binary() -> Path:
    """The `nrscreen` binary: $NRSCREEN_BIN, else built with cargo (debug, as CI's `cargo test` already builds it)."""
    given = os.environ.get("NRSCREEN_BIN")
    if given:
        return Path(given)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    subprocess.run(
        ["cargo", "build", "--locked", "--quiet", "--bin", "nrscreen"], cwd=ROOT, check=True
    )
    return target / "debug" / "nrscreen"


@pytest.fixture(scope="session")
def cli():
    """Runs `nrscreen eval --rules rules ARGS…` and returns its JSON Lines output as dicts."""
    binary = _binary()

    def run(*args):
        out = subprocess.run(
            [str(binary), "eval", "--rules", str(RULES), "--format", "jsonl", "--quiet", *map(str, args)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert out.returncode in (0, 3, 4), out.stderr
        return [json.loads(line) for line in out.stdout.splitlines() if line]

    run.binary = binary
    return run


@pytest.fixture(scope="session")
def rules():
    return nrscreen.load(RULES)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
