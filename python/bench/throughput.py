"""Throughput of the Python binding against `nrscreen eval` on the same batch.

    python python/bench/throughput.py NRSCREEN_BINARY [BATCH.jsonl] [--copies N] [--jobs J] [--runs R]

The batch (default: tests/data/workload-3000.jsonl) is repeated N times
(case ids suffixed, so none repeats) into a temporary file. The ways are
run in turn, R rounds (default 5), so that a machine slowed for a while
slows them all; each way's best wall time is kept, and its best processor
time (user and system, of this process and the CLI's; every thread
counted), which a loaded machine disturbs less than the wall time.
`evaluate` is timed on the first 3,000 records and scaled. JSON Lines
output of the CLI goes to /dev/null; the Python ways build every case as a
dict. The load average is printed before and after."""

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import nrscreen

ROOT = Path(__file__).resolve().parents[2]


def cpu():
    """Processor time so far of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(f):
    """The wall and processor times of `f()`, its result kept until timed
    (freeing the dicts of a run is not counted: a caller keeps them)."""
    start, start_cpu = time.perf_counter(), cpu()
    result = f()
    wall, proc = time.perf_counter() - start, cpu() - start_cpu
    del result
    return wall, proc


def best_interleaved(ways, runs):
    """The best wall and processor times of each way, the ways run in turn
    `runs` times (a machine that slows for a while slows them all)."""
    times = {name: [] for name in ways}
    for _ in range(runs):
        for name, f in ways.items():
            times[name].append(timed(f))
    return {name: (min(w for w, _ in t), min(p for _, p in t)) for name, t in times.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("batch", nargs="?", default=str(ROOT / "tests/data/workload-3000.jsonl"))
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lines = Path(args.batch).read_text(encoding="utf-8").splitlines()
    records = []
    for copy in range(args.copies):
        for line in lines:
            record = json.loads(line)
            record["case_id"] = f"{record['case_id']}-{copy}"
            records.append(record)
    n = len(records)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.jsonl"
        batch.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        rules_dir = str(ROOT / "rules")
        rules = nrscreen.load(rules_dir)
        sample = min(3000, n)
        best = best_interleaved(
            {
                "cli": lambda: subprocess.run(
                    [args.binary, "eval", "--rules", rules_dir, str(batch), "--jobs", str(args.jobs), "--quiet"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                ),
                "load": lambda: nrscreen.load(rules_dir),
                "file": lambda: rules.evaluate_file(batch, jobs=args.jobs),
                "many": lambda: list(rules.evaluate_many(records)),
                "one": lambda: [rules.evaluate(r) for r in records[:sample]],
            },
            args.runs,
        )
        cli, load, file, many = best["cli"], best["load"], best["file"], best["many"]
        one = [t * n / sample for t in best["one"]]
    load_after = os.getloadavg()
    print(f"{n} records of {args.batch} (x{args.copies}), jobs {args.jobs}")
    print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after, on {os.cpu_count()} cores")
    print(f"{'':48} {'wall':>9}  {'records/s':>9}  {'vs CLI':>6}  {'processor':>9}  {'vs CLI':>6}")
    for name, (wall, proc) in [
        ("nrscreen eval (process, load, JSON Lines out)", cli),
        ("nrscreen.load", load),
        ("evaluate_file (dicts)", file),
        ("load + evaluate_file", (load[0] + file[0], load[1] + file[1])),
        ("evaluate_many over dicts", many),
        ("evaluate, one call per dict", one),
    ]:
        print(
            f"{name:48} {wall:7.3f} s  {n / wall:9.0f}  {wall / cli[0]:5.2f}x"
            f"  {proc:7.3f} s  {proc / cli[1]:5.2f}x"
        )


if __name__ == "__main__":
    main()
