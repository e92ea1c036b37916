"""``LassoCV`` and ``ElasticNetCV``: cross-validated paths on fastlasso's solver.

The classes subclass scikit-learn's own, so parameters, their validation, tags,
``predict``, ``score`` and metadata routing are scikit-learn's; ``fit`` is
replaced. Every (l1_ratio, fold) task runs one warm-started path with
:func:`fastlasso._path.solve_path` on the *full* design: the held-out rows get
sample weight 0 and the training rows weights that sum to ``n_samples``, which is
exactly scikit-learn's fold problem (see :func:`_fold_weights`), so no fold ever
copies ``X``. Tasks go through joblib (threads by default; the kernels release the
GIL), hence also through any joblib backend such as dask.distributed.
"""

from __future__ import annotations

import numbers
import os
import sys
import threading
import time
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import _fit_context
from sklearn.model_selection import check_cv
from sklearn.utils import check_scalar, column_or_1d
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
from .._path import (
    Design,
    alpha_grid,
    canonical_csc,
    gram_matrix,
    make_penalty,
    solve_path,
)
from ._coordinate_descent import ElasticNet, Lasso, _weighted_means

__all__ = ["ElasticNetCV", "LassoCV"]


# --------------------------------------------------------------------------------------
# One (l1_ratio, fold) task


def _fold_weights(n_samples, train, sample_weight, dtype):
    """Sample weights that turn the full design into the training fold's problem.

    Held-out rows get weight 0; training rows get ``sw_i * n / sum_train(sw)``
    (``n / n_train`` without weights), so the weights sum to ``n = n_samples``.
    :func:`solve_path` scales the penalties by ``n`` (``l1 = n alpha l1_ratio``),
    so the kernel minimises ``n / n_train`` times scikit-learn's fold objective
    ``1/(2 n_train) sum_train sw'_i r_i^2 + penalty(alpha)`` (``sw'`` rescaled to
    sum to ``n_train``): the same minimiser, and the gap and the stopping threshold
    ``tol * sum_i sw_i y_i^2`` are both multiplied by the same ``n / n_train``, so
    the stopping rule is scikit-learn's too.
    """
    sw = np.zeros(n_samples, dtype=dtype)
    if sample_weight is None:
        sw[train] = 1.0
    else:
        sw[train] = sample_weight[train]
    total = float(np.sum(sw, dtype=np.float64))
    if not total > 0.0:
        raise ValueError(
            "The sample weights of a training fold sum to zero; cannot fit on it."
        )
    sw *= n_samples / total
    return sw


def _fold_size(train, sample_weight):
    """The training fold's number of samples for ``precompute='auto'``.

    Without weights, its number of rows (scikit-learn's rule: a Gram matrix when
    it exceeds n_features). With weights, each row of non-zero weight counts
    ``max(1, weight)`` times, so that a sample of integer weight k and k copies
    of it count the same: the fold is then solved by the same kernel (Gram or
    design) in both forms, and the two stop at the same point, also when
    ``max_iter`` cuts them short. (The kernels reach the same solution to
    ``tol``, but not by the same iterates.)
    """
    if sample_weight is None:
        return len(train)
    sw = sample_weight[train]
    return float(np.sum(np.maximum(sw[sw != 0], 1.0), dtype=np.float64))


