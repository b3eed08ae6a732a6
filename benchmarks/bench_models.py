"""Regression and quantile speed and memory: SurveyDesign and ReplicateDesign .glm / .quantile
against R's survey.

Data (synthetic, seeded): a stratified cluster sample, 50 strata of 20 PSUs each, respondents
spread evenly over the PSUs, lognormal weights; two normal predictors ``x1, x2``, a five-level
factor ``g``, a normal response ``y`` and a 0/1 response ``yb`` from a logistic model. Tasks:

- ``glm gaussian``: ``y ~ x1 + x2 + g`` (R: ``svyglm(y ~ x1 + x2 + g, des)``);
- ``glm binomial``: ``yb ~ x1 + x2 + g`` (R: ``svyglm(..., family = quasibinomial())``);
- ``quantile``: quartiles of ``y`` with Woodruff intervals, rule ``math``
  (R: ``svyquantile(~y, des, c(0.25, 0.5, 0.75))``);
- ``rep glm gaussian``, ``rep glm binomial``, ``rep quantile``: the same on a replicate design,
  50 rescaled bootstrap replicates drawn per PSU (seeded; ``n_h - 1`` PSUs drawn with
  replacement in each stratum), handed to both tools as an ``(n, 50)`` array of analysis weights
  (polls: ``ReplicateDesign(..., type="bootstrap")``; R: ``svrepdesign(repweights = ...,
  type = "bootstrap")``); every model is refitted 50 times. Not run by default; the command
  is in ``benchmarks/README.md``.

Each measurement runs in a fresh subprocess: the data are generated, the design built and the
libraries loaded first (not timed; R likewise loads survey first); then the peak resident
memory is reset (``/proc/self/clear_refs``) and the call is timed. ``peak MB`` is the rise of
the process's peak resident set over its resident set just before the call. Times are the best
of ``--repeats`` calls. R reads the same rows from a binary file and times its call with
``system.time``. ``max rel diff`` compares each tool's estimates and
standard errors with polls' (the same numbers, to rounding, when both are right).

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_models.py --out benchmarks/results/models.md
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
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261204
N_STRATA, PSU_PER_STRATUM = 50, 20
N_REPLICATES = 50
TASKS = ("glm gaussian", "glm binomial", "quantile")
#: On the replicate design (not run by default: R refits every model 50 times).
REP_TASKS = ("rep glm gaussian", "rep glm binomial", "rep quantile")


def make_data(n: int) -> dict[str, np.ndarray]:
    """Seeded synthetic respondents (see the module docstring)."""
    rng = np.random.default_rng(SEED)
    psu = np.arange(n) % (N_STRATA * PSU_PER_STRATUM)
    stratum = psu // PSU_PER_STRATUM
    effect = rng.normal(0, 0.3, N_STRATA * PSU_PER_STRATUM)[psu]
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    g = rng.integers(0, 5, n)
    y = 1 + 0.5 * x1 - 0.2 * x2 + 0.3 * (g == 1) + effect + rng.normal(size=n)
    eta = -0.2 + 0.4 * x1 - 0.3 * x2 + 0.2 * (g == 2) + effect
    yb = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    w = rng.lognormal(0, 0.4, n)
    return {"stratum": stratum.astype(float), "psu": psu.astype(float), "w": w, "x1": x1,
            "x2": x2, "g": g.astype(float), "y": y, "yb": yb}


def make_factors() -> np.ndarray:
    """Seeded rescaled bootstrap factors, one row per PSU and one column per replicate."""
    rng = np.random.default_rng(SEED + 1)
    m = PSU_PER_STRATUM
    out = np.empty((N_STRATA * m, N_REPLICATES))
    for h in range(N_STRATA):
        draws = rng.integers(0, m, size=(m - 1, N_REPLICATES))
        counts = np.stack([np.bincount(draws[:, r], minlength=m) for r in range(N_REPLICATES)], 1)
        out[h * m : (h + 1) * m] = counts * m / (m - 1)
    return out


def _status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def polls_call(task: str, n: int):
    import pandas as pd

    sys.path.insert(0, str(ROOT / "src"))
    # loaded before the measurement, as R loads survey before its timed call
    import formulaic  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401

    import polls

    cols = make_data(n)
    df = pd.DataFrame(cols)
    df["g"] = pd.Categorical(np.array(list("abcde"))[cols["g"].astype(int)])
    if task.startswith("rep "):
        reps = make_factors()[cols["psu"].astype(int)] * cols["w"][:, None]
        design = polls.ReplicateDesign(df, replicate_weights=reps, weights="w",
                                       type="bootstrap")
        task = task.removeprefix("rep ")
    else:
        design = polls.SurveyDesign(df, weights="w", strata="stratum", cluster="psu")
    if task == "quantile":
        def run():
            out = design.quantile("y", [0.25, 0.5, 0.75])
            return np.concatenate([out["estimate"], out["se"]])
    else:
        family = task.split()[1]
        response = "y" if family == "gaussian" else "yb"

        def run():
            fit = design.glm(f"{response} ~ x1 + x2 + g", family=family)
            return np.concatenate([fit.params.to_numpy(), fit.bse.to_numpy()])
    return run


def worker(task: str, n: int, repeats: int) -> dict:
    import gc

    run = polls_call(task, n)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    before = _status()["VmRSS"]
    t0 = time.perf_counter()
    values = run()
    times = [time.perf_counter() - t0]
    peak = _status()["VmHWM"] - before
    while len(times) < repeats:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return {"time": min(times), "peak_mb": peak / 1024, "values": values.tolist()}


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; n <- as.integer(args[2]); task <- args[3]; repeats <- as.integer(args[4])
factors_path <- args[5]
con <- file(path, "rb")
names <- c("stratum", "psu", "w", "x1", "x2", "g", "y", "yb")
df <- data.frame(row.names = NULL, i = seq_len(n))
for (v in names) df[[v]] <- readBin(con, "double", n = n)
close(con)
df$g <- factor(c("a", "b", "c", "d", "e")[df$g + 1])
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = df)
if (startsWith(task, "rep ")) {
  con <- file(factors_path, "rb")
  fac <- matrix(readBin(con, "double", n = 1000 * 50), nrow = 1000)
  close(con)
  # svyglm on a replicate design evaluates its own call, held in a variable named g, inside
  # the data: a column named g would shadow it, so the factor is renamed here
  df$grp <- df$g
  df$g <- NULL
  des <- svrepdesign(data = df, repweights = fac[df$psu + 1, ] * df$w, weights = ~w,
                     type = "bootstrap", combined.weights = TRUE)
  task <- sub("^rep ", "", task)
}
factor_name <- if ("grp" %in% names(df)) "grp" else "g"
gauss <- as.formula(paste("y ~ x1 + x2 +", factor_name))
binom <- as.formula(paste("yb ~ x1 + x2 +", factor_name))
call <- switch(task,
  "glm gaussian" = function() { f <- svyglm(gauss, des); c(coef(f), SE(f)) },
  "glm binomial" = function() {
    f <- svyglm(binom, des, family = quasibinomial()); c(coef(f), SE(f)) },
  "quantile" = function() {
    q <- svyquantile(~y, des, c(0.25, 0.5, 0.75))$y; c(q[, 1], q[, 4]) })
status <- function(key) {
  s <- readLines("/proc/self/status")
  as.numeric(strsplit(trimws(sub(".*:", "", s[startsWith(s, key)])), " ")[[1]][1])
}
invisible(gc())
writeLines("5", "/proc/self/clear_refs")
before <- status("VmRSS:")
times <- c()
t <- system.time(values <- call())[["elapsed"]]
peak <- status("VmHWM:") - before
times <- t
while (length(times) < repeats) times <- c(times, system.time(call())[["elapsed"]])
cat(sprintf('{"time": %.6f, "peak_mb": %.3f, "values": [%s]}\n', min(times), peak / 1024,
            paste(sprintf("%.17g", values), collapse = ", ")))
"""


