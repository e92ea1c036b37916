"""Reference solutions of penalised logistic regression for tests/test_logistic.py.

Run from the repository root (takes a few minutes):

    python tests/golden/make_logistic.py

For every problem of :func:`problems`, scikit-learn's ``saga`` solver (a method
independent of fastlasso's) is run at ``tol=1e-12`` (max_iter 10**6); its
coefficients, intercepts and objective ``C sum_i s_i loss_i + l1_ratio |W|_1 +
(1 - l1_ratio)/2 |W|^2`` are stored in ``logistic_saga.npz`` with the scikit-learn
version. The data are regenerated from seeds by :func:`problems`, so only the
references are stored.
"""

from __future__ import annotations

import itertools
import sys
import time
import warnings
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("logistic_saga.npz")

#: (n_samples, n_features): n < p and n > p
SHAPES = [(30, 60), (80, 10)]
CS = [0.1, 1.0, 10.0]
L1_RATIOS = [0.5, 1.0]
#: (fit_intercept, weights) variants, cycled over the other factors
VARIANTS = [
    (True, None),
    (False, None),
    (True, "sample"),
    (True, "balanced"),
    (False, "sample"),
    (True, "dict"),
]


def problems():
    """The grid: 2 class counts x 2 shapes x 2 l1_ratios x 3 Cs, each with two
    of the (intercept, weights) variants (cycled), 48 problems in all."""
    out = []
    grid = itertools.product([2, 3], SHAPES, L1_RATIOS, CS, [0, 1])
    for i, (K, (n, p), l1_ratio, C, _) in enumerate(grid):
        fit_intercept, weights = VARIANTS[i % len(VARIANTS)]
        rng = np.random.RandomState(1000 + i)
        X = rng.randn(n, p)
        X[:, 1] += 0.8 * X[:, 0]  # some correlation
        scores = X[:, :3] @ rng.randn(3, K) + 0.7 * rng.randn(n, K) + 0.5
        y = scores.argmax(axis=1) if K > 2 else (scores[:, 0] > 0.5).astype(int)
        y = np.array(["a", "b", "c"])[y]  # string labels, as users have them
        sw = rng.uniform(0.2, 3.0, size=n) if weights == "sample" else None
        cw = {"balanced": "balanced", "dict": {"a": 2.0, "b": 0.5}}.get(weights)
        out.append(
            dict(
                X=X, y=y, sample_weight=sw, class_weight=cw, C=C,
                l1_ratio=l1_ratio, fit_intercept=fit_intercept,
            )
        )  # fmt: skip
    return out


def objective(coef, intercept, X, y, classes, s, C, l1_ratio):
    """``C sum_i s_i loss_i + l1_ratio |W|_1 + (1 - l1_ratio)/2 |W|^2``."""
    from scipy.special import logsumexp

    eta = X @ coef.T + intercept
    if len(classes) == 2:
        pos = (y == classes[1]).astype(float)
        loss = np.logaddexp(0.0, eta[:, 0]) - pos * eta[:, 0]
    else:
        idx = np.searchsorted(classes, y)
        loss = logsumexp(eta, axis=1) - eta[np.arange(len(y)), idx]
    pen = l1_ratio * np.abs(coef).sum() + 0.5 * (1 - l1_ratio) * (coef**2).sum()
    return C * float(s @ loss) + pen


def total_weights(prob):
    """Sample weights times class weights, as scikit-learn forms them."""
    from sklearn.utils.class_weight import compute_class_weight

    y = prob["y"]
    classes = np.unique(y)
    s = prob["sample_weight"]
    s = np.ones(len(y)) if s is None else np.asarray(s, dtype=float)
    if prob["class_weight"] is not None:
        cw = compute_class_weight(
            prob["class_weight"], classes=classes, y=y, sample_weight=s
        )
        s = s * cw[np.searchsorted(classes, y)]
    return s


def main():
    import sklearn
    from sklearn.linear_model import LogisticRegression

    refs = {}
    for i, prob in enumerate(problems()):
        t0 = time.perf_counter()
        est = LogisticRegression(
            C=prob["C"], l1_ratio=prob["l1_ratio"], solver="saga", tol=1e-12,
            max_iter=10**6, fit_intercept=prob["fit_intercept"],
            class_weight=prob["class_weight"],
        )  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(prob["X"], prob["y"], sample_weight=prob["sample_weight"])
        intercept = np.asarray(est.intercept_, dtype=float)
        obj = objective(
            est.coef_, intercept, prob["X"], prob["y"], est.classes_,
            total_weights(prob), prob["C"], prob["l1_ratio"],
        )  # fmt: skip
        refs[f"coef_{i}"] = est.coef_
        refs[f"intercept_{i}"] = intercept
        refs[f"objective_{i}"] = obj
        print(f"{i}: objective {obj:.14g} ({time.perf_counter() - t0:.1f} s)")
        sys.stdout.flush()
    np.savez_compressed(OUT, sklearn_version=sklearn.__version__, **refs)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