def _path_mse(
    X,
    y,
    sample_weight,
    train,
    test,
    *,
    fit_intercept,
    alphas,
    l1_ratio,
    precompute,
    max_iter,
    tol,
    positive,
    selection,
    seed,
    store_coefs,
    progress,
    task,
    pen=None,
):
    """Warm-started path on one training fold; test MSE per alpha.

    Returns ``(mse (n_alphas,), coefs (n_features, n_alphas) or None,
    intercepts (n_alphas,) or None)``. ``X`` is the full validated design (dense
    F-ordered or canonical CSC); it is read, never copied or modified.
    """
    n_samples, n_features = X.shape
    dtype = X.dtype
    is_sparse = sparse.issparse(X)
    sw = _fold_weights(n_samples, train, sample_weight, dtype)
    if fit_intercept:
        X_offset, y_off = _weighted_means(X, y[:, np.newaxis], sw)
        y_offset = y_off[0]
    else:
        X_offset = np.zeros(n_features, dtype=dtype)
        y_offset = dtype.type(0.0)
    yc = np.ascontiguousarray(y - y_offset, dtype=dtype)

    use_gram = (
        pen is None
        and not is_sparse
        and (
            precompute is True
            or hasattr(precompute, "__array__")
            or (
                isinstance(precompute, str)
                and _fold_size(train, sample_weight) > n_features
                and n_features <= n_samples
            )
        )
    )
    design, gram = None, None
    if use_gram:
        Q, q = gram_matrix(X, yc, sw, X_offset if fit_intercept else None)
        gram = (Q, np.ascontiguousarray(q, dtype=dtype), float(yc @ (sw * yc)))
    else:
        design = Design(
            X, sample_weight=sw, X_offset=X_offset if fit_intercept else None
        )

    n_alphas = len(alphas)
    blocks = []  # sparse (p, k) blocks of the path: no dense (p, n_alphas) array
    rng = np.random.RandomState(seed)  # one stream for the whole path
    w = None
    step = n_alphas if progress is None else max(1, min(5, n_alphas // 10))
    for start in range(0, n_alphas, step):
        stop = min(start + step, n_alphas)
        c, _, _ = solve_path(
            design,
            yc,
            alphas[start:stop],
            l1_ratio,
            w,
            gram=gram,
            max_iter=max_iter,
            tol=tol,
            positive=positive,
            selection=selection,
            rng=rng,
            n_samples=n_samples,
            pen=pen,
            sparse_coefs=True,
        )
        blocks.append(c)
        w = c[:, -1].toarray().ravel()
        if progress is not None:
            progress.update(task, stop)
    del design, gram

    coefs = blocks[0].tocsr() if len(blocks) == 1 else sparse.hstack(blocks, "csr")
    # features ever non-zero on the path, and their dense (|used|, n_alphas) rows
    used = np.flatnonzero(np.diff(coefs.indptr))
    coefs_used = coefs[used].toarray()
    # Test MSE, with the formula of scikit-learn (over the used features only:
    # the others contribute exact zeros).
    intercepts = (
        y_offset - X_offset[used] @ coefs_used
        if fit_intercept
        else np.zeros(n_alphas, dtype)
    )
    if is_sparse:
        X_test = X[:, used][test]
    else:
        # only the test rows of the features that are ever non-zero on the path
        X_test = X[np.ix_(test, used)]
    residues = np.asarray(X_test @ coefs_used) - y[test][:, np.newaxis]
    residues += intercepts
    if sample_weight is None:
        mse = (residues**2).mean(axis=0)
    else:
        mse = np.average(residues**2, weights=sample_weight[test], axis=0)
    if store_coefs:
        return mse, coefs.toarray(), np.asarray(intercepts)
    return mse, None, None


# --------------------------------------------------------------------------------------
# Progress on stderr


class _Progress:
    """Thread-safe progress of ``n_tasks`` paths of ``n_alphas`` each, on stderr.

    Worker threads report the alphas done in their task; the main thread also
    marks a task complete when its result arrives (the only report that reaches it
    when tasks run in other processes, e.g. on a dask cluster, where the pickled
    copies of this object stay silent). Lines are printed at most every
    ``interval`` seconds, plus a final one.
    """

    def __init__(
        self, name, n_tasks, n_alphas, interval=1.0, stream=None, unit="alphas"
    ):
        self.name = name
        self.unit = unit  # what a path step is, for the message: "alphas", "Cs"
        self.n_tasks = n_tasks
        self.n_alphas = n_alphas
        self.interval = interval
        self.stream = stream
        self.done = [0] * n_tasks
        self.start = time.perf_counter()
        self.last = self.start
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.remote = False

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.lock = threading.Lock()
        self.remote = True

    def update(self, task, n_done, final=False):
        if self.remote or os.getpid() != self.pid:
            return
        with self.lock:
            self.done[task] = max(self.done[task], n_done)
            now = time.perf_counter()
            if not final and now - self.last < self.interval:
                return
            self.last = now
            self._print(now)

    def _print(self, now):
        total = self.n_tasks * self.n_alphas
        done = sum(self.done)
        elapsed = now - self.start
        if done == total:
            tail = "done"
        elif done:
            tail = f"remaining ~{elapsed * (total - done) / done:.1f}s"
        else:
            tail = "remaining ?"
        tasks_done = sum(d == self.n_alphas for d in self.done)
        stream = self.stream if self.stream is not None else sys.stderr
        stream.write(
            f"[{self.name}] {done}/{total} (fold x {self.unit}) solved, "
            f"{tasks_done}/{self.n_tasks} paths complete ({100.0 * done / total:.0f}%),"
            f" elapsed {elapsed:.1f}s, {tail}\n"
        )
        stream.flush()


# --------------------------------------------------------------------------------------
# The shared fit


_EXTRA_CONSTRAINTS = {
    "alpha_rule": [StrOptions({"min", "1se"})],
    "store_path_coefs": ["boolean"],
    "penalty_factor": ["array-like", None],
    "lower_bounds": ["array-like", Real, None],
    "upper_bounds": ["array-like", Real, None],
}


class _CVFitMixin:
    """``fit`` shared by :class:`LassoCV` and :class:`ElasticNetCV`."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Fit the model with cross-validation over a grid of alphas (and l1_ratios).

        For every l1_ratio and every fold, one warm-started path of coordinate
        descent is run on the training rows and its mean squared error is measured
        on the held-out rows; the alpha (and l1_ratio) of the smallest mean test MSE
        over the folds is chosen (or the one-standard-error alpha, see
        ``alpha_rule``), and the model is refitted on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 is kept, other dtypes become float64. A dense
            ``X`` that is not Fortran-ordered is converted once (the folds never
            copy it); sparse input is used as CSC with int32 indices (int64 indices
            are rejected, as in scikit-learn).
        y : array-like of shape (n_samples,)
            Target values (a single output).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative sample weights, used for fitting and for the weighted test
            MSE of each fold. As in scikit-learn, the cross-validated MSE is the
            unweighted mean over the folds of the weighted fold MSEs.
        **params : dict
            Parameters passed to the CV splitter (``groups``, ...); only with
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        from .._dask import fit_enet_cv_dask, uses_dask  # imports no dask

        if uses_dask(X, y, sample_weight):
            return fit_enet_cv_dask(self, X, y, sample_weight, **params)
        _raise_for_params(params, self, "fit")
        name = type(self).__name__
        # As scikit-learn: an ndarray keeps its memory order until the alpha grid is
        # computed (the grid's rounding depends on it), other array-likes become F.
        check_X_params = dict(
            accept_sparse="csc",
            dtype=[np.float64, np.float32],
            order=None if isinstance(X, np.ndarray) or sparse.issparse(X) else "F",
            copy=False,
            accept_large_sparse=False,
        )
        check_y_params = dict(
            copy=False, dtype=[np.float64, np.float32], ensure_2d=False
        )
        X, y = validate_data(
            self, X, y, validate_separately=(check_X_params, check_y_params)
        )
        check_consistent_length(X, y)
        if y.ndim > 1 and y.shape[1] > 1:
            raise ValueError(f"For multi-task outputs, use MultiTask{name}")
        y = column_or_1d(y, warn=True)
        n_samples, n_features = X.shape

        if isinstance(sample_weight, numbers.Number):
            sample_weight = None
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )

        if hasattr(self, "l1_ratio"):
            l1_ratios = np.atleast_1d(self.l1_ratio)
        else:
            l1_ratios = np.array([1.0])
        n_l1_ratio = len(l1_ratios)

        pen = make_penalty(
            n_features,
            X.dtype,
            self.penalty_factor,
            self.lower_bounds,
            self.upper_bounds,
            positive=self.positive,
        )
        if isinstance(self.alphas, Integral):
            alphas = [
                alpha_grid(
                    X,
                    y,
                    l1_ratio=l1_ratio,
                    fit_intercept=self.fit_intercept,
                    positive=self.positive,
                    eps=self.eps,
                    n_alphas=self.alphas,
                    sample_weight=sample_weight,
                    pen=pen,
                )
                for l1_ratio in l1_ratios
            ]
        else:
            for index, alpha in enumerate(self.alphas):
                check_scalar(
                    alpha,
                    f"alphas[{index}]",
                    target_type=Real,
                    min_val=0.0,
                    include_boundaries="left",
                )
            alphas = np.tile(np.sort(self.alphas)[::-1], (n_l1_ratio, 1))
        alphas = [np.asarray(a, dtype=np.float64) for a in alphas]
        # the kernels' layouts: converted once here, never per fold
        X = canonical_csc(X) if sparse.issparse(X) else np.asfortranarray(X)
        n_alphas = len(alphas[0])

        cv = check_cv(self.cv)
        if _routing_enabled():
            routed_params = process_routing(
                self, "fit", sample_weight=sample_weight, **params
            )
            split_params = routed_params.splitter.split
        else:
            split_params = {}
        folds = list(cv.split(X, y, **split_params))
        n_folds = len(folds)

        n_tasks = n_l1_ratio * n_folds
        seeds = path_seeds(self.selection, self.random_state, n_tasks)

        progress = _Progress(name, n_tasks, n_alphas) if self.verbose else None
        store = bool(self.store_path_coefs)
        jobs = (
            delayed(_path_mse)(
                X,
                y,
                sample_weight,
                train,
                test,
                fit_intercept=self.fit_intercept,
                alphas=alphas[k],
                l1_ratio=float(l1_ratios[k]),
                precompute=self.precompute,
                max_iter=self.max_iter,
                tol=self.tol,
                positive=self.positive,
                selection=self.selection,
                seed=seeds[k * n_folds + f],
                store_coefs=store,
                progress=progress,
                task=k * n_folds + f,
                pen=pen,
            )
            for k in range(n_l1_ratio)
            for f, (train, test) in enumerate(folds)
        )
        results = []
        for task, result in enumerate(
            Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(jobs)
        ):
            results.append(result)
            if progress is not None:
                progress.update(task, n_alphas, final=task == n_tasks - 1)

        mse_paths = np.reshape([r[0] for r in results], (n_l1_ratio, n_folds, -1))
        select_alpha(self, mse_paths, alphas, l1_ratios)
        if store:
            coef_path = np.reshape(
                np.stack([r[1] for r in results]),
                (n_l1_ratio, n_folds, n_features, n_alphas),
            )
            intercept_path = np.reshape(
                np.stack([r[2] for r in results]), (n_l1_ratio, n_folds, n_alphas)
            )
            self.coef_path_ = coef_path[0] if n_l1_ratio == 1 else coef_path
            self.intercept_path_ = (
                intercept_path[0] if n_l1_ratio == 1 else intercept_path
            )
        else:
            for attr in ("coef_path_", "intercept_path_"):
                if hasattr(self, attr):
                    delattr(self, attr)

        model = self._get_estimator()
        model_params = model.get_params()
        common_params = {
            key: value
            for key, value in self.get_params().items()
            if key in model_params
        }
        model.set_params(**common_params)
        model.alpha = self.alpha_
        model.l1_ratio = self.l1_ratio_
        if isinstance(self.precompute, str) and self.precompute == "auto":
            model.precompute = False
        if sample_weight is None:
            model.fit(X, y)
        else:
            model.fit(X, y, sample_weight=sample_weight)
        if not hasattr(self, "l1_ratio"):
            del self.l1_ratio_
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        return self


# --------------------------------------------------------------------------------------
# Public estimators

_COMMON_PARAMS_DOC = """
    fit_intercept : bool, default=True
        Whether to fit an intercept. Data are centred implicitly (per training
        fold, with the fold's weighted means); ``X`` is never copied for that.
    precompute : 'auto', bool or array-like of shape (n_features, n_features), \
default='auto'
        Use a Gram matrix (covariance updates) in the folds: 'auto' does so when a
        training fold has more samples than features (with ``sample_weight``, a
        sample of non-zero weight counts ``max(1, weight)`` times, so that weights
        and repeated rows choose alike) and ``X`` has at least as many rows as
        features. Each fold computes its own Gram matrix of its centred,
        weighted training rows (an array is accepted for compatibility and
        passed to the final refit only). Ignored for sparse ``X``.
    max_iter : int, default=1000
        Maximum number of epochs per alpha.
    tol : float, default=1e-4
        Tolerance on the duality gap, relative to ``||y_c||^2`` of the problem
        being solved (each fold's, then the refit's), as in scikit-learn.
    copy_X : bool, default=True
        Accepted for compatibility; ``X`` is never modified.
    cv : int, cross-validation generator or iterable, default=None
        Splitting strategy, as in scikit-learn: None is 5-fold ``KFold``
        (no shuffling), an int is that many folds.
    verbose : bool or int, default=False
        When set, print progress lines on stderr (paths x alphas solved, elapsed
        time and an estimate of the remaining time), at most once a second.
    n_jobs : int, default=None
        Number of (l1_ratio, fold) paths run in parallel. Tasks run as joblib
        threads (the kernels release the GIL) unless another joblib backend is
        active, e.g. ``joblib.parallel_config(backend="dask")``. None means 1
        unless in a :func:`joblib.parallel_config` context.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Visit the coordinates in order, or at random.
    alpha_rule : {'min', '1se'}, default='min'
        Which alpha the final model is refitted with (and ``alpha_`` reports):
        'min' is scikit-learn's rule, the alpha of the smallest mean CV MSE
        (the largest such alpha when several tie; values within a relative
        1e-12 of the minimum, i.e. rounding, count as ties);
        '1se' is the one-standard-error rule (glmnet's ``lambda.1se``), the
        largest alpha whose mean CV MSE is at most the minimum plus its standard
        error (see ``alpha_1se_``). Not a scikit-learn parameter.
    store_path_coefs : bool, default=False
        Keep every fold's coefficient path in ``coef_path_`` and
        ``intercept_path_``. Not a scikit-learn parameter.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers of the penalty (0 = unpenalized), as in
        :class:`fastlasso.ElasticNet`; the automatic alpha grid starts where every
        penalized coefficient is zero. Not a scikit-learn parameter.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
default=None
        Box constraints on the coefficients (``lower_bounds <= 0 <=
        upper_bounds``), as in :class:`fastlasso.ElasticNet`. Not scikit-learn
        parameters.
"""

_COMMON_ATTRS_DOC = """
    alpha_ : float
        The alpha of the final model: ``alpha_min_`` or ``alpha_1se_`` according
        to ``alpha_rule``.
    alpha_min_ : float
        Alpha of the smallest mean CV MSE (scikit-learn's ``alpha_``).
    alpha_1se_ : float
        Largest alpha whose mean CV MSE is at most ``min + se`` where ``se`` is
        the standard error at the minimum, ``std(fold MSEs, ddof=1) /
        sqrt(n_folds)`` (glmnet's ``cvsd`` with equal fold weights); computed on
        the curve of the chosen l1_ratio.
    mse_se_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        Standard error of the mean CV MSE at every alpha.
    coef_path_ : ndarray of shape (n_folds, n_features, n_alphas) or \
(n_l1_ratio, n_folds, n_features, n_alphas)
        Coefficients of every fold's path; only with ``store_path_coefs=True``.
    intercept_path_ : ndarray of shape (n_folds, n_alphas) or \
(n_l1_ratio, n_folds, n_alphas)
        Intercepts of every fold's path; only with ``store_path_coefs=True``.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the final model (refitted on all the data).
    intercept_ : float
        Intercept of the final model.
    dual_gap_ : float
        Duality gap of the final model, divided by ``n_samples``.
    n_iter_ : int
        Epochs run by the solver for the final model.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``; only when they are all strings.
"""

_ALGO_DOC = """
    Each fold solves scikit-learn's fold problem on the full design with the
    held-out rows weighted 0 and the training weights rescaled to sum to
    ``n_samples`` (same minimiser, same stopping rule, no copy of ``X``), on one
    warm-started path per fold (and l1_ratio). The alpha grid is computed once on
    all the data, exactly as scikit-learn does (bit-identical), so for the same
    folds the same ``alpha_`` is chosen and ``mse_path_`` agrees to the solver
    tolerance.
"""


class LassoCV(_CVFitMixin, _sk.LassoCV):
    __doc__ = (
        """Lasso with the regularization chosen by cross-validation, on fastlasso.

    For each alpha the objective is the one of :class:`sklearn.linear_model.LassoCV`::

        (1 / (2 * n_samples)) * ||y - Xw - b||^2_2 + alpha * ||w||_1

    (with sample weights the squared loss is the weighted average). Same
    parameters, defaults, validation and attributes as scikit-learn 1.9's
    ``LassoCV``, plus the one-standard-error rule and stored fold paths.
"""
        + _ALGO_DOC
        + """
    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid (from ``alpha_max``, where all
        coefficients vanish, down to ``eps * alpha_max``), or the alphas
        themselves (sorted in decreasing order).
"""
        + _COMMON_PARAMS_DOC
        + """
    Attributes
    ----------
    alphas_ : ndarray of shape (n_alphas,)
        The grid used for cross-validation.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Test MSE of every fold at every alpha.
"""
        + _COMMON_ATTRS_DOC
        + """
    See Also
    --------
    ElasticNetCV : cross-validated elastic net.
    fastlasso.Lasso : the estimator refitted at ``alpha_``.
    fastlasso.lasso_path : the regularization path.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import LassoCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 20)
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.randn(60)
    >>> reg = LassoCV(cv=5).fit(X, y)
    >>> bool(reg.alpha_1se_ >= reg.alpha_min_)
    True
    >>> sorted(np.flatnonzero(np.abs(reg.coef_) > 0.5).tolist())
    [0, 1]
"""
    )

    _parameter_constraints: dict = {
        **_sk.LassoCV._parameter_constraints,
        **_EXTRA_CONSTRAINTS,
    }
    path = staticmethod(_lasso_path)

    def __init__(
        self,
        *,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        copy_X=True,
        cv=None,
        verbose=False,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
        alpha_rule="min",
        store_path_coefs=False,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        super().__init__(
            eps=eps,
            alphas=alphas,
            fit_intercept=fit_intercept,
            precompute=precompute,
            max_iter=max_iter,
            tol=tol,
            copy_X=copy_X,
            cv=cv,
            verbose=verbose,
            n_jobs=n_jobs,
            positive=positive,
            random_state=random_state,
            selection=selection,
        )
        self.alpha_rule = alpha_rule
        self.store_path_coefs = store_path_coefs
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _get_estimator(self):
        return Lasso()


class ElasticNetCV(_CVFitMixin, _sk.ElasticNetCV):
    __doc__ = (
        """Elastic net with alpha and l1_ratio chosen by cross-validation, on fastlasso.

    For each alpha and l1_ratio the objective is the one of
    :class:`sklearn.linear_model.ElasticNetCV`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    (with sample weights the squared loss is the weighted average). Same
    parameters, defaults, validation and attributes as scikit-learn 1.9's
    ``ElasticNetCV``, plus the one-standard-error rule and stored fold paths.
"""
        + _ALGO_DOC
        + """
    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s), ``0 <= l1_ratio <= 1``; with a list, the best value
        is chosen by cross-validation too (an automatic grid needs
        ``l1_ratio > 0``).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid (one grid per l1_ratio), or the
        alphas themselves (sorted in decreasing order, shared by all l1_ratios).
"""
        + _COMMON_PARAMS_DOC
        + """
    Attributes
    ----------
    l1_ratio_ : float
        The chosen l1_ratio (smallest mean CV MSE over all l1_ratios and alphas;
        ``alpha_rule`` only moves alpha along that l1_ratio's curve).
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid(s) used; 2-D only with several l1_ratios and an int ``alphas``.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or \
(n_l1_ratio, n_alphas, n_folds)
        Test MSE of every fold at every alpha (and l1_ratio).
"""
        + _COMMON_ATTRS_DOC
        + """
    See Also
    --------
    LassoCV : the ``l1_ratio=1`` case.
    fastlasso.ElasticNet : the estimator refitted at ``alpha_``, ``l1_ratio_``.
    fastlasso.enet_path : the regularization path.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import ElasticNetCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 20)
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.randn(60)
    >>> reg = ElasticNetCV(l1_ratio=[0.5, 0.9, 1.0], cv=5).fit(X, y)
    >>> reg.mse_path_.shape
    (3, 100, 5)
    >>> bool(reg.l1_ratio_ in (0.5, 0.9, 1.0))
    True
"""
    )

    _parameter_constraints: dict = {
        **_sk.ElasticNetCV._parameter_constraints,
        **_EXTRA_CONSTRAINTS,
    }
    path = staticmethod(_enet_path)

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        cv=None,
        copy_X=True,
        verbose=0,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
        alpha_rule="min",
        store_path_coefs=False,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        super().__init__(
            l1_ratio=l1_ratio,
            eps=eps,
            alphas=alphas,
            fit_intercept=fit_intercept,
            precompute=precompute,
            max_iter=max_iter,
            tol=tol,
            cv=cv,
            copy_X=copy_X,
            verbose=verbose,
            n_jobs=n_jobs,
            positive=positive,
            random_state=random_state,
            selection=selection,
        )
        self.alpha_rule = alpha_rule
        self.store_path_coefs = store_path_coefs
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _get_estimator(self):
        return ElasticNet()
