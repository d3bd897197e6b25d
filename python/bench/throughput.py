"""Throughput of the Python binding against `nrscreen eval` on the same batch.

    python python/bench/throughput.py NRSCREEN_BINARY [BATCH.jsonl] [--copies N]

The batch (default: tests/data/workload-3000.jsonl) is repeated N times
(case ids suffixed, so none repeats) into a temporary file; each way is run
5 times and the best wall time kept, and the best processor time (user and
system, of this process and the CLI's; every thread counted), which a loaded
machine disturbs less than the wall time. JSON Lines output of the CLI goes
to /dev/null; the Python ways build every case as a dict. The load average
is printed before and after.
"""

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


def best(f, runs=5):
    """The best wall and processor times of `f()`, its result kept until
    timed (freeing the dicts of a run is not counted: a caller keeps them)."""
    walls, cpus = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), cpu()
        result = f()
        walls.append(time.perf_counter() - start)
        cpus.append(cpu() - start_cpu)
        del result
    return min(walls), min(cpus)


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
    load_before = os.getloadavg()
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
        sample = min(3000, n)
        one = [t * n / sample for t in best(lambda: [rules.evaluate(r) for r in records[:sample]], runs=3)]
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
