"""Multi-task elastic-net paths: the code path behind ``MultiTaskElasticNet.fit``,
``enet_path`` / ``lasso_path`` with a 2-D ``y`` and the multi-task CV classes.

For each alpha the objective is scikit-learn's::

    (1 / (2 n)) ||Y - X W^T - 1 b^T||_Fro^2 + alpha * l1_ratio * ||W||_21
    + 0.5 * alpha * (1 - l1_ratio) * ||W||_Fro^2

(``W`` of shape (n_tasks, n_features), ``||W||_21`` the sum of the norms of its
columns, i.e. of each feature's coefficients over the tasks), solved by the block
coordinate-descent kernel :func:`fastlasso._kernels._multitask.mt_enet` over a
:class:`fastlasso._path.Design` (dense or CSC, implicit centring, sample
weights) in one call per path, warm-started from one alpha to the next.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state

from ._compile import describe, notify
from ._kernels._multitask import mt_enet
from ._path import ANDERSON_K, WS_START, _report, kernel_array, solve_path

__all__ = ["mt_alpha_grid", "mt_proj", "mt_solve_path", "mt_enet_path"]


def _empty_proj(p, T):
    """``proj`` without unpenalized features (the same array types as
    :func:`mt_proj`'s, so no extra compiled specialisation)."""
    return (
        kernel_array(np.empty(0, np.int64)),
        kernel_array(np.empty((p, 0))),
        kernel_array(np.empty((0, T))),
        kernel_array(np.empty((0, 0))),
    )


def _centred_columns(X, cols, X_offset):
    """Dense ``Z[:, cols]`` (float64), centred by ``X_offset`` when given."""
    if sparse.issparse(X):
        Z = X[:, cols].toarray().astype(np.float64)
    else:
        Z = np.asarray(X[:, cols], dtype=np.float64)
    if X_offset is not None:
        Z = Z - np.asarray(X_offset, dtype=np.float64)[cols]
    return Z


def mt_proj(X, Y, sample_weight, X_offset, pf):
    """The kernel's ``proj`` for the unpenalized features (``pf_j == 0``).

    Returns ``(U, CU, UY, Ginv)``: ``U`` the unpenalized features with a nonzero
    (centred) column, ``CU = Z^T W Z_U`` (p, |U|), ``UY = Z_U^T W Y`` (|U|,
    n_tasks) and ``Ginv`` the pseudo-inverse of ``Z_U^T W Z_U``. Empty arrays
    (same types: no extra compiled specialisation) when every ``pf_j > 0``.
    """
    p = X.shape[1]
    T = Y.shape[1]
    if pf is None:
        return _empty_proj(p, T)
    U = np.flatnonzero(np.asarray(pf) == 0.0).astype(np.int64)
    if U.size:
        ZU = _centred_columns(X, U, X_offset)
        keep = np.any(ZU != 0.0, axis=0)
        U, ZU = U[keep], ZU[:, keep]
    if U.size == 0:
        return _empty_proj(p, T)
    WZ = ZU if sample_weight is None else ZU * np.asarray(sample_weight)[:, None]
    CU = np.asarray(X.T @ WZ, dtype=np.float64)
    if X_offset is not None:
        CU -= np.outer(np.asarray(X_offset, dtype=np.float64), WZ.sum(axis=0))
    UY = WZ.T @ np.asarray(Y, dtype=np.float64)
    Ginv = np.linalg.pinv(CU[U])
    return tuple(kernel_array(a) for a in (U, CU, UY, Ginv))


def mt_alpha_grid(
    X,
    Y,
    l1_ratio=1.0,
    eps=1e-3,
    n_alphas=100,
    sample_weight=None,
    X_offset=None,
    pf=None,
):
    """Geometric grid from ``alpha_max`` down to ``eps * alpha_max``.

    ``alpha_max = max_j ||Z_j^T W Y||_2 / (sum(sw) * l1_ratio)`` (scikit-learn's
    multi-task grid: the largest row norm of ``X^T Y``, the smallest alpha at
    which ``W = 0``). With penalty factors, the rows are divided by ``pf_j`` and
    the target is first projected off the unpenalized columns.
    """
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for"
            " l1_ratio=0. Please supply a grid by providing "
            "your estimator with the appropriate `alphas=` "
            "argument."
        )
    Y = np.asarray(Y)
    Yw = Y if sample_weight is None else Y * np.asarray(sample_weight)[:, None]
    n = X.shape[0] if sample_weight is None else np.sum(sample_weight)
    if pf is None:
        XtY = np.asarray(X.T @ Yw)
        if X_offset is not None:
            XtY = XtY - np.outer(X_offset, Yw.sum(axis=0))
        alpha_max = np.sqrt(np.max(np.sum(XtY**2, axis=1))) / (n * l1_ratio)
    else:
        U, CU, UY, Ginv = mt_proj(X, Y, sample_weight, X_offset, pf)
        XtY = np.asarray(X.T @ Yw, dtype=np.float64)
        if X_offset is not None:
            XtY = XtY - np.outer(X_offset, Yw.sum(axis=0))
        if U.size:
            XtY = XtY - CU @ (Ginv @ UY)
        pen = np.asarray(pf) > 0
        norms = np.sqrt(np.sum(XtY[pen] ** 2, axis=1)) / np.asarray(pf)[pen]
        alpha_max = (norms.max() if norms.size else 0.0) / (n * l1_ratio)
    resolution = np.finfo(np.float64).resolution
    if alpha_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def mt_solve_path(
    design,
    Y,
    alphas,
    l1_ratio,
    coef_init=None,
    *,
    max_iter=1000,
    tol=1e-4,
    selection="cyclic",
    rng=None,
    screen=True,
    verbose=False,
    pf=None,
    proj=None,
    working_set=True,
    anderson=True,
    warn=True,
):
    """Warm-started block CD over ``alphas`` (in the given order).

    Parameters
    ----------
    design : Design
        The data (dense or CSC, centring, weights).
    Y : ndarray of shape (n_samples, n_tasks)
        Processed (centred) target.
    alphas : array-like of shape (n_alphas,)
    l1_ratio : float
        Kernel penalties ``l1 = n alpha l1_ratio``, ``l2 = n alpha (1 - l1_ratio)``.
    coef_init : ndarray of shape (n_tasks, n_features), default=None
    pf : ndarray of shape (n_features,) or None
        Penalty factors (None: all ones); ``proj`` from :func:`mt_proj` when some
        are 0.
    screen, working_set, anderson : bool
        Speed-ups only: the certificate (hence the answer) is the same.
    warn : bool
        ConvergenceWarning for an alpha whose gap test fails.

    Returns
    -------
    coefs : ndarray (n_tasks, n_features, n_alphas), gaps : ndarray (n_alphas,)
        (unscaled: not divided by n_samples), n_iters : list of int, tol_gap : float.
    """
    n, p, dtype = design.n_samples, design.n_features, design.dtype
    Y = np.asarray(Y)
    T = Y.shape[1]
    if T == 1:
        # one task: ||W||_21 is ||w||_1, the single-task problem, solved by the
        # single-task solver (so a MultiTask model on y[:, None] gives the
        # ElasticNet's answer on y, as scikit-learn's two solvers do)
        return _single_task(
            design, Y, alphas, l1_ratio, coef_init, max_iter=max_iter, tol=tol,
            selection=selection, rng=rng, screen=screen, verbose=verbose, pf=pf,
            working_set=working_set, anderson=anderson, warn=warn,
        )  # fmt: skip
    rng = check_random_state(rng)
    random = selection == "random"
    alphas = np.asarray(alphas, dtype=np.float64)
    n_alphas = alphas.shape[0]
    W = np.zeros((p, T), dtype=dtype)
    if coef_init is not None:
        W[:] = np.asarray(coef_init, dtype=dtype).reshape(T, p).T
    if pf is None:
        pf = np.ones(p)
    pf = kernel_array(pf, np.float64)
    if proj is None:
        proj = _empty_proj(p, T)
    Yt = kernel_array(Y.T, dtype)
    l1s = alphas * (l1_ratio * n)
    l2s = alphas * ((1.0 - l1_ratio) * n)
    seeds = np.zeros(n_alphas, dtype=np.int64)
    if random:
        seeds[:] = [rng.randint(0, 2**31 - 1) for _ in range(n_alphas)]
    step = 1 if verbose else max(n_alphas, 1)
    coefs = np.zeros((T, p, n_alphas), dtype=dtype)
    gaps = np.empty(n_alphas)
    n_iters = []
    tol_gap = 0.0
    for start in range(0, n_alphas, step):
        stop = min(start + step, n_alphas)
        args = (
            *design.kernel_args(Yt, W),
            l1s[start:stop],
            l2s[start:stop],
            int(max_iter),
            float(tol),
            random,
            seeds[start:stop],
            bool(screen),
            WS_START if working_set else 0,
            ANDERSON_K if anderson else 0,
            pf,
            proj,
        )
        notify("mt_enet", args, describe(design, None))
        g, tol_gap, iters, conv, nz_ptr, nz_idx, nz_val = mt_enet(*args)
        for i in range(stop - start):
            k = start + i
            rows = slice(nz_ptr[i], nz_ptr[i + 1])
            coefs[:, nz_idx[rows], k] = nz_val[rows].T
            gaps[k] = g[i]
            n_iters.append(int(iters[i]))
            _report(
                k, n_alphas, coefs[:, :, k], g[i], tol_gap, iters[i],
                conv[i] or not warn, l1s[k], verbose,
            )  # fmt: skip
    return coefs, gaps, n_iters, tol_gap


