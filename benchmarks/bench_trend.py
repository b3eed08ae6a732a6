"""Speed of polls.poll_average against statsmodels' Kalman smoother on the same model.

Synthetic, seeded series: waves every 10 minutes (distinct dates, so one state per wave),
a random-walk trend, constant house effects for 3 or 10 pollsters, n = 1,500 per wave.

- polls, fixed: ``polls.poll_average(frame, response=..., process_sd=<true value>, freq=None)``,
  the whole public call (toplines frame in; trend, house effects and waves frames out;
  smoothed and filtered values).
- polls, ML: the same with ``process_sd`` estimated by maximum likelihood.
- statsmodels: ``MLEModel`` with the same local-level state plus the house effects as constant
  states (sum-to-zero contrasts), time-varying observation variances and exact diffuse
  initialisation, variances known; ``ssm.smooth()`` on arrays prepared beforehand (not timed),
  and, in a second column, the model built from the same frame and smoothed (timed together).
  Runs projected to take more than 60 s, or to hold more than 2 GB of state covariances, are not
  run: the table gives the time projected linearly from the largest size run.

Times are medians of several runs, over several rounds (the machine is shared; medians move less
than minima).

Run: ``.venv/bin/python benchmarks/bench_trend.py`` (writes benchmarks/results/trend.md);
``--out FILE`` writes elsewhere, ``--no-statsmodels`` times polls only, ``--sizes 1000,100000``
runs some sizes only, ``--rounds N`` sets the number of rounds (3).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import polls

SIZES = (1_000, 100_000, 1_000_000)
POLLSTERS = (3, 10)
PROCESS_SD = 0.002  # per day
STATSMODELS_CAP = 60.0  # seconds
ROUNDS = 3
#: statsmodels keeps several k x k covariance matrices per wave (filtered, predicted, smoothed,
#: ...); runs needing more than this many bytes for them are not run on a shared machine.
STATSMODELS_MEMORY_CAP = 2e9
OUT = Path(__file__).parent / "results" / "trend.md"


def synthetic(n_waves: int, k: int, seed: int):
    rng = np.random.default_rng(seed)
    step_days = 600 / 86_400  # 10 minutes
    dates = pd.Timestamp("2000-01-01") + pd.to_timedelta(np.arange(n_waves) * 600, unit="s")
    group = rng.integers(0, k, n_waves)
    trend = 0.5 + np.cumsum(rng.normal(0, PROCESS_SD * np.sqrt(step_days), n_waves))
    house = rng.normal(0, 0.02, k)
    house -= house.mean()
    size = 1500
    share = np.clip(trend + house[group] + rng.normal(0, np.sqrt(0.25 / size), n_waves), 0, 1)
    names = np.array([f"pollster-{i:02d}" for i in range(k)])
    frame = pd.DataFrame(
        {
            "pollster": pd.Categorical(names[group]),
            "fieldwork_end": dates,
            "response": pd.Categorical(np.full(n_waves, "approve")),
            "share": share,
            "sample_size": np.full(n_waves, size),
        }
    )
    return frame, group, share, step_days


def median_of(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def repeats(n_waves: int) -> int:
    return 21 if n_waves <= 10_000 else 5


def statsmodels_from_frame(frame):
    """The statsmodels model built from the toplines frame (as a user would), then smoothed."""
    frame = frame.sort_values("fieldwork_end", kind="stable")
    group = frame["pollster"].cat.codes.to_numpy()
    k = len(frame["pollster"].cat.categories)
    share = frame["share"].to_numpy(dtype=float)
    days = (frame["fieldwork_end"] - frame["fieldwork_end"].iloc[0]) / pd.Timedelta(days=1)
    step_days = float(np.diff(days.to_numpy()).mean())
    n_eff = frame["sample_size"].to_numpy(dtype=float)
    return statsmodels_model(share, group, k, step_days, n_eff=n_eff).ssm.smooth()


def statsmodels_model(share, group, k, step_days, n_eff=1500.0):
    from statsmodels.tsa.statespace.mlemodel import MLEModel

    n = len(share)
    contrast = np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])
    p = (n_eff * share + 2) / (n_eff + 4)
    s2 = p * (1 - p) / n_eff  # the variance polls uses for each wave
    mod = MLEModel(share, k_states=k, k_posdef=1)
    design = np.zeros((1, k, n))
    design[0, 0] = 1.0
    design[0, 1:] = contrast[group].T
    mod.ssm["design"] = design
    mod.ssm["obs_cov"] = s2.reshape(1, 1, n)
    mod.ssm["transition"] = np.eye(k)
    sel = np.zeros((k, 1))
    sel[0, 0] = 1.0
    mod.ssm["selection"] = sel
    mod.ssm["state_cov"] = np.full((1, 1, 1), PROCESS_SD**2 * step_days)
    mod.ssm.initialize_diffuse()
    return mod


def measure(k: int, n_waves: int, with_statsmodels: bool, sm_cells: dict) -> dict:
    """One round of timings for one size: polls always, statsmodels where asked and feasible."""
    frame, group, share, step_days = synthetic(n_waves, k, seed=n_waves + k)
    repeat = repeats(n_waves)

    def fixed():
        return polls.poll_average(frame, response="approve", process_sd=PROCESS_SD, freq=None)

    def estimated():
        return polls.poll_average(frame, response="approve", freq=None)

    fixed()  # first calls: imports and page faults are not timed
    estimated()
    out = {"fixed": median_of(fixed, repeat), "ml": median_of(estimated, repeat)}
    out["sd_ratio"] = estimated().process_sd / PROCESS_SD
    if with_statsmodels:
        check = fixed()
        mod = statsmodels_model(share, group, k, step_days)
        sm_repeat = repeat if n_waves <= 10_000 else (3 if n_waves <= 100_000 else 2)
        out["sm"] = median_of(mod.ssm.smooth, sm_repeat)
        res = mod.ssm.smooth()
        sm_cells["diff"] = float(np.max(np.abs(res.smoothed_state[0] - check.trend["estimate"])))
        del mod, res
        out["build"] = median_of(lambda: statsmodels_from_frame(frame), sm_repeat)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the table")
    parser.add_argument("--no-statsmodels", action="store_true", help="time polls only")
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES),
                        help="numbers of waves, comma-separated")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help="rounds over all sizes; each cell reports the median over rounds")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    cells = {(k, n): {} for k in POLLSTERS for n in sizes}
    times: dict[tuple[int, int], dict[str, list[float]]] = {key: {} for key in cells}
    per_wave_sm: dict[int, float] = {}
    for round_ in range(args.rounds):
        for k in POLLSTERS:
            for n_waves in sizes:
                key = (k, n_waves)
                projected = per_wave_sm.get(k, 0.0) * n_waves
                memory = 8 * 8 * k * k * n_waves  # about 8 arrays of k x k doubles per wave
                feasible = projected <= STATSMODELS_CAP and memory <= STATSMODELS_MEMORY_CAP
                cells[key].update(projected=projected, memory=memory, feasible=feasible)
                # statsmodels at a million waves: the first round only (minutes otherwise)
                with_sm = (not args.no_statsmodels and feasible
                           and (round_ == 0 or n_waves <= 100_000))
                got = measure(k, n_waves, with_sm, cells[key])
                for name, value in got.items():
                    times[key].setdefault(name, []).append(value)
                if "sm" in got and round_ == 0:
                    per_wave_sm[k] = got["sm"] / n_waves
                print(round_, key, {name: f"{v:.4f}" for name, v in got.items()}, flush=True)
    rows = []
    for (k, n_waves), cell in cells.items():
        med = {name: statistics.median(v) for name, v in times[(k, n_waves)].items()}
        t_fixed, t_ml = med["fixed"], med["ml"]
        row = {
            "waves": f"{n_waves:,}",
            "pollsters": k,
            "polls fixed sd (s)": f"{t_fixed:.4f}",
            "polls ML sd (s)": f"{t_ml:.4f}",
        }
        if "sm" in med:
            t_sm = med["sm"]
            row.update({
                "statsmodels smoother, fixed sd (s)": f"{t_sm:.4f}",
                "statsmodels model from the frame + smoother (s)": f"{med['build']:.4f}",
                "statsmodels smoother / polls fixed": f"{t_sm / t_fixed:.1f}x",
                "statsmodels smoother / polls ML": f"{t_sm / t_ml:.1f}x",
                "note": f"max abs diff of smoothed trend {cell['diff']:.1e}",
            })
        elif not args.no_statsmodels and any(
            "sm" in times[(kk, n)] for (kk, n) in cells if kk == k
        ):
            # projected from the median statsmodels time at the largest size run for this k
            base = max(n for (kk, n) in cells if kk == k and "sm" in times[(kk, n)])
            per_wave_sm[k] = statistics.median(times[(k, base)]["sm"]) / base
            projected, memory = per_wave_sm[k] * n_waves, cell["memory"]
            row.update({
                "statsmodels smoother, fixed sd (s)": f"not run (projected {projected:.0f})",
                "statsmodels model from the frame + smoother (s)": "not run",
                "statsmodels smoother / polls fixed": f"~{projected / t_fixed:.0f}x (projected)",
                "statsmodels smoother / polls ML": f"~{projected / t_ml:.0f}x (projected)",
                "note": (f"projected from {per_wave_sm[k] * 1e6:.1f} s per million at "
                         f"{base:,}; would hold about {memory / 1e9:.0f} GB of covariances"),
            })
        row["ML sd / true sd"] = f"{med['sd_ratio']:.3f}"
        rows.append(row)
    table = pd.DataFrame(rows)
    table = table[[c for c in table.columns if c != "note"] + ["note"] * ("note" in table)]
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = "\n".join("| " + " | ".join(str(v) for v in r) + " |" for r in table.to_numpy())
    import scipy
    import statsmodels

    text = f"""# Trend benchmark: polls.poll_average vs statsmodels' Kalman smoother

