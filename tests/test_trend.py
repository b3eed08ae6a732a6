"""Tests of polls.trend (smooth_trend, poll_average) and its banded engine.

References:
- exact posterior of the same Gaussian model by dense linear algebra (numpy.linalg on the full
  joint precision built from the observation-level design matrix), including house effects,
  irregular spacing, several waves on one date and grid dates without waves;
- the exact diffuse likelihood by generalised least squares on the marginal covariance of y;
- statsmodels' state-space Kalman filter and smoother (MLEModel with exact diffuse
  initialisation, time-varying observation variance) and UnobservedComponents("llevel");
- statsmodels.nonparametric.lowess (it=0) for method="loess".
All data are synthetic and seeded.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import polls
from polls import _banded
from polls.errors import InvalidArgumentError

DAY = pd.Timedelta(days=1)


# ------------------------------------------------------------------------------------------
# dense references


def dense_posterior(times, y, s2, group, contrast, sigma2, extra_times=()):
    """Posterior of (x at the unique times and extra_times, eta) by dense linear algebra."""
    all_t = np.unique(np.concatenate([times, np.asarray(extra_times, dtype=float)]))
    T = len(all_t)
    q = contrast.shape[1]
    state = np.searchsorted(all_t, times)
    N = len(y)
    X = np.zeros((N, T + q))
    X[np.arange(N), state] = 1.0
    if q:
        X[:, T:] = contrast[group]
    D = np.zeros((T - 1, T))
    D[np.arange(T - 1), np.arange(T - 1)] = -1.0
    D[np.arange(T - 1), np.arange(1, T)] = 1.0
    prior = np.zeros((T + q, T + q))
    prior[:T, :T] = D.T @ np.diag(1.0 / (sigma2 * np.diff(all_t))) @ D
    S = np.diag(1.0 / s2)
    omega = X.T @ S @ X + prior
    V = np.linalg.inv(omega)
    mu = V @ (X.T @ S @ y)
    return all_t, mu, V


def dense_filtered(times, y, s2, group, contrast, sigma2, eta):
    """Filtered mean/var of x at each unique time given waves up to it, offsets fixed at eta."""
    ut = np.unique(times)
    adj = y - (contrast[group] @ eta if contrast.shape[1] else 0.0)
    means, variances = [], []
    for t in ut:
        keep = times <= t
        _, mu, V = dense_posterior(
            times[keep], adj[keep], s2[keep], group[keep], np.zeros((1, 0)), sigma2
        )
        means.append(mu[-1])
        variances.append(V[-1, -1])
    return np.array(means), np.array(variances)


def dense_loglike(times, y, s2, group, contrast, sigma2):
    """Diffuse log-likelihood: y = X0 theta0 + v, flat prior on theta0 = (x at t0, eta)."""
    ut, state = np.unique(times, return_inverse=True)
    t_rel = ut - ut[0]
    cov_x = sigma2 * np.minimum.outer(t_rel, t_rel)  # random walk started at 0 at ut[0]
    N = len(y)
    sig = np.diag(s2) + cov_x[np.ix_(state, state)]
    x0 = np.column_stack([np.ones(N)] + ([contrast[group]] if contrast.shape[1] else []))
    si = np.linalg.inv(sig)
    f = x0.T @ si @ x0
    r = x0.T @ si @ y
    quad = y @ si @ y - r @ np.linalg.solve(f, r)
    n_free = N - x0.shape[1]
    return -0.5 * (
        n_free * math.log(2 * math.pi)
        + np.linalg.slogdet(sig)[1]
        + np.linalg.slogdet(f)[1]
        + quad
    )


def sum_to_zero(k):
    return np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])


def make_frame(days, shares, n, pollsters=None, start="2020-01-01", response="approve"):
    frame = pd.DataFrame(
        {
            "fieldwork_end": pd.Timestamp(start) + pd.to_timedelta(np.asarray(days), unit="D"),
            "response": response,
            "share": shares,
            "sample_size": pd.array(np.asarray(n), dtype="Int64"),
        }
    )
    if pollsters is not None:
        frame.insert(0, "pollster", pollsters)
    return frame


def sampling_var(share, n, deff=1.0):
    """The documented per-wave variance: Agresti-Coull adjusted p, p(1-p)/n_eff."""
    ne = np.asarray(n, dtype=float) / deff
    p = (ne * np.asarray(share) + 2) / (ne + 4)
    return p * (1 - p) / ne


@pytest.fixture
def irregular():
    rng = np.random.default_rng(11)
    days = np.array([0, 3, 3, 10, 31, 45, 45, 46, 90, 120, 121, 200, 260, 261, 300], float)
    pollster = np.array(list("ABCABCABACBCABC"))
    shares = np.round(0.6 + rng.normal(0, 0.03, len(days)), 3)
    n = rng.integers(800, 2000, len(days))
    return days, pollster, shares, n


# ------------------------------------------------------------------------------------------
# exactness against dense linear algebra


def test_engine_matches_dense_with_house_effects(irregular):
    days, pollster, shares, n = irregular
    s2 = sampling_var(shares, n)
    codes, labels = pd.factorize(pollster, sort=True)
    C = sum_to_zero(len(labels))
    sigma2 = 3e-6
    ut, state = np.unique(days, return_inverse=True)
    design = _banded.make_design(state, np.diff(ut), shares, s2, codes, C)
    post = _banded.posterior(design, sigma2)
    _, mu, V = dense_posterior(days, shares, s2, codes, C, sigma2)
    T = len(ut)
    np.testing.assert_allclose(post.mean, mu[:T], rtol=0, atol=1e-12)
    np.testing.assert_allclose(post.var, np.diag(V)[:T], rtol=1e-10)
    np.testing.assert_allclose(post.cov_next, np.diag(V, 1)[: T - 1], rtol=1e-9)
    np.testing.assert_allclose(post.offsets, C @ mu[T:], atol=1e-12)
    np.testing.assert_allclose(post.offsets_cov, C @ V[T:, T:] @ C.T, rtol=1e-9, atol=1e-15)
    fm, fv = dense_filtered(days, shares, s2, codes, C, sigma2, mu[T:])
    np.testing.assert_allclose(post.filtered_mean, fm, atol=1e-12)
    np.testing.assert_allclose(post.filtered_var, fv, rtol=1e-10)
    assert post.loglike == pytest.approx(dense_loglike(days, shares, s2, codes, C, sigma2),
                                         rel=1e-11)


def test_poll_average_frame_matches_dense_including_grid(irregular):
    days, pollster, shares, n = irregular
    frame = make_frame(days, shares, n, pollster)
    sd = 0.0017
    avg = polls.poll_average(frame, response="approve", process_sd=sd, freq="MS",
                             confidence_level=0.9)
    s2 = sampling_var(shares, n)
    codes, labels = pd.factorize(pollster, sort=True)
    C = sum_to_zero(len(labels))
    trend = avg.trend
    t = ((trend["date"] - pd.Timestamp("2020-01-01")) / DAY).to_numpy()
    all_t, mu, V = dense_posterior(days, shares, s2, codes, C, sd**2, extra_times=t)
    pos = np.searchsorted(all_t, t)
    np.testing.assert_allclose(trend["estimate"], mu[pos], atol=1e-12)
    np.testing.assert_allclose(trend["se"], np.sqrt(np.diag(V)[pos]), rtol=1e-9)
    z = 1.6448536269514722  # scipy.stats.norm.ppf(0.95)
    np.testing.assert_allclose(trend["ci_high"] - trend["estimate"], z * trend["se"], rtol=1e-12)
    # grid dates are month starts between the first and the last wave, plus every wave date
    grid = pd.date_range("2020-01-01", "2020-10-27", freq="MS")
    assert set(trend["date"]) == set(grid) | set(frame["fieldwork_end"])
    assert trend["is_wave"].sum() == len(np.unique(days))
    assert trend["n_waves"].sum() == len(days)
    he = avg.house_effects.set_index("pollster")
    T = len(all_t)
    np.testing.assert_allclose(he.loc[labels, "estimate"], C @ mu[T:], atol=1e-12)
    np.testing.assert_allclose(he.loc[labels, "se"], np.sqrt(np.diag(C @ V[T:, T:] @ C.T)),
                               rtol=1e-9)
    assert he["estimate"].sum() == pytest.approx(0, abs=1e-14)
    assert list(he["n_waves"]) == [5, 5, 5]
    # filtered at a grid date: last filtered state plus the walk's variance since then
    _, mu_w, _ = dense_posterior(days, shares, s2, codes, C, sd**2)
    fm, fv = dense_filtered(days, shares, s2, codes, C, sd**2, mu_w[len(np.unique(days)):])
    ut = np.unique(days)
    last = np.searchsorted(ut, t, side="right") - 1
    np.testing.assert_allclose(trend["filtered_estimate"], fm[last], atol=1e-12)
    np.testing.assert_allclose(trend["filtered_se"] ** 2, fv[last] + sd**2 * (t - ut[last]),
                               rtol=1e-10)


def test_reference_pollster_anchors_and_keeps_fit(irregular):
    days, pollster, shares, n = irregular
    frame = make_frame(days, shares, n, pollster)
    zero = polls.poll_average(frame, response="approve", process_sd=0.002, freq=None)
    ref = polls.poll_average(frame, response="approve", process_sd=0.002, freq=None,
                             reference="B")
    hz = zero.house_effects.set_index("pollster")["estimate"]
    hr = ref.house_effects.set_index("pollster")
    assert hr.loc["B", "estimate"] == 0 and hr.loc["B", "se"] == 0
    np.testing.assert_allclose(hr["estimate"], hz - hz["B"], atol=1e-12)
    # same fitted values: trend + house effect does not depend on the constraint
    np.testing.assert_allclose(zero.waves["trend"] + zero.waves["house_effect"],
                               ref.waves["trend"] + ref.waves["house_effect"], atol=1e-12)
    # the diffuse likelihood depends on the parametrisation of the offsets only by a constant,
    # so the maximum-likelihood process_sd is the same
    other = {r: polls.poll_average(frame, response="approve", process_sd=0.004, freq=None,
                                   reference=r).loglike for r in (None, "B")}
    assert zero.loglike - ref.loglike == pytest.approx(other[None] - other["B"], abs=1e-9)
    ml = [polls.poll_average(frame, response="approve", reference=r).process_sd
          for r in (None, "B")]
    assert ml[0] == pytest.approx(ml[1], rel=1e-9)


def test_likelihood_matches_dense_and_ml_is_the_maximum(irregular):
    days, pollster, shares, n = irregular
    s2 = sampling_var(shares, n)
    codes, labels = pd.factorize(pollster, sort=True)
    C = sum_to_zero(len(labels))
    ut, state = np.unique(days, return_inverse=True)
    design = _banded.make_design(state, np.diff(ut), shares, s2, codes, C)
    for sigma2 in (1e-8, 1e-6, 1e-4):
        assert _banded.loglike(design, sigma2) == pytest.approx(
            dense_loglike(days, shares, s2, codes, C, sigma2), rel=1e-9, abs=1e-7)
    sigma2, ll, _, _ = _banded.fit_sigma2(design)
    grid = np.exp(np.linspace(np.log(sigma2) - 3, np.log(sigma2) + 3, 241))
    dense = [dense_loglike(days, shares, s2, codes, C, g) for g in grid]
    assert ll >= max(dense) - 1e-6
    frame = make_frame(days, shares, n, pollster)
    avg = polls.poll_average(frame, response="approve", freq=None)
    assert avg.process_sd_source == "ml"
    assert avg.process_sd**2 == pytest.approx(sigma2, rel=1e-12)


@pytest.mark.parametrize("offsets", [False, True])
def test_score_is_the_derivative_of_the_dense_likelihood(irregular, offsets):
    """The analytic score used by the search equals d loglike / d log sigma2 of the dense GLS
    likelihood (central differences, step 1e-4), and vanishes at the fitted maximum."""
    days, pollster, shares, n = irregular
    s2 = sampling_var(shares, n)
    codes, labels = pd.factorize(pollster, sort=True)
    C = sum_to_zero(len(labels)) if offsets else np.zeros((1, 0))
    ut, state = np.unique(days, return_inverse=True)
    design = _banded.make_design(state, np.diff(ut), shares, s2, codes if offsets else None,
                                 C if offsets else None)

    def dense_score(sigma2, h=1e-4):
        up = dense_loglike(days, shares, s2, codes, C, sigma2 * math.exp(h))
        down = dense_loglike(days, shares, s2, codes, C, sigma2 * math.exp(-h))
        return (up - down) / (2 * h)

    n_gaps = len(ut) - 1
    for sigma2 in (1e-7, 3e-6, 1e-4, 1e-3):
        ev = _banded._evaluate(design, sigma2, score=True)
        score = 0.5 * n_gaps * math.expm1(ev.ratio)
        assert score == pytest.approx(dense_score(sigma2), rel=1e-6, abs=1e-7)
    ev, at_bound, n_evals = _banded.fit(design)
    assert not at_bound and n_evals < 15
    # the dense score changes sign within +-1e-4 of the fitted log sigma2 (a maximum)
    assert dense_score(ev.sigma2 * math.exp(-1e-4)) > 0 > dense_score(ev.sigma2 * math.exp(1e-4))


def test_ml_search_finds_the_dense_maximum_on_varied_series():
    """Seeded synthetic series of all kinds (spacing from minutes to months, 1-4 pollsters,
    trends from flat to steep): the fitted process variance is at least as likely, by the dense
    GLS likelihood, as any point of a grid spanning a factor e^4 either side of it."""
    rng = np.random.default_rng(99)
    for _ in range(25):
        n = int(rng.integers(6, 50))
        k = int(rng.integers(1, 5))
        gap = rng.exponential(float(rng.choice([0.01, 1.0, 30.0])), n - 1) + 1e-3
        sd = math.exp(rng.uniform(-9, -4))
        truth = 0.5 + np.cumsum(np.concatenate([[0.0], rng.normal(0, sd * np.sqrt(gap))]))
        group = rng.integers(0, k, n)
        s2 = 0.25 / rng.integers(300, 3000, n)
        y = truth + rng.normal(0, 0.02, k)[group] + rng.normal(0, np.sqrt(s2))
        C = sum_to_zero(k) if k > 1 else np.zeros((1, 0))
        design = _banded.make_design(np.arange(n), gap, y, s2, group if k > 1 else None,
                                     C if k > 1 else None)
        sigma2, _, at_bound, _ = _banded.fit_sigma2(design)
        days = np.concatenate([[0.0], np.cumsum(gap)])
        best = dense_loglike(days, y, s2, group, C, sigma2)
        grid = np.exp(np.linspace(np.log(sigma2) - 4, np.log(sigma2) + 4, 33))
        grid = grid[(grid >= 1e-12) & (grid <= 1.0)]
        assert best >= max(dense_loglike(days, y, s2, group, C, g) for g in grid) - 1e-6
        if at_bound:
            assert sigma2 == pytest.approx(1e-12) or sigma2 == pytest.approx(1.0)

# ------------------------------------------------------------------------------------------
# statsmodels


def statsmodels_fit(y, s2, gap, sigma2, design_rows=None):
    """statsmodels Kalman filter/smoother (exact diffuse start) for the same model."""
    from statsmodels.tsa.statespace.mlemodel import MLEModel

    n = len(y)
    k_states = 1 if design_rows is None else 1 + design_rows.shape[1]
    mod = MLEModel(y, k_states=k_states, k_posdef=1)
    Z = np.zeros((1, k_states, n))
    Z[0, 0] = 1.0
    if design_rows is not None:
        Z[0, 1:] = design_rows.T
    mod.ssm["design"] = Z
    mod.ssm["obs_cov"] = s2.reshape(1, 1, n)
    mod.ssm["transition"] = np.eye(k_states)
    sel = np.zeros((k_states, 1))
    sel[0, 0] = 1.0
    mod.ssm["selection"] = sel
    Q = np.zeros((1, 1, n))
    Q[0, 0, :-1] = sigma2 * gap  # state_cov[t] moves the state from t to t + 1
    mod.ssm["state_cov"] = Q
    mod.ssm.initialize_diffuse()
    return mod.ssm.smooth()


def test_agrees_with_statsmodels_kalman_smoother_and_filter():
    rng = np.random.default_rng(5)
    n = 60
    gap = np.full(n - 1, 7.0)
    days = np.concatenate([[0.0], np.cumsum(gap)])
    truth = 0.55 + np.cumsum(rng.normal(0, 0.004, n))
    size = rng.integers(900, 1800, n)
    s2 = sampling_var(0.55, size)
    y = truth + rng.normal(0, np.sqrt(s2))
    sd = 0.0015
    res = statsmodels_fit(y, s2, gap, sd**2)
    frame = make_frame(days, y, size)
    fit = polls.smooth_trend(frame, response="approve", process_sd=sd, freq=None)
    # the frame recomputes s2 from each wave's own share; use the engine for fixed variances
    post = _banded.posterior(_banded.make_design(np.arange(n), gap, y, s2), sd**2)
    np.testing.assert_allclose(post.mean, res.smoothed_state[0], atol=1e-10)
    np.testing.assert_allclose(post.var, res.smoothed_state_cov[0, 0], rtol=1e-8)
    np.testing.assert_allclose(post.filtered_mean, res.filtered_state[0], atol=1e-10)
    np.testing.assert_allclose(post.filtered_var, res.filtered_state_cov[0, 0], rtol=1e-8)
    # statsmodels leaves the 2*pi factor of the one diffuse state out of its likelihood
    assert res.llf == pytest.approx(post.loglike - 0.5 * math.log(2 * math.pi), rel=1e-10)
    # the public frame with the variances it uses
    res2 = statsmodels_fit(y, sampling_var(y, size), gap, sd**2)
    np.testing.assert_allclose(fit["estimate"], res2.smoothed_state[0], atol=1e-10)
    np.testing.assert_allclose(fit["se"] ** 2, res2.smoothed_state_cov[0, 0], rtol=1e-8)
    np.testing.assert_allclose(fit["filtered_estimate"], res2.filtered_state[0], atol=1e-10)
    np.testing.assert_allclose(fit["filtered_se"] ** 2, res2.filtered_state_cov[0, 0], rtol=1e-8)


def test_house_effects_agree_with_statsmodels_augmented_state():
    rng = np.random.default_rng(8)
    n, k = 50, 3
    gap = np.full(n - 1, 10.0)
    group = rng.integers(0, k, n)
    s2 = np.full(n, 0.25 / 1200)
    y = 0.4 + np.array([0.02, 0.0, -0.03])[group] + rng.normal(0, 0.015, n)
    C = sum_to_zero(k)
    sigma2 = 5e-6
    res = statsmodels_fit(y, s2, gap, sigma2, design_rows=C[group])
    post = _banded.posterior(_banded.make_design(np.arange(n), gap, y, s2, group, C), sigma2)
    np.testing.assert_allclose(post.mean, res.smoothed_state[0], atol=1e-10)
    np.testing.assert_allclose(post.var, res.smoothed_state_cov[0, 0], rtol=1e-8)
    np.testing.assert_allclose(post.offsets, C @ res.smoothed_state[1:, -1], atol=1e-10)
    np.testing.assert_allclose(post.offsets_cov, C @ res.smoothed_state_cov[1:, 1:, -1] @ C.T,
                               rtol=1e-7, atol=1e-16)
    assert res.llf == pytest.approx(post.loglike - 1.5 * math.log(2 * math.pi), rel=1e-10)


def test_agrees_with_unobserved_components_local_level_mle():
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    rng = np.random.default_rng(21)
    n = 120
    y = 0.3 + np.cumsum(rng.normal(0, 0.005, n)) + rng.normal(0, 0.012, n)
    s2 = np.full(n, 0.012**2)
    uc = UnobservedComponents(y, level="llevel", use_exact_diffuse=True)
    # fixed observation variance, level variance free: compare the profile maximum
    res = uc.fit_constrained({"sigma2.irregular": 0.012**2}, disp=False)
    design = _banded.make_design(np.arange(n), np.ones(n - 1), y, s2)
    sigma2, _, _, _ = _banded.fit_sigma2(design, xatol=1e-6)
    assert sigma2 == pytest.approx(res.params[1], rel=1e-2)
    # judged by statsmodels' own likelihood, ours is at least as high as its optimiser's
    assert uc.loglike([0.012**2, sigma2]) >= uc.loglike(res.params) - 1e-9
    uc.ssm.tolerance = 0.0  # no steady-state shortcut (it changes digits near 1e-8)
    sm = uc.smooth([0.012**2, sigma2])
    post = _banded.posterior(design, sigma2)
    np.testing.assert_allclose(post.mean, sm.smoothed_state[0], atol=1e-9)
    np.testing.assert_allclose(post.var, sm.smoothed_state_cov[0, 0], rtol=1e-7)


# ------------------------------------------------------------------------------------------
# simulation: recovery and coverage


def simulate(rng, n_waves, house, sd, n=1500, spacing=30.0):
    k = len(house)
    gap = rng.exponential(spacing, n_waves - 1) + 0.5
    days = np.concatenate([[0.0], np.cumsum(gap)])
    truth = 0.5 + np.cumsum(np.concatenate([[0.0], rng.normal(0, sd * np.sqrt(gap))]))
    group = rng.permutation(np.arange(n_waves) % k)
    s2 = truth * (1 - truth) / n
    y = truth + np.asarray(house)[group] + rng.normal(0, np.sqrt(s2))
    return days, gap, truth, group, s2, y


def test_simulation_recovers_trend_and_house_effects():
    rng = np.random.default_rng(2024)
    house = np.array([0.04, -0.01, -0.03])
    sd = 0.002
    days, _, truth, group, _, y = simulate(rng, 400, house, sd, n=1600, spacing=10)
    frame = make_frame(days, y, np.full(len(y), 1600), np.array(["a", "b", "c"])[group])
    avg = polls.poll_average(frame, response="approve", freq=None)
    he = avg.house_effects["estimate"].to_numpy()
    se = avg.house_effects["se"].to_numpy()
    assert np.all(np.abs(he - house) < 4 * se)
    assert np.all(se < 0.003)
    assert 0.5 * sd < avg.process_sd < 2 * sd
    est = avg.trend["estimate"].to_numpy()
    rmse = np.sqrt(np.mean((est - truth) ** 2))
    raw_rmse = np.sqrt(np.mean((y - house[group] - truth) ** 2))
    assert rmse < 0.6 * raw_rmse  # smoothing beats the raw (even house-corrected) waves


def test_interval_coverage_near_nominal():
    """Over 1,500 seeded series the 95% intervals cover the truth about 95% of the time.

    One trend point and one house effect per series (independent Bernoulli draws): the
    standard error of a coverage proportion is 0.0056, so [0.93, 0.97] is +-3.5 SE; intervals
    20% too narrow (true coverage 88%) or 20% too wide (99.5%) fail it.
    """
    rng = np.random.default_rng(7)
    house = np.array([0.03, -0.01, -0.02])
    C = sum_to_zero(3)
    sd = 0.003
    hits = {"smooth": [], "filtered": [], "house": [], "narrow": []}
    for _ in range(1500):
        days, gap, truth, group, s2, y = simulate(rng, 24, house, sd, n=1000)
        design = _banded.make_design(np.arange(24), gap, y, s2, group, C)
        post = _banded.posterior(design, sd**2)
        j = rng.integers(0, 24)
        hits["smooth"].append(abs(post.mean[j] - truth[j]) <= 1.959964 * math.sqrt(post.var[j]))
        hits["narrow"].append(
            abs(post.mean[j] - truth[j]) <= 0.8 * 1.959964 * math.sqrt(post.var[j]))
        g = rng.integers(0, 3)
        hits["house"].append(abs(post.offsets[g] - house[g])
                             <= 1.959964 * math.sqrt(post.offsets_cov[g, g]))
        # filtered with the offsets known: coverage of the one-sided estimate
        known = _banded.make_design(np.arange(24), gap, y - house[group], s2)
        fpost = _banded.posterior(known, sd**2)
        hits["filtered"].append(
            abs(fpost.filtered_mean[j] - truth[j]) <= 1.959964 * math.sqrt(fpost.filtered_var[j]))
    cover = {key: float(np.mean(v)) for key, v in hits.items()}
    assert 0.93 <= cover["smooth"] <= 0.97, cover
    assert 0.93 <= cover["filtered"] <= 0.97, cover
    assert 0.93 <= cover["house"] <= 0.97, cover
    assert cover["narrow"] < 0.92, cover  # the check has the power to see too-narrow intervals


# ------------------------------------------------------------------------------------------
# the simple smoothers


def test_loess_matches_statsmodels_lowess():
    from statsmodels.nonparametric.smoothers_lowess import lowess

    rng = np.random.default_rng(4)
    days = np.sort(rng.choice(np.arange(0, 900), 70, replace=False)).astype(float)
    y = 0.6 + 0.05 * np.sin(days / 150) + rng.normal(0, 0.01, 70)
    frame = make_frame(days, y, np.full(70, 1600))
    fit = polls.smooth_trend(frame, response="approve", method="loess", frac=0.3, freq=None)
    ref = lowess(y, days, frac=0.3, it=0, delta=0.0, return_sorted=False)
    np.testing.assert_allclose(fit["estimate"], ref, atol=1e-10)
    # its standard error is that of a linear smoother with weights summing to one
    assert (fit["se"] < np.sqrt(sampling_var(y, 1600)).max()).all()
    assert "filtered_estimate" not in fit.columns


def test_rolling_is_the_inverse_variance_mean_of_the_window():
    days = np.array([0, 20, 50, 80, 200, 230], float)
    y = np.array([0.50, 0.52, 0.49, 0.51, 0.60, 0.58])
    n = np.array([1000, 2000, 1000, 1500, 1000, 1000])
    frame = make_frame(days, y, n)
    fit = polls.smooth_trend(frame, response="approve", method="rolling", window="60D",
                             freq=None)
    w = 1 / sampling_var(y, n)
    row = fit.set_index("date").loc[pd.Timestamp("2020-01-21")]  # day 20: days 0, 20, 50
    sel = [0, 1, 2]
    assert row["estimate"] == pytest.approx(np.sum(w[sel] * y[sel]) / w[sel].sum(), rel=1e-12)
    assert row["se"] == pytest.approx(1 / math.sqrt(w[sel].sum()), rel=1e-12)
    # trailing window (day -40, day 20]: days 0 and 20
    sel = [0, 1]
    assert row["filtered_estimate"] == pytest.approx(np.sum(w[sel] * y[sel]) / w[sel].sum())


# ------------------------------------------------------------------------------------------
# bad and awkward input


def test_waves_without_dates_raise_naming_rows():
    frame = make_frame([0, 30, 60], [0.5, 0.5, 0.5], [1000] * 3)
    frame.loc[1, "fieldwork_end"] = pd.NaT
    with pytest.raises(InvalidArgumentError, match=r"1 row\(s\) \(index 1\).*no date"):
        polls.smooth_trend(frame, response="approve")


def test_missing_sample_sizes_follow_the_package_rule():
    frame = make_frame([0, 30, 60, 90], [0.5, 0.52, 0.51, 0.5], [1000] * 4)
    frame["sample_size"] = pd.array([1000, None, None, 1000], dtype="Int64")
    with pytest.raises(InvalidArgumentError, match=r"2 row\(s\) \(index 1, 2\).*default_n"):
        polls.smooth_trend(frame, response="approve", process_sd=0.001)
    a = polls.smooth_trend(frame, response="approve", process_sd=0.001, default_n=1000)
    frame.attrs["usual_sample_size"] = 1000
    b = polls.smooth_trend(frame, response="approve", process_sd=0.001)
    full = make_frame([0, 30, 60, 90], [0.5, 0.52, 0.51, 0.5], [1000] * 4)
    c = polls.smooth_trend(full, response="approve", process_sd=0.001)
    pd.testing.assert_frame_equal(a, c)
    pd.testing.assert_frame_equal(b, c)


def test_single_wave():
    frame = make_frame([0], [0.62], [1600])
    with pytest.raises(InvalidArgumentError, match="at least 3 dates"):
        polls.smooth_trend(frame, response="approve")
    fit = polls.smooth_trend(frame, response="approve", process_sd=0.001)
    assert len(fit) == 1
    se = math.sqrt(sampling_var(0.62, 1600))
    assert fit["estimate"].iloc[0] == pytest.approx(0.62)
    assert fit["se"].iloc[0] == pytest.approx(se)
    assert fit["filtered_se"].iloc[0] == pytest.approx(se)


def test_pollster_with_one_wave_gets_a_wider_interval(irregular):
    days, pollster, shares, n = irregular
    frame = make_frame(np.append(days, 150.0), np.append(shares, 0.7), np.append(n, 1000),
                       np.append(pollster, "D"))
    avg = polls.poll_average(frame, response="approve", process_sd=0.001)
    he = avg.house_effects.set_index("pollster")
    assert he.loc["D", "n_waves"] == 1
    assert np.isfinite(he.to_numpy(dtype=float, na_value=np.nan)[:, :5]).all()
    assert he.loc["D", "se"] > 1.5 * he.loc[["A", "B", "C"], "se"].max()


def test_duplicate_dates():
    # two pollsters on one date: both observe the same state
    frame = make_frame([0, 0, 30, 60, 60], [0.5, 0.55, 0.52, 0.5, 0.56], [1000] * 5,
                       ["A", "B", "A", "A", "B"])
    avg = polls.poll_average(frame, response="approve", process_sd=0.001, freq=None)
    assert list(avg.trend["n_waves"]) == [2, 1, 2]
    # the same pollster twice on one date is a duplicate wave: an error naming both rows
    dup = make_frame([0, 0, 30, 60], [0.5, 0.51, 0.52, 0.5], [1000] * 4, ["A", "A", "B", "A"])
    with pytest.raises(InvalidArgumentError, match=r"index 0, 1.*same date"):
        polls.poll_average(dup, response="approve", process_sd=0.001)
    with pytest.raises(InvalidArgumentError, match="same date"):
        polls.smooth_trend(dup.drop(columns="pollster"), response="approve", process_sd=0.001)


def test_shares_of_zero_and_one_give_finite_results():
    frame = make_frame([0, 30, 60, 90, 120], [0.0, 0.01, 1.0, 0.99, 0.0], [500] * 5)
    fit = polls.smooth_trend(frame, response="approve", freq="W")
    assert np.isfinite(fit.drop(columns=["date", "method", "is_wave"]).to_numpy(float)).all()
    # the variance floor: a published 0% with n = 500 counts as p = 2 / 504
    assert sampling_var(0.0, 500) == pytest.approx((2 / 504) * (502 / 504) / 500)


def test_rounding_and_deff_widen_intervals():
    frame = make_frame([0, 30, 60, 90], [0.5, 0.52, 0.51, 0.5], [1000] * 4)
    frame["precision"] = 0.01
    base = polls.smooth_trend(frame, response="approve", process_sd=0.001, freq=None)
    rnd = polls.smooth_trend(frame, response="approve", process_sd=0.001, freq=None,
                             rounding=True)
    deff = polls.smooth_trend(frame, response="approve", process_sd=0.001, freq=None, deff=2.0)
    assert (rnd["se"] > base["se"]).all()
    assert (deff["se"] > base["se"]).all()
    # one wave alone: se^2 = p(1-p)/n + 0.01^2/12 (the rounding variance)
    one = polls.smooth_trend(frame.iloc[:1], response="approve", process_sd=0.001,
                             rounding=True)
    assert one["se"].iloc[0] ** 2 == pytest.approx(sampling_var(0.5, 1000) + 0.01**2 / 12)


def test_argument_errors():
    frame = make_frame([0, 30, 60], [0.5, 0.5, 0.5], [1000] * 3, ["A", "B", "A"])
    with pytest.raises(InvalidArgumentError, match="responses present"):
        polls.smooth_trend(frame, response="disapprove")
    with pytest.raises(InvalidArgumentError, match="method"):
        polls.smooth_trend(frame, response="approve", method="spline")
    with pytest.raises(InvalidArgumentError, match="freq"):
        polls.smooth_trend(frame, response="approve", freq="Q")
    with pytest.raises(InvalidArgumentError, match="process_sd"):
        polls.smooth_trend(frame, response="approve", process_sd=-1)
    with pytest.raises(InvalidArgumentError, match="reference"):
        polls.poll_average(frame, response="approve", reference="Z", process_sd=0.001)
    with pytest.raises(InvalidArgumentError, match="share"):
        polls.smooth_trend(frame.assign(share=[50, 50, 50]), response="approve")
    two = pd.concat([frame.assign(series="s1"), frame.assign(series="s2")], ignore_index=True)
    with pytest.raises(InvalidArgumentError, match="poll_average"):
        polls.smooth_trend(two, response="approve")


# ------------------------------------------------------------------------------------------
# properties


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_waves=st.integers(2, 25),
    k=st.integers(1, 4),
    log_sd=st.floats(-9, -3),
)
def test_properties(seed, n_waves, k, log_sd):
    rng = np.random.default_rng(seed)
    days = np.sort(rng.choice(np.arange(0, 2000), n_waves, replace=False)).astype(float)
    group = rng.integers(0, k, n_waves)
    shares = np.clip(0.5 + rng.normal(0, 0.1, n_waves), 0, 1)
    n = rng.integers(100, 3000, n_waves)
    frame = make_frame(days, shares, n, np.array(list("ABCD"))[group])
    sd = math.exp(log_sd)
    avg = polls.poll_average(frame, response="approve", process_sd=sd, freq="W")
    tr = avg.trend
    assert np.isfinite(tr[["estimate", "se", "filtered_estimate", "filtered_se"]]).all().all()
    # smoothing uses more waves than filtering: never a wider interval (offsets known)
    if k == 1:
        assert (tr["se"] <= tr["filtered_se"] * (1 + 1e-9)).all()
    # row order does not matter
    shuffled = frame.sample(frac=1.0, random_state=int(rng.integers(0, 2**31)))
    again = polls.poll_average(shuffled, response="approve", process_sd=sd, freq="W")
    np.testing.assert_allclose(again.trend["estimate"], tr["estimate"], atol=1e-10)
    np.testing.assert_allclose(again.house_effects["estimate"], avg.house_effects["estimate"],
                               atol=1e-10)


def test_stacked_datasets_use_each_series_usual_sample_size():
    # synthetic: two pollsters' series, no stated sizes, usual sizes differing by series
    rng = np.random.default_rng(11)
    dates = pd.date_range("2024-01-31", periods=12, freq="ME")
    rows = []
    for series, pollster, shift in (("a-series", "a", 0.02), ("b-series", "b", -0.02)):
        for d in dates:
            rows.append({"series": series, "pollster": pollster, "fieldwork_end": d,
                         "response": "yes", "share": 0.6 + shift + rng.normal(0, 0.01)})
    frame = pd.DataFrame(rows)
    frame["sample_size"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame.attrs["usual_sample_size"] = {"a-series": 1000, "b-series": 2000}
    got = polls.poll_average(frame, response="yes", process_sd=0.001)
    explicit = frame.assign(sample_size=np.where(frame["series"] == "a-series", 1000, 2000))
    explicit.attrs = {}
    want = polls.poll_average(explicit, response="yes", process_sd=0.001)
    pd.testing.assert_frame_equal(got.house_effects, want.house_effects)
    frame.attrs["usual_sample_size"] = {"a-series": 1000}
    with pytest.raises(InvalidArgumentError, match="no sample size"):
        polls.poll_average(frame, response="yes", process_sd=0.001)


def test_rolling_window_as_a_number_means_days():
    days = np.array([0, 20, 50, 80, 200, 230], float)
    frame = make_frame(days, [0.50, 0.52, 0.49, 0.51, 0.60, 0.58], [1000] * 6)
    spans = [polls.smooth_trend(frame, response="approve", method="rolling", window=w, freq=None)
             for w in (60, 60.0, "60D", pd.Timedelta(days=60))]
    for other in spans[1:]:
        pd.testing.assert_frame_equal(spans[0], other)
    # a 60-day window around day 20 holds days 0, 20 and 50 (not 60 nanoseconds: one wave)
    assert spans[0]["estimate"].iloc[1] != pytest.approx(0.52)


@pytest.mark.parametrize(("window", "words"), [
    ("90", ["'90'", "unit"]), (True, ["window", "True"]), (0, ["window", "positive"]),
    (-3, ["window", "-3"]), ("soon", ["window", "'soon'"]), (1e30, ["window"]),
])
def test_rolling_window_refuses_spans_without_a_unit_or_size(window, words):
    frame = make_frame([0, 30, 60], [0.5, 0.5, 0.5], [1000] * 3)
    with pytest.raises(InvalidArgumentError) as info:
        polls.smooth_trend(frame, response="approve", method="rolling", window=window)
    assert all(w in str(info.value) for w in words), str(info.value)


@pytest.mark.parametrize("value", [1e300, 1e-300, 1e-12, 0.0, -0.01, float("inf"),
                                   float("nan"), "0.01", True, [0.01, 0.02]])
def test_process_sd_outside_its_range_names_the_argument(value):
    frame = make_frame([0, 30, 60, 90], [0.5, 0.52, 0.5, 0.51], [1000] * 4)
    with pytest.raises(InvalidArgumentError, match="process_sd"):
        polls.smooth_trend(frame, response="approve", process_sd=value)
    with pytest.raises(InvalidArgumentError, match="process_sd"):
        polls.poll_average(frame.assign(pollster="A"), response="approve", process_sd=value)


def test_process_sd_at_the_ends_of_its_range_gives_finite_trends():
    frame = make_frame([0, 1, 2, 400, 5000], [0.0, 1.0, 0.5, 0.5, 0.2], [10, 10**6, 50, 50, 7])
    for sd in polls.trend.PROCESS_SD_RANGE:
        fit = polls.smooth_trend(frame, response="approve", process_sd=sd, freq="D")
        assert np.isfinite(fit[["estimate", "se", "filtered_estimate", "filtered_se"]]).all().all()


@pytest.mark.parametrize(("column", "values", "words"), [
    ("fieldwork_end", ["31.01.2024", "29.02.2024", "31.03.2024"], ["date", "'31.01.2024'", "ISO"]),
    ("fieldwork_end", ["2024-01-31", "2024-02-30", "2024-03-31"], ["'2024-02-30'", "rows 1"]),
    ("share", ["50%", 0.5, 0.5], ["share", "'50%'", "proportions"]),
    ("sample_size", ["1600 people", 1600, 1600], ["sample_size", "'1600 people'", "rows 0"]),
    ("sample_size", [np.inf, 1600, 1600], ["sample_size", "inf"]),
])
def test_unreadable_values_raise_instead_of_counting_as_missing(column, values, words):
    frame = make_frame([0, 30, 60], [0.5, 0.5, 0.5], [1000] * 3).astype({column: object})
    frame[column] = values
    with pytest.raises(InvalidArgumentError) as info:
        polls.smooth_trend(frame, response="approve", process_sd=0.01, default_n=1000)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_iso_text_dates_and_a_deff_per_row():
    frame = make_frame([0, 30, 60], [0.5, 0.52, 0.5], [1000] * 3)
    text = frame.assign(fieldwork_end=frame["fieldwork_end"].dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(
        polls.smooth_trend(text, response="approve", process_sd=0.01),
        polls.smooth_trend(frame, response="approve", process_sd=0.01))
    per_row = polls.smooth_trend(frame, response="approve", process_sd=0.01, deff=[2.0] * 3)
    same = polls.smooth_trend(frame, response="approve", process_sd=0.01, deff=2.0)
    pd.testing.assert_frame_equal(per_row, same)
    with pytest.raises(InvalidArgumentError, match="deff.*3 values.*got 2"):
        polls.smooth_trend(frame, response="approve", process_sd=0.01, deff=[2.0, 2.0])


def test_poll_average_needs_a_house_column_and_checks_default_n():
    frame = make_frame([0, 30, 60], [0.5, 0.5, 0.5], [1000] * 3, pollsters=["A", "B", "A"])
    with pytest.raises(InvalidArgumentError, match="by=None"):
        polls.poll_average(frame, response="approve", by=None, process_sd=0.01)
    with pytest.raises(InvalidArgumentError, match="default_n"):
        polls.poll_average(frame, response="approve", default_n="1600", process_sd=0.01)


def test_loess_midway_between_its_two_neighbours_is_their_mean():
    # waves on 22 January, 11 February and 1 June 2024; with two waves per local fit, the grid
    # date 1 February lies exactly 10 days from both neighbours, at the edge of the tricube
    # kernel, where every weight vanishes: the fit is the line through the two (their mean)
    frame = make_frame([0, 20, 131], [0.40, 0.50, 0.70], [1000] * 3, start="2024-01-22")
    fit = polls.smooth_trend(frame, response="approve", method="loess", frac=0.5, freq="MS")
    row = fit.set_index("date").loc[pd.Timestamp("2024-02-01")]
    assert row["estimate"] == pytest.approx(0.45, abs=1e-9)
    assert np.isfinite(fit[["estimate", "ci_low", "ci_high", "se"]].to_numpy()).all()
