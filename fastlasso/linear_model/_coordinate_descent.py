"""``ElasticNet`` and ``Lasso``: scikit-learn's estimators on fastlasso's kernels.

The classes subclass scikit-learn's own, so parameters, their validation,
``predict``, ``score``, ``sparse_coef_``, tags and ``isinstance`` checks are exactly
scikit-learn's; only ``fit`` is replaced. ``fit`` validates, computes the
(weighted) column and target means, and hands a :class:`fastlasso._path.Design`
(implicit centring, no copy of X) to the same path solver as ``enet_path``.
"""

from __future__ import annotations

import numbers
import warnings
from numbers import Real

import numpy as np
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import _fit_context
from sklearn.utils import check_array
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

from .._enet_path import enet_path as _enet_path
from .._path import (
    Design,
    canonical_csc,
    check_gram,
    gram_matrix,
    make_penalty,
    solve_path,
)

__all__ = ["ElasticNet", "Lasso"]


def _weighted_means(X, Y, sample_weight):
    """Weighted column means of X (p,) and of the 2-D target Y (n_targets,).

    No temporary of the size of X. Each target's mean is computed on its own
    column, so a multi-target fit sees bit-for-bit the same centred target as
    fitting that column alone.
    """
    if sample_weight is None:
        X_offset = np.asarray(X.mean(axis=0)).ravel()
        y_offset = [np.mean(Y[:, k]) for k in range(Y.shape[1])]
    else:
        total = sample_weight.sum()
        X_offset = np.asarray(X.T @ sample_weight).ravel() / total
        y_offset = [np.sum(sample_weight * Y[:, k]) / total for k in range(Y.shape[1])]
    return X_offset.astype(X.dtype, copy=False), np.asarray(y_offset, dtype=X.dtype)


