"""L1 / elastic-net logistic regression: fastlasso vs its peers, time to 1e-6.

Run from the repository root::

    python bench/logistic_compare.py --make-refs  # C values and P*, ~20 s
    python bench/logistic_compare.py              # full run, ~9 min on 2 cores
    python bench/logistic_compare.py --quick      # leukemia only, ~35 s

The judge is fastlasso's own objective (``fastlasso._logistic_path``), which
is scikit-learn's for every ``LogisticRegression`` solver::

    P(w, b) = C * sum_i loss_i(x_i w + b) + l1_ratio * |w|_1
              + (1 - l1_ratio) / 2 * |w|^2,        b unpenalised,

evaluated as ``LogisticProblem(X, Y, C * s, l1_ratio, 1 - l1_ratio,
fit_intercept).objective(eta, W)`` with ``eta = linear(W, b)``, ``Y`` the 0/1
column of the positive class and ``s = 1``. Every solver's ``(coef_,
intercept_)`` is scored by that one function.

Solvers and how each is mapped onto ``P``:

* ``fastlasso``: ``fastlasso.LogisticRegression(C, l1_ratio, solver="saga")``
  (the solver name only passes scikit-learn's penalty validation; the fit is
  fastlasso's proximal Newton either way).
* ``liblinear``: scikit-learn's ``LogisticRegression(solver="liblinear")``.
  liblinear *penalises* the intercept: it is the coefficient of an extra
  constant feature of value ``intercept_scaling``, so the fitted problem is
  ``P + |b| / intercept_scaling``. It is run with ``intercept_scaling`` in
  ``1e3, 1e4, 1e6, 1e8`` (each with its own ``tol`` sweep) and credited with
  the fastest setting of any of them that reaches the target. Too small a
  scaling leaves a floor of suboptimality (``~ |b*| / scaling``, large here
  because C is small), too large a one makes liblinear's coordinate descent
  slow or stall. L1 only (liblinear has no elastic net).
* ``saga``: scikit-learn's ``LogisticRegression(solver="saga")``, unpenalised
  intercept; swept over ``max_iter`` (epochs) with ``tol=0``.
* ``skglm``: ``skglm.SparseLogisticRegression(alpha=1 / (C n), l1_ratio)``,
  which minimises ``mean_i loss_i + alpha l1_ratio |w|_1 + alpha (1 -
  l1_ratio) / 2 |w|^2`` (skglm 0.5 docstring and ``Logistic`` datafit), i.e.
  ``P / (C n)``: the same minimiser; it fits an unpenalised intercept
  (``ProxNewton(fit_intercept=True)``). ``max_iter=100`` (its default is 20
  outer iterations).
* ``celer``: ``celer.LogisticRegression(C)`` minimises ``sum_i loss_i + |w|_1
  / C`` = ``P / C`` (same C), L1 only, and cannot fit an intercept (celer
  0.7.4 raises ``NotImplementedError`` for ``fit_intercept=True``). It is
  therefore *not comparable* on the problems with an intercept (shown as
  n/a), and the benchmark adds the same single-fit problems without an
  intercept (``fit_intercept=False`` for every solver; liblinear is then
  exact), where celer runs. ``max_iter=100``.

``fastlasso``, ``liblinear``, ``skglm`` and ``celer`` are swept over their own
``tol`` (1e-2, 1e-3, ..., 1e-12, ``max_iter=100``); the meaning of ``tol``
differs between libraries, so the benchmark measures time to a fixed
suboptimality instead of comparing fit times at equal ``tol``.

Problems (binary; C is a multiple of ``fastlasso._logistic_path.min_C``, the
smallest C with a non-zero coefficient, and the factor is found by a quick
geometric bisection on nnz(w) with ``--make-refs``):

* ``leukemia``: ``fastlasso.datasets.load_leukemia``, 72 x 7129, y = AML;
* ``prostate``: shared ``prostate.npz``, 136 x 12600, y = 1 (normal);
* ``news20``: shared LIBSVM news20, CSC 15935 x 62061, class 1 vs rest (all
  rows);
* ``toeplitz``: synthetic dense 500 x 20000 with corr(x_i, x_j) = 0.6^|i-j|
  (``problems.make_toeplitz_regression``, seed 0), y = 1 where its regression
  response (20 true features, SNR 3) is positive;

each at a C selecting ~10 features and one selecting ~100 (leukemia and
prostate are separable and p >> n: L1 logistic regression never selects
more than ~20-30 features there, even at 1e6 min_C, so their second C is
fixed at 100 min_C); ``toeplitz`` again with the elastic net (l1_ratio 0.5,
~100 features; fastlasso, saga, skglm); the ~10-feature problems without an
intercept; and the leukemia path over ``Cs = min_C * geomspace(1, 100,
100)`` (increasing C): fastlasso with its own path routine,
``fastlasso.logistic_path`` (warm-started), and, as ``fastlasso-loop``, with
the loop the peers use: one estimator refitted over ``C`` with
``warm_start=True`` where the library supports it (fastlasso, saga, skglm;
scikit-learn ignores ``warm_start`` for liblinear, so its path is 100 cold
fits, run with ``intercept_scaling=1e8`` only). The path suboptimality is the
worst over the 100 Cs, its time that of the whole path.

Method:

* ``P*`` per problem (per C for the path) is fastlasso's objective at
  ``tol=1e-12`` (``max_iter=1000``), certified by its duality gap; both are
  stored in ``bench/golden/logistic_refs.json`` by ``--make-refs`` (with the
  command, commit and versions), read by every later run.
* Search: each solver runs over its sweep, loosest setting first, until its
  relative suboptimality ``(P - P*) / P*`` is <= 1e-6, a fit runs past the
  cap (``--max-fit-seconds``, the fit is killed), or the sweep ends
  (liblinear: also when three tighter ``tol`` in a row do not halve the
  suboptimality: the intercept-penalty floor of that scaling).
* Timing: the settings that reached the target are then timed in
  ``--repeat`` rounds in the benchmark process itself, the solvers
  interleaved (one fit of each per round, order rotated every round); the
  table gives the best of the rounds (fits longer than 2 s: at most 2
  rounds). The machine is shared, so best-of-N
  is the least noisy summary; times of a few ms are still noisy.
* Every search fit runs in a fork of the benchmark process (same arrays in
  memory, compiled code inherited), so a fit past the cap can be stopped;
  the timed rounds (settings known to finish under the cap) run in the
  process itself. Times are ``time.perf_counter`` around ``fit(X, y)``
  (input validation and each library's own conversions included). Before a
  problem's fits every solver has untimed warm-up fits on the same data in
  the benchmark process (Numba compilation / cache loading of fastlasso and
  skglm). OMP/MKL/OPENBLAS/NUMBA_NUM_THREADS=1 and ``threadpool_limits(1)``.
"""

