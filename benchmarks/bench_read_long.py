"""Reading speed: polls.read_toplines against pandas.read_csv on the same files, in one run.

Files (synthetic, seeded, written to a temporary folder):

* ``long``: a long-layout CSV of 1,000,000 rows (250,000 waves x 4 responses) with pollster,
  series, fieldwork start and end, sample size, response and share (whole percents);
* ``wide``: a one-row wide CSV with 50,000 response columns (each 0.001 percent).

Each reader runs ``--repeat`` times, the two interleaved, and the best time counts; the ratio
is polls' time over pandas' (wall-clock; the CPU time of this process is shown beside it, as
the machine may be busy with other work). pandas parses the cells only (numbers and text, no
checks); read_toplines also checks every record against the header, parses the dates and
figures, infers nothing it is not told (``scale="percent"``) and validates the frame. Run from the
repository root::

    .venv/bin/python benchmarks/bench_read_long.py --out benchmarks/results/read_long.md

``--baseline DIR`` also times the ``polls`` package found in ``DIR`` (e.g. an older checkout's
``src``, from ``git archive <commit> src/polls | tar -x -C DIR``) in a subprocess, for
before-and-after figures (``--baseline-label`` says what it is); ``--skip-baseline-wide`` leaves
out its wide file (the old reader took minutes on it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import polls  # noqa: E402

SEED = 20261204


def write_long(path: Path, n_waves: int = 250_000) -> int:
    rng = np.random.default_rng(SEED)
    start = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, n_waves), "D")
    shares = np.round(rng.dirichlet([5, 4, 1, 0.3], n_waves) * 100).astype(int)
    frame = pd.DataFrame({
        "pollster": np.repeat(rng.choice(["levada", "vciom", "fom", "crta", "ntp"], n_waves), 4),
        "series": np.repeat([f"synthetic-{i}" for i in range(n_waves)], 4),
        "fieldwork_start": np.repeat(start.strftime("%Y-%m-%d"), 4),
        "fieldwork_end": np.repeat((start + pd.Timedelta(days=5)).strftime("%Y-%m-%d"), 4),
        "sample_size": np.repeat(rng.integers(800, 3000, n_waves), 4),
        "response": np.tile(["yes", "no", "hard to say", "refused"], n_waves),
        "share": shares.ravel(),
    })
    frame.to_csv(path, index=False)
    return len(frame)


def write_wide(path: Path, k: int = 50_000) -> int:
    header = ",".join(["pollster", *(f"option {i}" for i in range(k))])
    path.write_text(header + "\n" + ",".join(["synthetic", *(["0.001"] * k)]) + "\n")
    return k


CASES = {
    "long": (write_long, {"scale": "percent"}),
    "wide": (write_wide, {"scale": "percent", "layout": "wide"}),
}


def best(fn, repeat: int) -> tuple[float, float]:
    """The best wall-clock time and the best CPU time (this process) of ``repeat`` calls."""
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(times), min(cpu)


def time_baseline(src: str, path: Path, kwargs: dict, repeat: int) -> float:
    code = (
        "import sys, time, warnings, json\n"
        f"sys.path.insert(0, {src!r})\n"
        "import polls\nwarnings.simplefilter('ignore')\n"
        f"times = []\nfor _ in range({repeat}):\n"
        "    t = time.perf_counter()\n"
        f"    polls.read_toplines({str(path)!r}, **{kwargs!r})\n"
        "    times.append(time.perf_counter() - t)\n"
        "print(json.dumps(min(times)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline")
    parser.add_argument("--baseline-label", default="", help="what the baseline is, for the notes")
    parser.add_argument("--skip-baseline-wide", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case, (write, kwargs) in CASES.items():
            path = Path(tmp) / f"synthetic-{case}.csv"
            size = write(path)
            t_pandas = t_polls = c_pandas = c_polls = float("inf")
            for _ in range(args.repeat):  # interleaved, so both see the same machine load
                t, c = best(lambda p=path: pd.read_csv(p), 1)
                t_pandas, c_pandas = min(t_pandas, t), min(c_pandas, c)
                t, c = best(lambda p=path, k=kwargs: polls.read_toplines(p, **k), 1)
                t_polls, c_polls = min(t_polls, t), min(c_polls, c)
            base = None
            if args.baseline and not (case == "wide" and args.skip_baseline_wide):
                base = time_baseline(args.baseline, path, kwargs, args.repeat)
            rows.append({"case": case, "size": size, "MB": path.stat().st_size / 1e6,
                         "pandas_s": t_pandas, "polls_s": t_polls,
                         "ratio": t_polls / t_pandas, "pandas_cpu_s": c_pandas,
                         "polls_cpu_s": c_polls, "cpu_ratio": c_polls / c_pandas,
                         "baseline_s": base})
            print(json.dumps(rows[-1]), flush=True)
    load = os.getloadavg()
    lines = [
        "# Reading speed: `read_toplines` against `pandas.read_csv`",
        "",
        f"Command: `{shlex.join([Path(sys.executable).name, *sys.argv])}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.  ",
        f"Best of {args.repeat} interleaved runs (wall-clock and, apart, CPU time of this "
        "process); synthetic files (see the script)."
        + (" Other work ran on the machine meanwhile (load above its core count): absolute "
           "times are slow, ratios less so." if load[0] > (os.cpu_count() or 1) else ""),
        "",
        "| file | size | pandas.read_csv (s) | read_toplines (s) | ratio | CPU pandas (s) "
        "| CPU read_toplines (s) | CPU ratio |" + (" before (s) | before ratio |"
                                                if args.baseline else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|---|" if args.baseline else ""),
    ]
    for r in rows:
        what = (f"long, {r['size']:,} rows" if r["case"] == "long"
                else f"wide, 1 row x {r['size']:,} columns")
        base = "" if not args.baseline else (
            f" {r['baseline_s']:.2f} | {r['baseline_s'] / r['pandas_s']:.1f}x |"
            if r["baseline_s"] is not None else " not run | |")
        lines.append(f"| {what} | {r['MB']:.1f} MB | {r['pandas_s']:.3f} | {r['polls_s']:.3f} "
                     f"| {r['ratio']:.1f}x | {r['pandas_cpu_s']:.3f} | {r['polls_cpu_s']:.3f} "
                     f"| {r['cpu_ratio']:.1f}x |{base}")
    lines += [
        "",
        "pandas only splits the cells and types them; `read_toplines` also checks every record",
        "against the header, decodes and parses every figure, sample size and date, and runs",
        "`validate_toplines`. Goals: the wide file read or refused in under a second; the long",
        "file within 3x of pandas.",
    ]
    if args.baseline:
        lines += ["", f"`before`: the `polls` package in `{args.baseline}` (`--baseline`)"
                  + (f", {args.baseline_label}" if args.baseline_label else "")
                  + f", best of {args.repeat} in a subprocess on the same file, run after the "
                  "others (its ratio is over the pandas time above)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
