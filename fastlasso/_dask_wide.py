"""Wide data on dask arrays: strong-set (BASIL) iterations instead of a p x p Gram.

For each alpha of a path, the elastic net (``l1_ratio > 0``)::

    P(w) = 1/(2n) sum_i s_i (y_i - y0 - (x_i - o)^T w)^2
           + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2

with ``o`` the weighted column means and ``y0`` the weighted mean of y when an
intercept is fitted (the estimators; ``s`` the weights rescaled to sum to n), or
the given ``X_offset / X_scale`` and 0 (:func:`fastlasso.enet_path`, weights as
given). It is the in-memory problem, with the same certificate: the duality gap
``G(w) <= tol * y_c^T S y_c`` (unscaled; ``dual_gap_ = G / n``).

The algorithm is the batch screening iterative lasso (BASIL) of Qian et al.
(2020), "A fast and scalable framework for large-scale and ultrahigh-dimensional
sparse regression with application to the UK Biobank", PLoS Genetics 16(10),
e1009141, built on the sequential strong rules of Tibshirani et al. (2012),
"Strong rules for discarding predictors in lasso-type problems", JRSS B 74(2):

1. one pass over the row chunks: weighted means, centred ``X^T S y`` and
   ``y^T S y`` (:func:`fastlasso._stats.chunk_stats` without the Gram: per chunk,
   centred at the chunk's own means, merged with Chan et al.'s pairwise formulas;
   O(p) memory);
2. per iteration, from the correlations ``c = Z^T S r`` of the last certified
   solution at ``alpha_prev``: the batch is the next alphas (at most
   :data:`BATCH`, while ``2 alpha > alpha_prev`` and the rule adds at most
   :data:`MAX_ADD` columns), and the strong set of its smallest alpha, ``|c_j| >=
   n l1_ratio (2 alpha - alpha_prev)`` (its ``MAX_ADD`` largest ``|c_j|``),
   joins the current set (never shrinks), whose new columns
   are brought to the driver, one pass: a dense n x |set| block while it fits in
   :data:`BLOCK_BYTES` (``FASTLASSO_WIDE_BLOCK_BYTES``), else their Gram (only the
   new rows of it after the first); the restricted path is solved there by
   :func:`fastlasso._path.solve_path` (the in-memory kernels, at ``tol / 2``);
3. one pass computes ``Z^T S r`` over all columns at every candidate of the batch
   and from it the duality gap of the FULL problem; the leading candidates whose
   gap is ``<= tol * y_c^T S y_c`` are accepted, the first other one's KKT
   violators (``|c_j| > n alpha l1_ratio`` off the set, at most ``MAX_ADD``)
   join the set, and the batch is solved again from the last accepted alpha.
   An alpha at which the last solution is already certified costs nothing.

Each KKT pass also brings to the driver the columns of the largest correlations
off the set (twice the last addition, at least 16, within the block budget);
after the first, the strong-rule candidates they do not hold are left to the
KKT check, so an iteration costs one pass unless a violator is missing.
Passes over X: 1 (statistics) + 1 per iteration (KKT) + 1 per iteration whose
new columns were not prefetched, plus 1 at the start for a non-zero
``coef_init``; :data:`LAST_INFO` holds the counts of the last call. Driver
memory: the block (or Gram) of the set and the prefetched block, ``p x BATCH``
correlations, O(p) vectors; workers: their chunk, a float64 sub-block of at
most 32 MiB and ``p x BATCH`` floats. Not here: penalty factors, bounds,
``l1_ratio = 0``, ``alpha = 0``, cross-validation; the set never shrinks.
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

from ._stats import chunk_stats, grid_from_q, merge_groups, sub_block_rows

__all__ = ["BATCH", "BLOCK_BYTES", "LAST_INFO", "MAX_ADD", "enet_path_wide",
           "fit_enet_wide"]  # fmt: skip

#: Alphas solved per iteration (each batch costs one KKT pass).
BATCH = 5
#: Most columns added to the set in one iteration (strong-set and KKT violators).
MAX_ADD = 500
#: Largest dense n x |set| float64 block gathered on the driver, in bytes
#: (``FASTLASSO_WIDE_BLOCK_BYTES`` overrides); above it, the set's Gram.
BLOCK_BYTES = 2 << 30
#: Counts of the last call (``passes`` over X, ``iterations``, ``violators``
#: added by the KKT check, ``max_set``, ``mode``); informative only.
LAST_INFO: dict = {}


def _block_limit():
    env = os.environ.get("FASTLASSO_WIDE_BLOCK_BYTES")
    return int(float(env)) if env else int(BLOCK_BYTES)


# --------------------------------------------------------------------------------------
# Worker side: one task per row chunk, plain NumPy, float64


def _steps(m, p):
    step = sub_block_rows(m, p)
    return range(0, m, step), step


def _target(Y, k, y0):
    Y = Y[:, None] if Y.ndim == 1 else Y
    return np.asarray(Y[:, k], dtype=np.float64) - y0


def chunk_kkt(x, Y, w, ctx, cols, W, pre):
    """Per chunk, for the candidates ``W`` (|cols|, B) on the columns ``cols``:
    ``(Z^T S R (p, B), R^T S R, R^T S y_t, sum S R, x[:, pre])`` with ``R = y_t -
    Z_cols W``, ``Z = x - o`` formed one float64 sub-block at a time (``pre``: the
    columns prefetched for the next set)."""
    o, y0, c, k = ctx
    yt = _target(Y, k, y0)
    Zs = np.asarray(x[:, cols], dtype=np.float64) - o[cols]
    R = yt[:, None] - Zs @ W
    V = R if w is None else R * (c * np.asarray(w, dtype=np.float64))[:, None]
    starts, step = _steps(x.shape[0], x.shape[1])
    out = np.zeros((x.shape[1], W.shape[1]))
    for a in starts:
        Z = np.asarray(x[a : a + step], dtype=np.float64) - o
        out += Z.T @ V[a : a + step]
    pre = np.asarray(x[:, pre], dtype=np.float64)
    return out, np.einsum("ij,ij->j", V, R), V.T @ yt, V.sum(0), pre


def chunk_block(x, Y, w, ctx, cols, with_yw):
    """The chunk's columns ``cols`` in float64 (and ``y_t``, ``c w`` if asked)."""
    o, y0, c, k = ctx
    block = np.asarray(x[:, cols], dtype=np.float64)
    if not with_yw:
        return block, None, None
    sw = None if w is None else c * np.asarray(w, dtype=np.float64)
    return block, _target(Y, k, y0), sw


