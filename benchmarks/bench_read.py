"""Speed of read_toplines on release tables (CSV, Excel, HTML) against pandas' own readers.

Synthetic, seeded tables in the layout pollsters print (responses down, waves across): a unit
line, a header of wave dates, integer percents that add up to 100 in each wave. The long-layout
CSV reader is measured by ``bench_read_long.py``; this script measures the table layout.

- polls: ``polls.read_toplines(path)`` (layout detected), the whole public call: the canonical
  frame out, dates read, shares checked.
- pandas: the same file through ``pandas.read_csv(path, skiprows=1)``,
  ``pandas.read_excel(path, skiprows=1)`` (openpyxl) or ``pandas.read_html(path)`` (lxml): a
  frame of the cells as printed, nothing read as dates or checked. The ratio polls / pandas says
  what the reading of a release costs beyond getting the cells.

Times are medians of several runs, over several rounds (the machine is shared; medians move less
than minima), as wall-clock seconds and as CPU seconds of this process (which other work on the
machine changes less).

Run: ``.venv/bin/python benchmarks/bench_read.py`` (writes benchmarks/results/read.md);
``--out FILE`` writes elsewhere, ``--rounds N`` sets the number of rounds (3), ``--quick`` runs
the small cases only.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import polls

OUT = Path(__file__).parent / "results" / "read.md"
ROUNDS = 3
RUSSIAN_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                  "сентября", "октября", "ноября", "декабря"]


def synthetic(responses: int, waves: int, seed: int) -> np.ndarray:
    """Integer percents, each wave's adding up to 100 (responses x waves)."""
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(responses))
    return rng.multinomial(100, probs, size=waves).T


def headers(waves: int, form: str) -> list[str]:
    days = pd.date_range("1930-01-01", periods=waves, freq="D")
    if form == "numeric":
        return [d.strftime("%d.%m.%Y") for d in days]
    if form == "words":  # "24 марта 1930": read cell by cell
        return [f"{d.day} {RUSSIAN_MONTHS[d.month - 1]} {d.year}" for d in days]
    months = pd.period_range("1990-01", periods=waves, freq="M")  # "мар.22"
    abbr = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
    return [f"{abbr[p.month - 1]}.{p.year % 100:02d}" for p in months]


def labels(responses: int) -> list[str]:
    return [f"Ответ {i + 1}" for i in range(responses)]


