"""Speed of polls.poll_average against statsmodels' Kalman smoother on the same model.

Synthetic, seeded series: waves every 10 minutes (distinct dates, so one state per wave),
a random-walk trend, constant house effects for 3 or 10 pollsters, n = 1,500 per wave.

- polls, fixed: ``polls.poll_average(frame, response=..., process_sd=<true value>, freq=None)``,
  the whole public call (toplines frame in; trend, house effects and waves frames out;
  smoothed and filtered values).
- polls, ML: the same with ``process_sd`` estimated by maximum likelihood.
- statsmodels: ``MLEModel`` with the same local-level state plus the house effects as constant
  states (sum-to-zero contrasts), time-varying observation variances and exact diffuse
  initialisation, variances known; ``ssm.smooth()`` on arrays prepared beforehand (not timed).
  Runs projected to take more than 60 s, or to hold more than 2 GB of state covariances, are not
  run: the table gives the time projected from the linear scaling seen at 100,000 waves.

Run: ``.venv/bin/python benchmarks/bench_trend.py`` (writes benchmarks/results/trend.md).
"""

from __future__ import annotations

import os
import platform
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


def best_of(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def statsmodels_model(share, group, k, step_days):
    from statsmodels.tsa.statespace.mlemodel import MLEModel

    n = len(share)
    contrast = np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])
    n_eff = 1500.0
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


def main() -> None:
    rows = []
    per_wave_sm: dict[int, float] = {}
    for k in POLLSTERS:
        for n_waves in SIZES:
            frame, group, share, step_days = synthetic(n_waves, k, seed=n_waves + k)
            repeat = 5 if n_waves <= 100_000 else 2

            def fixed(frame=frame):
                return polls.poll_average(frame, response="approve", process_sd=PROCESS_SD,
                                          freq=None)

            def estimated(frame=frame):
                return polls.poll_average(frame, response="approve", freq=None)

            fixed()  # first call: imports and page faults are not timed
            t_fixed = best_of(fixed, repeat)
            t_ml = best_of(estimated, repeat)
            fit = estimated()
            check = fixed()
            mod = statsmodels_model(share, group, k, step_days)
            projected = per_wave_sm.get(k, 0.0) * n_waves
            memory = 8 * 8 * k * k * n_waves  # about 8 arrays of k x k doubles per wave
            if projected <= STATSMODELS_CAP and memory <= STATSMODELS_MEMORY_CAP:
                t_sm = best_of(mod.ssm.smooth, 1 if n_waves > 100_000 else 3)
                res = mod.ssm.smooth()
                diff = float(np.max(np.abs(res.smoothed_state[0] - check.trend["estimate"])))
                per_wave_sm[k] = t_sm / n_waves
                sm_text, note = f"{t_sm:.3f}", f"max abs diff of smoothed trend {diff:.1e}"
                ratio = f"{t_sm / t_fixed:.1f}x"
                ratio_ml = f"{t_sm / t_ml:.1f}x"
            else:
                sm_text = f"not run (projected {projected:.0f})"
                note = (f"projected from {per_wave_sm[k] * 1e6:.1f} s per million at 100,000; "
                        f"would hold about {memory / 1e9:.0f} GB of covariances")
                ratio = f"~{projected / t_fixed:.0f}x (projected)"
                ratio_ml = f"~{projected / t_ml:.0f}x (projected)"
            rows.append(
                {
                    "waves": f"{n_waves:,}",
                    "pollsters": k,
                    "polls fixed sd (s)": f"{t_fixed:.3f}",
                    "polls ML sd (s)": f"{t_ml:.3f}",
                    "statsmodels smoother, fixed sd (s)": sm_text,
                    "statsmodels / polls fixed": ratio,
                    "statsmodels / polls ML": ratio_ml,
                    "ML sd / true sd": f"{fit.process_sd / PROCESS_SD:.3f}",
                    "note": note,
                }
            )
            print(rows[-1], flush=True)
            del mod, frame
    table = pd.DataFrame(rows)
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = "\n".join("| " + " | ".join(str(v) for v in r) + " |" for r in table.to_numpy())
    import scipy
    import statsmodels

    text = f"""# Trend benchmark: polls.poll_average vs statsmodels' Kalman smoother

Command: `.venv/bin/python benchmarks/bench_trend.py` (from the repository root).

Synthetic seeded series: one wave every 10 minutes (distinct dates, one state per wave), a random
walk with process sd {PROCESS_SD} per day, constant house effects summing to zero, n = 1,500.
Times are wall-clock seconds, best of 5 runs (2 at 1,000,000 waves); statsmodels once at
1,000,000 waves.

- *polls fixed sd*: the whole public call `polls.poll_average(frame, response="approve",
  process_sd=..., freq=None)`, frame in, smoothed and filtered trend, house effects and
  per-wave frames out.
- *polls ML sd*: the same, with the process sd estimated by maximum likelihood.
- *statsmodels*: `MLEModel` with the trend and the house effects as states (the same model,
  exact diffuse initialisation, known variances), `ssm.smooth()` only (model set up beforehand,
  not timed). Its smoothed trend is compared with polls' in the last column. Runs projected
  beyond {STATSMODELS_CAP:.0f} s or beyond {STATSMODELS_MEMORY_CAP / 1e9:.0f} GB of state
  covariances are not run and show the time projected from linear scaling.

{header}
{rule}
{body}

Machine: {platform.machine()}, {os.cpu_count()} cores, shared with other jobs while this ran
(timings vary by tens of percent between runs); Python {sys.version.split()[0]}, numpy
{np.__version__}, scipy {scipy.__version__}, pandas {pd.__version__}, statsmodels
{statsmodels.__version__}.
"""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