import os

for _var in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Benchmark the working tree's fastlasso, also when it is not installed.
sys.path[:0] = [str(BENCH), str(ROOT)]

from problems import (  # noqa: E402
    _dense,
    _need,
    default_data_dir,
    load_leukemia,
    load_news20,
    make_toeplitz_regression,
)

REFS = BENCH / "golden" / "logistic_refs.json"
OUT = BENCH / "results" / "logistic_compare.md"
TARGET = 1e-6
REF_TOL = 1e-12
REF_MAX_ITER = 1000
TOLS = tuple(10.0**-k for k in range(13))  # 1, 0.1, ..., 1e-12
SAGA_EPOCHS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
INTERCEPT_SCALINGS = (1e3, 1e4, 1e6, 1e8)
PATH_FACTORS = np.geomspace(1.0, 100.0, 100)
SOLVERS = ("fastlasso", "fastlasso-loop", "liblinear", "saga", "skglm", "celer")
PEERS = SOLVERS[2:]
LONG_FIT = 2.0  # seconds: fits longer than this are timed in at most 2 rounds


# ----------------------------------------------------------------------- data
def _binary(y):
    return (np.asarray(y) > 0).astype(np.float64)


def load_dataset(name, data_dir):
    """``(X, y)`` with y in {0, 1} (1 = the positive class)."""
    if name == "leukemia":
        X, y = load_leukemia(data_dir)  # y = +1 for AML, -1 for ALL
        return X, _binary(y)
    if name == "prostate":
        with np.load(_need(Path(data_dir) / "prostate.npz")) as d:
            return _dense(d["X"]), _binary(d["y"])  # 1 = normal, 0 = tumour
    if name == "news20":
        X, y = load_news20(data_dir)  # CSC, y = +1 for class 1
        return X, _binary(y)
    if name == "toeplitz":
        X, y = make_toeplitz_regression()  # dense 500 x 20000, seed 0
        return X, _binary(y)
    raise ValueError(name)


DATA_NOTES = {
    "leukemia": "dense, raw expression, y = AML",
    "prostate": "dense, raw expression, y = normal",
    "news20": "sparse CSC, term counts, class 1 vs rest",
    "toeplitz": "dense synthetic, corr 0.6^|i-j|, y = 1[response > 0]",
}


@dataclass(frozen=True)
class Task:
    """One logistic problem: a dataset, a penalty and a C (or a path of Cs)."""

    name: str
    dataset: str
    target_nnz: int = 0  # C searched for this nnz(w) ...
    factor: float = 0.0  # ... or fixed at factor * min_C
    l1_ratio: float = 1.0
    fit_intercept: bool = True
    path: bool = False
    note: str = ""

    @property
    def label(self):
        if self.path:
            return f"{self.dataset} path"
        kind = "L1" if self.l1_ratio == 1.0 else f"enet {self.l1_ratio:g}"
        icpt = "" if self.fit_intercept else ", no intercept"
        return f"{self.dataset} ({kind}{icpt})"


