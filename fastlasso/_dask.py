"""Exact fits, paths and cross-validation on dask arrays, from one pass over X.

The squared-loss objectives of :class:`~fastlasso.ElasticNet`, :class:`~fastlasso.Lasso`
and :class:`~fastlasso.Ridge` (intercept included), their gradients and their
duality gaps depend on the data only through the sufficient statistics of
:mod:`fastlasso._stats` (``n``, weighted means, the centred Gram ``Z^T W Z``,
``Z^T W y``, ``y^T W y``). One distributed pass computes them: a task per row chunk
(float64, centred at the chunk's own means) and a binary tree of exact pairwise
merges (Chan et al.). For cross-validation the same pass keeps one set of
statistics per test fold (fold ids from the splitter, applied to the row index):
the training statistics of fold k are the merge of the other folds', and the
held-out error ``yy_k - 2 b^T q_k + b^T G_k b + n_k d^2`` (see
:func:`fastlasso._stats.heldout_sse`) is exact, so a K-fold x 100-alpha
:class:`~fastlasso.LassoCV` reads X once (so does a K-fold
:class:`~fastlasso.RidgeCV`). The paths are then solved on the driver
by the Gram (covariance-update) kernel :func:`cd_enet_gram` through
:func:`fastlasso._path.solve_path`: the same kernel, the same ``dual_gap_``
certificate and the same ``tol`` meaning (gap <= ``tol * y_c^T W y_c``) as an
in-memory fit with ``precompute=True``. That kernel has gap-safe screening but
no working sets (those are in the design kernel only).

Entry point: the estimators' ``fit`` and :func:`enet_path` / :func:`lasso_path`
take a ``dask.array.Array`` X (y and sample_weight may be dask or NumPy arrays)
and come here. Nothing imports dask unless the caller already has: detection
looks in ``sys.modules`` (:func:`uses_dask`).

Limits. With a local scheduler the driver holds ``K + 2`` Gram matrices of
``8 p^2`` bytes for a K-fold CV (K fold statistics, the total and one training
fold, merged in place), a fit 2; on a ``distributed`` client the fold statistics
stay on a worker (:class:`_FoldStats`) and the driver holds about two (the
training fold being solved, then the total and its scaled copy for the refit).
The budget counts ``K + 2`` either way; above :data:`MAX_GRAM_BYTES` (default
8 GiB, environment variable ``FASTLASSO_MAX_GRAM_BYTES``) a clear ``ValueError``
is raised before any work, except for ``Lasso`` / ``ElasticNet`` fits and
``enet_path`` / ``lasso_path``, which then take the strong-set (BASIL) route of
:mod:`fastlasso._dask_wide` (several passes, no p x p matrix; :func:`_route`,
``FASTLASSO_DASK_ROUTE``).
Each worker task holds its chunk, one float64 sub-block of at most 32 MiB
(:data:`fastlasso._stats.SUB_BLOCK_BYTES`) and the statistics of the groups it
has merged (a chunk of an unshuffled KFold touches one or two folds; merged
results carry up to K + 1 Gram matrices). Penalty factors, bounds,
``solver='fista'`` and Ridge's ``positive`` need X and are refused. Ridge is solved
by Cholesky on ``G + alpha I``: forming the Gram squares the condition number of
``Z``, so at an alpha far below ``eps * ||G||`` the relative error of the
coefficients grows like ``eps * cond(Z)^2`` (as for the in-memory 'cholesky').
"""

from __future__ import annotations

import os
import sys
import warnings
from numbers import Integral, Number

import numpy as np

from ._stats import (
    RefitParams,
    alpha_grid_stats,
    chunk_stats,
    enet_from_stats,
    fold_ids,
    gram_of,
    grid_from_q,
    heldout_sse,
    kfold_bounds,
    merge_all,
    merge_groups,
    refuse_unsupported,
    ridge_coefs,
    ridge_cv_scores,
    solve_gram,
    uncentred,
)