def write_csv(path: Path, values: np.ndarray, form: str) -> None:
    head = headers(values.shape[1], form)
    lines = ["в % от числа опрошенных", "," + ",".join(head)]
    lines += [f"{lab}," + ",".join(map(str, row))
              for lab, row in zip(labels(values.shape[0]), values, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_xlsx(path: Path, values: np.ndarray, form: str) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["в % от числа опрошенных"])
    sheet.append([None, *headers(values.shape[1], form)])
    for lab, row in zip(labels(values.shape[0]), values, strict=True):
        sheet.append([lab, *(int(v) for v in row)])
    book.save(path)


def write_html(path: Path, values: np.ndarray, form: str) -> None:
    def table(vals: np.ndarray, title: str) -> str:
        head = "".join(f"<th>{h}</th>" for h in headers(vals.shape[1], form))
        body = "".join(f"<tr><td>{lab}</td>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                       for lab, row in zip(labels(vals.shape[0]), vals, strict=True))
        return f"<p>{title} (в % от числа опрошенных)</p><table><tr><th></th>{head}</tr>{body}"\
               "</table>"

    small = synthetic(3, 4, 1)
    page = ("<html><head><meta charset='utf-8'></head><body><h1>Synthetic page</h1>"
            + table(small, "Synthetic question A?") + table(values, "Synthetic question B?")
            + table(small, "Synthetic question C?") + "</body></html>")
    path.write_text(page, encoding="utf-8")


CASES = [
    # name, writer, responses, waves, header form, quick
    ("CSV, 1 response x 50,000 waves (dd.mm.yyyy)", write_csv, 1, 50_000, "numeric", False),
    ("CSV, 1 response x 50,000 waves ('24 марта 1930', cell by cell)", write_csv, 1, 50_000,
     "words", False),
    ("CSV, 20 responses x 5,000 waves (dd.mm.yyyy)", write_csv, 20, 5_000, "numeric", False),
    ("CSV, 20 responses x 400 waves ('мар.22')", write_csv, 20, 400, "abbr", True),
    ("CSV, 8 responses x 24 waves ('мар.22'), a typical release", write_csv, 8, 24, "abbr",
     True),
    ("xlsx, 1 response x 16,000 waves (Excel's limit is 16,384 columns)", write_xlsx, 1,
     16_000, "numeric", False),
    ("xlsx, 20 responses x 1,000 waves", write_xlsx, 20, 1_000, "numeric", True),
    ("HTML, 3 tables, the middle one 20 responses x 1,000 waves", write_html, 20, 1_000,
     "numeric", True),
]


def polls_call(path: Path, writer) -> None:
    kwargs = {"table": "question B"} if writer is write_html else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        polls.read_toplines(path, **kwargs)


def pandas_call(path: Path, writer) -> None:
    if writer is write_csv:
        pd.read_csv(path, skiprows=1)
    elif writer is write_xlsx:
        pd.read_excel(path, skiprows=1, engine="openpyxl")
    else:
        pd.read_html(path, flavor="lxml")


def median_of(func, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def timed(func, repeat: int, rounds: int) -> tuple[float, float]:
    runs = [median_of(func, repeat) for _ in range(rounds)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def run(rounds: int, quick: bool) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, writer, responses, waves, form, small) in enumerate(CASES):
            if quick and not small:
                continue
            ext = {write_csv: ".csv", write_xlsx: ".xlsx", write_html: ".html"}[writer]
            path = Path(tmp) / f"synthetic-{k}{ext}"
            writer(path, synthetic(responses, waves, seed=k), form)
            polls_call(path, writer)  # warm up (imports, caches)
            repeat = 5 if responses * waves <= 20_000 else 3
            ours, ours_cpu = timed(lambda p=path, w=writer: polls_call(p, w), repeat, rounds)
            theirs, theirs_cpu = timed(lambda p=path, w=writer: pandas_call(p, w), repeat,
                                       rounds)
            rows.append({"case": name, "cells": responses * waves, "polls": ours,
                         "pandas": theirs, "polls_cpu": ours_cpu, "pandas_cpu": theirs_cpu,
                         "size": path.stat().st_size})
            print(f"{name}: polls {ours:.3f} s ({ours_cpu:.3f} s CPU), pandas {theirs:.3f} s "
                  f"({theirs_cpu:.3f} s CPU), ratio {ours / theirs:.2f}", flush=True)
    return rows


def table_md(rows: list[dict]) -> str:
    lines = ["| case | cells | file | polls (s) | pandas (s) | polls / pandas | polls CPU (s) "
             "| pandas CPU (s) | CPU ratio |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['cells']:,} | {r['size'] / 1e6:.2f} MB | "
                     f"{r['polls']:.3f} | {r['pandas']:.3f} | {r['polls'] / r['pandas']:.2f} | "
                     f"{r['polls_cpu']:.3f} | {r['pandas_cpu']:.3f} | "
                     f"{r['polls_cpu'] / r['pandas_cpu']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rows = run(args.rounds, args.quick)
    command = "python benchmarks/bench_read.py" + " ".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    text = "\n".join([
        "# read_toplines on release tables: polls against pandas' readers", "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}  ",
        "Shared machine: other work ran beside these timings; medians of runs and rounds. CPU "
        "seconds (this process only) move less with the load than wall-clock seconds.", "",
        "polls: `read_toplines(path)` to the checked canonical frame; pandas: the cells only "
        "(`read_csv`, `read_excel` with openpyxl, `read_html` with lxml). Synthetic, seeded "
        "tables (see the script).", "",
        table_md(rows), ""])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