def run_one(cmd: list[str], timeout: float) -> dict:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"capped: no result within {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        return {"error": f"failed: {tail[0][:160]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def r_version() -> str:
    try:
        out = subprocess.run(
            ["Rscript", "-e", 'cat(R.version.string, "survey", format(packageVersion("survey")))'],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return out.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "R not available"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS + REP_TASKS)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--worker", nargs=2, metavar=("TASK", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]), args.repeats)))
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench_models_"))
    r_script = tmp / "models_bench.R"
    r_script.write_text(R_SCRIPT)
    factors_path = tmp / "factors.bin"
    make_factors().T.copy().tofile(factors_path)  # column-major, as R's matrix() reads it
    started = f"{time.strftime('%Y-%m-%d %H:%M')} (load average {os.getloadavg()[0]:.1f})"
    rows = []
    for n in args.sizes:
        data_path = tmp / f"data_{n}.bin"
        np.concatenate(list(make_data(n).values())).tofile(data_path)
        for task in args.tasks:
            mine = run_one([sys.executable, __file__, "--worker", task, str(n),
                            "--repeats", str(args.repeats)], args.timeout)
            theirs = run_one(["Rscript", str(r_script), str(data_path), str(n), task,
                              str(args.repeats), str(factors_path)], args.timeout)
            diff = float("nan")
            if "values" in mine and "values" in theirs:
                a, b = np.array(mine["values"]), np.array(theirs["values"])
                diff = float(np.max(np.abs(a / b - 1)))
            row = {"n": n, "task": task, "polls": mine, "R survey": theirs, "diff": diff}
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items()}, default=str)[:400], flush=True)
        data_path.unlink(missing_ok=True)
    if args.out:
        write_report(args, rows, started)


def _cell(res: dict, key: str, fmt: str) -> str:
    return res["error"] if "error" in res else format(res[key], fmt)


def write_report(args, rows, started) -> None:
    import numpy  # noqa: F401 - version below
    import pandas

    lines = [
        "# Regression and quantile benchmark: polls against R's survey",
        "",
        f"Run {started} on {platform.machine()} Linux, {os.cpu_count()} cores shared with other "
        f"work, Python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pandas.__version__}; {r_version()}.",
        "",
        "Command (from the repository root):",
        "",
        "```",
        ".venv/bin/python benchmarks/bench_models.py " + shlex.join(sys.argv[1:]),
        "```",
        "",
        "Synthetic, seeded stratified cluster sample (50 strata x 20 PSUs; see the docstring of "
        "`benchmarks/bench_models.py`). Time: best of "
        f"{args.repeats} calls, in seconds; peak MB: rise of the peak resident set during the "
        "first call. Ratio: R's time over polls' (above 1: polls is faster). Max rel diff: "
        "largest relative difference between the two tools' estimates and standard errors. "
        "samplics and svy are not in this comparison: neither is installed in the package's "
        "environment.",
        "",
        "| n | task | polls s | R s | ratio | polls peak MB | R peak MB | max rel diff |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        p, r = row["polls"], row["R survey"]
        ratio = (f"{r['time'] / p['time']:.1f}" if "time" in p and "time" in r else "-")
        lines.append(
            f"| {row['n']:,} | {row['task']} | {_cell(p, 'time', '.3f')} | "
            f"{_cell(r, 'time', '.3f')} | {ratio} | {_cell(p, 'peak_mb', '.0f')} | "
            f"{_cell(r, 'peak_mb', '.0f')} | {row['diff']:.1e} |"
        )
    args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
