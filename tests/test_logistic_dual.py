"""The logistic certificate's search over its segment of dual points
(:mod:`fastlasso._logistic_dual`): the Newton search finds the best point that a
grid of the segment finds, on elastic-net problems with penalty factors and bounds, and
every gap it reports is a valid one (non-negative, also away from the optimum)."""

from __future__ import annotations

import numpy as np
import pytest

import fastlasso._logistic_dual as dual
from fastlasso._logistic_path import LogisticProblem


def _problem(seed):
    rng = np.random.default_rng(seed)
    n, p = int(rng.integers(20, 120)), int(rng.integers(5, 60))
    K = int(rng.choice([1, 3]))
    X = np.asfortranarray(rng.standard_normal((n, p)))
    labels = rng.integers(0, max(K, 2), n)
    if K == 1:
        Y = (labels == 1).astype(float)[:, None]
    else:
        Y = (labels[:, None] == np.arange(K)).astype(float)
    l1_ratio = float(rng.choice([0.1, 0.5, 0.9]))
    pen = None
    if seed % 2:
        lo = np.where(rng.random(p) < 0.3, 0.0, -np.inf)
        hi = np.where(rng.random(p) < 0.3, 0.5, np.inf)
        pen = (rng.uniform(0.5, 2.0, p), lo, hi)
    c = rng.uniform(0.1, 3.0, n) * float(rng.choice([0.1, 1.0, 10.0]))
    pr = LogisticProblem(X, Y, c, l1_ratio, 1.0 - l1_ratio, bool(seed % 3), pen)
    W = rng.standard_normal((K, p)) * (rng.random((K, p)) < 0.3) * 0.3
    if pen is not None:
        W = np.clip(W, pen[1], pen[2])
    b = 0.1 * rng.standard_normal(K)
    eta = pr.linear(W, b)
    pr.fit_unpenalized(eta, W, b)
    return pr, eta, W


@pytest.mark.parametrize("seed", range(24))
def test_newton_search_beats_a_grid(seed, monkeypatch):
    pr, eta, W = _problem(seed)
    gap, primal, _ = dual.gap_and_scores(pr, eta, W)
    assert gap >= -1e-12 * abs(primal)  # weak duality: never below rounding
    # the same certificate at each point of a grid over the segment [0, t_max]
    grid = []
    for x in np.linspace(0.0, 1.0, 201):
        monkeypatch.setattr(dual, "_maximise", lambda slope, upper, x=x: x * upper)
        grid.append(dual.gap_and_scores(pr, eta, W)[0])
    assert gap <= min(grid) + 1e-12 * abs(primal)


def test_maximise_on_known_functions():
    # f(t) = -(t - 0.3)^2: interior maximum
    t = dual._maximise(lambda t: (-2 * (t - 0.3), -2.0), 1.0)
    assert abs(t - 0.3) < 1e-12
    # increasing up to the end: the end
    assert dual._maximise(lambda t: (1.0 - 0.5 * t, -0.5), 0.7) == 0.7

    # f(t) = t log t + (1 - t) log(1 - t) negated: slope log(1-t) - log t, -inf
    # curvature at 0 and 1; the maximum at 1/2 from an upper end of 1
    def slope(t):
        t = np.float64(t)
        with np.errstate(divide="ignore"):
            return np.log1p(-t) - np.log(t), -1.0 / t - 1.0 / (1.0 - t)

    t = dual._maximise(slope, 1.0)
    assert abs(t - 0.5) < 1e-12
