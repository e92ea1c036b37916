"""``MultiTaskElasticNet`` and ``MultiTaskLasso`` on fastlasso's block-CD kernel.

The classes subclass scikit-learn's own (parameters, validation, ``predict``,
``score``, tags and ``isinstance`` checks are scikit-learn's); ``fit`` validates,
centres implicitly (no copy of X, dense or CSC) and runs
:func:`fastlasso._multitask_path.mt_solve_path` for one alpha.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import _fit_context
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    validate_data,
)

from .._enet_path import enet_path
from .._multitask_path import mt_proj, mt_solve_path
from .._path import Design, canonical_csc, make_penalty
from ._coordinate_descent import _weighted_means

__all__ = ["MultiTaskElasticNet", "MultiTaskLasso"]


def _fit_multitask(est, X, y, sample_weight):
    """The body of ``fit`` shared by both classes (sets the fitted attributes)."""
    check_X = dict(
        accept_sparse="csc",
        dtype=[np.float64, np.float32],
        order="F",
        accept_large_sparse=False,
        copy=False,
    )
    check_y = dict(
        copy=False, dtype=[np.float64, np.float32], ensure_2d=False, order="F"
    )
    X, y = validate_data(est, X, y, validate_separately=(check_X, check_y))
    check_consistent_length(X, y)
    if y.ndim == 1:
        model = "ElasticNet" if hasattr(est, "l1_ratio") else "Lasso"  # as sklearn
        raise ValueError(f"For mono-task outputs, use {model}")
    X = canonical_csc(X) if sparse.issparse(X) else np.asfortranarray(X)
    y = np.asarray(y, dtype=X.dtype)
    n_samples, n_features = X.shape
    n_tasks = y.shape[1]
    if isinstance(sample_weight, numbers.Number):
        sample_weight = None
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        sample_weight = sample_weight * (n_samples / np.sum(sample_weight))
    if est.fit_intercept:
        X_offset, y_offset = _weighted_means(X, y, sample_weight)
    else:
        X_offset = np.zeros(n_features, dtype=X.dtype)
        y_offset = np.zeros(n_tasks, dtype=X.dtype)
    Y = np.asarray(y - y_offset, dtype=X.dtype)
    pf = None
    if getattr(est, "penalty_factor", None) is not None:
        pf = make_penalty(n_features, X.dtype, est.penalty_factor)[0]
    offset = X_offset if est.fit_intercept else None
    design = Design(X, sample_weight=sample_weight, X_offset=offset)
    proj = mt_proj(
        X, Y, sample_weight, design.X_offset if design.centered else None, pf
    )
    coef_init = None
    if est.warm_start and hasattr(est, "coef_"):
        coef_init = np.asarray(est.coef_, dtype=X.dtype)
        if coef_init.shape != (n_tasks, n_features):
            raise ValueError(
                f"warm_start: the previous coef_ has shape {coef_init.shape}, "
                f"incompatible with X and y of this fit ({n_tasks} tasks, "
                f"{n_features} features)."
            )
    coefs, gaps, n_iters, tol_gap = mt_solve_path(
        design,
        Y,
        [est.alpha],
        est.l1_ratio,
        coef_init,
        max_iter=est.max_iter,
        tol=est.tol,
        selection=est.selection,
        rng=est.random_state,
        pf=pf,
        proj=proj,
    )
    est.coef_ = np.asfortranarray(coefs[:, :, 0])
    est.dual_gap_ = gaps[0] / n_samples
    est.eps_ = tol_gap
    est.n_iter_ = n_iters[0]
    est.intercept_ = y_offset - X_offset @ est.coef_.T
    if not (np.isfinite(est.coef_).all() and np.isfinite(est.intercept_).all()):
        raise ValueError(
            "Coordinate descent iterations resulted in non-finite parameter"
            " values. The input data may contain large values and need to"
            " be preprocessed."
        )
    return est


_PARAMS_DOC = """
    fit_intercept : bool, default=True
        Whether to fit an intercept. Data are centred implicitly: ``X`` is never
        copied or modified for that, dense or sparse.
    copy_X : bool, default=True
        Accepted for compatibility; fastlasso never modifies ``X``.
    max_iter : int, default=1000
        Maximum number of epochs (block-CD passes over the working set).
    tol : float, default=1e-4
        Stop when the duality gap (times ``n_samples``) is at most
        ``tol * ||Y_c||_Fro^2`` (``Y_c`` the centred, weighted target), as
        scikit-learn.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Visit the features in order, or at random.
    penalty_factor : array-like of shape (n_features,), default=None
        Not in scikit-learn (glmnet's ``penalty.factor``): feature j's penalty
        terms are multiplied by ``penalty_factor[j] >= 0`` (0: unpenalized).
        None means all ones.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        ``W`` in the objective, of the dtype of ``X``.
    intercept_ : ndarray of shape (n_tasks,)
    n_iter_ : int
        Epochs run (0 when the starting point already met the gap test).
    dual_gap_ : float
        Duality gap at the solution, divided by ``n_samples``: a certificate that
        the objective is within ``dual_gap_`` of its minimum.
    eps_ : float
        ``tol * ||Y_c||_Fro^2``, the tolerance the (unscaled) gap was held to.
    sparse_coef_ : sparse matrix of shape (n_tasks, n_features)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    ``X`` may be dense or sparse (CSR is converted to CSC, as in scikit-learn);
    sparse ``X`` is centred implicitly, never densified or copied. ``fit`` takes
    ``sample_weight`` (rescaled to sum to ``n_samples``), as scikit-learn 1.9.
    ``max_iter`` counts epochs over working sets, each at most one pass.
"""


class MultiTaskElasticNet(_sk.MultiTaskElasticNet):
    __doc__ = (
        """Multi-task elastic net (L2,1 and L2 penalties), solved by fastlasso.

    Minimises scikit-learn's objective::

        (1 / (2 * n_samples)) * ||Y - X W^T - 1 b^T||_Fro^2
        + alpha * l1_ratio * ||W||_21
        + 0.5 * alpha * (1 - l1_ratio) * ||W||_Fro^2

    where ``||W||_21 = sum_j ||W[:, j]||_2`` (one norm per feature, over the
    tasks), by block coordinate descent with working sets, group gap-safe
    screening and Anderson acceleration.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms, ``alpha >= 0``.
    l1_ratio : float, default=0.5
        Mixing parameter, ``0 <= l1_ratio <= 1``."""
        + _PARAMS_DOC
        + """
    See Also
    --------
    MultiTaskLasso : the ``l1_ratio=1`` case.
    fastlasso.enet_path : the path, with a 2-D ``y``.

    Examples
    --------
    >>> from fastlasso import MultiTaskElasticNet
    >>> reg = MultiTaskElasticNet(alpha=0.1)
    >>> reg = reg.fit([[0, 0], [1, 1], [2, 2]], [[0, 0], [1, 1], [2, 2]])
    >>> reg.coef_.shape
    (2, 2)
    """
    )

    path = staticmethod(enet_path)

    _parameter_constraints: dict = {
        **_sk.MultiTaskElasticNet._parameter_constraints,
        "penalty_factor": ["array-like", None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        selection="cyclic",
        penalty_factor=None,
    ):
        super().__init__(
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=fit_intercept,
            copy_X=copy_X,
            max_iter=max_iter,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            selection=selection,
        )
        self.penalty_factor = penalty_factor

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by block coordinate descent.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (float32 kept, else float64; sparse used as CSC).
        y : ndarray of shape (n_samples, n_tasks)
            Target, cast to the dtype of ``X``.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, rescaled internally to sum to ``n_samples``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return _fit_multitask(self, X, y, sample_weight)


class MultiTaskLasso(MultiTaskElasticNet, _sk.MultiTaskLasso):
    __doc__ = (
        """Multi-task Lasso (L2,1 penalty), solved by fastlasso.

    Minimises scikit-learn's objective::

        (1 / (2 * n_samples)) * ||Y - X W^T - 1 b^T||_Fro^2 + alpha * ||W||_21

    where ``||W||_21 = sum_j ||W[:, j]||_2``; see :class:`MultiTaskElasticNet`.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L2,1 term, ``alpha >= 0``."""
        + _PARAMS_DOC
        + """
    See Also
    --------
    MultiTaskElasticNet : L2,1 and L2 penalties combined.
    fastlasso.lasso_path : the path, with a 2-D ``y``.

    Examples
    --------
    >>> from fastlasso import MultiTaskLasso
    >>> reg = MultiTaskLasso(alpha=0.1)
    >>> reg = reg.fit([[0, 1], [1, 2], [2, 4]], [[0, 0], [1, 1], [2, 3]])
    >>> reg.coef_.shape
    (2, 2)
    """
    )

    _parameter_constraints: dict = {
        **_sk.MultiTaskLasso._parameter_constraints,
        "penalty_factor": ["array-like", None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        selection="cyclic",
        penalty_factor=None,
    ):
        _sk.MultiTaskLasso.__init__(
            self,
            alpha=alpha,
            fit_intercept=fit_intercept,
            copy_X=copy_X,
            max_iter=max_iter,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            selection=selection,
        )
        self.penalty_factor = penalty_factor
