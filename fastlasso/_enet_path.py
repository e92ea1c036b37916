"""The public path functions: scikit-learn's ``enet_path`` and ``lasso_path``.

Input validation and dispatch only: a dask array goes to
:func:`fastlasso._dask.enet_path_dask`, a 2-D ``y`` to the multi-task path of
:mod:`fastlasso._multitask_path`, everything else to
:func:`fastlasso._path.solve_path`. Apart from :mod:`fastlasso._path` so that
the engine imports neither of the other two (no import circle).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.utils import check_array
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    StrOptions,
    validate_params,
)

from ._path import (
    Design,
    _check_alphas,
    alpha_grid,
    canonical_csc,
    check_gram,
    make_penalty,
    solve_path,
)

__all__ = ["enet_path", "lasso_path"]

_PATH_CONSTRAINTS = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like", "sparse matrix"],
    "eps": [Interval(Real, 0, None, closed="neither")],
    "n_alphas": [
        Interval(Integral, 1, None, closed="left"),
        Hidden(StrOptions({"deprecated"})),
    ],
    "alphas": [
        Interval(Integral, 1, None, closed="left"),
        "array-like",
        None,
        Hidden(StrOptions({"warn"})),
    ],
    "precompute": [StrOptions({"auto"}), "boolean", "array-like"],
    "Xy": ["array-like", None],
    "copy_X": ["boolean"],
    "coef_init": ["array-like", None],
    "verbose": ["verbose"],
    "return_n_iter": ["boolean"],
    "positive": ["boolean"],
}

_ENET_PATH_CONSTRAINTS = {
    **_PATH_CONSTRAINTS,
    "l1_ratio": [Interval(Real, 0.0, 1.0, closed="both")],
    "check_input": ["boolean"],
}


@validate_params(_ENET_PATH_CONSTRAINTS, prefer_skip_nested_validation=True)
def enet_path(
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
    """Compute the elastic-net path by coordinate descent (scikit-learn's enet_path).

    For each alpha the objective is::

        1 / (2 * n_samples) * ||y - X w||_2^2
        + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||_2^2

    No intercept is fitted: ``X`` and ``y`` are used as given (a sparse ``X`` is
    centred implicitly only when ``X_offset`` is passed in ``params``). Each alpha
    starts from the previous solution (``coef_init`` for the first one) and stops
    when its duality gap is at most ``tol * ||y||_2^2``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data; never modified (``copy_X`` is accepted for compatibility).
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Target. A 2-D ``y`` fits scikit-learn's multi-task model (L2,1 penalty
        ``alpha * l1_ratio * ||W||_21``, see :class:`fastlasso.MultiTaskElasticNet`);
        ``coefs`` then has shape (n_tasks, n_features, n_alphas).
    l1_ratio : float, default=0.5
        Mix of L1 and L2 penalties, ``0 <= l1_ratio <= 1``.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default=100
        Deprecated (as in scikit-learn 1.9): pass an int as ``alphas``.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid, or the alphas themselves
        (each ``>= 0``; a negative or NaN alpha raises ``ValueError``).
    precompute : 'auto', bool or array-like of shape (n_features, n_features)
        Use a Gram matrix (covariance updates). 'auto': iff n_samples > n_features.
        Ignored for sparse ``X``.
    Xy : array-like of shape (n_features,), default=None
        ``X.T @ y``, used with a Gram matrix and for the grid.
    copy_X : bool, default=True
        Accepted for compatibility; ``X`` is never modified.
    coef_init : array-like of shape (n_features,), default=None
        Starting point of the first alpha.
    verbose : bool or int, default=False
    return_n_iter : bool, default=False
        Also return the number of epochs of every alpha.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    check_input : bool, default=True
        Skip input validation when False (X must then be float and F-ordered or CSC).
    **params : kwargs
        ``tol`` (1e-4), ``max_iter`` (1000), ``random_state``, ``selection``
        ('cyclic' or 'random'), ``do_screening`` (True), for sparse ``X``:
        ``X_offset``, ``X_scale``, ``sample_weight``; and, not in scikit-learn,
        ``penalty_factor``, ``lower_bounds``, ``upper_bounds`` (see
        :class:`fastlasso.ElasticNet`; they turn ``precompute`` off).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas), dtype of X
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gaps at the end of each optimisation, divided by n_samples.
    n_iters : list of int
        Only with ``return_n_iter=True``.
    """
    from ._dask import enet_path_dask, uses_dask  # imports no dask

    if uses_dask(X, y):
        return enet_path_dask(
            X, y, l1_ratio=l1_ratio, eps=eps, n_alphas=n_alphas, alphas=alphas,
            precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
            verbose=verbose, return_n_iter=return_n_iter, positive=positive,
            check_input=check_input, **params,
        )  # fmt: skip
    if n_alphas == "deprecated":
        _alphas = 100
    else:
        warnings.warn(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11. "
            "'alphas' now accepts an integer value which removes the need to pass "
            "'n_alphas'. The default value of 'alphas' will change from None to "
            "100 in 1.11. Pass an explicit value to 'alphas' and leave 'n_alphas' "
            "to its default value to silence this warning.",
            FutureWarning,
            stacklevel=2,
        )
        _alphas = n_alphas
    if isinstance(alphas, str) and alphas == "warn":
        pass
    elif alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11, at which "
            "point the default value will be set to 100. Set 'alphas=100' "
            "to silence this warning.",
            FutureWarning,
            stacklevel=2,
        )
    else:
        _alphas = alphas

    X_offset_param = params.pop("X_offset", None)
    X_scale_param = params.pop("X_scale", None)
    sample_weight = params.pop("sample_weight", None)
    tol = params.pop("tol", 1e-4)
    max_iter = params.pop("max_iter", 1000)
    random_state = params.pop("random_state", None)
    selection = params.pop("selection", "cyclic")
    do_screening = params.pop("do_screening", True)
    penalty_factor = params.pop("penalty_factor", None)
    lower_bounds = params.pop("lower_bounds", None)
    upper_bounds = params.pop("upper_bounds", None)
    if len(params) > 0:
        raise ValueError("Unexpected parameters in params", params.keys())

    if check_input:
        X = check_array(
            X,
            accept_sparse="csc",
            dtype=[np.float64, np.float32],
            order="F",
            copy=False,
        )
        y = check_array(
            y,
            accept_sparse="csc",
            dtype=X.dtype.type,
            order="F",
            copy=False,
            ensure_2d=False,
        )
        if Xy is not None:
            Xy = check_array(
                Xy, dtype=X.dtype.type, order="C", copy=False, ensure_2d=False
            )
    n_samples, n_features = X.shape
    if sparse.issparse(y) or y.ndim != 1:
        if positive:
            raise ValueError(
                "positive=True is not allowed for multi-output (y.ndim != 1)"
            )
        if lower_bounds is not None or upper_bounds is not None:
            raise ValueError(
                "lower_bounds / upper_bounds are not supported for a 2-D y (the "
                "multi-task model); penalty_factor is."
            )
        from ._multitask_path import mt_enet_path  # 2-D y: the multi-task model

        return mt_enet_path(
            X, y, l1_ratio=l1_ratio, eps=eps, alphas=_alphas, coef_init=coef_init,
            verbose=verbose, return_n_iter=return_n_iter, X_offset=X_offset_param,
            X_scale=X_scale_param, sample_weight=sample_weight, tol=tol,
            max_iter=max_iter, random_state=random_state, selection=selection,
            do_screening=do_screening, penalty_factor=penalty_factor,
        )  # fmt: skip
    if selection not in ["random", "cyclic"]:
        raise ValueError("selection should be either random or cyclic.")

    X_is_sparse = sparse.issparse(X)
    X_offset = None
    if X_is_sparse:
        X = canonical_csc(X)
        if X_offset_param is not None:
            X_offset = np.asarray(X_offset_param / X_scale_param, dtype=X.dtype)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=X.dtype)
        precompute = False
    else:
        X = np.asfortranarray(X)
        sample_weight = None  # dense X is expected pre-weighted, as in scikit-learn

    pen = make_penalty(
        n_features, X.dtype, penalty_factor, lower_bounds, upper_bounds, positive
    )
    if pen is not None:
        precompute = False  # the Gram kernel has no penalty factors nor bounds
        Xy = None
    gram = None
    if check_input or precompute is not False:
        if hasattr(precompute, "__array__"):
            if check_input:
                check_gram(X, precompute)
        elif isinstance(precompute, str) and precompute == "auto":
            precompute = n_samples > n_features
        if precompute is True:
            precompute = np.ascontiguousarray(X.T @ X)
        if not hasattr(precompute, "__array__"):
            Xy = None
        elif Xy is None:
            Xy = X.T @ y

    if isinstance(_alphas, Integral):
        alphas = alpha_grid(
            X,
            y,
            Xy=Xy,
            l1_ratio=l1_ratio,
            fit_intercept=False,
            positive=positive,
            eps=eps,
            n_alphas=_alphas,
            pen=pen,
        )
    else:
        _check_alphas(_alphas)
        alphas = np.sort(_alphas)[::-1] if len(_alphas) > 1 else _alphas

    if hasattr(precompute, "__array__"):
        Q = np.ascontiguousarray(precompute, dtype=X.dtype)
        gram = (Q, np.ascontiguousarray(Xy, dtype=X.dtype).ravel(), float(y @ y))
    elif precompute is not False and precompute is not None:
        raise ValueError(
            "Precompute should be one of True, False, 'auto' or array-like. "
            f"Got {precompute!r}"
        )

    design = None if gram is not None else Design(X, sample_weight, X_offset)
    coefs, gaps, n_iters = solve_path(
        design,
        y,
        alphas,
        l1_ratio,
        coef_init,
        gram=gram,
        max_iter=max_iter,
        tol=tol,
        positive=positive,
        selection=selection,
        rng=random_state,
        screen=do_screening,
        verbose=verbose,
        n_samples=n_samples,
        pen=pen,
    )
    dual_gaps = gaps / n_samples
    if return_n_iter:
        return alphas, coefs, dual_gaps, n_iters
    return alphas, coefs, dual_gaps


@validate_params(_PATH_CONSTRAINTS, prefer_skip_nested_validation=True)
def lasso_path(
    X,
    y,
    *,
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
    **params,
):
    """Compute the Lasso path with coordinate descent (scikit-learn's ``lasso_path``).

    For each alpha the objective is::

        (1 / (2 * n_samples)) * ||y - X w||^2_2 + alpha * ||w||_1

    This is :func:`enet_path` with ``l1_ratio=1``; see it for the parameters and
    return values.
    """
    return enet_path(
        X,
        y,
        l1_ratio=1.0,
        eps=eps,
        n_alphas=n_alphas,
        alphas=alphas,
        precompute=precompute,
        Xy=Xy,
        copy_X=copy_X,
        coef_init=coef_init,
        verbose=verbose,
        return_n_iter=return_n_iter,
        positive=positive,
        **params,
    )