Command: `.venv/bin/python benchmarks/bench_trend.py` (from the repository root).

Synthetic seeded series: one wave every 10 minutes (distinct dates, one state per wave), a random
walk with process sd {PROCESS_SD} per day, constant house effects summing to zero, n = 1,500.
Times are wall-clock seconds: in each of {args.rounds} rounds over all sizes, the median of 21 runs
at 1,000 waves and of 5 runs at 100,000 and 1,000,000 waves for polls (statsmodels: 21, 3 and 2
runs, at 1,000,000 waves in the first round only); the table shows the median over the rounds.

- *polls fixed sd*: the whole public call `polls.poll_average(frame, response="approve",
  process_sd=..., freq=None)`, frame in, smoothed and filtered trend, house effects and
  per-wave frames out.
- *polls ML sd*: the same, with the process sd estimated by maximum likelihood.
- *statsmodels smoother*: `MLEModel` with the trend and the house effects as states (the same
  model, exact diffuse initialisation, known variances), `ssm.smooth()` only (model set up
  beforehand, not timed). Its smoothed trend is compared with polls' in the note column. The
  ratios use this column, the strictest comparison.
- *statsmodels model from the frame + smoother*: the same, timing also what a user of
  statsmodels does with the same frame (arrays from the columns, sampling variances, the model
  matrices) before smoothing.

Runs projected beyond {STATSMODELS_CAP:.0f} s or beyond {STATSMODELS_MEMORY_CAP / 1e9:.0f} GB of
state covariances are not run and show the time projected from linear scaling.

{header}
{rule}
{body}

Machine: {platform.machine()}, {os.cpu_count()} cores, shared with other jobs while this ran
(timings vary by tens of percent between runs); Python {sys.version.split()[0]}, numpy
{np.__version__}, scipy {scipy.__version__}, pandas {pd.__version__}, statsmodels
{statsmodels.__version__}.
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
