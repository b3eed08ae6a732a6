"""Design-based estimates, speed and memory: polls against R survey, samplics and svy, one run.

Data (synthetic, seeded): a stratified two-stage-looking sample read as one-stage clusters:
50 strata of 20 PSUs each (1,000 PSUs), rows spread over the PSUs at random, unequal weights,
a numeric outcome with a PSU effect, a vote choice with 5 levels and a region with 8, and 20
bootstrap replicate weights (PSU-level factors times the weight) given as columns, as a file
with replicate weights ships them.

Operations (each tool does the nearest thing it offers):

- ``design``: build the design object (samplics has none: it takes arrays per call);
- ``mean``, ``total``: of the outcome; ``proportion``: the 5 vote shares;
- ``domain mean``: the outcome's mean in each of the 8 regions;
- ``crosstab``: vote x region shares with SEs (polls: cell, row and column shares;
  R: ``svymean(~interaction(vote, region))``; svy: ``tabulate``; samplics: ``CrossTabulation``);
- ``Rao-Scott F``: the second-order corrected test (svy and samplics give it with the crosstab,
  so their row repeats that call);
- ``rake + mean``: rake the weights to population totals of region and sex (tolerance 1e-8),
  then the outcome's mean with the calibration in its SE (samplics' SE leaves it out);
- ``replicate design``, ``replicate mean``, ``replicate domain mean``: with the 20 bootstrap
  columns (samplics: ``ReplicateEstimator``; R: ``svrepdesign``).

Each tool and size runs in a fresh subprocess, one at a time. The data are generated there (not
timed); before each operation the process's peak resident set is reset (``/proc/self/clear_refs``)
and after it the rise of the peak (VmHWM) over the resident set before the operation is taken as
its peak memory; times are of one call (imports and a warm-up call on 1,000 rows are made first).
``se vs R`` is the relative difference of the first standard error from R's.

Usage (from the repository root, with the peers installed in benchmarks/.venv)::

    benchmarks/.venv/bin/python benchmarks/bench_design.py --sizes 1e5 1e6 1e7 \\
        --out benchmarks/results/design.md
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261204
#: A worker whose processes hold more resident memory than this is stopped (shared machine).
MEMORY_CAP_GB = 12
N_STRATA, PSU_PER_STRATUM, N_REPS = 50, 20, 20
N_PSU = N_STRATA * PSU_PER_STRATUM
OPS = ["design", "mean", "total", "proportion", "domain mean", "crosstab", "Rao-Scott F",
       "rake + mean", "replicate design", "replicate mean", "replicate domain mean"]
#: Raking margins of ``rake + mean``: population shares of region (8) and sex (2).
REGION_SHARES = [0.20, 0.15, 0.14, 0.12, 0.11, 0.10, 0.09, 0.09]
SEX_SHARES = [0.54, 0.46]
RAKE_TOL = 1e-8
TOOLS = ["polls", "R survey", "svy", "samplics"]


# ---------------------------------------------------------------------------------------------
# data


def make_data(n: int) -> dict[str, np.ndarray]:
    """Seeded synthetic sample (see the module docstring)."""
    rng = np.random.default_rng(SEED)
    psu = np.sort(rng.integers(0, N_PSU, n)).astype(np.int32)
    u = rng.normal(0, 1, N_PSU)
    w = rng.uniform(0.5, 2.0, n) * (1 + (psu // PSU_PER_STRATUM) % 5)
    region = rng.integers(0, 8, n).astype(np.int8)
    p = np.exp(np.array([0.4, 0.2, 0.0, -0.3, -0.8]) + 0.3 * u[psu, None] * np.arange(5) / 4)
    p /= p.sum(axis=1, keepdims=True)
    vote = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).astype(np.int8)
    y = 50 + 5 * u[psu] + 2 * region + rng.normal(0, 10, n)
    sex = (rng.random(n) < 0.42 + 0.02 * (region % 3)).astype(np.int8)
    factors = rng.multinomial(PSU_PER_STRATUM - 1, [1 / PSU_PER_STRATUM] * PSU_PER_STRATUM,
                              size=(N_STRATA, N_REPS))  # (strata, reps, psus in stratum)
    factors = (factors.transpose(0, 2, 1).reshape(N_PSU, N_REPS) * PSU_PER_STRATUM
               / (PSU_PER_STRATUM - 1))
    return {"stratum": (psu // PSU_PER_STRATUM).astype(np.int32), "psu": psu, "w": w, "y": y,
            "vote": vote, "region": region, "sex": sex, "factors": factors}


def targets(total: float) -> dict:
    return {"region": {i: s * total for i, s in enumerate(REGION_SHARES)},
            "sex": {i: s * total for i, s in enumerate(SEX_SHARES)}}


def rep_columns(d: dict) -> np.ndarray:
    return d["factors"][d["psu"]] * d["w"][:, None]


# ---------------------------------------------------------------------------------------------
# the Python tools: setup(data) -> {op: callable returning the first SE}


def tool_polls(d, n):
    sys.path.insert(0, str(ROOT / "src"))
    import pandas as pd

    import polls

    df = pd.DataFrame({k: v for k, v in d.items() if k != "factors"})
    reps = rep_columns(d)
    for i in range(N_REPS):
        df[f"rw{i + 1}"] = reps[:, i]
    del reps
    names = [f"rw{i + 1}" for i in range(N_REPS)]
    st = {}

    def design():
        st["d"] = polls.SurveyDesign(df, strata="stratum", cluster="psu", weights="w")

    def rep_design():
        st["r"] = polls.ReplicateDesign(df, replicate_weights=names, weights="w",
                                        type="bootstrap")

    return {
        "design": design,
        "mean": lambda: st["d"].mean("y")["se"].iloc[0],
        "total": lambda: st["d"].total("y")["se"].iloc[0],
        "proportion": lambda: st["d"].proportion("vote")["se"].iloc[0],
        "domain mean": lambda: st["d"].mean("y", by="region")["se"].iloc[0],
        "crosstab": lambda: st["d"].crosstab("vote", "region")["se"].iloc[0],
        "Rao-Scott F": lambda: st["d"].chisq("vote", "region").statistic,
        "rake + mean": lambda: st["d"].rake(targets(d["w"].sum()), tol=RAKE_TOL, max_iter=1000)
        .mean("y")["se"].iloc[0],
        "replicate design": rep_design,
        "replicate mean": lambda: st["r"].mean("y")["se"].iloc[0],
        "replicate domain mean": lambda: st["r"].mean("y", by="region")["se"].iloc[0],
    }


def tool_svy(d, n):
    import polars as pl
    import svy

    reps = rep_columns(d)
    frame = pl.DataFrame({k: v for k, v in d.items() if k != "factors"}).with_columns(
        [pl.Series(f"rw{i + 1}", reps[:, i]) for i in range(N_REPS)])
    del reps
    st = {}

    def design():
        st["d"] = svy.Sample(data=frame, design=svy.Design(stratum="stratum", psu="psu",
                                                           wgt="w"))

    def rep_design():
        st["r"] = svy.Sample(data=frame, design=svy.Design(
            stratum="stratum", psu="psu", wgt="w",
            rep_wgts=svy.BootstrapWgts(prefix="rw", n_reps=N_REPS)))

    def first_se(est):
        e = est[0] if isinstance(est, list) else est
        return float(e.to_polars()["se"][0])

    def tab(test: bool):
        t = st["d"].categorical.tabulate("vote", "region")
        return float(t.stats.f.value) if test else float(t.estimates[0].se)

    return {
        "design": design,
        "mean": lambda: first_se(st["d"].estimation.mean("y")),
        "total": lambda: first_se(st["d"].estimation.total("y")),
        "proportion": lambda: first_se(st["d"].estimation.prop("vote")),
        "domain mean": lambda: first_se(st["d"].estimation.mean("y", by="region")),
        "crosstab": lambda: tab(False),
        "Rao-Scott F": lambda: tab(True),
        "rake + mean": lambda: first_se(st["d"].weighting.rake(
            controls=targets(float(d["w"].sum())), tol=RAKE_TOL, max_iter=1000)
            .estimation.mean("y")),
        "replicate design": rep_design,
        "replicate mean": lambda: first_se(st["r"].estimation.mean("y", method="replication")),
        "replicate domain mean": lambda: first_se(
            st["r"].estimation.mean("y", by="region", method="replication")),
    }


def tool_samplics(d, n):
    from samplics.categorical import CrossTabulation
    from samplics.estimation import ReplicateEstimator, TaylorEstimator
    from samplics.utils.types import PopParam, RepMethod

    reps = rep_columns(d)
    h, p, w, y = d["stratum"], d["psu"], d["w"], d["y"]

    def taylor(param, var, domain=None):
        e = TaylorEstimator(param)
        e.estimate(y=var, samp_weight=w, stratum=h, psu=p, domain=domain)
        se = e.stderror
        return float(next(iter(se.values())) if isinstance(se, dict) else se)

    def tab(test: bool):
        import pandas as pd

        t = CrossTabulation(PopParam.prop)
        t.tabulate(vars=pd.DataFrame({"vote": d["vote"], "region": d["region"]}),
                   samp_weight=w, stratum=h, psu=p, remove_nan=False)
        if test:
            return float(t.stats["Pearson-Adj"]["f_value"])
        return float(t.stderror["0"]["0"])

    def rep(domain=None):
        e = ReplicateEstimator(RepMethod.bootstrap, PopParam.mean)
        e.estimate(y=y, samp_weight=w, rep_weights=reps, domain=domain)
        se = e.stderror
        return float(next(iter(se.values())) if isinstance(se, dict) else se)

    def raked_mean():
        from samplics.weighting import SampleWeight

        tg = targets(float(w.sum()))
        rw = SampleWeight().rake(samp_weight=w, margins={"region": d["region"], "sex": d["sex"]},
                                 control=tg, tol=RAKE_TOL, max_iter=1000)
        e = TaylorEstimator(PopParam.mean)
        e.estimate(y=y, samp_weight=rw, stratum=h, psu=p)
        return float(e.stderror)

    return {
        "mean": lambda: taylor(PopParam.mean, y),
        "rake + mean": raked_mean,
        "total": lambda: taylor(PopParam.total, y),
        "proportion": lambda: taylor(PopParam.prop, d["vote"]),
        "domain mean": lambda: taylor(PopParam.mean, y, d["region"]),
        "crosstab": lambda: tab(False),
        "Rao-Scott F": lambda: tab(True),
        "replicate mean": rep,
        "replicate domain mean": lambda: rep(d["region"]),
    }


PY_TOOLS = {"polls": tool_polls, "svy": tool_svy, "samplics": tool_samplics}


def _status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def _trim() -> None:
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def worker(tool: str, n: int, wanted: list[str]) -> dict:
    import warnings

    warnings.simplefilter("ignore")
    small = PY_TOOLS[tool](make_data(1000), 1000)  # imports and first-call set-up, not timed
    for op in OPS:
        if op in small:
            try:
                small[op]()
            except Exception:  # reported by the timed call below
                pass
    del small
    ops = PY_TOOLS[tool](make_data(n), n)
    out = {}
    for op in OPS:
        if op not in ops or op not in wanted:
            continue
        _trim()
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        before = _status()["VmRSS"]
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            value = ops[op]()
        except Exception as exc:  # a peer that cannot run an operation: say so
            out[op] = {"error": f"{type(exc).__name__}: {str(exc)[:120]}"}
            print(json.dumps({op: out[op]}), flush=True)
            continue
        out[op] = {"time": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                   "peak_mb": (_status()["VmHWM"] - before) / 1024,
                   "value": None if value is None else float(value)}
        print(json.dumps({op: out[op]}), flush=True)
    return out


# ---------------------------------------------------------------------------------------------
# R

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; n <- as.integer(args[2]); npsu <- as.integer(args[3]); nrep <- as.integer(args[4])
wanted <- args[-(1:4)]
con <- file(path, "rb")
stratum <- readBin(con, "integer", n = n, size = 4)
psu <- readBin(con, "integer", n = n, size = 4)
w <- readBin(con, "double", n = n)
y <- readBin(con, "double", n = n)
vote <- factor(readBin(con, "integer", n = n, size = 1))
region <- factor(readBin(con, "integer", n = n, size = 1))
sex <- factor(readBin(con, "integer", n = n, size = 1))
factors <- matrix(readBin(con, "double", n = npsu * nrep), nrow = npsu, byrow = TRUE)
close(con)
df <- data.frame(stratum = stratum, psu = psu, w = w, y = y, vote = vote, region = region,
                 sex = sex)
repw <- factors[psu + 1, ] * w
rm(stratum, psu, w, y, vote, region, sex, factors); invisible(gc())
total <- sum(df$w)
pop_region <- data.frame(region = factor(0:7), Freq = c(%REGION%) * total)
pop_sex <- data.frame(sex = factor(0:1), Freq = c(%SEX%) * total)
status <- function(key) {
  s <- readLines("/proc/self/status")
  as.numeric(strsplit(trimws(sub(".*:", "", s[startsWith(s, key)])), " ")[[1]][1])
}
op <- function(name, expr) {
  if (!(name %in% wanted)) return(invisible(NULL))
  invisible(gc())
  writeLines("5", "/proc/self/clear_refs")
  before <- status("VmRSS:")
  value <- NA
  t <- system.time(value <- tryCatch(eval.parent(substitute(expr)), error = function(e) NA))
  cat(sprintf('{"%s": {"time": %.6f, "cpu": %.6f, "peak_mb": %.3f, "value": %s}}\n',
              name, t[["elapsed"]], t[["user.self"]] + t[["sys.self"]],
              (status("VmHWM:") - before) / 1024,
              if (is.na(value)) "null" else sprintf("%.17g", value)))
  flush(stdout())
}
op("design", {d <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = df); 0})
op("mean", SE(svymean(~y, d))[1])
op("total", SE(svytotal(~y, d))[1])
op("proportion", SE(svymean(~vote, d))[1])
op("domain mean", SE(svyby(~y, ~region, d, svymean))[1])
op("crosstab", SE(svymean(~interaction(vote, region), d))[1])
op("Rao-Scott F", svychisq(~vote + region, d)$statistic)
op("rake + mean", SE(svymean(~y, rake(d, list(~region, ~sex), list(pop_region, pop_sex),
                                      control = list(maxit = 1000, epsilon = %TOL% * total))))[1])
op("replicate design", {r <- svrepdesign(data = df, repweights = repw, weights = ~w,
                                        type = "bootstrap", combined.weights = TRUE); 0})
op("replicate mean", SE(svymean(~y, r))[1])
op("replicate domain mean", SE(svyby(~y, ~region, r, svymean))[1])
"""