__all__ = [
    "MAX_GRAM_BYTES",
    "compute_stats",
    "enet_path_dask",
    "fit_enet_cv_dask",
    "fit_enet_dask",
    "fit_ridge_dask",
    "fit_ridgecv_dask",
    "uses_dask",
]

#: Largest driver memory, in bytes, that the Gram matrices of one call may take
#: (``(K + 2) * 8 p^2`` for a K-fold CV); ``FASTLASSO_MAX_GRAM_BYTES`` overrides.
MAX_GRAM_BYTES = 8 << 30


def uses_dask(*arrays) -> bool:
    """True iff one of ``arrays`` is a ``dask.array.Array`` (no dask import)."""
    da = sys.modules.get("dask.array")
    if da is None:
        return False
    return any(isinstance(a, da.Array) for a in arrays)


def _gram_limit():
    env = os.environ.get("FASTLASSO_MAX_GRAM_BYTES")
    return int(float(env)) if env else int(MAX_GRAM_BYTES)


def _check_gram_budget(p, n_grams, what, suggest_wide=True):
    need = n_grams * 8 * p * p
    limit = _gram_limit()
    if need > limit:
        hint = (
            "Lasso / ElasticNet fit and enet_path / lasso_path take the strong-set "
            "route (fastlasso._dask_wide) above this limit instead; cross-validation "
            "and Ridge do not. "
            if suggest_wide
            else ""
        )
        raise ValueError(
            f"{what} on a dask array with n_features={p} needs {n_grams} Gram "
            f"matrices of 8 * p^2 bytes on the driver: {need / 2**30:.2f} GiB, above "
            f"the limit of {limit / 2**30:.2f} GiB. {hint}Raise the limit "
            "(environment variable FASTLASSO_MAX_GRAM_BYTES or "
            "fastlasso._dask.MAX_GRAM_BYTES) if the driver has the memory, use fewer "
            "folds or features, or fit a subsample in memory."
        )


#: Routes of :func:`_route`: ``FASTLASSO_DASK_ROUTE`` or enet_path's ``dask_route``.
ROUTES = ("auto", "gram", "wide")


def _route(p, n_grams, what, forced=None):
    """``'gram'`` (one pass, sufficient statistics) or ``'wide'`` (strong-set
    iterations of :mod:`fastlasso._dask_wide`) for a Lasso / ElasticNet fit or path.

    ``forced`` (enet_path's ``dask_route``), else the environment variable
    ``FASTLASSO_DASK_ROUTE``: ``'auto'`` (default: 'wide' iff the Gram matrices
    exceed the limit of :func:`_check_gram_budget`), ``'gram'`` (refuse above the
    limit, as before) or ``'wide'`` (always, e.g. to test it on small arrays).
    """
    route = forced if forced is not None else os.environ.get("FASTLASSO_DASK_ROUTE")
    route = "auto" if route in (None, "") else route
    if route not in ROUTES:
        raise ValueError(
            f"dask_route / FASTLASSO_DASK_ROUTE must be one of {ROUTES}; got {route!r}."
        )
    if route == "wide" or (route == "auto" and n_grams * 8 * p * p > _gram_limit()):
        return "wide"
    _check_gram_budget(p, n_grams, what, suggest_wide=False)
    return "gram"


# --------------------------------------------------------------------------------------
# Input and the one pass


def _as_rows(a, chunks, name, n):
    """``a`` (dask or NumPy, 1-D or 2-D) as a dask array with X's row chunks."""
    import dask.array as da

    if isinstance(a, da.Array):
        if a.shape[0] != n:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"X has {n} rows, {name} has {a.shape[0]}."
            )
        if a.chunks[0] != chunks:
            raise ValueError(
                f"{name} must have the row chunks of X to be read in the same pass: "
                f"X has {_chunks_repr(chunks)}, {name} has {_chunks_repr(a.chunks[0])}."
                f" Rechunk it first, e.g. {name} = {name}.rechunk({{0: X.chunks[0]}})."
            )
        if a.ndim == 2 and len(a.chunks[1]) > 1:
            a = a.rechunk({1: -1})
        return a
    a = np.asarray(a)
    if a.shape[0] != n:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"X has {n} rows, {name} has {a.shape[0]}."
        )
    return da.from_array(a, chunks=(chunks,) + tuple((s,) for s in a.shape[1:]))


