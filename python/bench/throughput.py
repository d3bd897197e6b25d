"""Throughput of the Python binding against `nrscreen eval` on the same batch.

    python python/bench/throughput.py NRSCREEN_BINARY [BATCH.jsonl] [--copies N]

The batch (default: tests/data/workload-3000.jsonl) is repeated N times
(case ids suffixed, so none repeats) into a temporary file; each way is run
5 times and the best wall time kept. JSON Lines output of the CLI goes to
/dev/null; the Python ways build every case as a dict.
"""

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import nrscreen

ROOT = Path(__file__).resolve().parents[2]


def best(f, runs=5):
    """The best wall time of `f()`, its result kept until timed (freeing
    the dicts of a run is not counted: a caller keeps them)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
        del result
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("batch", nargs="?", default=str(ROOT / "tests/data/workload-3000.jsonl"))
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    lines = Path(args.batch).read_text(encoding="utf-8").splitlines()
    records = []
    for copy in range(args.copies):
        for line in lines:
            record = json.loads(line)
            record["case_id"] = f"{record['case_id']}-{copy}"
            records.append(record)
    n = len(records)
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.jsonl"
        batch.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        rules_dir = str(ROOT / "rules")
        cli = best(
            lambda: subprocess.run(
                [args.binary, "eval", "--rules", rules_dir, str(batch), "--jobs", str(args.jobs), "--quiet"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )
        )
        rules = nrscreen.load(rules_dir)
        load = best(lambda: nrscreen.load(rules_dir))
        file = best(lambda: rules.evaluate_file(batch, jobs=args.jobs))
        many = best(lambda: list(rules.evaluate_many(records)))
        one = best(lambda: [rules.evaluate(r) for r in records[:3000]], runs=3) * n / min(3000, n)
    print(f"{n} records of {args.batch} (x{args.copies}), jobs {args.jobs}")
    for name, t in [
        ("nrscreen eval (process, load, JSON Lines out)", cli),
        ("nrscreen.load", load),
        ("evaluate_file (dicts)", file),
        ("load + evaluate_file", load + file),
        ("evaluate_many over dicts", many),
        ("evaluate, one call per dict", one),
    ]:
        print(f"{name:48} {t:7.3f} s  {n / t:9.0f} records/s  {t / cli:5.2f}x the CLI")


if __name__ == "__main__":
    main()
