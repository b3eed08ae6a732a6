"""Raking speed and memory: polls.rake against other raking tools, side by side in one run.

Data (synthetic, seeded): respondents with five weighting variables of 2, 6, 8, 4 and 5 levels
(sex, age group, region, education, settlement type), drawn from a log-linear model whose main
effects are the population shares shifted by a seeded bias, plus an age x education and a
region x settlement interaction, so the sample is biased against its population targets. Every
tool rakes the same rows to the same population shares and must reach 1e-6 on the margins; the
weighted margins of each tool's weights are recomputed here and reported.

Each measurement runs in a fresh subprocess: the data is generated and the frame built first (not
timed); then the peak resident memory is reset (``/proc/self/clear_refs``) and the call is timed.
``peak MB`` is the rise of the process's peak resident set (VmHWM) over its resident set just
before the first call, so it counts every allocator (numpy, pandas, Arrow, Rust, R). Times are
the best of up to three calls (one when a call takes more than 20 s); calls are capped at
``--timeout`` seconds. R's survey::rake is timed inside R (``system.time``) on the same rows.

Usage (from the repository root, with the peers installed in benchmarks/.venv)::

    benchmarks/.venv/bin/python benchmarks/bench_rake.py --out benchmarks/results/rake.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240611
TOL = 1e-6

VARIABLES = {
    "sex": ["female", "male"],
    "age": ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
    "region": [
        "Central", "North-West", "South", "North Caucasus", "Volga", "Urals", "Siberia",
        "Far East",
    ],
    "education": ["primary", "secondary", "vocational", "higher"],
    "settlement": ["two capitals", "city 1m+", "city 100k-1m", "town", "village"],
}  # fmt: skip
SHARES = {
    "sex": [0.54, 0.46],
    "age": [0.09, 0.17, 0.18, 0.16, 0.17, 0.23],
    "region": [0.27, 0.10, 0.11, 0.07, 0.20, 0.08, 0.12, 0.05],
    "education": [0.06, 0.30, 0.34, 0.30],
    "settlement": [0.12, 0.18, 0.25, 0.20, 0.25],
}


# ---------------------------------------------------------------------------------------------
# data


def make_codes(n: int) -> list[np.ndarray]:
    """Seeded synthetic respondents: one int8 array of 0-based codes per variable."""
    rng = np.random.default_rng(SEED)
    names = list(VARIABLES)
    ks = [len(VARIABLES[v]) for v in names]
    logp = np.zeros(ks)
    for i, v in enumerate(names):
        shape = [1] * len(ks)
        shape[i] = ks[i]
        bias = rng.normal(0, 0.5, ks[i])
        logp = logp + (np.log(SHARES[v]) + bias).reshape(shape)
    age = np.arange(6).reshape(1, 6, 1, 1, 1) - 2.5
    edu = np.arange(4).reshape(1, 1, 1, 4, 1) - 1.5
    logp = logp - 0.15 * age * edu
    reg = np.arange(8).reshape(1, 1, 8, 1, 1) - 3.5
    sett = np.arange(5).reshape(1, 1, 1, 1, 5) - 2
    logp = logp + 0.05 * reg * sett
    p = np.exp(logp - logp.max()).ravel()
    p /= p.sum()
    cells = rng.choice(p.size, size=n, p=p)
    return [c.astype(np.int8) for c in np.unravel_index(cells, ks)]


def make_frame(codes: list[np.ndarray], kind: str):
    import pandas as pd

    cols = {}
    for (v, labels), c in zip(VARIABLES.items(), codes, strict=True):
        if kind == "int":
            cols[v] = c.astype(np.int64) + 1
        else:
            cat = pd.Categorical.from_codes(c, categories=labels)
            cols[v] = cat if kind == "category" else pd.Series(cat).astype(str)
    return pd.DataFrame(cols)


def targets_for(kind: str, scale: float = 1.0) -> dict:
    out = {}
    for v, labels in VARIABLES.items():
        keys = list(range(1, len(labels) + 1)) if kind == "int" else labels
        out[v] = {k: s * scale for k, s in zip(keys, SHARES[v], strict=True)}
    return out


def margin_error(codes: list[np.ndarray], w: np.ndarray) -> float:
    w = np.asarray(w, dtype=float)
    total = w.sum()
    err = 0.0
    for v, c in zip(VARIABLES, codes, strict=True):
        got = np.bincount(c, weights=w, minlength=len(SHARES[v])) / total
        err = max(err, float(np.abs(got - np.array(SHARES[v])).max()))
    return err


# ---------------------------------------------------------------------------------------------
# one call per tool: prepare(frame, codes, n, kind) -> callable returning the weights


def prep_polls(df, codes, n, kind):
    sys.path.insert(0, str(ROOT / "src"))
    import polls

    tg = targets_for(kind)
    return lambda: polls.rake(df, tg, tol=TOL).weights.to_numpy()


def prep_rimpy(df, codes, n, kind):
    import rimpy

    tg = targets_for(kind)
    return lambda: rimpy.rake(df, tg, convergence_threshold=1e-6)["weight"].to_numpy()


def prep_rimpy_polars(df, codes, n, kind):
    import polars as pl
    import rimpy

    frame = pl.from_pandas(df)
    tg = targets_for(kind)
    return lambda: rimpy.rake(frame, tg, convergence_threshold=1e-6)["weight"].to_numpy()


def prep_weightipy(df, codes, n, kind):
    import weightipy as wp

    scheme = wp.scheme_from_dict(
        targets_for(kind, 100.0), rim_params={"convcrit": 1e-6, "max_iterations": 1000}
    )

    def run():
        out = wp.weight_dataframe(df, scheme, weight_column="w")
        return out["w"].reindex(df.index).to_numpy()

    return run


def prep_ipfn(df, codes, n, kind):
    import pandas as pd
    from ipfn import ipfn

    tg = targets_for(kind, float(n))
    aggregates = [pd.Series(t).rename_axis(v) for v, t in tg.items()]
    dims = [[v] for v in tg]

    def run():
        frame = df.assign(total=1.0)
        fit = ipfn.ipfn(
            frame,
            aggregates,
            dims,
            weight_col="total",
            convergence_rate=1e-9,
            max_iteration=1000,
        ).iteration()
        return fit["total"].reindex(df.index).to_numpy()

    return run


def prep_balance(df, codes, n, kind):
    import logging

    import pandas as pd

    logging.getLogger("balance").setLevel(logging.ERROR)
    from balance.weighting_methods.rake import rake

    tg = targets_for(kind)

    def run():
        out = rake(
            sample_df=df,
            sample_weights=pd.Series(np.ones(n), index=df.index),
            target_df=None,
            target_weights=None,
            variables=list(tg),
            target_margins=tg,
            transformations=None,
            convergence_rate=1e-9,
            max_iteration=1000,
        )
        return out["weight"].reindex(df.index).to_numpy()

    return run


def prep_samplics(df, codes, n, kind):
    from samplics.weighting import SampleWeight

    tg = targets_for(kind, float(n))
    margins = {v: df[v].to_numpy() for v in tg}

    def run():
        return SampleWeight().rake(
            samp_weight=np.ones(n), margins=margins, control=tg, tol=1e-9, max_iter=1000
        )

    return run


def prep_svy(df, codes, n, kind):
    import polars as pl
    import svy

    frame = pl.from_pandas(df).with_columns(w=pl.lit(1.0))
    tg = targets_for(kind, float(n))

    def run():
        s = svy.Sample(data=frame, design=svy.Design(wgt="w"))
        out = s.weighting.rake(controls=tg, tol=1e-8, max_iter=1000)
        return out.data["rk_wgt"].to_numpy()

    return run


def prep_leafblower(df, codes, n, kind):
    import leafblower

    tg = targets_for(kind)

    def run():
        out = leafblower.harvest(
            df,
            tg,
            method="raking",
            min_weight=0.0,
            max_weight=1e12,
            max_iterations=1000,
            convergence={"absolute": 1e-8},
        )
        return out["weights"].reindex(df.index).to_numpy()

    return run


PREP = {
    "polls": prep_polls,
    "rimpy": prep_rimpy,
    "rimpy (polars frame)": prep_rimpy_polars,
    "weightipy": prep_weightipy,
    "ipfn": prep_ipfn,
    "balance": prep_balance,
    "samplics": prep_samplics,
    "svy (polars frame)": prep_svy,
    "leafblower": prep_leafblower,
}


def _status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def worker(method: str, kind: str, n: int, repeats: int) -> dict:
    import gc
    import warnings

    warnings.simplefilter("ignore")
    codes = make_codes(n)
    df = make_frame(codes, kind)
    run = PREP[method](df, codes, n, kind)
    gc.collect()
    try:  # hand freed heap pages back, so that memory reused by the call counts as new
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    before = _status()["VmRSS"]
    t0 = time.perf_counter()
    w = run()
    times = [time.perf_counter() - t0]
    peak = _status()["VmHWM"] - before
    err = margin_error(codes, w)
    positive = bool(np.all(np.asarray(w) > 0))
    del w
    while len(times) < repeats and times[-1] < 20:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return {
        "time": min(times), "first": times[0], "runs": len(times), "peak_mb": peak / 1024,
        "max_error": err, "positive": positive,
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# R

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; n <- as.integer(args[2]); repeats <- as.integer(args[3])
labels <- list(sex = 2, age = 6, region = 8, education = 4, settlement = 5)
shares <- list(sex = c(%SEX%), age = c(%AGE%), region = c(%REGION%),
               education = c(%EDUCATION%), settlement = c(%SETTLEMENT%))
con <- file(path, "rb")
raw <- readBin(con, "integer", n = 5 * n, size = 1, signed = TRUE)
close(con)
df <- data.frame(row.names = NULL, w = rep(1, n))
for (i in seq_along(labels)) {
  v <- names(labels)[i]
  df[[v]] <- factor(raw[((i - 1) * n + 1):(i * n)] + 1L, levels = seq_len(labels[[i]]))
}
rm(raw); invisible(gc())
des <- svydesign(ids = ~1, weights = ~w, data = df)
margins <- lapply(names(labels), function(v)
  setNames(data.frame(factor(seq_len(labels[[v]])), shares[[v]] * n), c(v, "Freq")))
formulas <- lapply(names(labels), function(v) as.formula(paste0("~", v)))
status <- function(key) {
  s <- readLines("/proc/self/status")
  as.numeric(strsplit(trimws(sub(".*:", "", s[startsWith(s, key)])), " ")[[1]][1])
}
invisible(gc())
writeLines("5", "/proc/self/clear_refs")
before <- status("VmRSS:")
times <- c()
t <- system.time(r <- rake(des, formulas, margins,
                           control = list(maxit = 1000, epsilon = 1e-7)))[["elapsed"]]
times <- c(times, t)
peak <- status("VmHWM:") - before
w <- weights(r)
err <- 0
for (v in names(labels)) {
  got <- tapply(w, df[[v]], sum) / sum(w)
  err <- max(err, max(abs(got - shares[[v]])))
}
while (length(times) < repeats && t < 20) {
  t <- system.time(rake(des, formulas, margins,
                        control = list(maxit = 1000, epsilon = 1e-7)))[["elapsed"]]
  times <- c(times, t)
}
cat(sprintf(paste0('{"time": %.6f, "first": %.6f, "runs": %d, "peak_mb": %.3f, ',
                   '"max_error": %.6g, "positive": %s}\n'),
            min(times), times[1], length(times), peak / 1024, err,
            if (all(w > 0)) "true" else "false"))
"""