def _chunks_repr(c):
    return repr(c) if len(c) <= 6 else f"({c[0]}, {c[1]}, ..., {c[-1]}) ({len(c)})"


def check_dask_input(X, y, sample_weight=None, *, multi_output=True):
    """Validate the dask inputs; return ``(X, Y (n, T), sw or None, y_ndim, dtype)``.

    X must be a 2-D dask array of known chunk sizes, of real numbers; its column
    chunks are joined (each row block is then read by one task). y and
    sample_weight get X's row chunks (NumPy arrays) or must already have them.
    """
    import dask.array as da

    if not isinstance(X, da.Array):
        raise TypeError(
            "With a dask y or sample_weight, X must be a dask.array.Array too."
        )
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D X, got an array of shape {X.shape}.")
    if any(np.isnan(c) for cs in X.chunks for c in cs):
        raise ValueError(
            "X has unknown chunk sizes (NaN); call X.compute_chunk_sizes() first."
        )
    if X.dtype.kind not in "fiub":
        raise ValueError(f"X must hold real numbers; got dtype {X.dtype}.")
    dtype = np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)
    n, p = X.shape
    if n < 1 or p < 1:
        raise ValueError(f"Found array with shape {X.shape}: need n, p >= 1.")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    Y = _as_rows(y, X.chunks[0], "y", n)
    y_ndim = Y.ndim
    if Y.ndim == 2 and not multi_output and Y.shape[1] > 1:
        raise ValueError("y must be 1-D here (a single target).")
    if Y.ndim == 1:
        Y = Y[:, None]
    elif Y.ndim != 2:
        raise ValueError(f"y must be 1-D or 2-D; got shape {Y.shape}.")
    if isinstance(sample_weight, Number):
        sample_weight = None
    sw = None
    if sample_weight is not None:
        sw = _as_rows(sample_weight, X.chunks[0], "sample_weight", n)
        if sw.ndim != 1:
            raise ValueError("sample_weight must be 1-D.")
    return X, Y, sw, y_ndim, dtype


