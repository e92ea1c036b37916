"""``Ridge`` and ``RidgeCV``: scikit-learn's estimators on fastlasso's solvers.

Both subclass scikit-learn's own classes, so parameters, their validation,
``predict``, ``score`` and tags are scikit-learn's; ``fit`` is replaced. The
solvers are in :mod:`fastlasso._ridge_path`.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg
from sklearn import linear_model as _sk
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, is_classifier
from sklearn.model_selection import GridSearchCV
from sklearn.utils import check_scalar
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.validation import validate_data

from .._ridge_path import (
    _canonical,
    _Centered,
    ridge_path,
    ridge_solve,
    weighted_means,
)

__all__ = ["Ridge", "RidgeCV", "ridge_path"]


class Ridge(_sk.Ridge):
    """Linear least squares with l2 regularization, solved by fastlasso.

    Minimises the same objective as :class:`sklearn.linear_model.Ridge`::

        ||y - Xw - b||^2_2 + alpha * ||w||^2_2

    (with ``sample_weight``, the weighted sum of squares; the weights are not
    rescaled). A 2-D ``y`` is one independent problem per column, each with its
    own ``alpha`` if an array is given.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty, ``>= 0``.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept. Dense and sparse ``X`` alike are centred
        implicitly (sparse ``X`` is never densified, for every solver).
    copy_X : bool, default=True
        Accepted for compatibility; ``X`` is never modified.
    max_iter : int, default=None
        Iterations of 'cd' (epochs) or 'fista' per target (None: 1000).
    tol : float, default=1e-4
        'cd' / 'fista' only: stop when the duality gap of the problem is at most
        ``tol * y_c^T W y_c`` (the same rule as fastlasso's ElasticNet). Ignored by
        the direct solvers, which are exact up to rounding. A gap bounds the
        objective, not the coefficients (at ``tol=1e-4`` they are typically
        1e-3 to 1e-2 off); see ``positive`` for how that case is made exact.
    solver : {'auto', 'svd', 'cholesky', 'cd', 'fista'}, default='auto'
        'cholesky': a linear system on the smaller of ``Z^T W Z`` and
        ``W^1/2 Z Z^T W^1/2``. 'svd': an eigendecomposition of that Gram matrix
        (the SVD of the centred weighted design). 'cd': coordinate descent.
        'fista': accelerated proximal gradient. 'auto' picks 'fista' when
        ``positive=True``, else 'cholesky' when ``min(n_samples, n_features) <=
        4000``, else 'cd'. scikit-learn's 'lsqr', 'sparse_cg', 'sag', 'saga' and
        'lbfgs' are not available (rejected by parameter validation).
    positive : bool, default=False
        Non-negative coefficients ('auto', 'fista' or 'cd'). When the solver
        stops, its support seeds an exact active-set solve (block principal
        pivoting on the Gram matrix of the support's columns, grown until the
        optimality conditions hold on every feature), so the coefficients are
        the exact constrained minimiser up to rounding, at any ``tol``; this is
        skipped, and the solver's answer kept, when the support has more than
        4000 features. ``n_iter_`` counts the solver's iterations only.
        (scikit-learn's 'lbfgs' stops at its own ``tol``: about 1e-3 off at the
        default.)
    random_state : int, RandomState instance or None, default=None
        Unused (no solver here is randomised); accepted for compatibility.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : None or ndarray of shape (n_targets,)
        Iterations of 'cd' / 'fista'; None for the direct solvers.
    solver_ : str
        The solver used.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    See Also
    --------
    RidgeCV : alpha chosen by leave-one-out or K-fold cross-validation.
    fastlasso.ridge_path : coefficients for many alphas at once.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import Ridge
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.5]])
    >>> reg = Ridge(alpha=1.0).fit(X, [1.0, 2.0, 4.0, 5.5])
    >>> reg.solver_
    'cholesky'
    """

    _parameter_constraints: dict = {
        **_sk.Ridge._parameter_constraints,
        "solver": [StrOptions({"auto", "svd", "cholesky", "cd", "fista"})],
    }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the Ridge model.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (float32 kept, other dtypes become float64).
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights (a float gives every sample that weight).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        from .._dask import fit_ridge_dask, uses_dask  # imports no dask

        if uses_dask(X, y, sample_weight):
            return fit_ridge_dask(self, X, y, sample_weight)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc", "coo"],
            dtype=[np.float64, np.float32],
            multi_output=True,
            y_numeric=True,
        )
        X, y, sample_weight = _canonical(X, y, sample_weight)
        Y = y[:, None] if y.ndim == 1 else y
        n_targets = Y.shape[1]
        alpha = np.asarray(self.alpha, dtype=np.float64).ravel()
        if alpha.shape[0] not in (1, n_targets):
            raise ValueError(
                "Number of targets and number of penalties do not correspond: "
                f"{alpha.shape[0]} != {n_targets}"
            )
        if np.any(alpha < 0):
            raise ValueError("alpha must be non-negative.")
        kw = dict(
            sample_weight=sample_weight,
            fit_intercept=self.fit_intercept,
            solver=self.solver,
            max_iter=self.max_iter,
            tol=self.tol,
            positive=self.positive,
        )
        coef = np.empty((n_targets, X.shape[1]))
        intercept = np.empty(n_targets)
        n_iter = np.zeros(n_targets, dtype=np.int64)
        if alpha.shape[0] == 1 or np.all(alpha == alpha[0]):
            c, b, it, solver = ridge_solve(X, Y, alpha[:1], **kw)
            coef[:], intercept[:] = c[:, :, 0], b[:, 0]
            if it is not None:
                n_iter[:] = it[:, 0]
        else:
            uniq, inv = np.unique(alpha, return_inverse=True)
            for u, a in enumerate(uniq):
                cols = np.flatnonzero(inv == u)
                c, b, it, solver = ridge_solve(X, Y[:, cols], [a], **kw)
                coef[cols], intercept[cols] = c[:, :, 0], b[:, 0]
                if it is not None:
                    n_iter[cols] = it[:, 0]
        self.solver_ = solver
        self.n_iter_ = n_iter if solver in ("cd", "fista") else None
        coef = coef.astype(X.dtype)
        intercept = intercept.astype(X.dtype)
        if y.ndim == 1:
            self.coef_ = coef[0]
            self.intercept_ = intercept[0] if self.fit_intercept else 0.0
        else:
            self.coef_ = coef
            self.intercept_ = intercept if self.fit_intercept else 0.0
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # every solver takes sparse X
        tags.array_api_support = False
        return tags


class _IdentityRegressor(RegressorMixin, BaseEstimator):
    """Scorer helper: ``predict`` returns its input (as scikit-learn's)."""

    def predict(self, y_predict):
        return y_predict


def _gcv(
    X,
    y,
    sample_weight,
    alphas,
    fit_intercept,
    scorer,
    store_cv_results,
    alpha_per_target,
    score_params,
):
    """Efficient leave-one-out CV of Ridge, as scikit-learn's ``_RidgeGCV``.

    In the space rescaled by ``sqrt(sw)``: with ``Z_w`` the centred weighted design
    and ``G = Z_w Z_w^T + alpha I``, the leave-one-out residual is
    ``(G^-1 y)_i / (G^-1)_ii`` (with the intercept correction of scikit-learn),
    from one eigendecomposition of the smaller Gram matrix, shared by all alphas.
    Returns ``(alpha_, best_score_, coef (k, p), cv_results or None)``.
    """
    n, p = X.shape
    unscaled_y = y
    Y = y[:, None] if y.ndim == 1 else y
    if fit_intercept:
        mu, y_offset = weighted_means(X, Y, sample_weight)
    else:
        mu, y_offset = None, np.zeros(Y.shape[1])
    sqrt_sw = (np.ones(n) if sample_weight is None else np.sqrt(sample_weight)).astype(
        np.float64
    )
    op = _Centered(X, mu, None if sample_weight is None else sqrt_sw)
    Yw = (np.asarray(Y, dtype=np.float64) - y_offset) * sqrt_sw[:, None]
    sw_sum = sqrt_sw @ sqrt_sw
    if n <= p:  # eigendecomposition of Z_w Z_w^T (scikit-learn's 'gram' mode)
        ev, Q = linalg.eigh(op.gram(), overwrite_a=True)
        QT_y = Q.T @ Yw
        QT_s = Q.T @ sqrt_sw
        Q2 = Q**2

        def solve(alpha):
            D = 1.0 / (ev + alpha)
            c = Q @ (D[:, None] * QT_y)
            d = Q2 @ D
            if fit_intercept:
                d = d - (Q @ (D * QT_s)) * sqrt_sw / sw_sum
            return c / d[:, None], op.rmatmat(c)

    else:  # eigendecomposition of Z_w^T Z_w ('cov' mode)
        ev, V = linalg.eigh(op.cov(), overwrite_a=True)
        XT_y = op.rmatmat(Yw)
        XT_s = op.rmatmat(sqrt_sw[:, None])[:, 0]
        XV = op.matmat(V)  # (n, p)

        def solve(alpha):
            D = 1.0 / (ev + alpha)
            Hinv = (V * D) @ V.T
            coef = Hinv @ XT_y
            c = Yw - op.matmat(coef)
            d = 1.0 - (XV**2) @ D
            if fit_intercept:
                d = d - (sqrt_sw - op.matmat((Hinv @ XT_s)[:, None])[:, 0]) * (
                    sqrt_sw / sw_sum
                )
            return c / d[:, None], coef

    n_y = Y.shape[1]
    n_alphas = len(alphas)
    cv_results = np.empty((n, n_y, n_alphas)) if store_cv_results else None
    best_coef = best_score = best_alpha = None
    for i, alpha in enumerate(alphas):
        looe, coef = solve(float(alpha))
        if y.ndim == 1:
            looe = looe[:, 0]
        if scorer is None:
            squared_errors = looe**2
            if alpha_per_target:
                alpha_score = np.mean(-squared_errors, axis=0)
            else:
                alpha_score = np.mean(-squared_errors)
            if store_cv_results:
                cv_results[:, :, i] = squared_errors.reshape(n, n_y)
        else:
            Yw_ = Yw[:, 0] if y.ndim == 1 else Yw
            predictions = Yw_ - looe
            if sample_weight is not None:
                predictions = predictions / (
                    sqrt_sw[:, None] if predictions.ndim > 1 else sqrt_sw
                )
            predictions = predictions + (y_offset[0] if y.ndim == 1 else y_offset)
            if store_cv_results:
                cv_results[:, :, i] = predictions.reshape(n, n_y)
            est = _IdentityRegressor()
            if alpha_per_target:
                alpha_score = np.asarray(
                    [
                        scorer(est, predictions[:, j], unscaled_y[:, j], **score_params)
                        for j in range(n_y)
                    ]
                )
            else:
                alpha_score = scorer(est, predictions, unscaled_y, **score_params)
        if best_score is None:
            if alpha_per_target and n_y > 1:
                best_coef = coef.copy()
                best_score = np.reshape(alpha_score, (-1,)).copy()
                best_alpha = np.full(n_y, alpha)
            else:
                best_coef, best_score, best_alpha = coef, alpha_score, alpha
        elif alpha_per_target and n_y > 1:
            upd = alpha_score > best_score
            best_coef[:, upd] = coef[:, upd]
            best_score[upd] = alpha_score[upd]
            best_alpha[upd] = alpha
        elif alpha_score > best_score:
            best_coef, best_score, best_alpha = coef, alpha_score, alpha
    if store_cv_results:
        cv_results = cv_results[:, 0, :] if y.ndim == 1 else cv_results
    return best_alpha, best_score, best_coef.T, cv_results, mu, y_offset


class RidgeCV(_sk.RidgeCV):
    """Ridge regression with built-in cross-validation, solved by fastlasso.

    Same parameters, attributes and choice of ``alpha_`` as
    :class:`sklearn.linear_model.RidgeCV`. With ``cv=None`` (default) alpha is
    chosen by efficient leave-one-out cross-validation: one eigendecomposition of
    the smaller Gram matrix of the centred, ``sqrt(sample_weight)``-weighted
    design serves every alpha (dense or sparse X; sparse X never densified).
    With ``cv`` set, a :class:`~sklearn.model_selection.GridSearchCV` over
    :class:`fastlasso.Ridge` (solver 'auto').

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties (``> 0`` for leave-one-out, ``>= 0`` with ``cv``).
    fit_intercept : bool, default=True
    scoring : str, callable or None, default=None
        None: negative mean squared error (of the weighted leave-one-out
        residuals with ``cv=None``).
    cv : int, cross-validation generator or iterable, default=None
        None: efficient leave-one-out.
    gcv_mode : {'auto', 'svd', 'eigen'} or None, default=None
        Accepted for compatibility; every mode computes the same leave-one-out
        values here, from an eigendecomposition of ``Z_w Z_w^T`` when
        ``n_samples <= n_features`` and of ``Z_w^T Z_w`` otherwise (scikit-learn's
        'svd' mode instead takes the SVD of a dense, centred copy of X).
    store_cv_results : bool, default=False
        Store the leave-one-out values in ``cv_results_`` (``cv=None`` only).
    alpha_per_target : bool, default=False
        Choose alpha separately for each target (``cv=None`` only).

    Attributes
    ----------
    cv_results_ : ndarray of shape (n_samples, n_alphas) or \
            (n_samples, n_targets, n_alphas)
        Squared leave-one-out errors (``scoring=None``) or leave-one-out
        predictions; only with ``store_cv_results=True``.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    See Also
    --------
    Ridge : a single alpha.

    Notes
    -----
    Metadata routing (``**params``) is only supported with ``cv`` set; with
    ``cv=None`` only ``sample_weight`` is used (passing other parameters raises,
    as in scikit-learn without routing).

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import RidgeCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 3)
    >>> y = X @ [1.0, 2.0, 0.0] + 0.1 * rng.randn(20)
    >>> RidgeCV(alphas=[0.01, 1.0, 100.0]).fit(X, y).alpha_
    0.01
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Fit Ridge regression with cross-validation of alpha.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), default=None
        **params : dict
            Routed to the splitter and scorer (``cv`` set and metadata routing
            enabled).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        from .._dask import fit_ridgecv_dask, uses_dask  # imports no dask

        if uses_dask(X, y, sample_weight):
            return fit_ridgecv_dask(self, X, y, sample_weight, **params)
        cv = self.cv
        if cv is None:
            _raise_for_params(params, self, "fit")
        scorer = self._get_scorer()
        min_closed = "neither" if cv is None else "left"
        if isinstance(self.alphas, (np.ndarray, list, tuple)):
            if np.ndim(self.alphas) != 0 and len(self.alphas) != 1:
                for index, a in enumerate(self.alphas):
                    check_scalar(
                        a,
                        f"alphas[{index}]",
                        target_type=numbers.Real,
                        min_val=0.0,
                        include_boundaries=min_closed,
                    )
            else:
                a0 = np.ravel(self.alphas)[0]
                check_scalar(
                    a0,
                    "alphas",
                    target_type=numbers.Real,
                    min_val=0.0,
                    include_boundaries=min_closed,
                )
        alphas = np.atleast_1d(np.asarray(self.alphas, dtype=np.float64))

        if cv is None:
            if self.scoring is None:
                scorer = None
            Xv, yv = validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc", "coo"],
                dtype=np.float64,
                multi_output=True,
                y_numeric=True,
            )
            orig_dtype = getattr(X, "dtype", None)
            orig_dtype = (
                orig_dtype if getattr(orig_dtype, "kind", None) == "f" else None
            )
            Xv, yv, sw = _canonical(Xv, yv, sample_weight)
            score_params = (
                {} if sample_weight is None else {"sample_weight": sample_weight}
            )
            alpha_, best_score, coef, cv_results, mu, y_offset = _gcv(
                Xv,
                yv,
                sw,
                alphas,
                self.fit_intercept,
                scorer,
                self.store_cv_results,
                self.alpha_per_target,
                score_params,
            )
            self.alpha_ = alpha_
            self.best_score_ = best_score
            if yv.ndim == 1 or yv.shape[1] == 1:
                coef = coef.ravel()
            if self.fit_intercept:
                y_off = y_offset[0] if yv.ndim == 1 else y_offset
                intercept = y_off - mu @ coef.T
            else:
                intercept = 0.0
            if orig_dtype is not None:
                coef = coef.astype(orig_dtype)
                if self.fit_intercept:
                    intercept = np.asarray(intercept).astype(orig_dtype)
                    if intercept.ndim == 0:
                        intercept = intercept[()]
                if cv_results is not None:
                    cv_results = cv_results.astype(orig_dtype)
            self.coef_ = coef
            self.intercept_ = intercept
            if self.store_cv_results:
                self.cv_results_ = cv_results
            return self

        if self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        if is_classifier(self):
            raise NotImplementedError("fastlasso has no RidgeClassifierCV.")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc", "coo"],
            dtype=[np.float64, np.float32],
            multi_output=True,
            y_numeric=True,
        )
        estimator = Ridge(fit_intercept=self.fit_intercept)
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        from sklearn.utils.metadata_routing import _routing_enabled

        if _routing_enabled():
            estimator.set_fit_request(sample_weight=True)
        gs = GridSearchCV(estimator, {"alpha": alphas}, cv=cv, scoring=scorer)
        gs.fit(X, y, **params)
        best = gs.best_estimator_
        self.alpha_ = best.alpha
        self.best_score_ = gs.best_score_
        self.coef_ = best.coef_
        self.intercept_ = best.intercept_
        self.n_features_in_ = best.n_features_in_
        if hasattr(best, "feature_names_in_"):
            self.feature_names_in_ = best.feature_names_in_
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = False
        return tags


# re-exported for ``from fastlasso.linear_model import ridge_path``
ridge_path = ridge_path
