"""``MultiTaskLassoCV`` and ``MultiTaskElasticNetCV`` on fastlasso's block-CD path.

As the single-task CV classes (:mod:`fastlasso.linear_model._cv`, whose fold
weights, tie rule and progress printer are reused): every (l1_ratio, fold) task
runs one warm-started multi-task path on the *full* design, the held-out rows
weighted 0 and the training rows reweighted to sum to ``n_samples`` (the same
minimiser and stopping rule as scikit-learn's fold problem; no copy of ``X``),
through joblib threads (the kernel releases the GIL).
"""

from __future__ import annotations

import numbers
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import _fit_context
from sklearn.linear_model._coordinate_descent import _alpha_grid
from sklearn.model_selection import check_cv
from sklearn.utils import check_scalar
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metadata_routing import (
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    validate_data,
)

from .._cv_select import path_seeds, select_alpha
from .._enet_path import enet_path as _enet_path
from .._enet_path import lasso_path as _lasso_path
from .._multitask_path import mt_solve_path
from .._path import Design, canonical_csc
from ._coordinate_descent import _weighted_means
from ._cv import _fold_weights, _Progress
from ._multitask import MultiTaskElasticNet, MultiTaskLasso

__all__ = ["MultiTaskElasticNetCV", "MultiTaskLassoCV"]


