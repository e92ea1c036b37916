"""Sufficient statistics of weighted least squares, and their exact merging.

The elastic-net and ridge objectives with an intercept, their gradients and their
duality gaps depend on the data only through, for each group of rows,

* ``rows`` (number of rows) and ``n = sum_i w_i`` (sum of the weights),
* the weighted column means ``mx`` (p,) and target means ``my`` (T,),
* the centred Gram ``G = Z^T W Z`` (p, p), cross products ``q = Z^T W y_c`` (p, T)
  and ``yy = y_c^T W y_c`` (T,), with ``Z = X - 1 mx^T`` and ``y_c = y - my``
  centred at the group's *own* means.

Centring at the group's own means before multiplying, in float64, keeps the
products free of the cancellation that ``X^T W X - n mx mx^T`` suffers when the
column means are large (float32 data with means around 1e4 would lose every
digit). Two groups merge exactly with the pairwise update of Chan, Golub and
LeVeque (1979), "Updating formulae and a pairwise algorithm for computing sample
variances", extended to cross products::

    n = n_a + n_b,   d_x = mx_b - mx_a,   d_y = my_b - my_a,   f = n_a n_b / n
    mx = mx_a + (n_b / n) d_x,            my = my_a + (n_b / n) d_y
    G = G_a + G_b + f d_x d_x^T,  q = q_a + q_b + f d_x d_y^T,  yy = ... + f d_y^2

No dask here: this module is plain NumPy (and the Gram kernel, through
:func:`fastlasso._path.solve_path`), used by :mod:`fastlasso._dask` on the workers
(:func:`chunk_stats`, :func:`merge_groups`) and on the driver (folds, grids, the
held-out errors, the elastic-net and ridge solves on the statistics).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

__all__ = [
    "RefitParams",
    "Stats",
    "alpha_grid_stats",
    "fold_ids",
    "gram_of",
    "grid_from_q",
    "kfold_bounds",
    "ridge_coefs",
    "refuse_unsupported",
    "ridge_cv_scores",
    "solve_gram",
    "chunk_stats",
    "enet_from_stats",
    "heldout_sse",
    "merge",
    "merge_all",
    "merge_groups",
    "uncentred",
]


class Stats(NamedTuple):
    """Sufficient statistics of one group of rows (see the module docstring)."""

    rows: int
    n: float
    mx: np.ndarray  # (p,)
    my: np.ndarray  # (T,)
    G: np.ndarray | None  # (p, p); None when computed without it (gram=False)
    q: np.ndarray  # (p, T)
    yy: np.ndarray  # (T,)


#: Rows per sub-block inside a chunk: the float64 centred copy is at most about
#: this many bytes (not a copy of the whole chunk).
SUB_BLOCK_BYTES = 1 << 25


def sub_block_rows(m, p):
    """Rows of a float64 sub-block of a chunk of ``m`` rows and ``p`` columns
    that stays within :data:`SUB_BLOCK_BYTES` (at least 1)."""
    return max(1, min(m, SUB_BLOCK_BYTES // (8 * max(p, 1))))


def _group_stats(X, Y, w, gram=True):
    """:class:`Stats` of the rows ``X`` (m, p), ``Y`` (m, T), weights ``w`` (m,) or
    None, all computed in float64 centred at the group's own weighted means
    (``gram=False``: without the p x p ``G``, for the wide route).

    Two sweeps over sub-blocks of rows (the means, then the centred products), so
    the memory beyond the chunk is one float64 sub-block and the p x p result.
    """
    m, p = X.shape
    step = sub_block_rows(m, p)
    if w is not None:
        w = np.asarray(w, dtype=np.float64)
        n = float(w.sum())
        if not n > 0.0:
            return None
    else:
        n = float(m)
    sx = np.zeros(p)
    sy = np.zeros(Y.shape[1])
    for a in range(0, m, step):
        Xb = np.asarray(X[a : a + step], dtype=np.float64)
        Yb = np.asarray(Y[a : a + step], dtype=np.float64)
        if w is None:
            sx += Xb.sum(axis=0)
            sy += Yb.sum(axis=0)
        else:
            sx += w[a : a + step] @ Xb
            sy += w[a : a + step] @ Yb
    mx, my = sx / n, sy / n
    G = np.zeros((p, p)) if gram else None
    q = np.zeros((p, Y.shape[1]))
    yy = np.zeros(Y.shape[1])
    for a in range(0, m, step):
        Z = np.array(X[a : a + step], dtype=np.float64)  # a sub-block copy
        Yc = np.array(Y[a : a + step], dtype=np.float64)
        Z -= mx
        Yc -= my
        if w is not None:
            sq = np.sqrt(w[a : a + step])[:, None]
            Z *= sq
            Yc *= sq
        # Z^T Z of one operand: NumPy calls BLAS syrk (half the flops of a product)
        if gram:
            G += Z.T @ Z
        q += Z.T @ Yc
        yy += np.einsum("ij,ij->j", Yc, Yc)
    return Stats(int(m), n, mx, my, G, q, yy)


def chunk_stats(X, Y, w=None, groups=None, n_groups=0, bounds=None, row0=0, gram=True):
    """Statistics of one chunk of rows, per group.

    Parameters
    ----------
    X : ndarray of shape (m, p), float32 or float64
    Y : ndarray of shape (m, T) or (m,)
    w : ndarray of shape (m,) or None
        Non-negative row weights (None: all ones).
    groups : ndarray of shape (m,) of int or None
        Group of each row, in ``-1 .. n_groups - 1`` (CV: the test fold of the row,
        -1 for rows in no test fold). None: one group, 0.
    n_groups : int
    bounds : ndarray of shape (n_groups + 1,) or None
        Instead of ``groups``: group g is the rows ``bounds[g]:bounds[g + 1]`` of
        the whole array, this chunk starting at row ``row0``.
    gram : bool, default=True
        Compute ``G``; False leaves it None (means, ``q`` and ``yy`` only).

    Returns
    -------
    dict ``{group: Stats}`` over the groups present (of non-zero total weight).
    """
    if Y.ndim == 1:
        Y = Y[:, None]
    if w is not None and np.any(np.asarray(w) < 0):
        raise ValueError("Negative values in data passed to `sample_weight`")
    if bounds is not None:
        rows = np.arange(row0, row0 + X.shape[0])
        groups = np.searchsorted(bounds, rows, side="right") - 1
    if groups is None:
        s = _group_stats(X, Y, w, gram)
        return {} if s is None else {0: s}
    out = {}
    groups = np.asarray(groups)
    present = np.unique(groups)
    for g in present.tolist():
        if len(present) == 1:
            s = _group_stats(X, Y, w, gram)
        else:
            idx = np.flatnonzero(groups == g)
            s = _group_stats(X[idx], Y[idx], None if w is None else w[idx], gram)
        if s is not None:
            out[int(g)] = s
    return out


def merge(a, b):
    """The :class:`Stats` of the union of two disjoint groups (Chan et al.)."""
    if a is None or a.n == 0.0:
        return b
    if b is None or b.n == 0.0:
        return a
    n = a.n + b.n
    dx = b.mx - a.mx
    dy = b.my - a.my
    f = a.n * b.n / n
    rb = b.n / n
    G = None
    if a.G is not None:
        G = a.G + b.G
        G += f * np.outer(dx, dx)
    q = a.q + b.q
    q += f * np.outer(dx, dy)
    return Stats(
        a.rows + b.rows,
        n,
        a.mx + rb * dx,
        a.my + rb * dy,
        G,
        q,
        a.yy + b.yy + f * dy * dy,
    )


def merge_groups(a, b):
    """Merge two ``{group: Stats}`` dicts group by group (the tree-reduction step)."""
    out = dict(a)
    for g, s in b.items():
        out[g] = merge(out.get(g), s)
    return out


def _merge_into(a, b):
    """:func:`merge` that updates ``a``'s arrays in place (``a`` must be owned by
    the caller): no p x p temporary, the rank-one term goes through BLAS ``dger``."""
    from scipy.linalg import blas

    n = a.n + b.n
    dx = b.mx - a.mx
    dy = b.my - a.my
    f = a.n * b.n / n
    G, q = a.G, a.q
    G += b.G
    # G is symmetric and C-ordered: its transpose is the F-ordered matrix dger takes
    Gt = blas.dger(f, dx, dx, a=G.T, overwrite_a=True)
    if not np.shares_memory(Gt, G):  # (BLAS made a copy: keep the result)
        G[...] = Gt.T
    q += b.q
    q += f * np.outer(dx, dy)
    rb = b.n / n
    return Stats(
        a.rows + b.rows,
        n,
        a.mx + rb * dx,
        a.my + rb * dy,
        G,
        q,
        a.yy + b.yy + f * dy * dy,
    )


def merge_all(items):
    """Merge a list of :class:`Stats` into a fresh one (None if empty).

    One accumulator updated in place (driver memory: one Gram beyond the inputs;
    ``items`` are not modified)."""
    items = [s for s in items if s is not None and s.n > 0.0]
    if not items:
        return None
    first = items[0]
    acc = first._replace(G=np.array(first.G, order="C"), q=first.q.copy())
    for s in items[1:]:
        acc = _merge_into(acc, s)
    return acc


def uncentred(s, offset=None):
    """``(X - o)^T W (X - o)``, ``(X - o)^T W y`` and ``y^T W y`` about a fixed
    column offset ``o`` (0 if None) instead of the group's means: the Gram of the
    problem without an intercept (:func:`fastlasso.enet_path`)."""
    d = s.mx if offset is None else s.mx - offset
    G = s.G + s.n * np.outer(d, d)
    q = s.q + s.n * np.outer(d, s.my)
    yy = s.yy + s.n * s.my * s.my
    return G, q, yy


def heldout_sse(s, coefs, intercepts, k=0):
    """Weighted sum of squared errors of the linear models ``(coefs, intercepts)``
    on the rows summarised by ``s``, target ``k``, for every model at once.

    With ``b`` a column of ``coefs`` (p, m) and ``c`` its intercept, the residual
    ``y - x b - c`` of a row is ``(y - my) - (x - mx) b + d`` with ``d = my - mx b -
    c``, and the centred cross terms sum to zero, so::

        sum_i w_i r_i^2 = yy - 2 b^T q + b^T G b + n d^2

    exactly, intercept included. Returns an ndarray of shape (m,).
    """
    B = np.asarray(coefs, dtype=np.float64)
    if B.ndim == 1:
        B = B[:, None]
    GB = s.G @ B
    quad = np.einsum("jm,jm->m", B, GB)
    d = s.my[k] - s.mx @ B - np.asarray(intercepts, dtype=np.float64)
    return s.yy[k] - 2.0 * (s.q[:, k] @ B) + quad + s.n * d * d


def gram_of(s, fit_intercept, n_samples, k=0, rescale=True, inplace=False):
    """The kernels' ``(Q, q, y_norm2)`` of target k from statistics ``s``.

    With ``rescale`` the weights are scaled to sum to ``n_samples`` (what the
    in-memory estimators do with ``sample_weight``, and with a CV fold's weights).
    With ``inplace`` the Gram of ``s`` itself is scaled (``s`` is then spent).
    """
    if fit_intercept:
        G, q, yy = s.G, s.q[:, k], float(s.yy[k])
    else:
        G, q, yy = uncentred(s)  # a fresh Gram
        q, yy = q[:, k], float(yy[k])
        inplace = True
    scale = n_samples / s.n if rescale else 1.0
    if inplace:
        G *= scale
    else:
        G = G * scale
    return np.ascontiguousarray(G), np.ascontiguousarray(q * scale), yy * scale


def grid_from_q(q, n, l1_ratio, positive, eps, n_alphas):
    """The automatic alpha grid of :func:`fastlasso._path.alpha_grid` from
    ``q = Z^T W y_c`` and the weight sum ``n``: ``alpha_max = max_j |q_j| / (n
    l1_ratio)`` (the signed max with ``positive``), geometric down to ``eps``."""
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. "
            "Please supply a grid by providing your estimator with the appropriate "
            "`alphas=` argument."
        )
    if positive:
        alpha_max = max(0.0, float(np.max(q))) / (n * l1_ratio)
    else:
        alpha_max = float(np.sqrt(np.max(q**2))) / (n * l1_ratio)
    resolution = np.finfo(np.float64).resolution
    if alpha_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def alpha_grid_stats(s, l1_ratio, fit_intercept, positive, eps, n_alphas):
    """:func:`grid_from_q` of the statistics ``s`` (first target)."""
    q = s.q[:, 0] if fit_intercept else uncentred(s)[1][:, 0]
    return grid_from_q(q, s.n, l1_ratio, positive, eps, n_alphas)


def fold_ids(cv, n):
    """Test fold of every row (-1: in no test fold) from a splitter applied to the
    row index; the folds' test sets must be disjoint and each training set the
    complement of its test set (KFold, GroupKFold, PredefinedSplit, a list of
    such ``(train, test)`` pairs), so that training = total minus the fold."""
    from sklearn.model_selection import check_cv

    cv = check_cv(cv)
    ids = np.full(n, -1, dtype=np.int16)
    k = -1
    for k, (train, test) in enumerate(cv.split(np.zeros((n, 0)))):
        if k >= np.iinfo(np.int16).max:
            raise ValueError("At most 32766 folds on a dask X.")
        test = np.asarray(test)
        train = np.asarray(train)
        if np.any(ids[test] != -1):
            raise ValueError(
                "On a dask X, cross-validation needs disjoint test folds (e.g. "
                "KFold): the training statistics are the total minus the fold's. "
                f"Fold {k} shares test rows with an earlier fold."
            )
        ids[test] = k
        if len(train) + len(test) != n or np.any(ids[train] == k):
            raise ValueError(
                "On a dask X, each training fold must be the complement of its test "
                f"fold (as with KFold); fold {k} is not."
            )
    return ids, k + 1


def kfold_bounds(cv, n):
    """Row boundaries (K + 1,) of the test folds when ``cv`` resolves to a
    :class:`~sklearn.model_selection.KFold` without shuffling (the default of the
    CV estimators): fold ``k`` is rows ``bounds[k]:bounds[k + 1]`` (the first ``n %
    K`` folds one row longer, as in KFold), so the fold of a row follows from its
    index on the worker and the driver holds nothing of size n. None otherwise."""
    from sklearn.model_selection import KFold, check_cv

    cv = check_cv(cv)
    if type(cv) is not KFold or cv.shuffle:
        return None
    K = cv.n_splits
    if K > n:
        return None  # let KFold raise its own error
    sizes = np.full(K, n // K, dtype=np.int64)
    sizes[: n % K] += 1
    return np.concatenate([[0], np.cumsum(sizes)])


def ridge_coefs(s, alphas, fit_intercept, solver):
    """``(G + alpha_k I) w_k = q_k`` per target k (Cholesky; 'svd': one eigh)."""
    from scipy import linalg

    G, q, _ = (s.G, s.q, None) if fit_intercept else uncentred(s)
    p, T = q.shape
    coef = np.empty((T, p))
    if solver == "svd":
        ev, V = linalg.eigh(G)
        Vq = V.T @ q
        for k in range(T):
            coef[k] = V @ (Vq[:, k] / (ev + alphas[k]))
        return coef
    for a in np.unique(alphas):
        cols = np.flatnonzero(alphas == a)
        H = G + a * np.eye(p)
        try:
            coef[cols] = linalg.cho_solve(
                linalg.cho_factor(H, lower=True), q[:, cols]
            ).T
        except (linalg.LinAlgError, ValueError):
            warnings.warn(
                "Singular matrix in solving dual problem. Using least-squares "
                "solution instead.",
                linalg.LinAlgWarning,
                stacklevel=4,
            )
            coef[cols] = linalg.lstsq(H, q[:, cols])[0].T
    return coef


def ridge_cv_scores(stats, n_folds, alphas, fit_intercept, scoring):
    """Test scores (n_folds, n_alphas) of Ridge fitted on each training fold.

    ``stats`` maps fold k to the (unweighted) statistics of its test rows; the
    training statistics of fold k are the merge of the others. One ``eigh`` of
    each training Gram serves every alpha: ``w(a) = V (V^T q) / (ev + a)``.
    ``scoring`` is None (R^2, averaged over the targets: ``Ridge.score``) or
    ``'neg_mean_squared_error'``; ``SST_k = yy_k`` and the SSE come from
    :func:`heldout_sse`, exactly.
    """
    from scipy import linalg

    alphas = np.asarray(alphas, dtype=np.float64)
    scores = np.empty((n_folds, len(alphas)))
    for k in range(n_folds):
        test = stats.get(k)
        train = merge_all([s for g, s in stats.items() if g != k])
        if test is None or train is None:
            raise ValueError(f"Fold {k} has an empty training or test set.")
        G, q, _ = (train.G, train.q, None) if fit_intercept else uncentred(train)
        ev, V = linalg.eigh(G, overwrite_a=True)
        Vq = V.T @ q  # (p, T)
        T = q.shape[1]
        sse = np.empty((T, len(alphas)))
        for t in range(T):
            W = V @ (Vq[:, t : t + 1] / (ev[:, None] + alphas[None, :]))  # (p, m)
            b = train.my[t] - train.mx @ W if fit_intercept else np.zeros(len(alphas))
            sse[t] = heldout_sse(test, W, b, t)
        if scoring is None:
            scores[k] = np.mean(1.0 - sse / test.yy[:, None], axis=0)
        else:
            scores[k] = -sse.mean(axis=0) / test.n
    return scores


# --------------------------------------------------------------------------------------
# Elastic-net solves on the statistics (driver side)


def solve_gram(gram, n_samples, alphas, l1_ratio, est, coef_init=None, rng=None):
    """:func:`solve_path` on a Gram with the estimator's solver settings."""
    from ._path import solve_path

    return solve_path(
        None,
        np.empty(0),
        alphas,
        l1_ratio,
        coef_init,
        gram=gram,
        max_iter=est.max_iter,
        tol=est.tol,
        positive=est.positive,
        selection=est.selection,
        rng=est.random_state if rng is None else rng,
        n_samples=n_samples,
    )


def refuse_unsupported(est):
    """Refuse the estimator settings the Gram route cannot honour."""
    for name in ("penalty_factor", "lower_bounds", "upper_bounds"):
        if getattr(est, name, None) is not None:
            raise ValueError(
                f"{name} is not supported for a dask X: the Gram kernel used on "
                "dask arrays has no penalty factors nor bounds. Fit in memory."
            )
    if getattr(est, "solver", "cd") == "fista":
        raise ValueError(
            "solver='fista' works on X itself; on a dask X the path is solved on "
            "the Gram matrix by coordinate descent: use solver='cd'."
        )


def enet_from_stats(est, s, n_samples, p, dtype, T, alpha, l1_ratio):
    """Set ``coef_``, ``intercept_``, ``dual_gap_``, ``n_iter_`` of an elastic net."""
    if (not est.warm_start or not hasattr(est, "coef_")) or est.coef_ is None:
        coef = np.zeros((T, p))
    else:
        coef = np.atleast_2d(np.asarray(est.coef_, dtype=np.float64)).copy()
        if coef.shape != (T, p):
            raise ValueError(
                f"warm_start: the previous coef_ has shape {np.shape(est.coef_)}, "
                f"incompatible with X and y of this fit ({T} target(s), {p} features)."
            )
    gaps = np.zeros(T)
    n_iters = []
    for k in range(T):
        gram = gram_of(s, est.fit_intercept, n_samples, k)
        c, g, it = solve_gram(gram, n_samples, [alpha], l1_ratio, est, coef[k])
        coef[k] = c[:, 0]
        gaps[k] = g[0] / n_samples
        n_iters.append(it[0])
    intercept = s.my - coef @ s.mx if est.fit_intercept else np.zeros(T)
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
        raise ValueError(
            "Coordinate descent iterations resulted in non-finite parameter"
            " values. The input data may contain large values and need to"
            " be preprocessed."
        )
    coef = coef.astype(dtype)
    gaps = gaps.astype(dtype)
    intercept = intercept.astype(dtype)
    if T == 1:
        est.coef_, est.dual_gap_, est.n_iter_ = coef[0], gaps[0], n_iters[0]
        est.intercept_ = intercept[0] if est.fit_intercept else 0.0
    else:
        est.coef_, est.dual_gap_, est.n_iter_ = coef, gaps, n_iters
        est.intercept_ = intercept if est.fit_intercept else 0.0
    est.n_features_in_ = p
    est.__dict__.pop("feature_names_in_", None)  # a dask array has no names
    return est


class RefitParams:
    """The final model's solver settings: the CV estimator's, without warm start."""

    def __init__(self, est):
        for name in ("fit_intercept", "max_iter", "tol", "positive", "selection"):
            setattr(self, name, getattr(est, name))
        self.random_state = est.random_state
        self.warm_start = False