def r_worker(n: int, timeout: float, ops: list[str]) -> dict:
    d = make_data(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.bin"
        with open(path, "wb") as fh:
            for key, dtype in (("stratum", np.int32), ("psu", np.int32), ("w", np.float64),
                               ("y", np.float64), ("vote", np.int8), ("region", np.int8),
                               ("sex", np.int8), ("factors", np.float64)):
                fh.write(np.ascontiguousarray(d[key], dtype=dtype).tobytes())
        del d
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.replace("%REGION%", ", ".join(map(str, REGION_SHARES)))
                          .replace("%SEX%", ", ".join(map(str, SEX_SHARES)))
                          .replace("%TOL%", repr(RAKE_TOL)))
        return run_one(["Rscript", str(script), str(path), str(n), str(N_PSU), str(N_REPS),
                        *ops], timeout)


def _tree_rss_kb(pid: int) -> int:
    """Resident set of a process and its descendants, in kB (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next((int(x.split()[1]) for x in fh if x.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run_one(cmd: list[str], timeout: float) -> dict:
    """Run a worker; stop it past ``timeout`` s or ``MEMORY_CAP_GB`` of resident memory (the
    machine is shared), keeping the operations it finished (one JSON line each)."""
    import threading

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    errors: list[str] = []
    readers = [threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True),
               threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)]
    for t in readers:
        t.start()
    start, stopped = time.perf_counter(), None
    while proc.poll() is None:
        if time.perf_counter() - start > timeout:
            stopped = f"capped: stopped after {timeout:.0f} s"
        elif _tree_rss_kb(proc.pid) > MEMORY_CAP_GB * 1024 * 1024:
            stopped = f"stopped: resident memory above {MEMORY_CAP_GB} GB"
        if stopped:
            proc.kill()
            break
        time.sleep(0.2)
    proc.wait()
    for t in readers:
        t.join(timeout=5)
    out = {}
    for line in lines:
        try:
            out.update(json.loads(line))
        except ValueError:
            continue
    if stopped or proc.returncode != 0:
        reason = stopped or f"failed (exit {proc.returncode}): " + (
            (errors[-1].strip() if errors else "?")[:160])
        out["error"] = reason
    return out


# ---------------------------------------------------------------------------------------------
# driver and table


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in ["numpy", "pandas", "scipy", "polars", "samplics", "svy"]:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} not installed")
    try:
        r = subprocess.run(["Rscript", "-e", 'cat(R.version.string, "survey", '
                            'format(packageVersion("survey")))'], capture_output=True, text=True,
                           timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        r = "R not available"
    return ", ".join(parts) + "; " + r


#: samplics 0.6.1 breaks on polars 2 (its crosstab builds a frame polars 2 rejects) and svy
#: needs polars 2, so samplics runs from its own environment when there is one.
SAMPLICS_PYTHON = ROOT / "benchmarks" / ".venv-samplics" / "bin" / "python"


def measure(tool: str, n: int, timeout: float, ops: list[str]) -> dict:
    ops = _with_prerequisites(ops)
    if tool == "R survey":
        return r_worker(n, timeout, ops)
    python = SAMPLICS_PYTHON if tool == "samplics" and SAMPLICS_PYTHON.exists() else sys.executable
    return run_one([str(python), __file__, "--worker", tool, str(n), "--ops", *ops], timeout)


def _with_prerequisites(ops: list[str]) -> list[str]:
    need = set(ops)
    if need & {"mean", "total", "proportion", "domain mean", "crosstab", "Rao-Scott F",
               "rake + mean"}:
        need.add("design")
    if need & {"replicate mean", "replicate domain mean"}:
        need.add("replicate design")
    return [op for op in OPS if op in need]


def table(n: int, res: dict, ops: list[str] = OPS, title: str = "") -> list[str]:
    lines = [f"## N = {n:,}{title}", "",
             "| operation | tool | time (s) | cpu (s) | x polls time | x polls cpu | peak MB "
             "| se vs R |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for op in OPS:
        base = res.get("polls", {}).get(op, {})
        ref = res.get("R survey", {}).get(op, {})
        for tool in TOOLS:
            r = res.get(tool, {})
            if tool == "samplics" and op in ("design", "replicate design"):
                lines.append(f"| {op} | {tool} | (no such operation) | | | | | |")
                continue
            if op not in ops:
                continue
            if "error" in r and op not in r:
                lines.append(f"| {op} | {tool} | not run: {r['error']} | | | | | |")
                continue
            cell = r.get(op)
            if cell is None:
                lines.append(f"| {op} | {tool} | (no such operation) | | | | | |")
                continue
            if "error" in cell:
                lines.append(f"| {op} | {tool} | {cell['error']} | | | | | |")
                continue
            ratio = (f"{cell['time'] / base['time']:.2f}" if base.get("time") else "")
            cpu = (f"{cell['cpu'] / base['cpu']:.2f}" if base.get("cpu") else "")
            diff = ""
            if ref.get("value") and cell.get("value") is not None and op not in (
                    "design", "replicate design"):
                diff = f"{abs(cell['value'] / ref['value'] - 1):.1e}"
            lines.append(f"| {op} | {tool} | {cell['time']:.3f} | {cell['cpu']:.3f} | {ratio} | "
                         f"{cpu} | {cell['peak_mb']:.0f} | {diff} |")
    return lines + [""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["1e5", "1e6"])
    ap.add_argument("--tools", nargs="+", default=TOOLS)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--json", type=Path, help="also keep the raw results here (appended)")
    ap.add_argument("--ops", nargs="+", default=OPS, choices=OPS,
                    help="operations to run (a design the others need is always built)")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.ops)  # prints a line per operation
        return
    lines = [
        "# Design-based estimates: polls against R survey, samplics and svy",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on {platform.machine()} "
        f"{platform.system()}, 2 cores shared with other work, Python "
        f"{platform.python_version()}.",
        f"Versions: {versions()}.",
        "",
        "Command (from the repository root):",
        "",
        "```",
        "benchmarks/.venv/bin/python benchmarks/bench_design.py " + " ".join(
            ["--sizes", *args.sizes, "--out", str(args.out)]
            + ([] if args.ops == OPS else ["--ops", *args.ops])),
        "```",
        "",
        "Synthetic, seeded data and the operations: see the docstring of "
        "`benchmarks/bench_design.py`. One call per operation, in seconds: `time` on the wall "
        "clock, `cpu` of the process (all threads; steadier than the wall clock on a shared "
        "machine, but it charges a multi-threaded tool for every thread); `x polls`: the "
        "tool's time over polls' (above 1: polls is faster); `peak MB`: rise of the peak "
        "resident set during the call; `se vs R`: relative difference of the first standard "
        "error (or of the F statistic) from R's. svy and samplics compute the test with their "
        "crosstab, so their two rows repeat one call; samplics 0.6.1 returns an adjusted F of 0 "
        "(its design-effect matrix is left at zero), hence its `se vs R` of 1 there. The "
        "bootstrap replicate SEs of svy and samplics use their own scale conventions. samplics "
        "runs from `benchmarks/.venv-samplics` (polars 1.x: its crosstab fails on polars 2, "
        "which svy needs).",
        "",
    ]
    raw = {}
    for size in args.sizes:
        n = int(float(size))
        res = {}
        for tool in args.tools:
            print(f"N={n:,} {tool} ...", file=sys.stderr, flush=True)
            res[tool] = measure(tool, n, args.timeout, args.ops)
        raw[n] = res
        lines += table(n, res, _with_prerequisites(args.ops))
        if args.json:
            with open(args.json, "a") as fh:
                fh.write(json.dumps({"n": n, "results": res}) + "\n")
    text = "\n".join(lines)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