class ElasticNet(_sk.ElasticNet):
    """Linear regression with combined L1 and L2 priors, solved by fastlasso.

    Minimises the same objective as :class:`sklearn.linear_model.ElasticNet`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    (with sample weights the squared loss is the weighted average, the weights
    being rescaled to sum to ``n_samples``). Coordinate descent stops when the
    duality gap of the problem, multiplied by ``n_samples``, is at most
    ``tol * ||y_c||^2`` (``y_c`` the centred, weighted target), exactly as
    scikit-learn 1.9 does.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms, ``alpha >= 0``.
    l1_ratio : float, default=0.5
        Mixing parameter, ``0 <= l1_ratio <= 1`` (1 is the Lasso, 0 ridge).
    fit_intercept : bool, default=True
        Whether to fit an intercept. Data are centred implicitly: ``X`` is never
        copied or modified for that, dense or sparse.
    precompute : bool or array-like of shape (n_features, n_features), default=False
        Use a precomputed Gram matrix (covariance updates); faster when
        ``n_samples >> n_features``. Ignored for sparse input.
    max_iter : int, default=1000
        Maximum number of epochs (passes over the active features).
    copy_X : bool, default=True
        Accepted for compatibility. fastlasso never modifies ``X``, whatever its
        value (scikit-learn may centre ``X`` in place when it is False).
    tol : float, default=1e-4
        Tolerance on the duality gap, relative to ``||y_c||^2``.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Visit the coordinates in order, or at random.
    solver : {'cd', 'fista'}, default='cd'
        Not in scikit-learn. 'cd': coordinate descent (working sets, Anderson
        acceleration, screening). 'fista': accelerated proximal gradient with
        adaptive restart; same objective, same ``tol`` and duality-gap stopping
        rule, ``n_iter_`` counts FISTA iterations (two passes over the data
        each). With 'fista', ``precompute`` is ignored (it works on ``X``, dense
        or sparse, never on a Gram matrix) and so are ``selection`` and
        ``random_state``.
    penalty_factor : array-like of shape (n_features,), default=None
        Not in scikit-learn (glmnet's ``penalty.factor``): feature j's L1 and L2
        terms are multiplied by ``penalty_factor[j] >= 0``; 0 leaves the feature
        unpenalized (e.g. clinical covariates next to genes). Not rescaled (glmnet
        rescales the factors to sum to n_features; fastlasso keeps ``alpha``'s
        meaning). None means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
default=None
        Not in scikit-learn (glmnet's ``lower.limits`` / ``upper.limits``): box
        constraints ``lower_bounds[j] <= w_j <= upper_bounds[j]``, with
        ``lower_bounds <= 0 <= upper_bounds`` (0 must be feasible; -inf / inf for
        no bound). ``positive=True`` is ``lower_bounds=0``; both may be given. With
        float32 data the bounds are rounded inwards to float32. With any of these
        three parameters set, the Gram matrix (``precompute``) is not used, the
        duality gap certifies the penalized, constrained problem, and the objective
        is ``1/(2n) ||y - Xw - b||^2 + alpha sum_j pf_j (l1_ratio |w_j| +
        (1 - l1_ratio)/2 w_j^2)``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, of the dtype of ``X`` (float32 or float64).
    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a sparse row.
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
        Epochs run by the solver (0 when the starting point was already optimal).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the returned solution, divided by ``n_samples``: a
        certificate that the objective is within ``dual_gap_`` of its minimum.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when ``X`` has feature names that are all strings.

    See Also
    --------
    Lasso : the ``l1_ratio=1`` special case.
    fastlasso.enet_path : the regularization path.

    Notes
    -----
    A 2-D ``y`` is fitted as independent problems, one per column, as in
    scikit-learn. Negative ``sample_weight`` is rejected with a ``ValueError``
    (scikit-learn accepts it, and the problem is then not convex).

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import ElasticNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.5]])
    >>> y = np.array([1.0, 2.0, 4.0, 5.5])
    >>> reg = ElasticNet(alpha=0.1).fit(X, y)
    >>> reg.dual_gap_ <= reg.tol * np.sum((y - y.mean()) ** 2) / len(y)
    True
    """

    path = staticmethod(_enet_path)

    _parameter_constraints: dict = {
        **_sk.ElasticNet._parameter_constraints,
        "solver": [StrOptions({"cd", "fista"})],
        "penalty_factor": ["array-like", None],
        "lower_bounds": ["array-like", Real, None],
        "upper_bounds": ["array-like", Real, None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute=False,
        max_iter=1000,
        copy_X=True,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="cd",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        super().__init__(
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=fit_intercept,
            precompute=precompute,
            max_iter=max_iter,
            copy_X=copy_X,
            tol=tol,
            warm_start=warm_start,
            positive=positive,
            random_state=random_state,
            selection=selection,
        )
        self.solver = solver
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept, other dtypes become float64. Sparse
            input is used as CSC (int64 indices are rejected, as in scikit-learn).
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target, cast to the dtype of ``X``.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, rescaled internally to sum to ``n_samples``.
        check_input : bool, default=True
            Skip input validation when False (only for callers that have already
            validated ``X``, ``y`` and ``sample_weight``).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        from .._dask import fit_enet_dask, uses_dask  # imports no dask

        if uses_dask(X, y, sample_weight):
            return fit_enet_dask(self, X, y, sample_weight)
        if self.alpha == 0:
            warnings.warn(
                (
                    "With alpha=0, this algorithm does not converge "
                    "well. You are advised to use the LinearRegression "
                    "estimator"
                ),
                stacklevel=2,
            )
        if check_input:
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse="csc",
                order="F",
                dtype=[np.float64, np.float32],
                accept_large_sparse=False,
                copy=False,
                multi_output=True,
                y_numeric=True,
            )
            if sparse.issparse(y):  # refused here, with scikit-learn's error
                y = check_array(
                    y, order="F", copy=False, dtype=X.dtype.type, ensure_2d=False
                )
            # y is a finite numeric array now; check_array again costs 50 us
            y = np.asarray(y, dtype=X.dtype, order="F")
        is_sparse = sparse.issparse(X)
        if is_sparse:
            X = canonical_csc(X)
        else:
            X = np.asfortranarray(X)
        n_samples, n_features = X.shape

        if isinstance(sample_weight, numbers.Number):
            sample_weight = None
        if sample_weight is not None:
            if check_input:
                sample_weight = _check_sample_weight(
                    sample_weight, X, dtype=X.dtype, ensure_non_negative=True
                )
            sample_weight = np.asarray(sample_weight, dtype=X.dtype)
            sample_weight = sample_weight * (n_samples / np.sum(sample_weight))

        y2 = y[:, np.newaxis] if y.ndim == 1 else y
        if self.fit_intercept:
            X_offset, y_offset = _weighted_means(X, y2, sample_weight)
        else:
            X_offset = np.zeros(n_features, dtype=X.dtype)
            y_offset = np.zeros(y2.shape[1], dtype=X.dtype)
        Y = np.asarray(y2 - y_offset, dtype=X.dtype)

        pen = make_penalty(
            n_features,
            X.dtype,
            getattr(self, "penalty_factor", None),
            getattr(self, "lower_bounds", None),
            getattr(self, "upper_bounds", None),
            positive=self.positive,
        )
        precompute = self.precompute
        if is_sparse or self.solver == "fista" or pen is not None:
            precompute = False
        gram_Q = None
        if hasattr(precompute, "__array__"):
            if self.fit_intercept and not np.allclose(X_offset, np.zeros(n_features)):
                warnings.warn(
                    (
                        "Gram matrix was provided but X was centered to fit "
                        "intercept: recomputing Gram matrix."
                    ),
                    UserWarning,
                    stacklevel=2,
                )
                precompute = True
            else:
                gram_Q = np.ascontiguousarray(precompute, dtype=X.dtype)
                if gram_Q.shape != (n_features, n_features):
                    raise ValueError(
                        f"precompute should be a Gram matrix of shape "
                        f"({n_features}, {n_features}); got {gram_Q.shape}."
                    )
                if check_input:
                    check_gram(X, gram_Q, sample_weight=sample_weight)
        else:
            precompute = bool(precompute)

        offset = X_offset if self.fit_intercept else None
        design = None
        if precompute is True:
            gram_Q, Xy = gram_matrix(X, Y, sample_weight, offset)
        elif gram_Q is not None:
            _, Xy = _gram_rhs(X, Y, sample_weight, offset)
        else:
            design = Design(X, sample_weight=sample_weight, X_offset=offset)

        n_targets = Y.shape[1]
        if not self.warm_start or not hasattr(self, "coef_"):
            coef = np.zeros((n_targets, n_features), dtype=X.dtype)
        else:
            coef = np.atleast_2d(np.asarray(self.coef_, dtype=X.dtype)).copy()
            if coef.shape != (n_targets, n_features):
                raise ValueError(
                    f"warm_start: the previous coef_ has shape {np.shape(self.coef_)}, "
                    f"incompatible with X and y of this fit "
                    f"({n_targets} target(s), {n_features} features)."
                )
        dual_gaps = np.zeros(n_targets, dtype=X.dtype)
        n_iters = []
        for k in range(n_targets):
            yk = np.ascontiguousarray(Y[:, k])
            gram = None
            if gram_Q is not None:
                yn2 = float(yk @ (yk if sample_weight is None else sample_weight * yk))
                gram = (gram_Q, np.ascontiguousarray(Xy[:, k], dtype=X.dtype), yn2)
            coefs, gaps, iters = solve_path(
                design,
                yk,
                [self.alpha],
                self.l1_ratio,
                coef[k],
                gram=gram,
                max_iter=self.max_iter,
                tol=self.tol,
                positive=self.positive,
                selection=self.selection,
                rng=self.random_state,
                n_samples=n_samples,
                solver=self.solver,
                pen=pen,
            )
            coef[k] = coefs[:, 0]
            dual_gaps[k] = gaps[0] / n_samples
            n_iters.append(iters[0])

        if n_targets == 1:
            self.n_iter_ = n_iters[0]
            self.coef_ = coef[0]
            self.dual_gap_ = dual_gaps[0]
        else:
            self.n_iter_ = n_iters
            self.coef_ = coef
            self.dual_gap_ = dual_gaps
        if self.fit_intercept:
            y_off = y_offset[0] if y.ndim == 1 else y_offset
            self.intercept_ = y_off - X_offset @ self.coef_.T
        else:
            self.intercept_ = 0.0

        if not (np.isfinite(self.coef_).all() and np.isfinite(self.intercept_).all()):
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter"
                " values. The input data may contain large values and need to"
                " be preprocessed."
            )
        return self