def _single_task(design, Y, alphas, l1_ratio, coef_init, *, pf, **kw):
    """:func:`mt_solve_path` for one task, by :func:`fastlasso._path.solve_path`."""
    y = Y[:, 0]
    pen = None
    if pf is not None and np.any(pf != 1.0):
        p = design.n_features
        pen = (np.asarray(pf, np.float64), np.full(p, -np.inf), np.full(p, np.inf))
    w0 = None if coef_init is None else np.asarray(coef_init).reshape(-1)
    coefs, gaps, n_iters = solve_path(design, y, alphas, l1_ratio, w0, pen=pen, **kw)
    yd = np.asarray(y, dtype=np.float64)
    y_norm2 = float(np.dot(design.sw * yd, yd) if design.weighted else np.dot(yd, yd))
    return coefs[None], gaps, n_iters, float(kw["tol"]) * y_norm2


def mt_enet_path(
    X,
    Y,
    *,
    l1_ratio,
    eps,
    alphas,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    X_offset=None,
    X_scale=None,
    sample_weight=None,
    tol=1e-4,
    max_iter=1000,
    random_state=None,
    selection="cyclic",
    do_screening=True,
    penalty_factor=None,
):
    """``enet_path`` / ``lasso_path`` for a 2-D ``Y`` (scikit-learn's multi-task
    model), on inputs already validated by :func:`fastlasso._path.enet_path`.

    No intercept is fitted (as in scikit-learn's path functions); a sparse ``X``
    is centred implicitly by ``X_offset / X_scale`` when given and takes
    ``sample_weight`` (a dense ``X`` is expected pre-weighted, as in
    scikit-learn). Returns ``alphas, coefs`` of shape (n_tasks, n_features,
    n_alphas), ``dual_gaps`` (divided by n_samples) and, with ``return_n_iter``,
    ``n_iters``.
    """
    from numbers import Integral

    from ._path import Design, _check_alphas, canonical_csc, make_penalty

    if sparse.issparse(Y):
        Y = Y.toarray()
    Y = np.asarray(Y, dtype=X.dtype)
    n_samples, n_features = X.shape
    offset = None
    if sparse.issparse(X):
        X = canonical_csc(X)
        if X_offset is not None:
            offset = np.asarray(X_offset / X_scale, dtype=X.dtype)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=X.dtype)
    else:
        X = np.asfortranarray(X)
        sample_weight = None
    pf = None
    if penalty_factor is not None:
        pf = make_penalty(n_features, X.dtype, penalty_factor)[0]
    if isinstance(alphas, Integral):
        alphas = mt_alpha_grid(
            X, Y, l1_ratio, eps, alphas, sample_weight,
            None if offset is None or not np.any(offset) else offset, pf,
        )  # fmt: skip
    else:
        _check_alphas(alphas)
        alphas = np.sort(alphas)[::-1] if len(alphas) > 1 else np.asarray(alphas)
    if selection not in ["random", "cyclic"]:
        raise ValueError("selection should be either random or cyclic.")
    design = Design(X, sample_weight, offset)
    proj = mt_proj(
        X, Y, sample_weight, design.X_offset if design.centered else None, pf
    )
    coefs, gaps, n_iters, _ = mt_solve_path(
        design,
        Y,
        alphas,
        l1_ratio,
        coef_init,
        max_iter=max_iter,
        tol=tol,
        selection=selection,
        rng=random_state,
        screen=do_screening,
        verbose=verbose,
        pf=pf,
        proj=proj,
    )
    dual_gaps = gaps / n_samples
    if return_n_iter:
        return alphas, coefs, dual_gaps, n_iters
    return alphas, coefs, dual_gaps