def _mt_path_mse(
    X, Y, sample_weight, train, test, *, fit_intercept, alphas, l1_ratio, max_iter,
    tol, selection, seed, progress, task,
):  # fmt: skip
    """Warm-started multi-task path on one training fold; the test MSE per alpha
    (weighted mean over the test rows, then mean over the tasks, as
    scikit-learn's ``_path_residuals``)."""
    n_samples, n_features = X.shape
    dtype = X.dtype
    sw = _fold_weights(n_samples, train, sample_weight, dtype)
    if fit_intercept:
        X_offset, y_offset = _weighted_means(X, Y, sw)
    else:
        X_offset = np.zeros(n_features, dtype=dtype)
        y_offset = np.zeros(Y.shape[1], dtype=dtype)
    Yc = np.asarray(Y - y_offset, dtype=dtype)
    design = Design(X, sample_weight=sw, X_offset=X_offset if fit_intercept else None)
    n_alphas = len(alphas)
    rng = np.random.RandomState(seed)
    step = n_alphas if progress is None else max(1, min(5, n_alphas // 10))
    blocks = []
    coef = None
    for start in range(0, n_alphas, step):
        stop = min(start + step, n_alphas)
        c, _, _, _ = mt_solve_path(
            design, Yc, alphas[start:stop], l1_ratio, coef, max_iter=max_iter,
            tol=tol, selection=selection, rng=rng,
        )  # fmt: skip
        blocks.append(c)
        coef = c[:, :, -1]
        if progress is not None:
            progress.update(task, stop)
    del design
    coefs = np.concatenate(blocks, axis=2)  # (T, p, n_alphas)
    used = np.flatnonzero(np.any(coefs != 0, axis=(0, 2)))
    C = coefs[:, used, :]
    intercepts = y_offset[:, None] - np.einsum("j,tja->ta", X_offset[used], C)
    X_test = X[test][:, used] if sparse.issparse(X) else X[np.ix_(test, used)]
    pred = np.stack([np.asarray(X_test @ C[t]) for t in range(C.shape[0])], axis=1)
    residues = pred - Y[test][:, :, None] + intercepts[None]
    if sample_weight is None:
        mse = (residues**2).mean(axis=0)
    else:
        mse = np.average(residues**2, weights=sample_weight[test], axis=0)
    return mse.mean(axis=0)


class _MultiTaskCVFit:
    """``fit`` of :class:`MultiTaskLassoCV` and :class:`MultiTaskElasticNetCV`."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Fit the model with cross-validation over a grid of alphas (and l1_ratios).

        For every l1_ratio and fold, one warm-started multi-task path is run on
        the training rows and scored on the held-out rows; the alpha (and
        l1_ratio) of the smallest mean test MSE is chosen (or the
        one-standard-error alpha, ``alpha_rule='1se'``) and the model is
        refitted on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (float32 kept, else float64; sparse used as CSC, never
            densified).
        y : array-like of shape (n_samples, n_tasks)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the fits and of each fold's test MSE (the CV MSE is the
            unweighted mean over the folds), as in scikit-learn.
        **params : dict
            Parameters of the CV splitter (with metadata routing enabled).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        _raise_for_params(params, self, "fit")
        name = type(self).__name__
        check_X = dict(
            accept_sparse="csc",
            dtype=[np.float64, np.float32],
            order=None if isinstance(X, np.ndarray) or sparse.issparse(X) else "F",
            copy=False,
            accept_large_sparse=False,
        )
        check_y = dict(copy=False, dtype=[np.float64, np.float32], ensure_2d=False)
        X, y = validate_data(self, X, y, validate_separately=(check_X, check_y))
        check_consistent_length(X, y)
        if y.ndim == 1:
            # scikit-learn's message, word for word ("use LassoCVCV")
            raise ValueError(f"For mono-task outputs, use {name[9:]}CV")
        y = np.asarray(y, dtype=X.dtype)
        if isinstance(sample_weight, numbers.Number):
            sample_weight = None
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        l1_ratios = np.atleast_1d(getattr(self, "l1_ratio", 1.0))
        if isinstance(self.alphas, Integral):
            # scikit-learn's own grid function: the same grid, bit for bit (no
            # copy of X; fastlasso's alpha_grid is single-task with an intercept)
            alphas = [
                _alpha_grid(
                    X,
                    y,
                    l1_ratio=l1_ratio,
                    fit_intercept=self.fit_intercept,
                    eps=self.eps,
                    n_alphas=self.alphas,
                    sample_weight=sample_weight,
                )  # fmt: skip
                for l1_ratio in l1_ratios
            ]
        else:
            for index, alpha in enumerate(self.alphas):
                check_scalar(
                    alpha, f"alphas[{index}]", target_type=Real, min_val=0.0,
                    include_boundaries="left",
                )  # fmt: skip
            alphas = np.tile(np.sort(self.alphas)[::-1], (len(l1_ratios), 1))
        alphas = [np.asarray(a, dtype=np.float64) for a in alphas]
        X = canonical_csc(X) if sparse.issparse(X) else np.asfortranarray(X)
        results = self._run_folds(X, y, sample_weight, l1_ratios, alphas, params)
        self._choose(results, l1_ratios, alphas)
        model = self._get_estimator()
        model.set_params(
            **{k: v for k, v in self.get_params().items() if k in model.get_params()}
        )
        model.alpha = self.alpha_
        model.l1_ratio = self.l1_ratio_
        model.fit(X, y, sample_weight=sample_weight)
        if not hasattr(self, "l1_ratio"):
            del self.l1_ratio_
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        return self

    def _run_folds(self, X, y, sample_weight, l1_ratios, alphas, params):
        """The (l1_ratio, fold) paths; returns mse of shape (n_l1, n_folds, n_a)."""
        cv = check_cv(self.cv)
        split = {}
        if _routing_enabled():
            split = process_routing(
                self, "fit", sample_weight=sample_weight, **params
            ).splitter.split
        folds = list(cv.split(X, y, **split))
        n_l1, n_folds, n_alphas = len(l1_ratios), len(folds), len(alphas[0])
        n_tasks = n_l1 * n_folds
        seeds = path_seeds(self.selection, self.random_state, n_tasks)
        name = type(self).__name__
        progress = _Progress(name, n_tasks, n_alphas) if self.verbose else None
        jobs = (
            delayed(_mt_path_mse)(
                X,
                y,
                sample_weight,
                train,
                test,
                fit_intercept=self.fit_intercept,
                alphas=alphas[k],
                l1_ratio=float(l1_ratios[k]),
                max_iter=self.max_iter,
                tol=self.tol,
                selection=self.selection,
                seed=seeds[k * n_folds + f],
                progress=progress,
                task=k * n_folds + f,
            )  # fmt: skip
            for k in range(n_l1)
            for f, (train, test) in enumerate(folds)
        )
        results = []
        for task, mse in enumerate(
            Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(jobs)
        ):
            results.append(mse)
            if progress is not None:
                progress.update(task, n_alphas, final=task == n_tasks - 1)
        return np.reshape(results, (n_l1, n_folds, n_alphas))

    def _choose(self, mse_paths, l1_ratios, alphas):
        """alpha_, l1_ratio_ (scikit-learn's rule, ties within rounding to the
        largest alpha), the one-standard-error alpha and the fitted attributes."""
        select_alpha(self, mse_paths, alphas, l1_ratios)


_PARAMS_DOC = """
    fit_intercept : bool, default=True
        Whether to fit an intercept (implicit centring per fold; no copy of X).
    max_iter : int, default=1000
        Maximum number of epochs per alpha.
    tol : float, default=1e-4
        Tolerance on the duality gap relative to ``||Y_c||_Fro^2`` of each
        problem solved, as in scikit-learn.
    cv : int, cross-validation generator or iterable, default=None
        None is 5-fold ``KFold``, as in scikit-learn.
    copy_X : bool, default=True
        Accepted for compatibility; ``X`` is never modified.
    verbose : bool or int, default=0
        When set, progress lines on stderr (paths x alphas solved, elapsed and
        remaining time), at most once a second.
    n_jobs : int, default=None
        Number of (l1_ratio, fold) paths run in parallel (joblib threads).
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
    alpha_rule : {'min', '1se'}, default='min'
        Not in scikit-learn: refit at the alpha of the smallest mean CV MSE
        (scikit-learn's rule) or at the one-standard-error alpha ``alpha_1se_``.

    Attributes
    ----------
    alpha_ : float
        Alpha of the final model (``alpha_min_`` or ``alpha_1se_``).
    alpha_min_, alpha_1se_ : float
        Alpha of the smallest mean CV MSE; largest alpha within one standard
        error of it.
    mse_se_ : ndarray
        Standard error of the mean CV MSE at every alpha.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, \
n_folds)
        Test MSE (mean over tasks) of every fold at every alpha.
    coef_ : ndarray of shape (n_tasks, n_features)
    intercept_ : ndarray of shape (n_tasks,)
    dual_gap_ : float
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
"""


class MultiTaskElasticNetCV(_MultiTaskCVFit, _sk.MultiTaskElasticNetCV):
    __doc__ = (
        """Multi-task elastic net with alpha and l1_ratio chosen by CV, on fastlasso.

    For each alpha the objective is scikit-learn's::

        (1 / (2 * n_samples)) * ||Y - X W^T - 1 b^T||_Fro^2
        + alpha * l1_ratio * ||W||_21 + 0.5 * alpha * (1 - l1_ratio) * ||W||_Fro^2

    Same folds give the same ``alpha_`` as scikit-learn (the grid is
    scikit-learn's, bit for bit; the MSEs agree to the solver tolerance).

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s), ``0 < l1_ratio <= 1``.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid, or the alphas themselves."""
        + _PARAMS_DOC
        + """
    See Also
    --------
    MultiTaskLassoCV, fastlasso.MultiTaskElasticNet

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import MultiTaskElasticNetCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 10)
    >>> Y = X[:, :2] @ rng.randn(2, 3) + 0.1 * rng.randn(40, 3)
    >>> reg = MultiTaskElasticNetCV(cv=3, alphas=10).fit(X, Y)
    >>> reg.coef_.shape
    (3, 10)
    """
    )

    _parameter_constraints: dict = {
        **_sk.MultiTaskElasticNetCV._parameter_constraints,
        "alpha_rule": [StrOptions({"min", "1se"})],
    }
    path = staticmethod(_enet_path)

    def __init__(
        self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
        max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0, n_jobs=None,
        random_state=None, selection="cyclic", alpha_rule="min",
    ):  # fmt: skip
        super().__init__(
            l1_ratio=l1_ratio, eps=eps, alphas=alphas, fit_intercept=fit_intercept,
            max_iter=max_iter, tol=tol, cv=cv, copy_X=copy_X, verbose=verbose,
            n_jobs=n_jobs, random_state=random_state, selection=selection,
        )  # fmt: skip
        self.alpha_rule = alpha_rule

    def _get_estimator(self):
        return MultiTaskElasticNet()


class MultiTaskLassoCV(_MultiTaskCVFit, _sk.MultiTaskLassoCV):
    __doc__ = (
        """Multi-task Lasso with alpha chosen by cross-validation, on fastlasso.

    For each alpha the objective is scikit-learn's::

        (1 / (2 * n_samples)) * ||Y - X W^T - 1 b^T||_Fro^2 + alpha * ||W||_21

    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid, or the alphas themselves."""
        + _PARAMS_DOC
        + """
    See Also
    --------
    MultiTaskElasticNetCV, fastlasso.MultiTaskLasso

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import MultiTaskLassoCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 10)
    >>> Y = X[:, :2] @ rng.randn(2, 3) + 0.1 * rng.randn(40, 3)
    >>> reg = MultiTaskLassoCV(cv=3, alphas=10).fit(X, Y)
    >>> reg.coef_.shape
    (3, 10)
    """
    )

    _parameter_constraints: dict = {
        **_sk.MultiTaskLassoCV._parameter_constraints,
        "alpha_rule": [StrOptions({"min", "1se"})],
    }
    path = staticmethod(_lasso_path)

    def __init__(
        self, *, eps=1e-3, alphas=100, fit_intercept=True, max_iter=1000, tol=1e-4,
        copy_X=True, cv=None, verbose=False, n_jobs=None, random_state=None,
        selection="cyclic", alpha_rule="min",
    ):  # fmt: skip
        super().__init__(
            eps=eps, alphas=alphas, fit_intercept=fit_intercept, max_iter=max_iter,
            tol=tol, copy_X=copy_X, cv=cv, verbose=verbose, n_jobs=n_jobs,
            random_state=random_state, selection=selection,
        )  # fmt: skip
        self.alpha_rule = alpha_rule

    def _get_estimator(self):
        return MultiTaskLasso()
