"""Cases of the pytest-benchmark suite and of ``ab.py``: data, solvers, judge.

A case is one problem (a dataset from :mod:`problems`, a penalty, one alpha or
a grid) and the solvers that can run it. Each (case, solver) is timed at the
loosest ``tol`` of the solver's own sweep whose output reaches relative
suboptimality ``(P - P*) / P* <= TARGET`` against the reference objective P*
stored in ``golden/suite_refs.json`` (made by ``make_golden.py`` with
:func:`fastlasso.reference_solution`). The judge is one function per kind of
problem, the same for every solver:

- ``lasso`` / ``enet``: ``problems.objective`` at ``alpha = alpha_max / d``;
- ``path``: the worst suboptimality over the alphas of the grid;
- ``ridge``: scikit-learn's Ridge objective ``||y - X w - b||^2 + alpha ||w||^2``;
- ``cv``: the refit's objective at the selected ``alpha_`` (P* stored for
  every alpha of the grid, which is the same for fastlasso and scikit-learn);
- ``logistic``: ``LogisticProblem.objective`` of ``logistic_compare.py``;
- ``multitask``: ``1/(2n) ||Y - X W^T - b||_F^2 + alpha sum_j ||W_:j||_2``
  (runs only when ``fastlasso.MultiTaskLasso`` exists and its golden entry has
  been made).
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from problems import (  # noqa: E402
    DATASETS,
    alpha_max,
    default_data_dir,
    duality_gap,
    make_sparse_regression,
    make_tall_regression,
    objective,
)

__all__ = [
    "CASES",
    "GOLDEN",
    "TARGET",
    "Case",
    "calibrate",
    "load_data",
    "make_runner",
    "score",
    "xtr_seconds",
]

TARGET = 1e-6
GOLDEN = BENCH / "golden" / "suite_refs.json"
#: ``tol`` sweep of the Lasso-type solvers, loosest first.
TOLS = tuple(10.0**-k for k in range(3, 13))
MAX_ITER = 100_000
#: A calibration fit longer than this ends the solver's sweep on the case.
CAP_SECONDS = 20.0


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # lasso | path | ridge | cv | logistic | multitask
    dataset: str
    divisor: float = 0.0  # alpha = alpha_max / divisor (lasso, multitask)
    l1_ratio: float = 1.0
    n_alphas: int = 20  # path: alpha_max * geomspace(1, eps, n_alphas)
    eps: float = 1e-2
    ridge_factor: float = 0.0  # ridge: alpha = factor * ||Z||_2^2
    task: str = ""  # logistic: a task of logistic_compare.TASKS
    solvers: tuple = ("fastlasso", "sklearn", "skglm", "celer")
    note: str = ""

    @property
    def id(self):
        return self.name


def _synthetic_multitask(data_dir):
    rng = np.random.default_rng(0)
    n, p, k = 100, 2000, 5
    X = np.asfortranarray(rng.standard_normal((n, p)))
    W = np.zeros((p, k))
    W[rng.choice(p, 10, replace=False)] = rng.standard_normal((10, k))
    return X, X @ W + 0.5 * rng.standard_normal((n, k))


def _logistic_data(task_name):
    def load(data_dir):
        import logistic_compare as lc

        return lc.load_dataset(lc.TASKS[task_name].dataset, data_dir)

    return load


#: Loaders by dataset name: ``problems.DATASETS`` plus the suite's own sizes.
LOADERS = {
    **{name: d.load for name, d in DATASETS.items()},
    "sparse_small": lambda data_dir: make_sparse_regression(
        n_samples=5000, n_features=20000, density=2e-3
    ),
    "tall_small": lambda data_dir: make_tall_regression(
        n_samples=20000, n_features=200
    ),
    "multitask": _synthetic_multitask,
    "leukemia_logistic": _logistic_data("leukemia-10"),
}
#: Datasets that need the shared data directory (the case is skipped without it).
NEEDS_DATA = {"riboflavin", "news20", "we8there", "cadata"}

CASES = [
    Case("lasso_dense_leukemia", "lasso", "leukemia", divisor=100,
         note="dense 72 x 7129 (p >> n), alpha_max/100"),
    Case("lasso_sparse_synth", "lasso", "sparse_synth", divisor=20,
         note="sparse CSC 20000 x 100000, density 1e-3, alpha_max/20"),
    Case("lasso_sparse_news20", "lasso", "news20", divisor=20,
         note="sparse CSC 15935 x 62061 (shared data), alpha_max/20"),
    Case("enet_toeplitz", "lasso", "toeplitz", divisor=10, l1_ratio=0.5,
         note="dense 500 x 20000, corr 0.6^|i-j|, l1_ratio 0.5, alpha_max/10"),
    Case("path20_leukemia", "path", "leukemia",
         note="20-alpha path alpha_max * geomspace(1, 1e-2, 20)"),
    Case("ridge_tall", "ridge", "tall_small", ridge_factor=1e-3,
         solvers=("fastlasso", "sklearn"),
         note="dense 20000 x 200, alpha = 1e-3 ||Z||_2^2"),
    Case("lassocv_leukemia", "cv", "leukemia", solvers=("fastlasso", "sklearn"),
         note="LassoCV, 5 contiguous folds, 100 alphas, eps 1e-3"),
    Case("logistic_leukemia", "logistic", "leukemia_logistic", task="leukemia-10",
         solvers=("fastlasso", "skglm"),
         note="L1 logistic with intercept, C = 8 min_C (~10 features)"),
    Case("logistic_leukemia_noint", "logistic", "leukemia_logistic",
         task="leukemia-10-noint",
         note="L1 logistic without intercept, C = 16 min_C (liblinear = sklearn)"),
    # celer 0.7.4's MultiTaskLasso calls the removed BaseEstimator._validate_data
    Case("multitask_synth", "multitask", "multitask", divisor=10,
         solvers=("fastlasso", "sklearn", "skglm"),
         note="MultiTaskLasso 100 x 2000 x 5 tasks, alpha_max/10"),
]  # fmt: skip
CASES_BY_NAME = {c.name: c for c in CASES}


# ---------------------------------------------------------------------- data
@dataclass
class Data:
    X: object
    y: np.ndarray
    alpha: float = 0.0
    alphas: np.ndarray | None = None
    C: float = 0.0
    extra: dict = field(default_factory=dict)


def data_available(case, data_dir=None):
    if case.dataset not in NEEDS_DATA:
        return True
    d = Path(data_dir or default_data_dir())
    return any(d.glob(f"{case.dataset}*"))


def load_data(case, data_dir=None, golden=None):
    """The arrays and penalty of ``case`` (``golden`` gives the logistic ``C``)."""
    X, y = LOADERS[case.dataset](data_dir or default_data_dir())
    data = Data(X, y)
    if case.kind == "lasso":
        data.alpha = alpha_max(X, y, case.l1_ratio) / case.divisor
    elif case.kind == "path":
        a_max = alpha_max(X, y, case.l1_ratio)
        data.alphas = a_max * np.geomspace(1.0, case.eps, case.n_alphas)
    elif case.kind == "ridge":
        Z = X - X.mean(axis=0)
        data.alpha = case.ridge_factor * float(np.linalg.norm(Z, 2) ** 2)
    elif case.kind == "logistic":
        if golden is None:
            import logistic_compare as lc

            golden = json.loads(lc.REFS.read_text())["tasks"][case.task]
        data.C = float(golden["C"])
    elif case.kind == "multitask":
        yc = y - y.mean(axis=0)
        data.alpha = float(np.max(np.linalg.norm(X.T @ yc, axis=1))) / (
            X.shape[0] * case.divisor
        )
    return data


def fingerprint(data):
    """Cheap checksums of the data (a changed generator invalidates the golden)."""
    X = data.X
    total = float(X.sum())
    return {"shape": list(X.shape), "sum_X": total, "sum_y2": float(np.sum(data.y**2))}


def xtr_seconds(X, y, min_seconds=0.05, max_repeat=2000):
    """Median wall time of one ``X.T @ r`` (dense r) on this data."""
    r = np.asarray(y, dtype=np.float64)
    r = r - r.mean(axis=0)
    times = []
    start = time.perf_counter()
    while len(times) < 20 or (
        time.perf_counter() - start < min_seconds and len(times) < max_repeat
    ):
        t0 = time.perf_counter()
        X.T @ r
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


# ------------------------------------------------------------------- runners
@dataclass
class Result:
    coef: np.ndarray
    intercept: object
    n_iter: object = -1
    alpha: float = 0.0  # cv: the selected alpha
    extra: dict = field(default_factory=dict)


def _quiet(fit, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at loose tol
        return fit(*args)


def _iterations(n_iter):
    """``n_iter_`` as one int (the largest over tasks / folds; -1 if none)."""
    if n_iter is None:
        return -1
    return int(np.max(n_iter)) if np.ndim(n_iter) else int(n_iter)


def _n_iter(est):
    return _iterations(getattr(est, "n_iter_", -1))


class Runner:
    """One solver on one kind of case: ``sweep()`` settings and ``fit``."""

    def __init__(self, case, solver):
        self.case, self.solver = case, solver
        self.version = "?"

    def sweep(self):
        return [{"tol": t} for t in TOLS]

    def fit(self, data, setting):
        raise NotImplementedError


class LassoRunner(Runner):
    def __init__(self, case, solver):
        super().__init__(case, solver)
        from solvers import make_solver

        self.adapter = make_solver(solver)  # ImportError if not installed
        self.version = self.adapter.version

    def fit(self, data, setting):
        c = self.case
        if c.kind == "path":
            coefs, intercepts = self.adapter.path(
                data.X, data.y, data.alphas, c.l1_ratio, setting["tol"], MAX_ITER
            )
            return Result(np.asarray(coefs), np.asarray(intercepts))
        coef, b, n_iter = self.adapter.fit(
            data.X, data.y, data.alpha, c.l1_ratio, setting["tol"], MAX_ITER
        )
        return Result(np.ravel(coef), float(np.ravel(b)[0]), _iterations(n_iter))


def _module(solver):
    import importlib

    name = {"fastlasso": "fastlasso", "sklearn": "sklearn.linear_model"}[solver]
    lib = importlib.import_module(name)
    top = importlib.import_module(name.partition(".")[0])
    return lib, top.__version__


class RidgeRunner(Runner):
    def __init__(self, case, solver):
        super().__init__(case, solver)
        self.lib, self.version = _module(solver)

    def fit(self, data, setting):
        est = self.lib.Ridge(alpha=data.alpha, tol=setting["tol"])
        _quiet(est.fit, data.X, data.y)
        return Result(np.ravel(est.coef_), float(est.intercept_), _n_iter(est))


class CVRunner(Runner):
    def __init__(self, case, solver):
        super().__init__(case, solver)
        self.lib, self.version = _module(solver)

    def fit(self, data, setting):
        from sklearn.model_selection import KFold

        est = self.lib.LassoCV(cv=KFold(5), tol=setting["tol"], max_iter=MAX_ITER)
        _quiet(est.fit, data.X, data.y)
        return Result(
            np.ravel(est.coef_), float(est.intercept_), _n_iter(est), float(est.alpha_)
        )


class LogisticRunner(Runner):
    NAMES = {"sklearn": "liblinear"}

    def __init__(self, case, solver):
        super().__init__(case, solver)
        import logistic_compare as lc

        self.lc = lc
        self.task = lc.TASKS[case.task]
        self.impl = lc.SOLVER_CLASSES[self.NAMES.get(solver, solver)]()
        why = self.impl.supports(self.task)
        if why:
            raise NotImplementedError(why)
        self.version = self.impl.version()  # ImportError if not installed

    def sweep(self):
        return [
            {k: v for k, v in s.items() if k != "group"}
            for s in self.impl.sweep(self.task)
        ]

    def fit(self, data, setting):
        # as logistic_compare's Solver.fit, keeping the estimator for n_iter_
        est = self.impl.estimator(data.C, data.X.shape[0], self.task, setting)
        _quiet(est.fit, data.X, data.y)
        b = float(np.ravel(est.intercept_)[0])
        return Result(np.ravel(est.coef_), b, _n_iter(est))


class MultiTaskRunner(Runner):
    MODULES = {
        "fastlasso": "fastlasso",
        "sklearn": "sklearn.linear_model",
        "skglm": "skglm",
        "celer": "celer",
    }

    def __init__(self, case, solver):
        super().__init__(case, solver)
        import importlib

        name = self.MODULES[solver]
        lib = importlib.import_module(name)
        self.cls = lib.MultiTaskLasso  # AttributeError: not there yet
        self.version = importlib.import_module(name.partition(".")[0]).__version__

    def fit(self, data, setting):
        est = self.cls(alpha=data.alpha, tol=setting["tol"], max_iter=MAX_ITER)
        _quiet(est.fit, data.X, data.y)
        return Result(np.asarray(est.coef_), np.asarray(est.intercept_), _n_iter(est))


RUNNERS = {
    "lasso": LassoRunner,
    "path": LassoRunner,
    "ridge": RidgeRunner,
    "cv": CVRunner,
    "logistic": LogisticRunner,
    "multitask": MultiTaskRunner,
}


def make_runner(case, solver):
    """The runner, or raises ImportError / AttributeError / NotImplementedError."""
    return RUNNERS[case.kind](case, solver)


# --------------------------------------------------------------------- judge
def ridge_objective(X, y, w, b, alpha):
    r = y - X @ w - b
    return float(r @ r) + alpha * float(w @ w)


def multitask_objective(X, Y, W, b, alpha):
    R = Y - X @ W.T - b
    return 0.5 * float(np.sum(R * R)) / X.shape[0] + alpha * float(
        np.sum(np.linalg.norm(W, axis=0))
    )


def _logistic_objective(case, data, result):
    import logistic_compare as lc

    pr = lc.problem(data.X, data.y, data.C, lc.TASKS[case.task])
    return lc.objective(pr, result.coef, result.intercept)


def score(case, data, ref, result):
    """``{"subopt", "objective", "rel_gap"}`` of ``result`` against ``ref``.

    ``subopt = (P - P*) / P*`` (worst over the grid for a path); ``rel_gap`` is
    the duality gap of the output (Lasso-type cases) over P*, from
    ``problems.duality_gap``; None where no gap is computed here.
    """
    X, y = data.X, data.y
    rel_gap = None
    if case.kind == "lasso":
        p = objective(X, y, result.coef, result.intercept, data.alpha, case.l1_ratio)
        p_star = ref["P_star"]
        primal, dual = duality_gap(X, y, result.coef, data.alpha, case.l1_ratio)
        rel_gap = (primal - dual) / p_star
    elif case.kind == "path":
        p_star = np.asarray(ref["P_star"])
        p = np.array(
            [
                objective(X, y, result.coef[:, k], result.intercept[k], a, 1.0)
                for k, a in enumerate(data.alphas)
            ]
        )
        k = int(np.argmax((p - p_star) / p_star))
        p, p_star = float(p[k]), float(p_star[k])
    elif case.kind == "ridge":
        p = ridge_objective(X, y, result.coef, result.intercept, data.alpha)
        p_star = ref["P_star"]
    elif case.kind == "cv":
        alphas = np.asarray(ref["alphas"])
        k = int(np.argmin(np.abs(alphas - result.alpha)))
        if not np.isclose(alphas[k], result.alpha, rtol=1e-10, atol=0):
            raise AssertionError(
                f"alpha_ = {result.alpha!r} is not on the golden alpha grid"
            )
        p_star = ref["P_star"][k]
        p = objective(X, y, result.coef, result.intercept, result.alpha, 1.0)
        primal, dual = duality_gap(X, y, result.coef, result.alpha, 1.0)
        rel_gap = (primal - dual) / p_star
    elif case.kind == "logistic":
        p = _logistic_objective(case, data, result)
        p_star = ref["P_star"]
    elif case.kind == "multitask":
        p = multitask_objective(X, y, result.coef, result.intercept, data.alpha)
        p_star = ref["P_star"]
    else:
        raise ValueError(case.kind)
    return {
        "objective": float(p),
        "P_star": float(p_star),
        "subopt": float((p - p_star) / p_star),
        "rel_gap": None if rel_gap is None else float(rel_gap),
    }


def calibrate(runner, case, data, ref, target=TARGET, cap=CAP_SECONDS):
    """The loosest setting of the runner's sweep whose output reaches ``target``.

    The first fit (the loosest setting) doubles as the JIT warm-up. Returns
    ``(setting, seconds_of_that_fit, score, n_fits)`` or ``(None, ...)``
    with the best score seen if no setting reaches the target within ``cap``.
    """
    best = None
    n_fits = 0
    for setting in runner.sweep():
        if n_fits == 0:
            runner.fit(data, setting)  # untimed warm-up (compile / cache load)
        t0 = time.perf_counter()
        result = runner.fit(data, setting)
        seconds = time.perf_counter() - t0
        n_fits += 1
        s = score(case, data, ref, result)
        if best is None or s["subopt"] < best["subopt"]:
            best = s
        if s["subopt"] <= target:
            return setting, seconds, s, n_fits
        if seconds > cap:
            break
    return None, None, best, n_fits


def load_golden(path=GOLDEN):
    if not Path(path).exists():
        return {}
    return json.loads(Path(path).read_text())["cases"]


def versions():
    import platform

    import numpy
    import scipy

    import fastlasso

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "fastlasso": fastlasso.__version__,
        "threads": {
            v: os.environ.get(v)
            for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")
        },
    }
