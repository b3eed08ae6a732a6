"""Respondent data simulated from a standard list experiment with a known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from polls._checks import check_positive_int, check_seed, check_share
from polls.listexp._inputs import _check_n_items

__all__ = ["simulate_list_experiment"]


def simulate_list_experiment(
    n: int,
    *,
    n_items: int,
    prevalence: float,
    p_control: float = 0.5,
    design_effect: float = 0.0,
    treated_share: float = 0.5,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Simulate respondent data from a standard list experiment with known truth.

    For demonstrations, power planning and checks. Each respondent agrees with each of the
    ``n_items`` control items independently with probability ``p_control`` and holds the
    sensitive view with probability ``prevalence``; a share ``treated_share`` is assigned to the
    treatment list. ``design_effect`` injects a violation of the no-design-effect assumption: it
    is the chance that a treated respondent who does *not* hold the sensitive view drops one
    control item once the sensitive item is on the list (a contrast effect).

    Parameters
    ----------
    n : int
        Respondents.
    n_items : int
        J, the number of control items.
    prevalence : float
        True share holding the sensitive view, in [0, 1].
    p_control : float, default 0.5
        Chance of agreeing with each control item.
    design_effect : float, default 0
        See above; 0 means the assumption holds.
    treated_share : float, default 0.5
        Chance of being assigned the treatment list.
    random_state : int or None, default 0
        Seed.

    Returns
    -------
    pandas.DataFrame
        Columns ``count``, ``treatment`` (0/1) and the latent ``sensitive`` (0/1, unobservable in
        a real survey).

    Examples
    --------
    >>> import polls
    >>> df = polls.simulate_list_experiment(1000, n_items=3, prevalence=0.6)
    >>> sorted(df.columns)
    ['count', 'sensitive', 'treatment']
    """
    j = _check_n_items(n_items)
    size = check_positive_int("n", n, minimum=2)
    check_seed("random_state", random_state)
    for name, v in (("prevalence", prevalence), ("p_control", p_control),
                    ("design_effect", design_effect), ("treated_share", treated_share)):
        check_share(name, v)
    rng = np.random.default_rng(random_state)
    t = rng.random(size) < treated_share
    ystar = rng.binomial(j, p_control, size)
    z = rng.random(size) < prevalence
    drop = t & ~z & (ystar > 0) & (rng.random(size) < design_effect)
    return pd.DataFrame({
        "count": ystar - drop + (t & z),
        "treatment": t.astype(int),
        "sensitive": z.astype(int),
    })