def r_worker_script() -> str:
    text = R_SCRIPT
    for v, s in SHARES.items():
        text = text.replace(f"%{v.upper()}%", ", ".join(repr(x) for x in s))
    return text


def r_version() -> str:
    try:
        out = subprocess.run(
            ["Rscript", "-e", 'cat(R.version.string, "survey", format(packageVersion("survey")))'],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return out.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "R not available"


# ---------------------------------------------------------------------------------------------
# driver


def run_one(cmd: list[str], timeout: float, env=None) -> dict:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"capped: no result within {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        return {"error": f"failed: {tail[0][:160]}"}
    try:
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": "failed: no result"}
    res["wall"] = time.perf_counter() - start
    return res


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in [
        "numpy", "pandas", "pyarrow", "polars", "rimpy", "weightipy", "ipfn", "balance",
        "samplics", "svy", "leafblower",
    ]:  # fmt: skip
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def fmt_time(res: dict) -> str:
    if "error" in res:
        return res["error"]
    t = res["time"]
    return f"{t:.4f}" if t < 1 else f"{t:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 10_000_000]
    )
    ap.add_argument("--methods", nargs="+", default=list(PREP) + ["R survey::rake"])
    ap.add_argument("--kinds", nargs="+", default=["int", "str", "category"])
    ap.add_argument(
        "--peer-kinds",
        nargs="+",
        default=["int"],
        help="column kinds for the peers (polls and rimpy always run on --kinds)",
    )
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument(
        "--skip-slow-above",
        type=float,
        default=60,
        help="skip a tool at larger sizes once one of its calls took this long (s)",
    )
    ap.add_argument("--out", type=Path)
    ap.add_argument("--worker", nargs=3, metavar=("METHOD", "KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        method, kind, n = args.worker
        print(json.dumps(worker(method, kind, int(n), args.repeats)))
        return

    rows = []
    slow: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench_rake_"))
    r_script = tmp / "rake_bench.R"
    r_script.write_text(r_worker_script())
    started = time.strftime("%Y-%m-%d %H:%M")
    for n in args.sizes:
        codes_path = tmp / f"codes_{n}.bin"
        if "R survey::rake" in args.methods:
            np.concatenate(make_codes(n)).tofile(codes_path)
        for method in args.methods:
            always = method in ("polls", "rimpy")
            kinds = args.kinds if always else args.peer_kinds
            if method == "R survey::rake":
                kinds = ["factor"]
            for kind in kinds:
                key = f"{method}/{kind}"
                if key in slow:
                    res = {"error": f"skipped (took {slow[key]:.0f} s at a smaller size)"}
                elif method == "R survey::rake":
                    res = run_one(
                        ["Rscript", str(r_script), str(codes_path), str(n), str(args.repeats)],
                        args.timeout,
                    )
                else:
                    res = run_one(
                        [sys.executable, __file__, "--worker", method, kind, str(n),
                         "--repeats", str(args.repeats)],
                        args.timeout,
                    )  # fmt: skip
                if "error" in res and "capped" in res["error"]:
                    slow[key] = args.timeout
                elif "error" not in res and res["first"] > args.skip_slow_above:
                    slow[key] = res["first"]
                rows.append({"n": n, "method": method, "kind": kind, **res})
                print(json.dumps(rows[-1]), flush=True)
        codes_path.unlink(missing_ok=True)
    if args.out:
        write_report(args, rows, started)


def write_report(args, rows, started) -> None:
    vers = versions()
    lines = [
        "# Raking benchmark: polls.rake against other raking tools",
        "",
        f"Run {started} on {platform.machine()} Linux, {os.cpu_count()} cores shared with other "
        f"work, Python {platform.python_version()}; {r_version()}.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in vers.items()) + ".",
        "",
        "Command (from the repository root):",
        "",
        "```",
        "benchmarks/.venv/bin/python benchmarks/bench_rake.py " + " ".join(sys.argv[1:]),
        "```",
        "",
        "Synthetic, seeded respondents (see the docstring of `benchmarks/bench_rake.py`): five "
        "weighting variables with 2, 6, 8, 4 and 5 levels from a biased log-linear model, raked "
        f"to fixed population shares with a margin tolerance of {TOL:g}. Columns: `int` = int64 "
        "codes, `str` = pandas' default string dtype, `category` = pandas categorical, `factor` "
        "= R factors. Time: best of up to "
        f"{args.repeats} calls, in seconds. Peak MB: rise of the peak resident set during the "
        "first call over the resident set before it (fresh process per measurement). Max error: "
        "largest absolute error of a weighted margin share of the returned weights, recomputed "
        "by the benchmark.",
        "",
    ]
    sizes = sorted({r["n"] for r in rows})
    best_peer: dict[int, tuple[float, str]] = {}
    for r in rows:
        if r["method"] != "polls" and "error" not in r and r["max_error"] <= TOL * 1.0001:
            cur = best_peer.get(r["n"])
            if cur is None or r["time"] < cur[0]:
                best_peer[r["n"]] = (r["time"], f"{r['method']} ({r['kind']})")
    for n in sizes:
        lines += [f"## N = {n:,}", ""]
        lines += ["| tool | columns | time (s) | peak MB | max margin error | weights > 0 |"]
        lines += ["|---|---|---:|---:|---:|:---:|"]
        for r in rows:
            if r["n"] != n:
                continue
            if "error" in r:
                lines.append(f"| {r['method']} | {r['kind']} | {r['error']} | | | |")
                continue
            lines.append(
                f"| {r['method']} | {r['kind']} | {fmt_time(r)} | {r['peak_mb']:.1f} | "
                f"{r['max_error']:.2e} | {'yes' if r['positive'] else 'NO'} |"
            )
        if n in best_peer:
            bt, name = best_peer[n]
            lines.append("")
            for r in rows:
                if r["n"] == n and r["method"] == "polls" and "error" not in r:
                    lines.append(
                        f"- polls ({r['kind']}): the fastest peer, {name} ({bt:.4f} s), takes "
                        f"{bt / r['time']:.1f}x the time of polls."
                    )
        lines.append("")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