TASKS = {
    t.name: t
    for t in [
        Task("leukemia-10", "leukemia", target_nnz=10),
        Task(
            "leukemia-100",
            "leukemia",
            factor=100.0,
            note="leukemia: n = 72",
        ),
        Task("prostate-10", "prostate", target_nnz=10),
        Task(
            "prostate-100",
            "prostate",
            factor=100.0,
            note="prostate: n = 136",
        ),
        Task("news20-10", "news20", target_nnz=10),
        Task("news20-100", "news20", target_nnz=100),
        Task("toeplitz-10", "toeplitz", target_nnz=10),
        Task("toeplitz-100", "toeplitz", target_nnz=100),
        Task("toeplitz-enet-100", "toeplitz", target_nnz=100, l1_ratio=0.5),
        Task("leukemia-10-noint", "leukemia", target_nnz=10, fit_intercept=False),
        Task("prostate-10-noint", "prostate", target_nnz=10, fit_intercept=False),
        Task("news20-10-noint", "news20", target_nnz=10, fit_intercept=False),
        Task("toeplitz-10-noint", "toeplitz", target_nnz=10, fit_intercept=False),
        Task("leukemia-path", "leukemia", path=True),
    ]
}
QUICK_TASKS = ("leukemia-10", "leukemia-100")


def problem(X, y, C, task):
    from fastlasso._logistic_path import LogisticProblem

    c = np.full(X.shape[0], float(C))
    l1 = task.l1_ratio
    return LogisticProblem(X, y[:, None], c, l1, 1.0 - l1, task.fit_intercept)


def objective(pr, coef, intercept):
    W = np.asarray(coef, dtype=np.float64).reshape(1, -1)
    b = np.atleast_1d(np.asarray(intercept, dtype=np.float64)).reshape(1)
    return pr.objective(pr.linear(W, b), W)


def min_c(X, y, task):
    from fastlasso._logistic_path import min_C

    s = np.ones(X.shape[0])
    return min_C(X, y[:, None], s, task.l1_ratio, task.fit_intercept)


# -------------------------------------------------------------------- solvers
def _sk(C, task, **kw):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=C, l1_ratio=task.l1_ratio, fit_intercept=task.fit_intercept, **kw
    )


class Solver:
    """Sweep, estimator and the C parameter of one library."""

    name = ""

    def supports(self, task):
        """``None`` or why this solver cannot solve ``task``."""
        return None

    def sweep(self, task):
        """Settings (dicts), loosest first; ``group`` splits liblinear's."""
        return [{"tol": t} for t in TOLS]

    def estimator(self, C, n, task, setting, warm=False):
        raise NotImplementedError

    def set_C(self, est, C, n):
        est.set_params(C=C)

    def fit(self, X, y, C, task, setting):
        est = self.estimator(C, X.shape[0], task, setting)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at loose tol
            est.fit(X, y)
        extra = {}
        if hasattr(est, "dual_gap_"):
            extra["dual_gap"] = float(est.dual_gap_)
        return np.ravel(est.coef_), float(np.ravel(est.intercept_)[0]), extra

    def path(self, X, y, Cs, task, setting):
        """Loop over Cs with one estimator (warm-started if supported)."""
        n = X.shape[0]
        est = self.estimator(Cs[0], n, task, setting, warm=True)
        coefs, intercepts = np.empty((len(Cs), X.shape[1])), np.empty(len(Cs))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for k, C in enumerate(Cs):
                self.set_C(est, C, n)
                est.fit(X, y)
                coefs[k] = np.ravel(est.coef_)
                intercepts[k] = np.ravel(est.intercept_)[0]
        return coefs, intercepts, {}

    def predict(self, setting, previous):
        """Expected seconds of ``setting`` after ``previous`` (None: unknown)."""
        return None

    def version(self):
        raise NotImplementedError


class FastLasso(Solver):
    name = "fastlasso"

    def estimator(self, C, n, task, setting, warm=False):
        from fastlasso import LogisticRegression

        return LogisticRegression(
            C=C,
            l1_ratio=task.l1_ratio,
            fit_intercept=task.fit_intercept,
            solver="saga",  # passes scikit-learn's validation of l1_ratio > 0
            tol=setting["tol"],
            max_iter=setting.get("max_iter", 100),
            warm_start=warm,
        )

    def path(self, X, y, Cs, task, setting):
        """fastlasso's own path routine (warm-started, in the given order)."""
        from fastlasso import logistic_path

        coefs, _, _, _ = logistic_path(
            X,
            y,
            Cs=np.asarray(Cs),
            l1_ratio=task.l1_ratio,
            fit_intercept=task.fit_intercept,
            tol=setting["tol"],
            max_iter=setting.get("max_iter", 100),
        )
        coefs = coefs[:, 0, :]
        if task.fit_intercept:
            return coefs[:, :-1], coefs[:, -1], {}
        return coefs, np.zeros(len(Cs)), {}

    def version(self):
        import fastlasso

        return fastlasso.__version__


class FastLassoLoop(FastLasso):
    """The path as a loop of ``LogisticRegression(warm_start=True)`` fits."""

    name = "fastlasso-loop"

    def supports(self, task):
        return None if task.path else "path only"

    path = Solver.path