def _gram_rhs(X, Y, sample_weight, X_offset):
    """``Z^T W Y`` for a user-supplied Gram matrix (no Gram recomputation)."""
    Yw = Y if sample_weight is None else Y * sample_weight[:, None]
    XtY = np.asarray(X.T @ Yw)
    if X_offset is not None:
        XtY = XtY - np.outer(X_offset, Yw.sum(axis=0))
    return None, np.asarray(XtY, dtype=X.dtype)


class Lasso(ElasticNet, _sk.Lasso):
    """Linear model trained with an L1 prior (the Lasso), solved by fastlasso.

    Minimises the same objective as :class:`sklearn.linear_model.Lasso`::

        (1 / (2 * n_samples)) * ||y - Xw - b||^2_2 + alpha * ||w||_1

    It is :class:`ElasticNet` with ``l1_ratio=1``; parameters, attributes and the
    stopping rule (duality gap ``<= tol * ||y_c||^2``) are those of
    :class:`ElasticNet`, and those of scikit-learn's ``Lasso``.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 term, ``alpha >= 0``.
    fit_intercept : bool, default=True
        Whether to fit an intercept (implicit centring, no copy of X).
    precompute : bool or array-like of shape (n_features, n_features), default=False
        Use a precomputed Gram matrix (dense input only).
    copy_X : bool, default=True
        Accepted for compatibility; X is never modified.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        Tolerance on the duality gap, relative to ``||y_c||^2``.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Visit the coordinates in order, or at random.
    solver : {'cd', 'fista'}, default='cd'
        Not in scikit-learn: coordinate descent or FISTA, see :class:`ElasticNet`
        (with 'fista', ``precompute`` is ignored).
    penalty_factor : array-like of shape (n_features,), default=None
        Not in scikit-learn (glmnet's ``penalty.factor``): feature j's L1 and L2
        terms are multiplied by ``penalty_factor[j] >= 0``; 0 leaves the feature
        unpenalized (e.g. clinical covariates next to genes). Not rescaled (glmnet
        rescales the factors to sum to n_features; fastlasso keeps ``alpha``'s
        meaning). None means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
default=None
        Not in scikit-learn (glmnet's ``lower.limits`` / ``upper.limits``): box
        constraints ``lower_bounds[j] <= w_j <= upper_bounds[j]``, with
        ``lower_bounds <= 0 <= upper_bounds`` (0 must be feasible; -inf / inf for
        no bound). ``positive=True`` is ``lower_bounds=0``; both may be given. With
        float32 data the bounds are rounded inwards to float32. With any of these
        three parameters set, the Gram matrix (``precompute``) is not used, the
        duality gap certifies the penalized, constrained problem, and the objective
        is ``1/(2n) ||y - Xw - b||^2 + alpha sum_j pf_j (l1_ratio |w_j| +
        (1 - l1_ratio)/2 w_j^2)``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the solution, divided by ``n_samples``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    See Also
    --------
    ElasticNet : L1 and L2 penalties combined.
    fastlasso.lasso_path : the regularization path.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import Lasso
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> reg = Lasso(alpha=0.1).fit(X, [0.0, 1.0, 2.0])
    >>> np.round(reg.coef_, 2)
    array([0.85, 0.  ])
    """

    _parameter_constraints: dict = {
        **_sk.Lasso._parameter_constraints,
        "solver": [StrOptions({"cd", "fista"})],
        "penalty_factor": ["array-like", None],
        "lower_bounds": ["array-like", Real, None],
        "upper_bounds": ["array-like", Real, None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute=False,
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="cd",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        _sk.Lasso.__init__(
            self,
            alpha=alpha,
            fit_intercept=fit_intercept,
            precompute=precompute,
            copy_X=copy_X,
            max_iter=max_iter,
            tol=tol,
            warm_start=warm_start,
            positive=positive,
            random_state=random_state,
            selection=selection,
        )
        self.solver = solver
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