def chunk_gram(x, w, ctx, rows, cols):
    """``Z_rows^T S Z_cols`` of the chunk (|rows|, |cols|)."""
    o, _, c, _ = ctx
    Zr = np.asarray(x[:, rows], dtype=np.float64) - o[rows]
    Zc = np.asarray(x[:, cols], dtype=np.float64) - o[cols]
    if w is not None:
        Zr *= (c * np.asarray(w, dtype=np.float64))[:, None]
    return (Zr.T @ Zc,)


def _add(a, b):
    return tuple(u + v for u, v in zip(a, b, strict=True))


def _kkt_join(a, b):
    return (*_add(a[:4], b[:4]), np.concatenate([a[4], b[4]]))


def _cat(a, b):
    return tuple(
        None if u is None else np.concatenate([u, v]) for u, v in zip(a, b, strict=True)
    )


# --------------------------------------------------------------------------------------
# Driver side


class Passes:
    """The row chunks of X, Y, sw as delayed objects; each :meth:`run` is one
    ``dask.compute`` that reads every chunk of X once (counted in ``count``)."""

    def __init__(self, X, Y, sw):
        # unoptimised graphs: X and y made by one task per chunk (e.g. from_delayed
        # of one reader) keep its key, so a compute runs it once, not once per array
        self.xs, self.ys = (a.to_delayed(optimize_graph=False).ravel() for a in (X, Y))
        self.ws = [None] * len(self.xs) if sw is None else sw.to_delayed(False).ravel()
        self.count = 0

    def run(self, fn, join, *consts, with_y=True):
        """``join``-reduce (binary tree) ``fn(x, [y,] w, *consts)`` over the chunks."""
        import dask

        task = dask.delayed(fn, pure=True)
        merge = dask.delayed(join, pure=True)
        consts = [dask.delayed(v, pure=True) for v in consts]  # one copy in the graph
        cols = (self.xs, self.ys, self.ws) if with_y else (self.xs, self.ws)
        args = zip(*cols, strict=True)
        parts = [task(*a, *consts) for a in args]
        while len(parts) > 1:
            parts = [merge(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
                     for i in range(0, len(parts), 2)]  # fmt: skip
        (out,) = dask.compute(parts[0])
        self.count += 1
        return out


class Problem:
    """The problem of target k: centring ``o``, ``y0``, weight scale ``c``, ``q =
    Z^T S y_t`` (p,), ``yy = y_t^T S y_t`` and the solver settings ``opts``
    (``l1_ratio, tol, max_iter, positive, selection, rng, screen``)."""

    def __init__(self, moments, k, intercept, offset, scale_weights, n, opts):
        sw_sum, mx, my, q, yy = moments.n, moments.mx, moments.my, moments.q, moments.yy
        self.n = n
        self.c = n / sw_sum if scale_weights else 1.0
        o = np.zeros_like(mx) if offset is None else np.asarray(offset, float)
        self.o = mx.copy() if intercept else o
        self.y0 = float(my[k]) if intercept else 0.0
        d, e = mx - self.o, my[k] - self.y0
        self.q = self.c * (q[:, k] + sw_sum * d * e)
        self.yy = float(self.c * (yy[k] + sw_sum * e * e))
        self.ctx = (self.o, self.y0, self.c, k)
        self.opts = dict(opts, l1_ratio=float(opts["l1_ratio"]), tol=float(opts["tol"]))


def _gap(corr, w, l1, l2, positive, rr, ry):
    """Duality gap (formulation A of :mod:`fastlasso._kernels._gap`, ``l1 > 0``) of
    ``w`` from ``corr = Z^T S r`` over all features, ``rr = r^T S r``, ``ry``."""
    a = corr - l2 * w
    dual_norm = float(np.max(a)) if positive else float(np.max(np.abs(a)))
    w2, w1 = float(w @ w), float(np.abs(w).sum())
    primal = 0.5 * (rr + l2 * w2) + l1 * w1
    s = l1 / dual_norm if dual_norm > l1 else 1.0
    return primal - (-0.5 * s * s * (rr + l2 * w2) + s * ry)


class ActiveSet:
    """The strong set's columns on the driver (dense block or Gram) and the
    restricted solves."""

    def __init__(self, passes, prob, gram_limit):
        self.passes, self.prob, self.gram_limit = passes, prob, gram_limit
        self.cols = np.empty(0, dtype=np.int64)
        self.block = self.yt = self.sw = self.G = None
        self.mode, self.added = "dense", 0
        self.pre, self.pre_block = np.empty(0, dtype=np.int64), None

    def prefetch(self, score):
        """Columns to bring along with the next KKT pass (dense mode): the
        ``2 x`` (last addition) largest scores off the set, within the budget."""
        room = _block_limit() // (8 * self.prob.n) - len(self.cols)
        k = min(max(16, 2 * self.added), MAX_ADD, room)
        if self.mode != "dense" or k <= 0:
            return np.empty(0, dtype=np.int64)
        mask = np.zeros(len(score), dtype=bool)
        mask[self.cols] = True
        return _candidates(score, mask, -np.inf, k)

    def _gather(self, new):
        """The block of the columns ``new``: prefetched ones, the rest by a pass."""
        hit = np.isin(new, self.pre)
        blk = np.empty((self.prob.n, len(new)), order="F")
        if hit.any():
            blk[:, hit] = self.pre_block[:, np.searchsorted(self.pre, new[hit])]
        if not hit.all() or self.yt is None:
            miss, with_yw = new[~hit], self.yt is None
            out, yt, sw = self.passes.run(
                chunk_block, _cat, self.prob.ctx, miss, with_yw
            )
            blk[:, ~hit] = out
            if with_yw:
                self.yt, self.sw = yt, sw
        return blk

    def grow(self, new):
        """Add the columns ``new`` (not yet in the set): one pass over X."""
        if new.size == 0:
            return
        cols = np.concatenate([self.cols, new])
        n, m = self.prob.n, len(cols)
        self.added = len(new)
        if self.mode == "dense" and 8 * n * m <= _block_limit():
            blk = self._gather(new)
            old = self.block
            self.block = np.empty((n, m), order="F")
            if old is not None:
                self.block[:, : old.shape[1]] = old
            self.block[:, len(self.cols) :] = blk
        else:
            if 8 * m * m > self.gram_limit:
                raise ValueError(
                    f"The strong set has {m} features: neither its n x {m} block "
                    f"({8 * n * m / 2**30:.2f} GiB, FASTLASSO_WIDE_BLOCK_BYTES) nor "
                    f"its Gram ({8 * m * m / 2**30:.2f} GiB, FASTLASSO_MAX_GRAM_BYTES)"
                    " fits on the driver. Use a larger alpha or raise a limit."
                )
            first = self.G is None
            rows = cols if first else new
            (part,) = self.passes.run(
                chunk_gram, _add, self.prob.ctx, rows, cols, with_y=False
            )
            G = np.empty((m, m))
            if not first:
                G[: len(self.cols), : len(self.cols)] = self.G
            G[len(cols) - len(rows) :, :] = part
            G[:, len(cols) - len(rows) :] = part.T
            self.G, self.block, self.mode = G, None, "gram"
        self.cols = cols

    def solve(self, alphas, w0, rng):
        """The restricted path on the set from ``w0`` (|set|,): ``(W, gaps, iters)``."""
        from ._path import Design, solve_path

        pr, o = self.prob, self.prob.opts
        kw = dict(max_iter=o["max_iter"], tol=0.5 * o["tol"], positive=o["positive"],
                  selection=o["selection"], rng=rng, screen=o["screen"],
                  n_samples=pr.n, warn=False)  # fmt: skip
        if self.mode == "dense":
            design = Design(self.block, self.sw, pr.o[self.cols])
            W, gaps, iters = solve_path(
                design, self.yt, alphas, o["l1_ratio"], w0, **kw
            )
        else:
            gram = (self.G, np.ascontiguousarray(pr.q[self.cols]), pr.yy)
            W, gaps, iters = solve_path(
                None, np.empty(0), alphas, o["l1_ratio"], w0, gram=gram, **kw
            )
        return np.asarray(W, dtype=np.float64), gaps, iters


class _Point:
    """A certified solution: ``w`` (p,), its correlations, ``rr``, ``ry``, alpha."""

    def __init__(self, w, corr, rr, ry, alpha):
        self.w, self.corr, self.rr, self.ry, self.alpha = w, corr, rr, ry, alpha


def _l1l2(prob, alpha):
    r = prob.opts["l1_ratio"]
    return prob.n * alpha * r, prob.n * alpha * (1.0 - r)


def _candidates(score, mask, thr, limit):
    """Indices off ``mask`` with ``score >= thr``, the ``limit`` largest first."""
    idx = np.flatnonzero((score >= thr) & ~mask)
    if idx.size > limit:
        idx = idx[np.argsort(-score[idx], kind="stable")[:limit]]
    return np.sort(idx)


def _next_batch(prob, pt, aset, alphas):
    """The next batch (the longest prefix of ``alphas`` whose sequential strong
    rule ``score_j >= n l1_ratio (2 alpha - alpha_prev)`` has a positive threshold
    and adds at most :data:`MAX_ADD` columns; at least one alpha) and the columns
    its last alpha's rule adds (the ``MAX_ADD`` largest scores)."""
    mask = np.zeros(len(prob.q), dtype=bool)
    mask[aset.cols] = True
    score = pt.corr if prob.opts["positive"] else np.abs(pt.corr)
    prev = alphas[0] if pt.alpha is None else pt.alpha
    nr = prob.n * prob.opts["l1_ratio"]
    new = _candidates(score, mask, nr * (2.0 * alphas[0] - prev), MAX_ADD)
    b = 1
    while b < len(alphas) and 2.0 * alphas[b] > prev:
        more = _candidates(score, mask, nr * (2.0 * alphas[b] - prev), MAX_ADD + 1)
        if more.size > MAX_ADD:
            break
        new, b = more, b + 1
    supp = np.flatnonzero((pt.w != 0) & ~mask)  # (already in the set)
    return np.asarray(alphas[:b], dtype=np.float64), np.union1d(new, supp)


def _start(passes, prob, w0):
    """The starting point: 0 (correlations from the first pass) or ``coef_init``
    (one KKT pass at it; its support joins the set with the first batch)."""
    p = len(prob.q)
    w = np.zeros(p) if w0 is None else np.asarray(w0, dtype=np.float64).ravel().copy()
    if not np.any(w):
        score = prob.q if prob.opts["positive"] else np.abs(prob.q)
        a_max = max(float(np.max(score)), 0.0) / (prob.n * prob.opts["l1_ratio"])
        return _Point(w, prob.q.copy(), prob.yy, prob.yy, a_max)
    supp = np.flatnonzero(w)
    none = np.empty(0, dtype=np.int64)
    corr, rr, ry, *_ = passes.run(
        chunk_kkt, _kkt_join, prob.ctx, supp, w[supp, None], none
    )
    return _Point(w, corr[:, 0], float(rr[0]), float(ry[0]), None)


def _check_batch(prob, aset, batch, W, rgaps, corr, rr, ry):
    """Gaps of the full problem for the batch's candidates: ``(accepted, gaps,
    violators)``, the accepted prefix as a list of points."""
    tol_gap = prob.opts["tol"] * prob.yy
    mask = np.zeros(len(prob.q), dtype=bool)
    mask[aset.cols] = True
    accepted, gaps = [], []
    for b, alpha in enumerate(batch):
        l1, l2 = _l1l2(prob, alpha)
        w = np.zeros(len(prob.q))
        w[aset.cols] = W[:, b]
        gap = _gap(corr[:, b], w, l1, l2, prob.opts["positive"], rr[b], ry[b])
        if gap > tol_gap:
            score = corr[:, b] if prob.opts["positive"] else np.abs(corr[:, b])
            viol = _candidates(score, mask, np.nextafter(l1, np.inf), MAX_ADD)
            if viol.size:
                return accepted, gaps, viol
            if rgaps[b] > 0.5 * tol_gap:  # (else rounding: no violator, converged)
                _warn_conv(gap, tol_gap)
        accepted.append(_Point(w, corr[:, b], float(rr[b]), float(ry[b]), alpha))
        gaps.append(gap)
    return accepted, gaps, np.empty(0, dtype=np.int64)


def _warn_conv(gap, tol_gap):
    from sklearn.exceptions import ConvergenceWarning

    from ._path import _MESSAGE_CONV

    warnings.warn(
        _MESSAGE_CONV + f" Duality gap: {gap:.6e}, tolerance: {tol_gap:.3e}",
        ConvergenceWarning,
        stacklevel=6,
    )


def wide_path(passes, prob, alphas, coef_init=None, gram_limit=8 << 30, verbose=False):
    """The BASIL iterations over ``alphas`` (decreasing) for one target.

    Returns ``(coefs (p, n_alphas), gaps (unscaled), n_iters, info)``.
    """
    from sklearn.utils import check_random_state

    p, n_al = len(prob.q), len(alphas)
    rng = check_random_state(prob.opts["rng"])
    aset = ActiveSet(passes, prob, gram_limit)
    pt = _start(passes, prob, coef_init)
    coefs, gaps, iters = np.zeros((p, n_al)), np.zeros(n_al), [0] * n_al
    tol_gap = prob.opts["tol"] * prob.yy
    info = dict(iterations=0, violators=0, max_set=0)
    pending, k = np.empty(0, dtype=np.int64), 0
    while k < n_al:
        while k < n_al:  # alphas the last point already certifies: no pass
            l1, l2 = _l1l2(prob, alphas[k])
            g = _gap(pt.corr, pt.w, l1, l2, prob.opts["positive"], pt.rr, pt.ry)
            if g > tol_gap:
                break
            coefs[:, k], gaps[k] = pt.w, g
            pt.alpha = alphas[k] if pt.alpha is None else min(pt.alpha, alphas[k])
            k += 1
        if k == n_al:
            break
        batch, new = _next_batch(prob, pt, aset, alphas[k : k + BATCH])
        if aset.pre.size:  # rule candidates not prefetched wait for the KKT check
            new = new[np.isin(new, aset.pre) | (pt.w[new] != 0)]
        new = np.union1d(new, pending).astype(np.int64)
        aset.grow(new)
        W, rgaps, riters = aset.solve(batch, pt.w[aset.cols], rng)
        score = pt.corr if prob.opts["positive"] else np.abs(pt.corr)
        pre = aset.prefetch(score)
        corr, rr, ry, _, aset.pre_block = passes.run(
            chunk_kkt, _kkt_join, prob.ctx, aset.cols, W, pre
        )
        aset.pre = pre
        acc, acc_gaps, pending = _check_batch(prob, aset, batch, W, rgaps, corr, rr, ry)
        for b, (point, g) in enumerate(zip(acc, acc_gaps, strict=True)):
            coefs[:, k + b], gaps[k + b], iters[k + b] = point.w, g, int(riters[b])
        k += len(acc)
        pt = acc[-1] if acc else pt
        info["iterations"] += 1
        info["violators"] += int(pending.size)
        info["max_set"] = max(info["max_set"], len(aset.cols))
        if verbose:
            sys.stderr.write(
                f"[wide] iteration {info['iterations']}: set {len(aset.cols)}, "
                f"{len(acc)} of {len(batch)} alphas certified, {pending.size} "
                f"violators, {passes.count} passes\n"
            )
    info["mode"] = aset.mode
    return coefs, gaps, iters, info


# --------------------------------------------------------------------------------------
# Entry points (called by fastlasso._dask on validated inputs)


def _chunk_moments(x, Y, w):
    """:func:`fastlasso._stats.chunk_stats` without the p x p Gram."""
    return chunk_stats(x, Y, w, gram=False)


def _moments(passes, p):
    """The first pass: :class:`fastlasso._stats.Stats` of all rows, ``G`` None."""
    mom = passes.run(_chunk_moments, merge_groups, with_y=True).get(0)
    if mom is None:
        raise ValueError("The sample weights sum to zero; cannot fit.")
    if not all(np.isfinite(a).all() for a in (mom.mx, mom.my, mom.q, mom.yy)):
        raise ValueError("Input X or y contains NaN or infinity.")
    return mom


def _check_l1(l1_ratio, alphas):
    if not l1_ratio > 0:
        raise ValueError(
            "The strong-set route for wide dask arrays needs l1_ratio > 0 (got "
            f"{l1_ratio}); ridge on a dask X: fastlasso.Ridge (Gram route)."
        )
    if np.any(np.asarray(alphas) <= 0):
        raise ValueError(
            "The strong-set route for wide dask arrays needs alpha > 0 (with alpha "
            "= 0 and n_features > n_samples the least-squares problem has no unique "
            "solution)."
        )


def _record(passes, infos):
    LAST_INFO.clear()
    LAST_INFO.update(passes=passes.count, targets=len(infos),
                     iterations=sum(i["iterations"] for i in infos),
                     violators=sum(i["violators"] for i in infos),
                     max_set=max(i["max_set"] for i in infos),
                     mode=infos[-1]["mode"])  # fmt: skip


def enet_path_wide(
    X, Y, sw, *, eps, n_grid, offset, coef_init, verbose, gram_limit, **opts
):
    """:func:`fastlasso.enet_path` on a validated dask X by BASIL iterations.

    No intercept; ``X`` centred at ``offset`` (or not), weights as given; ``opts``:
    ``l1_ratio, tol, max_iter, positive, selection, rng, screen``. Returns
    ``(alphas, coefs (p, n_alphas) float64, dual_gaps (divided by n), n_iters)``;
    the automatic grid is :func:`fastlasso._dask.enet_path_dask`'s.
    """  # fmt: skip
    from numbers import Integral

    from ._path import _check_alphas

    n, p = X.shape
    passes = Passes(X, Y, sw)
    r = opts["l1_ratio"]
    _check_l1(r, [1.0])
    prob = Problem(_moments(passes, p), 0, False, offset, False, n, opts)
    if isinstance(n_grid, Integral):
        grid = grid_from_q(prob.q, n, r, opts["positive"], eps, n_grid)
    else:
        _check_alphas(n_grid)
        grid = np.sort(n_grid)[::-1] if len(n_grid) > 1 else np.asarray(n_grid, float)
    _check_l1(r, grid)
    coefs, gaps, iters, info = wide_path(
        passes, prob, grid, coef_init, gram_limit, verbose
    )
    _record(passes, [info])
    return grid, coefs, gaps / n, iters


def fit_enet_wide(est, X, Y, sw, y_ndim, dtype, gram_limit):
    """``Lasso.fit`` / ``ElasticNet.fit`` on a validated dask X by BASIL iterations
    (alpha_max down to ``est.alpha`` is not walked: one alpha, from zero or the
    warm start). Sets the fitted attributes as the in-memory fit does."""
    n, p = X.shape
    T = Y.shape[1]
    _check_l1(est.l1_ratio, [est.alpha])
    coef0 = None
    if est.warm_start and getattr(est, "coef_", None) is not None:
        coef0 = np.atleast_2d(np.asarray(est.coef_, dtype=np.float64))
        if coef0.shape != (T, p):
            raise ValueError(
                f"warm_start: the previous coef_ has shape {np.shape(est.coef_)}, "
                f"incompatible with X and y of this fit ({T} target(s), {p} features)."
            )
    passes = Passes(X, Y, sw)
    opts = dict(l1_ratio=est.l1_ratio, tol=est.tol, max_iter=est.max_iter,
                positive=est.positive, selection=est.selection,
                rng=est.random_state, screen=True)  # fmt: skip
    mom = _moments(passes, p)
    coef, gaps, icpt = np.zeros((T, p)), np.zeros(T), np.zeros(T)
    n_iters, infos = [], []
    for k in range(T):
        prob = Problem(mom, k, est.fit_intercept, None, True, n, opts)
        w0 = None if coef0 is None else coef0[k]
        c, g, it, info = wide_path(passes, prob, [float(est.alpha)], w0, gram_limit)
        coef[k], gaps[k], icpt[k] = c[:, 0], g[0] / n, prob.y0 - prob.o @ c[:, 0]
        n_iters.append(it[0])
        infos.append(info)
    _record(passes, infos)
    coef, gaps, icpt = coef.astype(dtype), gaps.astype(dtype), icpt.astype(dtype)
    one = y_ndim == 1
    est.coef_ = coef[0] if one else coef
    est.dual_gap_ = gaps[0] if one else gaps
    est.n_iter_ = n_iters[0] if one else n_iters
    if est.fit_intercept:
        est.intercept_ = icpt[0] if one else icpt
    else:
        est.intercept_ = 0.0
    est.n_features_in_ = p
    est.__dict__.pop("feature_names_in_", None)
    return est