class Liblinear(Solver):
    name = "liblinear"

    def supports(self, task):
        if task.l1_ratio != 1.0:
            return "no elastic net"
        return None

    def sweep(self, task):
        scalings = INTERCEPT_SCALINGS if task.fit_intercept else (1.0,)
        if task.path:
            scalings = scalings[-1:]  # 100 cold fits per setting: the largest
        return [
            {"tol": t, "intercept_scaling": s, "group": s}
            for s in scalings
            for t in TOLS
        ]

    def estimator(self, C, n, task, setting, warm=False):
        return _sk(
            C,
            task,
            solver="liblinear",
            tol=setting["tol"],
            max_iter=100,
            intercept_scaling=setting["intercept_scaling"],
            random_state=0,
        )

    def version(self):
        import sklearn

        return sklearn.__version__


class Saga(Solver):
    name = "saga"

    def sweep(self, task):
        return [{"max_iter": m} for m in SAGA_EPOCHS]

    def predict(self, setting, previous):
        """Seconds of ``setting`` extrapolated from the last fit (epochs)."""
        return (
            previous["seconds"] * setting["max_iter"] / previous["setting"]["max_iter"]
        )

    def estimator(self, C, n, task, setting, warm=False):
        return _sk(
            C,
            task,
            solver="saga",
            tol=0.0,
            random_state=0,
            max_iter=setting["max_iter"],
            warm_start=warm,
        )

    def version(self):
        import sklearn

        return sklearn.__version__


class Skglm(Solver):
    name = "skglm"

    def estimator(self, C, n, task, setting, warm=False):
        from skglm import SparseLogisticRegression

        return SparseLogisticRegression(
            alpha=1.0 / (C * n),
            l1_ratio=task.l1_ratio,
            tol=setting["tol"],
            max_iter=100,
            fit_intercept=task.fit_intercept,
            warm_start=warm,
        )

    def set_C(self, est, C, n):
        est.set_params(alpha=1.0 / (C * n))

    def version(self):
        import skglm

        return skglm.__version__


class Celer(Solver):
    name = "celer"

    def supports(self, task):
        if task.fit_intercept:
            return "no intercept"
        if task.l1_ratio != 1.0:
            return "L1 only"
        return None

    def estimator(self, C, n, task, setting, warm=False):
        from celer import LogisticRegression

        return LogisticRegression(C=C, tol=setting["tol"], max_iter=100)

    def version(self):
        import celer

        return celer.__version__


SOLVER_CLASSES = {
    c.name: c for c in (FastLasso, FastLassoLoop, Liblinear, Saga, Skglm, Celer)
}


# ------------------------------------------------------------- capped fits
class Capped(Exception):
    pass


