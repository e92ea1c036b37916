"""``LogisticRegressionCV``: cross-validated penalised logistic regression on fastlasso.

The class subclasses scikit-learn's, so parameters, their validation, tags,
``predict``, ``predict_proba``, ``score`` (with the ``scoring`` option) and
metadata routing are scikit-learn's; ``fit`` is replaced. Every (fold, l1_ratio)
task is one warm-started :func:`fastlasso._logistic_path.logistic_path` over the
grid of ``Cs`` on the *full* design, with the held-out rows at sample weight 0:
the logistic objective is a weighted sum, so that is the training fold's problem
exactly, and no fold copies ``X``. The held-out rows are scored from the path's
coefficients (nothing is refitted per C). Tasks go through joblib: threads by
default (the kernels release the GIL), or any backend a
:func:`joblib.parallel_config` context selects.
"""

from __future__ import annotations

import inspect
import numbers
import warnings
from numbers import Real

import numpy as np
from scipy import sparse
from scipy.special import expit, softmax
from sklearn import linear_model as _sk
from sklearn.base import _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._logistic import _check_solver
from sklearn.metrics import get_scorer, log_loss, make_scorer
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metadata_routing import (
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import validate_data

from .._logistic_path import LogisticProblem, check_design, logistic_path
from .._path import make_penalty
from ._cv import _Progress
from ._logistic import (
    LogisticRegression,
    check_classes,
    encode_targets,
    l1_share,
    sample_weights,
    split_coefs,
)

__all__ = ["LogisticRegressionCV"]


# --------------------------------------------------------------------------------------
# scikit-learn 1.9's reading of the deprecated / transitional parameters


def _resolve_options(est):
    """``(l1_ratios, penalty, scoring, use_legacy)`` with scikit-learn's warnings.

    ``l1_ratios`` is None when not given ('warn' or None); ``penalty`` is the one
    in force ('l1', 'l2' or 'elasticnet'); ``scoring`` None means accuracy.
    The warnings come in the order scikit-learn 1.9.1 issues them.
    """
    if isinstance(est.l1_ratios, str) and est.l1_ratios == "warn":
        l1_ratios = None
        warnings.warn(
            "The default value for l1_ratios will change from None to (0.0,) "
            "in version 1.10. From version 1.10 onwards, only array-like "
            "with values in [0, 1] will be allowed, None will be forbidden. "
            "To avoid this warning, explicitly set a value, "
            "e.g. l1_ratios=(0,).",
            FutureWarning,
            stacklevel=4,
        )
    else:
        l1_ratios = est.l1_ratios

    if est.penalty == "deprecated":
        if est.l1_ratios is None:
            warnings.warn(
                "'l1_ratios=None' was deprecated in version 1.8 and will "
                "trigger an error in 1.10. Use an array-like with values"
                "in [0, 1] instead.",
                FutureWarning,
                stacklevel=4,
            )
        if l1_ratios is None or np.all(np.asarray(l1_ratios) == 0):
            penalty = "l2"
        elif np.all(np.asarray(l1_ratios) == 1):
            penalty = "l1"
        else:
            penalty = "elasticnet"
    else:
        penalty = est.penalty
        warnings.warn(
            "'penalty' was deprecated in version 1.8 and will be removed in"
            " 1.10. To avoid this warning, leave 'penalty' set to its default"
            " value and use 'l1_ratios' and 'Cs' instead."
            " Use l1_ratios=(0,) instead of penalty='l2',"
            " l1_ratios=(1,) instead of penalty='l1',"
            " l1_ratios set to floats between 0 and 1 instead of"
            " penalty='elasticnet', and Cs=(np.inf,) instead of penalty=None.",
            FutureWarning,
            stacklevel=4,
        )

    if isinstance(est.scoring, str) and est.scoring == "warn":
        warnings.warn(
            "The default value of the parameter 'scoring' will change from None, "
            "i.e. accuracy, to 'neg_log_loss' in version 1.11. To silence this "
            "warning, explicitly set the scoring parameter: "
            "scoring='neg_log_loss' for the new, scoring='accuracy' or "
            "scoring=None for the old default.",
            FutureWarning,
            stacklevel=4,
        )
        scoring = None
    else:
        scoring = est.scoring

    if isinstance(est.use_legacy_attributes, str):  # 'warn'
        name = type(est).__name__
        warnings.warn(
            f"The fitted attributes of {name} will be "
            "simplified in scikit-learn 1.10 to remove redundancy. Set"
            "`use_legacy_attributes=False` to enable the new behavior now, or "
            "set it to `True` to silence this warning during the transition period "
            "while keeping the deprecated behavior for the time being. The default "
            "value of use_legacy_attributes will change from True to False in "
            f"scikit-learn 1.10. See the docstring of {name} "
            "for more details.",
            FutureWarning,
            stacklevel=4,
        )
        use_legacy = True
    else:
        use_legacy = bool(est.use_legacy_attributes)
    return l1_ratios, penalty, scoring, use_legacy


def _grid_of_l1_ratios(l1_ratios, penalty, est_penalty):
    """The l1_ratios tried (``[None]`` when not given), checked as scikit-learn does."""
    if penalty == "elasticnet":
        valid = l1_ratios is not None and len(l1_ratios) > 0
        if valid:
            valid = all(
                isinstance(r, numbers.Number) and 0 <= r <= 1 for r in l1_ratios
            )
        if not valid:
            raise ValueError(
                "l1_ratios must be an array-like of numbers between "
                f"0 and 1; got (l1_ratios={l1_ratios!r})"
            )
        return l1_ratios
    if l1_ratios is not None and est_penalty != "deprecated":
        warnings.warn(
            "l1_ratios parameter is only used when penalty "
            f"is 'elasticnet'. Got (penalty={penalty})",
            stacklevel=4,
        )
    if l1_ratios is None:
        return [None]
    if len(l1_ratios) == 0:
        # scikit-learn fails later on, on an empty list of fold results
        raise ValueError(
            f"l1_ratios must be a non-empty array-like; got (l1_ratios={l1_ratios!r})"
        )
    return l1_ratios


# --------------------------------------------------------------------------------------
# Scoring of the held-out rows


def _fold_scorer(scoring, classes):
    """The scorer applied to every (fold, C); None means ``estimator.score``.

    A metric that takes ``labels`` is given all the classes (a test fold may miss
    some), and for two classes the positive one (the second) as ``pos_label``
    when the metric takes it, as scikit-learn does. Options the scorer already
    carries take precedence.
    """
    scorer = get_scorer(scoring)
    if scorer is None or not hasattr(scorer, "_score_func"):
        return scorer
    accepted = inspect.signature(scorer._score_func).parameters
    if "labels" not in accepted:
        return scorer
    options = {"labels": classes}
    if len(classes) <= 2 and "pos_label" in accepted:
        options["pos_label"] = classes[-1]
    options.update(getattr(scorer, "_kwargs", {}))
    return make_scorer(
        scorer._score_func,
        greater_is_better=scorer._sign == 1,
        response_method=scorer._response_method,
        **options,
    )


def _rows(params, rows, n_samples):
    """``params`` with every per-sample array restricted to ``rows``."""
    out = {}
    for key, value in params.items():
        if value is not None and not isinstance(value, (str, dict, numbers.Number)):
            if sparse.issparse(value) and value.shape[0] == n_samples:
                value = value[rows]
            elif hasattr(value, "__len__") and len(value) == n_samples:
                value = np.asarray(value)[rows]
        out[key] = value
    return out


# --------------------------------------------------------------------------------------
# One (fold, l1_ratio) task


def _vectorised_kind(scorer, params):
    """'accuracy' (``scorer`` None) or 'log_loss' (scikit-learn's 'neg_log_loss'
    without extra options) when the scores of a whole path can be computed at
    once, else None (the scorer is called per C)."""
    if scorer is None:
        return "accuracy"
    if (
        getattr(scorer, "_score_func", None) is log_loss
        and getattr(scorer, "_sign", None) == -1
        and set(getattr(scorer, "_kwargs", {})) <= {"labels"}
        and not params
    ):
        return "log_loss"
    return None


def _vectorised_scores(kind, coefs, X_test, y_test, classes, fit_intercept, sw):
    """Held-out scores of every C of a path in one product (the same values as
    ``LogisticRegression.score`` / the 'neg_log_loss' scorer: probabilities
    clipped to [eps, 1 - eps], weighted mean).

    Calling scikit-learn's scorer once per (fold, C) spent 80% of a 100-C
    ``LogisticRegressionCV`` on leukemia in input validation.
    """
    n_Cs, K, _ = coefs.shape
    W = coefs[:, :, :-1] if fit_intercept else coefs
    eta = np.asarray(X_test @ W.reshape(n_Cs * K, -1).T)  # (n_test, n_Cs * K)
    eta = eta.reshape(eta.shape[0], n_Cs, K)
    if fit_intercept:
        eta = eta + coefs[:, :, -1][None, :, :]
    idx = np.searchsorted(classes, y_test)
    if kind == "accuracy":
        if K == 1:
            pred = (eta[:, :, 0] > 0).astype(np.intp)
        else:
            pred = np.argmax(eta, axis=2)
        hits = (pred == idx[:, None]).astype(np.float64)
        return np.average(hits, axis=0, weights=sw)
    if K == 1:
        p1 = expit(eta[:, :, 0])
        proba = np.stack([1.0 - p1, p1], axis=2)
    else:
        proba = softmax(eta, axis=2)
    eps = np.finfo(proba.dtype).eps
    chosen = np.take_along_axis(proba, idx[:, None, None], axis=2)[:, :, 0]
    return np.mean(np.log(np.clip(chosen, eps, 1.0 - eps)), axis=0)


def _fold_path(
    X,
    Y,
    y,
    s,
    train,
    test,
    *,
    classes,
    solver,
    Cs,
    l1_ratio,
    fit_intercept,
    tol,
    max_iter,
    verbose,
    scorer,
    score_params,
    score_weights,
    progress,
    task,
    pen=None,
):
    """Warm-started path on one training fold, and its held-out scores.

    Returns ``(coefs (n_Cs, K, n_dof), n_iter (n_Cs,) int32, scores (n_Cs,),
    converged (n_Cs,) bool)``. ``X`` is the full design (F-ordered dense or
    canonical CSC), read only; the held-out rows enter the fit with weight 0.
    """
    n_samples = X.shape[0]
    s_fold = np.zeros(n_samples)
    s_fold[train] = s[train]
    if not s_fold.sum() > 0.0:
        raise ValueError(
            "The sample weights of a training fold sum to zero; cannot fit on it."
        )
    n_Cs = len(Cs)
    step = n_Cs if progress is None else max(1, min(5, n_Cs // 10))
    blocks, n_iter, gaps = [], [], []
    coef = None
    for start in range(0, n_Cs, step):
        stop = min(start + step, n_Cs)
        c, _, it, g = logistic_path(
            X,
            Y,
            s_fold,
            Cs[start:stop],
            l1_ratio,
            fit_intercept=fit_intercept,
            coef=coef,
            tol=tol,
            max_iter=max_iter,
            verbose=verbose,
            pen=pen,
        )
        blocks.append(c)
        n_iter.append(it)
        gaps.append(g)
        coef = c[-1]
        if progress is not None:
            progress.update(task, stop)
    coefs = np.concatenate(blocks)
    n_iter = np.concatenate(n_iter).astype(np.int32, copy=False)
    gaps = np.concatenate(gaps)
    # the stopping test of the solver, to report non-convergence once per fit
    converged = np.array(
        [
            gap
            <= tol
            * LogisticProblem(
                X, Y, C * s_fold, l1_ratio, 1.0 - l1_ratio, fit_intercept
            ).null_objective()
            for C, gap in zip(Cs, gaps, strict=True)
        ]
    )
    binary = Y.shape[1] == 1
    if fit_intercept and not binary:
        # the softmax ignores a common shift: report intercepts that sum to zero
        coefs[:, :, -1] -= coefs[:, :, -1].mean(axis=1, keepdims=True)

    X_test, y_test = X[test], y[test]
    if scorer is None:  # accuracy, weighted by the test rows' sample weights
        sw_test = None if score_weights is None else score_weights[test]
    else:
        params = _rows(score_params, test, n_samples)
    kind = _vectorised_kind(scorer, params if scorer is not None else {})
    if kind is not None:
        scores = _vectorised_scores(
            kind, coefs, X_test, y_test, classes, fit_intercept,
            sw_test if scorer is None else None,
        )  # fmt: skip
        return coefs, n_iter, scores, converged
    model = LogisticRegression(solver=solver)
    model.classes_ = classes
    scores = np.empty(n_Cs)
    for i, C in enumerate(Cs):
        model.C = C
        model.coef_, model.intercept_ = split_coefs(
            coefs[i], fit_intercept, binary, np.float64
        )
        if scorer is None:
            scores[i] = model.score(X_test, y_test, sample_weight=sw_test)
        else:
            scores[i] = scorer(model, X_test, y_test, **params)
    return coefs, n_iter, scores, converged


# --------------------------------------------------------------------------------------
# The estimator


class LogisticRegressionCV(_sk.LogisticRegressionCV):
    """Logistic regression with C and l1_ratio chosen by cross-validation, on fastlasso.

    For every ``C`` of the grid and every ``l1_ratio`` the objective is
    scikit-learn's (for every ``solver``)::

        C * sum_i s_i * loss_i + l1_ratio * ||W||_1 + (1 - l1_ratio) / 2 * ||W||_F^2

    with ``s`` the sample weights times the class weights, the intercept
    unpenalised, the binomial log-loss for two classes and the multinomial one for
    three or more (see :class:`fastlasso.LogisticRegression`). Same parameters,
    defaults, deprecation warnings, folds, scoring and fitted attributes as
    scikit-learn 1.9's ``LogisticRegressionCV``, plus a one-standard-error rule
    for ``C``, the standard error of the CV curve and the duality gap of the
    final model.

    How it is computed. For every fold and every l1_ratio, one proximal Newton
    path over ``Cs`` (in the given order, each solution the start of the next)
    runs on the training rows, certified at every ``C`` by a duality gap
    (``gap <= tol * P_null``, ``P_null`` the objective of the intercept-only
    model); the held-out rows are scored with the path's coefficients. The
    ``(C, l1_ratio)`` of the best total score over the folds is chosen, and
    (``refit=True``) the model is refitted on all the data at that point,
    starting from the mean of the folds' coefficients there.

    Parameters
    ----------
    Cs : int or array-like, default=10
        Grid of inverse regularisation strengths: an int ``n`` is
        ``np.logspace(-4, 4, n)``; values must be positive and finite (the
        unpenalised model, ``C=np.inf``, is not solved by fastlasso).
    l1_ratios : array-like of float in [0, 1], default='warn'
        The L1 shares tried. Not given ('warn', which warns as scikit-learn
        1.9 does, or the deprecated None): the penalty is L2, or the deprecated
        ``penalty``'s.
    fit_intercept : bool, default=True
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None is 5-fold and an int that many folds of
        :class:`~sklearn.model_selection.StratifiedKFold` (no shuffling).
    dual : bool, default=False
        Accepted where scikit-learn accepts it (liblinear, L2); the primal
        problem is solved either way.
    penalty : {'l1', 'l2', 'elasticnet'}, default='deprecated'
        Deprecated by scikit-learn 1.8, as there: use ``l1_ratios``.
    scoring : str, callable or None, default='warn'
        Score of the held-out rows (greater is better), as in scikit-learn:
        a scorer name, a callable ``scorer(estimator, X, y)``, or None for
        accuracy; 'warn' is accuracy with scikit-learn's FutureWarning about
        the change of default to 'neg_log_loss' in 1.11.
    solver : {'lbfgs', 'liblinear', 'newton-cg', 'newton-cholesky', 'sag', \
'saga'}, default='lbfgs'
        Validated as scikit-learn does (which penalties each accepts, liblinear
        binary only); every accepted combination solves the objective above with
        fastlasso's solver.
    tol : float, default=1e-4
        Relative duality-gap tolerance of every fit (folds and refit).
    max_iter : int, default=100
        Maximum number of Newton iterations per ``C``.
    class_weight : dict or 'balanced', default=None
        As in scikit-learn: 'balanced' weights are computed once on all the
        data (with the sample weights) and used in every fold.
    n_jobs : int, default=None
        Number of (fold, l1_ratio) paths run at once (unlike in
        ``LogisticRegression``, this parameter is not deprecated in
        scikit-learn's ``LogisticRegressionCV``). Tasks run as joblib threads
        unless a :func:`joblib.parallel_config` context selects another backend
        (e.g. dask). None means 1 unless in such a context.
    verbose : int, default=0
        1: progress lines on stderr (paths x Cs solved, elapsed and remaining
        time), at most once a second; 2 and more: also every Newton iteration of
        every path (of the refit from 2 on as well).
    refit : bool, default=True
        True: refit on all the data at the chosen ``(C, l1_ratio)``. False: the
        coefficients are the mean over the folds of each fold's coefficients at
        its own best ``(C, l1_ratio)``, and ``C_`` / ``l1_ratio_`` the means of
        those (scikit-learn's rule, including its ``l1_ratio_ = 0`` for a
        penalty that is not elastic net). With ``C_rule='1se'``, every fold's
        coefficients at ``C_1se_`` (and the chosen l1_ratio) are averaged instead.
    intercept_scaling : float, default=1.0
        Ignored: scikit-learn's liblinear penalises the intercept, fastlasso
        never does.
    random_state : int, RandomState instance or None, default=None
        Unused (the solver is deterministic; it does not seed the folds in
        scikit-learn either).
    use_legacy_attributes : bool, default='warn'
        The layout of the fitted attributes, as in scikit-learn 1.9 (see
        Attributes); 'warn' is True with scikit-learn's FutureWarning.
    C_rule : {'best', '1se'}, default='best'
        Which ``C`` the final model uses: 'best' is scikit-learn's rule (the
        best total score over the folds); '1se' is the one-standard-error rule
        (glmnet's ``lambda.1se``), ``C_1se_``. Not a scikit-learn parameter.
    penalty_factor, lower_bounds, upper_bounds : default=None
        Per-feature penalty factors and box constraints, as in
        :class:`fastlasso.LogisticRegression` (used by every fold's path and the
        refit). Not scikit-learn parameters.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    Cs_ : ndarray of shape (n_cs,)
        The grid of ``C`` (as given when ``Cs`` is an array-like).
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        The l1_ratios tried; ``[None]`` when ``l1_ratios`` was not given.
    coefs_paths_ : dict or ndarray
        Coefficients of every fold at every ``C`` (intercept last when fitted,
        ``n_dof = n_features + fit_intercept``; multinomial intercepts sum to
        zero). Legacy: a dict keyed by class (only the second class for two
        classes) of arrays of shape ``(n_folds, n_cs, n_l1_ratios, n_dof)``,
        without the l1_ratio axis when ``l1_ratios`` was not given. Otherwise an
        array of shape ``(n_folds, n_l1_ratios, n_cs, n_classes, n_dof)``
        (``n_classes`` is 1 for two classes).
    scores_ : dict or ndarray
        Held-out score of every fold. Legacy: a dict keyed like
        ``coefs_paths_`` whose entries are all the same array of shape
        ``(n_folds, n_cs, n_l1_ratios)`` (``(n_folds, n_cs)`` without
        ``l1_ratios``). Otherwise an array of shape
        ``(n_folds, n_l1_ratios, n_cs)``.
    scores_se_ : ndarray
        Standard error of the mean held-out score, ``std(scores, ddof=1) /
        sqrt(n_folds)`` over the folds (0 with a single fold): the layout of one
        entry of ``scores_`` without its fold axis, ``(n_cs, n_l1_ratios)`` or
        ``(n_cs,)`` (legacy), ``(n_l1_ratios, n_cs)`` otherwise. Not a
        scikit-learn attribute (named as ``mse_se_`` of :class:`LassoCV`).
    C_ : ndarray of shape (1,) or (n_classes,), or float
        ``C`` of the final model, repeated per class (legacy) or a float.
    l1_ratio_ : ndarray of shape (1,) or (n_classes,), or float
        ``l1_ratio`` of the final model, the same way (legacy without
        ``l1_ratios`` and ``refit=True``: ``[None]``, as in scikit-learn).
    C_best_ : float
        ``C`` of the best total score over the folds (scikit-learn's choice
        with ``refit=True``). Not a scikit-learn attribute.
    C_1se_ : float
        Smallest ``C`` whose mean score is at least the best mean score minus
        its standard error, on the curve of the chosen l1_ratio. Not a
        scikit-learn attribute.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of int32
        Newton iterations of every fold at every ``C``: legacy shape
        ``(1, n_folds, n_cs, n_l1_ratios)`` (``(1, n_folds, n_cs)`` without
        ``l1_ratios``), otherwise ``(n_folds, n_l1_ratios, n_cs)``.
    dual_gap_ : float
        Duality gap of the refitted model (objective above, unscaled); only with
        ``refit=True``. Not a scikit-learn attribute.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when the feature names are all strings.

    Notes
    -----
    Where fastlasso differs from scikit-learn 1.9.1: ``X`` is converted to
    float64 as there, but dense data to Fortran order and sparse data to CSC;
    ``C = inf`` in ``Cs`` is refused; non-convergence is reported by one
    ``ConvergenceWarning`` per fit (how many of the (fold, l1_ratio, C) fits
    missed ``tol``) rather than one per fit of a C; ``refit=False`` with a list
    of several ``l1_ratios`` works (scikit-learn 1.9.1 raises a TypeError
    there); a scorer built with ``make_scorer`` that already carries
    ``labels`` or ``pos_label`` keeps them (scikit-learn raises a TypeError).

    See Also
    --------
    fastlasso.LogisticRegression : the estimator of one ``C``.
    fastlasso.logistic_path : the regularisation path.
    fastlasso.plotting.plot_cv : the CV curve with its standard-error band.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import LogisticRegressionCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(80, 10)
    >>> y = (X[:, 0] - X[:, 1] + 0.5 * rng.randn(80) > 0).astype(int)
    >>> clf = LogisticRegressionCV(
    ...     Cs=10, l1_ratios=(1.0,), solver="saga", scoring="neg_log_loss",
    ...     use_legacy_attributes=False,
    ... ).fit(X, y)
    >>> clf.scores_.shape
    (5, 1, 10)
    >>> bool(clf.C_1se_ <= clf.C_)
    True
    """

    _parameter_constraints: dict = {
        **_sk.LogisticRegressionCV._parameter_constraints,
        "C_rule": [StrOptions({"best", "1se"})],
        "penalty_factor": ["array-like", None],
        "lower_bounds": ["array-like", Real, None],
        "upper_bounds": ["array-like", Real, None],
    }

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios="warn",
        fit_intercept=True,
        cv=None,
        dual=False,
        penalty="deprecated",
        scoring="warn",
        solver="lbfgs",
        tol=1e-4,
        max_iter=100,
        class_weight=None,
        n_jobs=None,
        verbose=0,
        refit=True,
        intercept_scaling=1.0,
        random_state=None,
        use_legacy_attributes="warn",
        C_rule="best",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        super().__init__(
            Cs=Cs,
            l1_ratios=l1_ratios,
            fit_intercept=fit_intercept,
            cv=cv,
            dual=dual,
            penalty=penalty,
            scoring=scoring,
            solver=solver,
            tol=tol,
            max_iter=max_iter,
            class_weight=class_weight,
            n_jobs=n_jobs,
            verbose=verbose,
            refit=refit,
            intercept_scaling=intercept_scaling,
            random_state=random_state,
            use_legacy_attributes=use_legacy_attributes,
        )
        self.C_rule = C_rule
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Fit the model, choosing ``C`` (and ``l1_ratio``) by cross-validation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, converted to float64 (as scikit-learn does) in
            Fortran order, or to CSC when sparse; the folds never copy it.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the fits, and in the held-out scores (as
            scikit-learn passes them to the scorer).
        **params : dict
            Parameters of the CV splitter and of the scorer; only with
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        _raise_for_params(params, self, "fit")
        l1_ratios, penalty, scoring, use_legacy = _resolve_options(self)
        solver = _check_solver(self.solver, penalty, self.dual)
        l1_grid = _grid_of_l1_ratios(l1_ratios, penalty, self.penalty)

        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=("csr", "csc"),
            dtype=np.float64,
            order="F",
            accept_large_sparse=solver not in ("liblinear", "sag", "saga"),
        )
        check_classification_targets(y)
        self.classes_ = classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes"
                " in the data, but the data contains only one"
                f" class: {classes[0]}."
            )
        binary = len(classes) == 2
        if isinstance(self.Cs, numbers.Integral):
            Cs_ = np.logspace(-4, 4, self.Cs)
        else:
            Cs_ = np.asarray(self.Cs)
        Cs = np.asarray(Cs_, dtype=np.float64).ravel()
        if not np.all(np.isfinite(Cs) & (Cs > 0)):
            raise ValueError(
                "fastlasso.LogisticRegressionCV needs positive, finite Cs (the "
                f"unpenalised model C=np.inf is not solved); got Cs={self.Cs!r}."
            )

        # the user's weights (not times the class weights) also weight the scores
        sw = None
        if sample_weight is not None:
            sw = sample_weights(X, y, classes, sample_weight, None)
        if _routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params = routed.splitter.split
            score_params = routed.scorer.score
        else:
            split_params = {}
            score_params = {} if sw is None else {"sample_weight": sw}
        cv = check_cv(self.cv, y, classifier=True)
        folds = list(cv.split(X, y, **split_params))

        if isinstance(self.class_weight, dict) and not set(self.class_weight) <= set(
            classes
        ):
            raise ValueError(
                "The given class_weight dict must have the class labels as keys; "
                f"classes={classes} but key={self.class_weight.keys()}"
            )
        check_classes(solver, classes)

        X = check_design(X)
        s = sample_weights(X, y, classes, sample_weight, self.class_weight)
        Y = encode_targets(y, classes)
        shares = [l1_share(penalty, r) for r in l1_grid]
        pen = make_penalty(
            X.shape[1], X.dtype, self.penalty_factor, self.lower_bounds,
            self.upper_bounds,
        )  # fmt: skip
        n_folds, n_l1, n_Cs = len(folds), len(l1_grid), len(Cs)
        scorer = _fold_scorer(scoring, classes)

        n_tasks = n_folds * n_l1
        progress = (
            _Progress(type(self).__name__, n_tasks, n_Cs, unit="Cs")
            if self.verbose
            else None
        )
        jobs = (
            delayed(_fold_path)(
                X,
                Y,
                y,
                s,
                train,
                test,
                classes=classes,
                solver=solver,
                Cs=Cs,
                l1_ratio=shares[k],
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                max_iter=self.max_iter,
                verbose=max(0, self.verbose - 1),
                scorer=scorer,
                score_params=score_params,
                score_weights=sw,
                progress=progress,
                task=f * n_l1 + k,
                pen=pen,
            )
            for f, (train, test) in enumerate(folds)
            for k in range(n_l1)
        )
        results = []
        with warnings.catch_warnings():
            # the paths' ConvergenceWarnings are summed up below, once; this also
            # keeps the warning filters of worker threads from leaking out of fit
            warnings.simplefilter("ignore", ConvergenceWarning)
            for task, result in enumerate(
                Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(
                    jobs
                )
            ):
                results.append(result)
                if progress is not None:
                    progress.update(task, n_Cs, final=task == n_tasks - 1)

        K, n_dof = Y.shape[1], X.shape[1] + int(self.fit_intercept)
        # (fold, l1_ratio, C, ...) layout, scikit-learn's non-legacy one
        coefs = np.reshape([r[0] for r in results], (n_folds, n_l1, n_Cs, K, n_dof))
        n_iter = np.reshape([r[1] for r in results], (n_folds, n_l1, n_Cs))
        scores = np.reshape([r[2] for r in results], (n_folds, n_l1, n_Cs))
        converged = np.reshape([r[3] for r in results], (n_folds, n_l1, n_Cs))
        n_iter = n_iter.astype(np.int32, copy=False)
        if not converged.all():
            warnings.warn(
                f"fastlasso's logistic solver did not reach the duality-gap "
                f"tolerance on {int((~converged).sum())} of {converged.size} "
                f"(fold, l1_ratio, C) fits in max_iter={self.max_iter} Newton "
                "iterations. Increase max_iter or tol, or scale the features.",
                ConvergenceWarning,
                stacklevel=3,
            )

        # choice of (C, l1_ratio): scikit-learn ranks (C, l1_ratio) pairs C-major
        total = scores.sum(axis=0).T  # (n_Cs, n_l1)
        i_best, k_best = np.unravel_index(np.argmax(total), total.shape)
        mean = total / n_folds
        if n_folds > 1:
            se = np.std(scores, axis=0, ddof=1).T / np.sqrt(n_folds)
        else:
            se = np.zeros_like(mean)
        C_best = Cs_[i_best]
        within = np.flatnonzero(
            mean[:, k_best] >= mean[i_best, k_best] - se[i_best, k_best]
        )
        i_1se = within[np.argmin(Cs[within])] if within.size else i_best
        self.C_best_ = float(C_best)
        self.C_1se_ = float(Cs[i_1se])
        i_rule = i_1se if self.C_rule == "1se" else i_best

        if self.refit:
            C_, l1_ratio_ = Cs_[i_rule], l1_grid[k_best]
            start = coefs[:, k_best, i_rule].mean(axis=0)
            w, _, _, gaps = logistic_path(
                X,
                Y,
                s,
                [Cs[i_rule]],
                shares[k_best],
                fit_intercept=self.fit_intercept,
                coef=start,
                tol=self.tol,
                max_iter=self.max_iter,
                verbose=max(0, self.verbose - 1),
                pen=pen,
            )
            w = w[0]
            self.dual_gap_ = float(gaps[0])
        else:
            if self.C_rule == "1se":
                picks = [(i_1se, k_best)] * n_folds
            else:
                # every fold's own best (C, l1_ratio), C-major as above
                picks = [
                    np.unravel_index(np.argmax(scores[f].T), (n_Cs, n_l1))
                    for f in range(n_folds)
                ]
            w = np.mean([coefs[f, k, i] for f, (i, k) in enumerate(picks)], axis=0)
            C_ = np.mean(Cs_[[i for i, _ in picks]])
            if penalty == "elasticnet":
                l1_ratio_ = np.mean(np.asarray(l1_grid)[[k for _, k in picks]])
            else:
                l1_ratio_ = 0.0  # scikit-learn's value outside elastic net
            if hasattr(self, "dual_gap_"):
                del self.dual_gap_
        self.coef_, self.intercept_ = split_coefs(
            w, self.fit_intercept, binary, np.float64
        )

        self.Cs_ = Cs_
        self.l1_ratios_ = np.asarray(l1_grid)
        given = l1_ratios is not None
        if use_legacy:
            self._legacy_attributes(
                coefs, scores, se, n_iter, C_, l1_ratio_, given, binary
            )
        else:
            self.coefs_paths_ = coefs
            self.scores_ = scores
            self.scores_se_ = se.T
            self.n_iter_ = n_iter
            self.C_ = float(C_)
            if given:
                self.l1_ratio_ = float(l1_ratio_)
            else:
                self.l1_ratio_ = 1.0 if self.penalty == "l1" else 0.0
        return self

    def _legacy_attributes(
        self, coefs, scores, se, n_iter, C_, l1_ratio_, given, binary
    ):
        """scikit-learn's pre-1.10 layout: per-class dicts, repeated C_ / l1_ratio_."""
        keys = self.classes_[1:] if binary else self.classes_
        paths = np.swapaxes(coefs, 1, 2)  # (n_folds, n_Cs, n_l1, K, n_dof)
        scores = np.swapaxes(scores, 1, 2)  # (n_folds, n_Cs, n_l1)
        n_iter = np.swapaxes(n_iter, 1, 2)[np.newaxis]  # (1, n_folds, n_Cs, n_l1)
        if not given:  # no l1_ratio axis
            paths, scores, se = paths[:, :, 0], scores[:, :, 0], se[:, 0]
            n_iter = n_iter[..., 0]
        self.coefs_paths_ = {
            key: np.ascontiguousarray(paths[..., k, :]) for k, key in enumerate(keys)
        }
        self.scores_ = {key: scores.copy() for key in keys}
        self.scores_se_ = se
        self.n_iter_ = n_iter
        n_rep = 1 if binary else len(self.classes_)
        self.C_ = np.tile(np.asarray([C_]), n_rep)
        self.l1_ratio_ = np.tile(np.asarray([l1_ratio_]), n_rep)