def _stats_graph(X, Y, sw=None, groups=None, n_groups=0, bounds=None):
    """The delayed ``{group: Stats}`` of :func:`compute_stats` (not computed)."""
    import dask

    # unoptimised graphs: with optimize_graph=True each array's graph is fused
    # into its own tasks, so X and y made by one reader task per chunk (one
    # dask.delayed block split in two) were read twice per pass
    def blocks(a):
        return a.to_delayed(optimize_graph=False).ravel().tolist()

    xs = blocks(X)
    ys = blocks(Y)
    ws = [None] * len(xs) if sw is None else blocks(sw)
    gs = [None] * len(xs) if groups is None else blocks(groups)
    task = dask.delayed(chunk_stats, pure=True)
    join = dask.delayed(merge_groups, pure=True)
    row0 = np.concatenate([[0], np.cumsum(X.chunks[0])]).tolist()
    parts = [
        task(x, y, w, g, n_groups, bounds, r)
        for x, y, w, g, r in zip(xs, ys, ws, gs, row0, strict=False)
    ]
    while len(parts) > 1:
        parts = [
            join(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]


def compute_stats(X, Y, sw=None, groups=None, n_groups=0, bounds=None):
    """One pass over the row chunks of X: ``{group: Stats}`` (see :mod:`._stats`).

    ``X`` (n, p) and ``Y`` (n, T) are dask arrays with the same row chunks and one
    column chunk, ``sw`` and ``groups`` (n,) dask arrays with those row chunks or
    None (or the fold ``bounds`` of :func:`kfold_bounds` instead of ``groups``).
    A task per chunk (:func:`chunk_stats`), a binary tree of
    :func:`merge_groups`, one computation on the current scheduler (e.g. a
    ``distributed.Client``).
    """
    merged = _stats_graph(X, Y, sw, groups, n_groups, bounds)
    keys = [0] if groups is None and bounds is None else range(-1, n_groups)
    out = _gather_groups(merged, keys)
    _check_finite(out)
    return out


def _pick(stats, g):
    """``stats.get(g)`` (a task on a worker)."""
    return stats.get(g)


def _gather_groups(merged, keys):
    """Compute the delayed ``{group: Stats}`` ``merged``; with a ``distributed``
    client, bring its groups to the driver one at a time.

    One message holding all K fold Grams was measured to peak at twice its size
    on the driver while it was deserialised (p = 1000, K = 5: 77 MiB for 38 MiB of
    statistics); group by group the transient is one Gram.
    """
    import dask

    client = _client()
    if client is None:  # local schedulers
        (out,) = dask.compute(merged)
        return out
    future = client.compute(merged)
    out = {}
    for g in keys:
        part = client.submit(_pick, future, g, pure=False)
        s = part.result()
        part.release()
        if s is not None:
            out[g] = s
    future.release()
    return out


# --------------------------------------------------------------------------------------
# Solves on the driver


def fit_enet_dask(est, X, y, sample_weight=None):
    """``ElasticNet.fit`` / ``Lasso.fit`` on dask arrays (one pass over X)."""
    refuse_unsupported(est)
    if est.alpha == 0:
        warnings.warn(
            "With alpha=0, this algorithm does not converge well. You are advised "
            "to use the LinearRegression estimator",
            stacklevel=3,
        )
    X, Y, sw, y_ndim, dtype = check_dask_input(X, y, sample_weight)
    n, p = X.shape
    if _route(p, 2, type(est).__name__) == "wide":
        from ._dask_wide import fit_enet_wide

        return fit_enet_wide(est, X, Y, sw, y_ndim, dtype, _gram_limit())
    s = compute_stats(X, Y, sw)[0]
    return enet_from_stats(
        est, s, n, p, dtype, Y.shape[1] if y_ndim == 2 else 1, est.alpha, est.l1_ratio
    )


# --------------------------------------------------------------------------------------
# Cross-validation


def _fold_groups(cv, X):
    """``(groups, n_folds, bounds)`` for :func:`compute_stats`: the row bounds of an
    unshuffled KFold (nothing of size n on the driver), else int16 fold ids as a
    dask array with X's row chunks."""
    import dask.array as da

    n = X.shape[0]
    bounds = kfold_bounds(cv, n)
    if bounds is not None:
        return None, len(bounds) - 1, bounds
    ids, n_folds = fold_ids(cv, n)
    return da.from_array(ids, chunks=(X.chunks[0],)), n_folds, None


def _fold_train(stats, k):
    """Training statistics of fold ``k`` (the merge of the other folds')."""
    if stats.get(k) is None:
        raise ValueError(f"Test fold {k} is empty or of zero total weight.")
    train = merge_all([s for g, s in stats.items() if g != k])
    if train is None:
        raise ValueError(
            "The sample weights of a training fold sum to zero; cannot fit on it."
        )
    return train


def _fold_mse(stats, k, coefs, intercepts):
    """Exact held-out MSE of the models ``(coefs, intercepts)`` on test fold k."""
    test = stats[k]
    return heldout_sse(test, coefs, intercepts) / test.n


def _total(stats):
    return merge_all(list(stats.values()))


def _check_finite(stats):
    for s in stats.values():
        if not (
            np.isfinite(s.G).all()
            and np.isfinite(s.q).all()
            and np.isfinite(s.yy).all()
        ):
            raise ValueError("Input X or y contains NaN or infinity.")


def _client():
    """The current ``distributed.Client`` if dask computes on one, else None."""
    from dask.base import get_scheduler

    client = getattr(get_scheduler(), "__self__", None)
    return client if hasattr(client, "submit") else None


class _FoldStats:
    """The per-fold statistics of the one pass, for the CV solve on the driver.

    Local schedulers: the ``{fold: Stats}`` dict is computed into the driver (it
    is the workers' memory too), with the total: ``K + 2`` Gram matrices with the
    training fold of the solve. On a ``distributed`` cluster the dict and the total
    stay on a worker as futures; the driver receives one training fold at a time
    (merged on the worker by the same :func:`merge_all`, so the same numbers), sends
    each path's coefficients back for the held-out error (:func:`heldout_sse` on
    the worker) and receives the total for the refit: about two Gram matrices on
    the driver instead of ``K + 2``.
    """

    def __init__(self, merged):
        import dask

        self._client = _client()
        if self._client is None:
            (self._stats,) = dask.compute(merged)
            _check_finite(self._stats)
            self._tot = _total(self._stats)
        else:
            self._stats = self._client.compute(merged)
            try:
                self._run(_check_finite, self._stats)
            except BaseException:
                # raised before the caller's try/finally holds this object:
                # release now (else the fold Grams stay on the worker until a
                # cyclic GC frees the traceback)
                self.release()
                raise
            self._tot = self._client.submit(_total, self._stats, pure=False)

    def _run(self, fn, *args):
        if self._client is None:
            return fn(*args)
        fut = self._client.submit(fn, *args, pure=False)
        try:
            return fut.result()
        finally:
            fut.release()

    def train(self, k):
        return self._run(_fold_train, self._stats, k)

    def mse(self, k, coefs, intercepts):
        return self._run(_fold_mse, self._stats, k, coefs, intercepts)

    def grid(self, *args):
        return self._run(alpha_grid_stats, self._tot, *args)

    def total(self):
        """The statistics of all rows; the per-fold ones are released."""
        tot = self._tot if self._client is None else self._tot.result()
        self.release()
        return tot

    def release(self):
        for name in ("_stats", "_tot"):
            fut = getattr(self, name, None)
            if self._client is not None and fut is not None:
                fut.release()
            setattr(self, name, None)


def _cv_paths(folds, n_folds, n, p, alphas, l1_ratio, est, seeds, store):
    """Per fold: the training path (solved on the Gram of the other folds) and its
    exact held-out MSE. Returns ``(mse (n_folds, n_alphas), coefs, intercepts)``."""
    mse = np.empty((n_folds, len(alphas)))
    coefs, intercepts = [], []
    for k in range(n_folds):
        train = folds.train(k)
        gram = gram_of(train, est.fit_intercept, n, inplace=True)
        rng = np.random.RandomState(seeds[k])
        c, _, _ = solve_gram(gram, n, alphas, l1_ratio, est, rng=rng)
        del gram
        b = train.my[0] - train.mx @ c if est.fit_intercept else np.zeros(len(alphas))
        del train
        mse[k] = folds.mse(k, c, b)
        if store:
            coefs.append(c)
            intercepts.append(b)
    return mse, coefs, intercepts


def fit_enet_cv_dask(est, X, y, sample_weight=None, **params):
    """``LassoCV.fit`` / ``ElasticNetCV.fit`` on dask arrays: one pass over X.

    The folds' paths are solved one after the other on the driver (``n_jobs`` and
    ``verbose`` are not used; ``precompute`` is ignored: always the Gram)."""
    from sklearn.utils import check_scalar

    from ._cv_select import path_seeds, select_alpha

    if params:
        raise ValueError(
            f"Splitter parameters {sorted(params)} are not supported for a dask X; "
            "pass cv as a list of (train, test) index pairs instead."
        )
    refuse_unsupported(est)
    X, Y, sw, y_ndim, dtype = check_dask_input(X, y, sample_weight)
    if Y.shape[1] > 1:
        raise ValueError(f"For multi-task outputs, use MultiTask{type(est).__name__}")
    n, p = X.shape
    groups, n_folds, bounds = _fold_groups(est.cv, X)
    _check_gram_budget(p, n_folds + 2, type(est).__name__)
    l1_ratios = np.atleast_1d(getattr(est, "l1_ratio", 1.0)).astype(float)
    n_l1 = len(l1_ratios)

    # the one pass over X
    folds = _FoldStats(_stats_graph(X, Y, sw, groups, n_folds, bounds))
    try:
        if isinstance(est.alphas, Integral):
            grids = [
                folds.grid(r, est.fit_intercept, est.positive, est.eps, est.alphas)
                for r in l1_ratios
            ]
        else:
            for i, a in enumerate(est.alphas):
                check_scalar(a, f"alphas[{i}]", target_type=Number, min_val=0.0)
            grids = [np.sort(np.asarray(est.alphas, float))[::-1]] * n_l1
        n_tasks = n_l1 * n_folds
        seeds = path_seeds(est.selection, est.random_state, n_tasks)
        store = bool(getattr(est, "store_path_coefs", False))
        mse_paths, coef_paths, icpt_paths = [], [], []
        for k, r in enumerate(l1_ratios):
            mse, c, b = _cv_paths(
                folds, n_folds, n, p, grids[k], float(r), est,
                seeds[k * n_folds : (k + 1) * n_folds], store,
            )  # fmt: skip
            mse_paths.append(mse)
            coef_paths.append(c)
            icpt_paths.append(b)
        total = folds.total()
    finally:
        folds.release()
    k_best = select_alpha(est, mse_paths, grids, l1_ratios)
    if store:
        cp = np.asarray(coef_paths, dtype=dtype)
        ip = np.asarray(icpt_paths, dtype=dtype)
        est.coef_path_ = cp[0] if n_l1 == 1 else cp
        est.intercept_path_ = ip[0] if n_l1 == 1 else ip
    else:
        for attr in ("coef_path_", "intercept_path_"):
            if hasattr(est, attr):
                delattr(est, attr)
    l1_best = float(l1_ratios[k_best])
    if hasattr(est, "l1_ratio"):
        est.l1_ratio_ = l1_best
    else:  # LassoCV has no l1_ratio_
        del est.l1_ratio_
    refit = RefitParams(est)
    enet_from_stats(refit, total, n, p, dtype, 1, est.alpha_, l1_best)
    for attr in ("coef_", "intercept_", "dual_gap_", "n_iter_", "n_features_in_"):
        setattr(est, attr, getattr(refit, attr))
    est.__dict__.pop("feature_names_in_", None)
    return est


# --------------------------------------------------------------------------------------
# Ridge


def fit_ridge_dask(est, X, y, sample_weight=None):
    """``Ridge.fit`` on dask arrays: one pass, then Cholesky on ``G + alpha I``.

    Objective (weights as given, not rescaled, as in memory): ``sum_i w_i (y_i -
    x_i w - b)^2 + alpha ||w||^2``. Forming ``G`` squares the condition number of
    the centred data: at ``alpha << eps * ||G||`` expect a relative error around
    ``eps * cond(G)``.
    """
    if est.positive:
        raise ValueError(
            "positive=True is not supported for a dask X (it needs the iterative "
            "solvers on X); fit in memory or drop the constraint."
        )
    if est.solver not in ("auto", "cholesky", "svd"):
        raise ValueError(
            f"solver={est.solver!r} works on X itself; on a dask X Ridge is solved "
            "on the Gram matrix: use solver='auto', 'cholesky' or 'svd'."
        )
    X, Y, sw, y_ndim, dtype = check_dask_input(X, y, sample_weight)
    n, p = X.shape
    T = Y.shape[1]
    alpha = np.asarray(est.alpha, dtype=np.float64).ravel()
    if alpha.shape[0] not in (1, T):
        raise ValueError(
            "Number of targets and number of penalties do not correspond: "
            f"{alpha.shape[0]} != {T}"
        )
    if np.any(alpha < 0):
        raise ValueError("alpha must be non-negative.")
    _check_gram_budget(p, 3, "Ridge")
    s = compute_stats(X, Y, sw)[0]
    solver = "svd" if est.solver == "svd" else "cholesky"
    coef = ridge_coefs(s, np.broadcast_to(alpha, (T,)), est.fit_intercept, solver)
    intercept = s.my - coef @ s.mx if est.fit_intercept else np.zeros(T)
    est.solver_, est.n_iter_, est.n_features_in_ = solver, None, p
    est.__dict__.pop("feature_names_in_", None)
    coef, intercept = coef.astype(dtype), intercept.astype(dtype)
    if y_ndim == 1:
        est.coef_ = coef[0]
        est.intercept_ = intercept[0] if est.fit_intercept else 0.0
    else:
        est.coef_ = coef
        est.intercept_ = intercept if est.fit_intercept else 0.0
    return est


def fit_ridgecv_dask(est, X, y, sample_weight=None, **params):
    """``RidgeCV.fit`` on dask arrays, for a K-fold ``cv`` (one pass over X).

    Scores as GridSearchCV over Ridge does (mean over the folds of the test R^2,
    or of the negative MSE), from per-fold statistics; then the refit on all rows.
    """
    if est.cv is None:
        raise ValueError(
            "RidgeCV's default efficient leave-one-out needs every row's leverage "
            "(a second pass over X); on a dask X pass cv=5 (or a KFold)."
        )
    if est.store_cv_results:
        raise ValueError("cv!=None and store_cv_results=True are incompatible")
    if est.alpha_per_target:
        raise ValueError("cv!=None and alpha_per_target=True are incompatible")
    if est.scoring not in (None, "neg_mean_squared_error"):
        raise ValueError(
            "On a dask X, RidgeCV scores with scoring=None (R^2) or "
            f"'neg_mean_squared_error'; got {est.scoring!r}."
        )
    if sample_weight is not None and not isinstance(sample_weight, Number):
        raise ValueError(
            "sample_weight is not supported by RidgeCV on a dask X (its scores are "
            "unweighted); use Ridge, or fit in memory."
        )
    if params:
        raise ValueError(f"Splitter parameters {sorted(params)} are not supported.")
    import dask.array as da

    X, Y, _, y_ndim, dtype = check_dask_input(X, y)
    n, p = X.shape
    alphas = np.atleast_1d(np.asarray(est.alphas, dtype=np.float64))
    if np.any(~(alphas >= 0)):
        raise ValueError("alphas must be >= 0.")
    bounds = kfold_bounds(est.cv, n)
    ids, n_folds = (
        (None, len(bounds) - 1) if bounds is not None else fold_ids(est.cv, n)
    )
    _check_gram_budget(p, n_folds + 3, "RidgeCV")
    groups = None if ids is None else da.from_array(ids, chunks=(X.chunks[0],))
    stats = compute_stats(X, Y, None, groups, n_folds, bounds)
    scores = ridge_cv_scores(stats, n_folds, alphas, est.fit_intercept, est.scoring)
    total = merge_all(list(stats.values()))
    del stats
    mean = scores.mean(axis=0)
    best = int(np.flatnonzero(mean == np.nanmax(mean))[0])  # GridSearchCV: first
    est.alpha_, est.best_score_ = float(alphas[best]), float(mean[best])
    T = Y.shape[1]
    coef = ridge_coefs(total, np.full(T, est.alpha_), est.fit_intercept, "cholesky")
    intercept = total.my - coef @ total.mx if est.fit_intercept else np.zeros(T)
    coef, intercept = coef.astype(dtype), intercept.astype(dtype)
    est.coef_ = coef[0] if y_ndim == 1 else coef
    if not est.fit_intercept:
        est.intercept_ = 0.0
    else:
        est.intercept_ = intercept[0] if y_ndim == 1 else intercept
    est.n_features_in_ = p
    est.__dict__.pop("feature_names_in_", None)  # a dask array has no names
    return est


# --------------------------------------------------------------------------------------
# Paths


def enet_path_dask(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    check_input=True,
    **params,
):
    """:func:`fastlasso.enet_path` on a dask X: one pass, then the Gram path.

    Same objective, parameters and return values as :func:`fastlasso.enet_path`
    (no intercept: ``X`` and ``y`` are used as given, centred at ``X_offset /
    X_scale`` when passed in ``params``; ``sample_weight`` in ``params`` weighs
    the squared loss as given). The Gram matrix is always used: ``precompute``
    and ``Xy`` are ignored, and ``copy_X`` and ``check_input`` have no effect.
    Penalty factors and bounds are refused. ``dask_route`` in ``params``
    ('auto', 'gram', 'wide'; see :func:`_route`) chooses the route: 'wide' solves
    by strong-set iterations (:mod:`fastlasso._dask_wide`), taken by 'auto' when
    the Gram matrices exceed the limit. The automatic grid starts at
    ``max_j |(X - o)_j^T W y| / n_samples`` (with weights, the in-memory sparse
    route uses the unweighted, uncentred ``X^T y`` for its grid: pass ``alphas``
    to get the same path).
    """
    from ._path import _check_alphas, solve_path

    if n_alphas == "deprecated":
        n_grid = 100
    else:
        warnings.warn(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11. "
            "'alphas' now accepts an integer value which removes the need to pass "
            "'n_alphas'. The default value of 'alphas' will change from None to "
            "100 in 1.11. Pass an explicit value to 'alphas' and leave 'n_alphas' "
            "to its default value to silence this warning.",
            FutureWarning,
            stacklevel=3,
        )
        n_grid = n_alphas
    if alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11, at which "
            "point the default value will be set to 100. Set 'alphas=100' "
            "to silence this warning.",
            FutureWarning,
            stacklevel=3,
        )
    elif not (isinstance(alphas, str) and alphas == "warn"):
        n_grid = alphas
    offset = params.pop("X_offset", None)
    scale = params.pop("X_scale", None)
    sample_weight = params.pop("sample_weight", None)
    tol = params.pop("tol", 1e-4)
    max_iter = params.pop("max_iter", 1000)
    rng = params.pop("random_state", None)
    selection = params.pop("selection", "cyclic")
    screen = params.pop("do_screening", True)
    route = params.pop("dask_route", None)
    for name in ("penalty_factor", "lower_bounds", "upper_bounds"):
        if params.pop(name, None) is not None:
            raise ValueError(f"{name} is not supported for a dask X (Gram kernel).")
    if params:
        raise ValueError("Unexpected parameters in params", params.keys())
    if selection not in ("random", "cyclic"):
        raise ValueError("selection should be either random or cyclic.")
    X, Y, sw, y_ndim, dtype = check_dask_input(X, y, sample_weight)
    if y_ndim != 1:
        raise NotImplementedError(
            "fastlasso.enet_path does not support a 2-D y yet: fit each target "
            "separately."
        )
    n, p = X.shape
    if offset is not None:
        offset = np.asarray(offset, float) / (1.0 if scale is None else scale)
    if _route(p, 3, "enet_path", route) == "wide":
        from ._dask_wide import enet_path_wide

        grid, coefs, gaps, n_iters = enet_path_wide(
            X, Y, sw, eps=eps, n_grid=n_grid, offset=offset, coef_init=coef_init,
            verbose=verbose, gram_limit=_gram_limit(), l1_ratio=l1_ratio, tol=tol,
            max_iter=max_iter, positive=positive, selection=selection, rng=rng,
            screen=screen,
        )  # fmt: skip
        coefs = coefs.astype(dtype)
        return (grid, coefs, gaps, n_iters) if return_n_iter else (grid, coefs, gaps)
    s = compute_stats(X, Y, sw)[0]
    G, q, yy = uncentred(s, offset)
    if isinstance(n_grid, Integral):
        grid = grid_from_q(q[:, 0], n, l1_ratio, positive, eps, n_grid)
    else:
        _check_alphas(n_grid)
        grid = np.sort(n_grid)[::-1] if len(n_grid) > 1 else np.asarray(n_grid)
    gram = (np.ascontiguousarray(G), np.ascontiguousarray(q[:, 0]), float(yy[0]))
    del G
    coefs, gaps, n_iters = solve_path(
        None, np.empty(0), grid, l1_ratio, coef_init, gram=gram, max_iter=max_iter,
        tol=tol, positive=positive, selection=selection, rng=rng, screen=screen,
        verbose=verbose, n_samples=n,
    )  # fmt: skip
    coefs = coefs.astype(dtype)
    if return_n_iter:
        return grid, coefs, gaps / n, n_iters
    return grid, coefs, gaps / n