def _child(conn, fn):
    try:
        start = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - start
        conn.send(("ok", (elapsed, out)))
    except BaseException:  # noqa: BLE001 - reported to the parent
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def run_capped(fn, cap):
    """``(seconds, fn())`` from a fork of this process; ``Capped`` past ``cap``."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(cap):
            proc.kill()
            raise Capped
        try:
            status, payload = recv.recv()
        except EOFError:
            status, payload = "error", f"fit process died (exit {proc.exitcode})"
    finally:
        proc.join()
        recv.close()
    if status != "ok":
        raise RuntimeError(payload)
    return payload


# ---------------------------------------------------------------- references
def fastlasso_fit(X, y, C, task, tol):
    coef, b, extra = FastLasso().fit(
        X, y, C, task, {"tol": tol, "max_iter": REF_MAX_ITER}
    )
    return coef, b, extra["dual_gap"]


def search_factor(X, y, task, mc, log):
    """Factor of min_C whose fit has about ``task.target_nnz`` features."""
    target = task.target_nnz
    slack = max(1, round(0.1 * target))
    tried = []

    def nnz(f):
        coef, _, _ = fastlasso_fit(X, y, f * mc, task, 1e-8)
        k = int(np.count_nonzero(coef))
        tried.append((float(f), k))
        log(f"    factor {f:.4g}: nnz {k}")
        return k

    lo, hi = 1.0, 2.0
    while nnz(hi) < target and hi < 1e6:
        lo, hi = hi, hi * 4
    for _ in range(14):
        k_hi = [k for f, k in tried if f == hi][-1]
        if abs(k_hi - target) <= slack:
            break
        mid = float(np.sqrt(lo * hi))
        if nnz(mid) < target:
            lo = mid
        else:
            hi = mid
    best = min(tried, key=lambda fk: (abs(fk[1] - target), fk[0]))
    return float(f"{best[0]:.3g}"), tried


def make_refs(args, log):
    out = {
        "command": "python bench/logistic_compare.py --make-refs",
        "created": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "environment": environment(),
        "objective": "C * sum_i loss_i + l1_ratio |w|_1 + (1 - l1_ratio)/2 |w|^2",
        "ref_tol": REF_TOL,
        "ref_max_iter": REF_MAX_ITER,
        "tasks": {},
    }
    data = {}
    for name in args.tasks:
        task = TASKS[name]
        if task.dataset not in data:
            data = {task.dataset: load_dataset(task.dataset, args.data_dir)}
        X, y = data[task.dataset]
        mc = min_c(X, y, task)
        log(f"{name}: min_C = {mc:.6g}")
        entry = dict(
            dataset=task.dataset,
            n=X.shape[0],
            p=X.shape[1],
            nnz_X=int(X.nnz if sp.issparse(X) else np.count_nonzero(X)),
            l1_ratio=task.l1_ratio,
            fit_intercept=task.fit_intercept,
            min_C=mc,
        )
        if task.path:
            Cs = mc * PATH_FACTORS
            start = time.perf_counter()
            from fastlasso._logistic_path import logistic_path

            coefs, _, n_iter, gaps = logistic_path(
                X,
                y[:, None],
                np.ones(X.shape[0]),
                Cs,
                task.l1_ratio,
                fit_intercept=task.fit_intercept,
                tol=REF_TOL,
                max_iter=REF_MAX_ITER,
            )
            seconds = time.perf_counter() - start
            p_star, nnz = [], []
            for k, C in enumerate(Cs):
                pr = problem(X, y, C, task)
                p_star.append(objective(pr, coefs[k, 0, :-1], coefs[k, 0, -1]))
                nnz.append(int(np.count_nonzero(coefs[k, 0, :-1])))
            p_star = np.array(p_star)
            entry.update(
                factors=PATH_FACTORS.tolist(),
                Cs=Cs.tolist(),
                P_star=p_star.tolist(),
                gap=gaps.tolist(),
                rel_gap_max=float(np.max(gaps / p_star)),
                nnz_w=nnz,
                n_iter=n_iter.tolist(),
                seconds=seconds,
            )
            log(
                f"  path: max relative gap {entry['rel_gap_max']:.1e}, nnz "
                f"{nnz[0]}..{nnz[-1]}, {seconds:.1f} s"
            )
        else:
            if task.target_nnz:
                factor, tried = search_factor(X, y, task, mc, log)
                entry.update(target_nnz=task.target_nnz, search=tried)
            else:
                factor = task.factor
            C = factor * mc
            start = time.perf_counter()
            coef, b, gap = fastlasso_fit(X, y, C, task, REF_TOL)
            seconds = time.perf_counter() - start
            p_star = objective(problem(X, y, C, task), coef, b)
            entry.update(
                factor=factor,
                C=C,
                P_star=p_star,
                gap=gap,
                rel_gap=gap / p_star,
                nnz_w=int(np.count_nonzero(coef)),
                intercept=b,
                seconds=seconds,
            )
            log(
                f"  factor {factor:g}: C = {C:.6g}, nnz {entry['nnz_w']}, P* = "
                f"{p_star:.15g}, gap {gap:.2e} (relative {gap / p_star:.1e}), "
                f"{seconds:.2f} s"
            )
        out["tasks"][name] = entry
    old = {}
    if REFS.exists():
        old = json.loads(REFS.read_text()).get("tasks", {})
    out["tasks"] = {**old, **out["tasks"]}
    REFS.parent.mkdir(parents=True, exist_ok=True)
    REFS.write_text(json.dumps(out, indent=1) + "\n")
    log(f"wrote {REFS}")


# ------------------------------------------------------------------ benchmark
class Judge:
    """Relative suboptimality against the stored P* (worst over a path)."""

    def __init__(self, X, y, task, ref):
        self.task = task
        Cs = ref["Cs"] if task.path else [ref["C"]]
        self.Cs = np.asarray(Cs)
        self.problems = [problem(X, y, C, task) for C in Cs]
        self.p_star = np.atleast_1d(np.asarray(ref["P_star"], dtype=np.float64))

    def __call__(self, result):
        coefs, intercepts, _ = result
        coefs = np.atleast_2d(coefs)
        intercepts = np.atleast_1d(intercepts)
        values = np.array(
            [
                objective(pr, coefs[k], intercepts[k])
                for k, pr in enumerate(self.problems)
            ]
        )
        return float(np.max((values - self.p_star) / self.p_star))


def call(solver, X, y, task, judge, setting):
    if task.path:
        return lambda: solver.path(X, y, judge.Cs, task, setting)
    return lambda: solver.fit(X, y, judge.Cs[0], task, setting)


def warm_up(solver, X, y, task, judge, log):
    """Untimed fits in this process: compilation / cache loading, page-in."""
    settings = solver.sweep(task)
    first = settings[0]
    start = time.perf_counter()
    if task.path:
        solver.path(X, y, judge.Cs[:2], task, first)
    else:
        solver.fit(X, y, judge.Cs[0], task, first)
    if isinstance(solver, (FastLasso, Skglm)):
        # Numba: the tightest tol for two iterations, for the code paths of the
        # tight fits
        est = solver.estimator(judge.Cs[0], X.shape[0], task, settings[-1])
        est.set_params(max_iter=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
    seconds = time.perf_counter() - start
    if seconds > 1.0:
        log(f"    {solver.name}: warm-up {seconds:.1f} s")


def search(solver, X, y, task, judge, cap, log):
    """Sweep until the target; returns all measurements (dicts)."""
    rows, by_group, capped = [], {}, False
    for setting in solver.sweep(task):
        group = setting.get("group")
        hist = by_group.setdefault(group, [])
        if hist and (hist[-1]["reached"] or hist[-1]["capped"]):
            continue
        if (
            group is not None
            and len(hist) >= 4
            and all(
                h["subopt"] > 0.5 * g["subopt"]
                for g, h in zip(hist[-4:-1], hist[-3:], strict=True)
            )
        ):
            continue  # three steps without halving: a floor (liblinear scaling)
        row = dict(solver=solver.name, setting=setting, capped=False)
        expected = solver.predict(setting, hist[-1]) if hist else None
        if expected is not None and expected > cap:
            log(
                f"    {solver.name:9s} {fmt_setting(setting):28s} not run: "
                f"~{expected:.3g} s expected, over the cap ({cap:g} s)"
            )
            capped = True  # the sweep ends at the cap
            break
        try:
            seconds, result = run_capped(call(solver, X, y, task, judge, setting), cap)
        except Capped:
            row.update(capped=True, reached=False, seconds=cap, subopt=np.inf)
            capped = True
            log(f"    {solver.name:9s} {fmt_setting(setting):28s} > cap ({cap:g} s)")
            hist.append(row)
            rows.append(row)
            if group is None:
                break
            continue
        sub = judge(result)
        row.update(
            seconds=seconds,
            subopt=sub,
            reached=sub <= TARGET,
            nnz=int(np.count_nonzero(np.atleast_2d(result[0])[-1])),
            extra=result[2],
        )
        log(
            f"    {solver.name:9s} {fmt_setting(setting):28s} {seconds:8.4f} s  "
            f"subopt {sub:9.2e}  nnz {row['nnz']}"
        )
        hist.append(row)
        rows.append(row)
        if row["reached"] and group is None:
            break
    return rows, capped


def fmt_setting(setting):
    return ", ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in setting.items()
        if k != "group"
    )


def time_rounds(candidates, X, y, task, judge, repeat):
    """Best-of-``repeat`` time of each candidate, interleaved round by round."""
    times = {id(c): [] for c in candidates}
    for r in range(repeat):
        order = candidates[r % len(candidates) :] + candidates[: r % len(candidates)]
        for c in order:
            t = times[id(c)]
            if r >= 2 and t and min(t) > LONG_FIT:
                continue
            # in this process: the setting finished under the cap in the search
            fn = call(SOLVER_CLASSES[c["solver"]](), X, y, task, judge, c["setting"])
            start = time.perf_counter()
            result = fn()
            t.append(time.perf_counter() - start)
            c["subopt"] = max(c["subopt"], judge(result))  # worst over the runs
    for c in candidates:
        c["times"] = times[id(c)]
        c["best"] = float(min(times[id(c)]))
    return candidates


def run_task(task, X, y, ref, solvers, args, log):
    judge = Judge(X, y, task, ref)
    cap = args.max_path_seconds if task.path else args.max_fit_seconds
    log(f"  {task.name}: {task.label}, C = {describe_C(task, ref)}")
    result = dict(task=task.name, solvers={})
    active = []
    for name in solvers:
        solver = SOLVER_CLASSES[name]()
        why = solver.supports(task)
        if why:
            result["solvers"][name] = dict(status="n/a", why=why)
            continue
        warm_up(solver, X, y, task, judge, log)
        active.append(solver)
    candidates = []
    for solver in active:
        rows, capped = search(solver, X, y, task, judge, cap, log)
        reached = [r for r in rows if r["reached"]]
        entry = dict(status="reached" if reached else "not reached", rows=rows)
        if reached:
            fastest = min(r["seconds"] for r in reached)
            mine = [r for r in reached if r["seconds"] <= 3 * fastest]
            candidates += mine
            entry["candidates"] = mine
        else:
            done = [r for r in rows if not r["capped"]]
            best = min(done, key=lambda r: r["subopt"]) if done else None
            entry.update(
                best=best,
                capped=capped,
                longest=max(r["seconds"] for r in rows) if rows else 0.0,
            )
        result["solvers"][solver.name] = entry
    if candidates:
        time_rounds(candidates, X, y, task, judge, args.repeat)
    for name, entry in result["solvers"].items():
        if entry["status"] == "reached":
            win = min(entry["candidates"], key=lambda c: c["best"])
            entry.update(
                time=win["best"],
                setting=win["setting"],
                subopt=win["subopt"],
                n_times=len(win["times"]),
                extra=win.get("extra", {}),
            )
            log(
                f"    => {name:9s} {win['best']:.4g} s (best of "
                f"{len(win['times'])}) at {fmt_setting(win['setting'])}, subopt "
                f"{win['subopt']:.1e}"
            )
        elif entry["status"] == "not reached":
            best = entry["best"]
            log(
                f"    => {name:9s} not reached: best subopt "
                f"{best['subopt'] if best else np.inf:.1e}"
            )
    return result


def describe_C(task, ref):
    if task.path:
        return "min_C * geomspace(1, 100, 100)"
    return f"{ref['factor']:g} min_C = {ref['C']:.4g}"


# ------------------------------------------------------------------- report
def environment():
    import numba
    import scipy
    import sklearn

    versions = [
        f"numpy {np.__version__}",
        f"scipy {scipy.__version__}",
        f"numba {numba.__version__}",
        f"fastlasso {FastLasso().version()}",
        f"scikit-learn {sklearn.__version__}",
    ]
    for mod in ("skglm", "celer"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            versions.append(f"{mod} not installed")
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "fastlasso"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if dirty:
        files = ", ".join(line.split()[-1] for line in dirty.splitlines())
        commit += f" (uncommitted: {files})"
    return (
        f"commit {commit or '?'}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"1 thread; Python {platform.python_version()}, " + ", ".join(versions)
    )


def fmt_gap(rel):
    """A relative duality gap; <= 1e-15 (or negative: rounding) as such."""
    return f"{rel:.0e}" if rel > 1e-15 else "<= 1e-15"


def fmt_time(t):
    return f"{t:.3g} s" if t >= 0.01 else f"{t * 1e3:.3g} ms"


def cell(entry):
    if entry is None:
        return "—"
    if entry["status"] == "n/a":
        return f"n/a ({entry['why']})"
    if entry["status"] == "reached":
        return fmt_time(entry["time"])
    best = entry["best"]
    sub = f"best {best['subopt']:.1e}" if best else "no fit under the cap"
    capped = f", > {fmt_time(entry['longest'])}" if entry["capped"] else ""
    return f"not reached ({sub}{capped})"


def ratio(entries):
    fl = entries.get("fastlasso")
    if fl is None or fl["status"] != "reached":
        return "—"
    peers = [entries[p] for p in PEERS if p in entries]
    times = [e["time"] for e in peers if e["status"] == "reached"]
    if times:
        return f"{min(times) / fl['time']:.2f}x"
    bounds = [e["longest"] for e in peers if e["status"] == "not reached"]
    if bounds:
        return f"> {min(bounds) / fl['time']:.2g}x (none reached)"
    return "—"


def markdown(results, refs, solvers, args, env, seconds):
    lines = [
        "# Logistic regression: fastlasso vs peers (`bench/logistic_compare.py`)",
        "",
        f"Time to relative suboptimality `(P - P*) / P* <= {TARGET:g}` on "
        "scikit-learn's objective `C sum_i loss_i + l1_ratio |w|_1 + "
        "(1 - l1_ratio)/2 |w|^2` (unpenalised intercept), judged by "
        "`fastlasso._logistic_path.LogisticProblem.objective`; P* from "
        "`bench/golden/logistic_refs.json` (fastlasso at tol=1e-12, certified "
        "by its duality gap: `P* rel. gap`). Best of "
        f"{args.repeat} interleaved rounds (fits > {LONG_FIT:g} s: of 2) on a "
        "shared 2-core machine, 1 thread; each library's own `tol` "
        "(saga: `max_iter`) swept until the target is met. Ratio = fastest peer "
        "/ fastlasso (> 1: fastlasso is faster).",
        "",
    ]
    sections = [
        (
            "L1 and elastic net, with an unpenalised intercept",
            lambda t: not t.path and t.fit_intercept,
        ),
        (
            "Without intercept (`fit_intercept=False` for every solver, so "
            "celer is comparable and liblinear exact)",
            lambda t: not t.path and not t.fit_intercept,
        ),
        (
            "Path over 100 Cs (worst suboptimality over the Cs; time of the "
            "whole path; fastlasso = `fastlasso.logistic_path`, fastlasso-loop "
            "and the peers = one estimator refitted over C with `warm_start=True` "
            "(liblinear: 100 cold fits))",
            lambda t: t.path,
        ),
    ]
    for title, keep in sections:
        rows = [r for r in results if keep(TASKS[r["task"]])]
        if not rows:
            continue
        notes = set()
        path = TASKS[rows[0]["task"]].path
        cols = [c for c in solvers if path or c != "fastlasso-loop"]
        head = (
            "| problem | n x p | nnz(X) | C | nnz(w*) | "
            + " | ".join(cols)
            + " | fastest peer / fastlasso | fastlasso `dual_gap_` (rel.) "
            "| P* rel. gap |"
        )
        lines += [f"**{title}**", "", head, "|" + "---|" * (head.count("|") - 1)]
        for r in rows:
            task, ref = TASKS[r["task"]], refs[r["task"]]
            e = r["solvers"]
            nnz_w = (
                f"{ref['nnz_w'][0]}..{ref['nnz_w'][-1]}" if task.path else ref["nnz_w"]
            )
            if task.path:
                C = "min_C x geomspace(1, 100, 100)"
                p_gap = ref["rel_gap_max"]
            else:
                C = f"{ref['factor']:g} min_C = {ref['C']:.3g}"
                p_gap = ref["rel_gap"]
            fl = e.get("fastlasso")
            gap = "—"
            if fl and fl["status"] == "reached" and "dual_gap" in fl["extra"]:
                dual_gap = fl["extra"]["dual_gap"]
                gap = f"{dual_gap:.1e} ({dual_gap / ref['P_star']:.0e})"
            elif task.path:
                gap = "n/a (path)"
            label = task.label + (" (*)" if task.note else "")
            notes |= {task.note} if task.note else set()
            lines.append(
                f"| {label} | {ref['n']} x {ref['p']} | {ref['nnz_X']} | {C} | "
                f"{nnz_w} | "
                + " | ".join(cell(e.get(s)) for s in cols)
                + f" | {ratio(e)} | {gap} | {fmt_gap(p_gap)} |"
            )
        lines.append("")
        if notes:
            lines += [
                "(*) " + "; ".join(sorted(notes)) + ": L1 logistic regression on "
                "these separable p >> n data never selects ~100 features (about "
                "20-30 even at C = 1e6 min_C), so the second C is 100 min_C.",
                "",
            ]
    lines += [
        "**Settings that met the target** (the timed one; saga: epochs; "
        "liblinear: `intercept_scaling`), and suboptimality reached:",
        "",
        "| problem | solver | setting | subopt | timed rounds |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        for s in solvers:
            e = r["solvers"].get(s)
            if e and e["status"] == "reached":
                lines.append(
                    f"| {r['task']} | {s} | {fmt_setting(e['setting'])} | "
                    f"{e['subopt']:.1e} | {e['n_times']} |"
                )
    lines += [
        "",
        "`n/a`: the solver cannot fit this problem (celer has no intercept; "
        "liblinear and celer have no elastic net). `not reached (best s, > t)`: "
        "no setting of the sweep met the target; best suboptimality seen, and, "
        "when a fit was stopped at the cap, its length (a lower bound on the "
        "time to the target; the ratio then is a lower bound too). liblinear "
        "penalises the intercept (`|b| / intercept_scaling` is added to P); it is "
        f"credited with its fastest `intercept_scaling` in {INTERCEPT_SCALINGS} "
        "(path: the largest). skglm: `alpha = 1 / (C n)`. celer: same `C`. "
        "`fastlasso dual_gap_ (rel.)`: the certificate fastlasso reports at the "
        "timed `tol` (and relative to P*), an upper bound on its suboptimality; "
        "`P* rel. gap`: the reference fit's gap / P*. The sweeps' fits run in "
        "forks of the benchmark process (so a fit past the cap can be stopped); "
        "the timed rounds run in the benchmark process itself.",
        "",
        f"Environment: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {env}. "
        f"Run time {seconds:.0f} s.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------- main
def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--make-refs", action="store_true", help="write the P* file")
    ap.add_argument("--quick", action="store_true", help="leukemia only, 2 rounds")
    ap.add_argument("--tasks", help=f"comma-separated subset of {','.join(TASKS)}")
    ap.add_argument("--solvers", help=f"comma-separated subset of {','.join(SOLVERS)}")
    ap.add_argument("--repeat", type=int, default=5, help="timing rounds")
    ap.add_argument("--max-fit-seconds", type=float, default=8.0)
    ap.add_argument("--max-path-seconds", type=float, default=30.0)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None, help=f"markdown (default {OUT})")
    args = ap.parse_args(argv)
    args.data_dir = args.data_dir or default_data_dir()
    full = not (args.quick or args.tasks or args.solvers or args.make_refs)
    if args.tasks:
        args.tasks = args.tasks.split(",")
    elif args.quick:
        args.tasks = list(QUICK_TASKS)
    else:
        args.tasks = list(TASKS)
    unknown = set(args.tasks) - set(TASKS)
    if unknown:
        ap.error(f"unknown tasks {sorted(unknown)}")
    if args.quick:
        args.repeat = min(args.repeat, 2)
        args.max_fit_seconds = min(args.max_fit_seconds, 3.0)
    if args.out is None and full:
        args.out = OUT  # a subset or --quick writes nothing unless --out is given
    return args


def main(argv=None):
    from threadpoolctl import threadpool_limits

    args = parse_args(argv)
    start = time.perf_counter()

    def log(msg):
        print(
            f"[{time.perf_counter() - start:6.1f} s] {msg}", file=sys.stderr, flush=True
        )

    with threadpool_limits(1):
        if args.make_refs:
            make_refs(args, log)
            return
        if not REFS.exists():
            sys.exit(
                f"{REFS} missing: run `python bench/logistic_compare.py --make-refs`"
            )
        refs = json.loads(REFS.read_text())["tasks"]
        missing = [t for t in args.tasks if t not in refs]
        if missing:
            sys.exit(f"no reference for {missing}: run with --make-refs --tasks ...")
        solvers = []
        for name in args.solvers.split(",") if args.solvers else SOLVERS:
            try:
                SOLVER_CLASSES[name]().version()
                solvers.append(name)
            except ImportError as exc:
                log(f"{name} skipped: {exc}")
        env = environment()
        log(env)
        results, data = [], {}
        for name in args.tasks:
            task = TASKS[name]
            if task.dataset not in data:
                data = {task.dataset: load_dataset(task.dataset, args.data_dir)}
            X, y = data[task.dataset]
            ref = refs[name]
            if (ref["n"], ref["p"]) != X.shape:
                sys.exit(f"{name}: data shape {X.shape} differs from the references")
            results.append(run_task(task, X, y, ref, solvers, args, log))
        seconds = time.perf_counter() - start
        text = markdown(results, refs, solvers, args, env, seconds)
        print(text)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text)
            log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
