"""``LogisticRegression``: scikit-learn's estimator on fastlasso's proximal Newton.

The class subclasses scikit-learn's, so parameters, their validation, ``predict``,
``predict_proba``, ``score``, ``sparsify``, tags and ``isinstance`` checks are
scikit-learn's; ``fit`` is replaced by :func:`fastlasso._logistic_path.logistic_path`.
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import _fit_context
from sklearn.linear_model._logistic import _check_solver
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from .._logistic_path import auto_Cs, check_design, default_Cs
from .._logistic_path import logistic_path as _solve
from .._path import make_penalty

__all__ = ["LogisticRegression", "logistic_path"]


def resolve_penalty(penalty, C, l1_ratio):
    """scikit-learn 1.9's reading of ``penalty`` / ``C`` / ``l1_ratio``.

    Returns the penalty, one of 'l1', 'l2', 'elasticnet' or None (no penalty),
    issuing scikit-learn's deprecation warnings (:func:`l1_share` gives the L1
    share the kernels solve for it).
    """
    if penalty == "deprecated":
        if l1_ratio is None or l1_ratio == 0:
            resolved = "l2"
            if l1_ratio is None:
                warnings.warn(
                    "'l1_ratio=None' was deprecated in version 1.8 and will "
                    "trigger an error in 1.10. Use 0<=l1_ratio<=1 instead.",
                    FutureWarning,
                    stacklevel=3,
                )
        elif l1_ratio == 1:
            resolved = "l1"
        else:
            resolved = "elasticnet"
        if C == np.inf:
            resolved = None
    else:
        resolved = penalty
        warnings.warn(
            "'penalty' was deprecated in version 1.8 and will be removed in 1.10. "
            "To avoid this warning, leave 'penalty' set to its default value and "
            "use 'l1_ratio' or 'C' instead. Use l1_ratio=0 instead of "
            "penalty='l2', l1_ratio=1 instead of penalty='l1', l1_ratio set to a "
            "float between 0 and 1 instead of penalty='elasticnet', and C=np.inf "
            "instead of penalty=None.",
            FutureWarning,
            stacklevel=3,
        )
    return resolved


def _check_penalty(est, penalty):
    """The warnings and errors scikit-learn gives for a resolved ``penalty``."""
    l1_ratio = est.l1_ratio
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(
            "l1_ratio parameter is only used when penalty is "
            f"'elasticnet'. Got (penalty={penalty})",
            stacklevel=3,
        )
    if (est.penalty == "l2" and l1_ratio != 0) or (
        est.penalty == "l1" and l1_ratio != 1
    ):
        warnings.warn(
            f"Inconsistent values: penalty={est.penalty} with "
            f"l1_ratio={l1_ratio}. penalty is deprecated. Please use "
            "l1_ratio only.",
            stacklevel=3,
        )
    if penalty == "elasticnet" and l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    if est.n_jobs is not None:
        warnings.warn(
            "'n_jobs' has no effect since 1.8 and will be removed in 1.10. "
            f"You provided 'n_jobs={est.n_jobs}', please leave it unspecified.",
            FutureWarning,
            stacklevel=3,
        )


def l1_share(penalty, l1_ratio):
    """The L1 share of the penalty the kernels solve for a resolved ``penalty``."""
    if penalty == "l1":
        return 1.0
    if penalty == "elasticnet":
        return float(l1_ratio)
    return 0.0


def encode_targets(y, classes):
    """0/1 column of the positive class (two classes) or one-hot (n, K)."""
    if len(classes) == 2:
        return (y == classes[1]).astype(np.float64)[:, None]
    return (y[:, None] == classes[None, :]).astype(np.float64)


def sample_weights(X, y, classes, sample_weight, class_weight):
    """Sample weights times class weights (scikit-learn's ``class_weight``)."""
    if sample_weight is not None or class_weight is not None:
        # negative weights make the loss non-convex: refused (scikit-learn
        # accepts them silently)
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
    if class_weight is not None:
        cw = compute_class_weight(
            class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
        sample_weight = sample_weight * cw[np.searchsorted(classes, y)]
    if sample_weight is None:
        return np.ones(X.shape[0])
    return np.asarray(sample_weight, dtype=np.float64)


def check_classes(solver, classes):
    """scikit-learn's errors for a single class and for liblinear multiclass."""
    if len(classes) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes"
            " in the data, but the data contains only one"
            f" class: {classes[0]!r}"
        )
    if solver == "liblinear" and len(classes) > 2:
        raise ValueError(
            "The 'liblinear' solver does not support multiclass classification"
            " (n_classes >= 3). Either use another solver or wrap the "
            "estimator in a OneVsRestClassifier to keep applying a "
            "one-versus-rest scheme."
        )


def split_coefs(row, fit_intercept, binary, dtype):
    """``coef_`` (K', p) and ``intercept_`` (K',) from a path row (K', p + 1).

    Multinomial intercepts are shifted to sum to zero: the softmax is invariant
    to a common shift, and scikit-learn's solvers keep that sum at zero.
    """
    if fit_intercept:
        coef, intercept = row[:, :-1], row[:, -1].copy()
        if not binary:
            intercept -= intercept.mean()
    else:
        coef, intercept = row, np.zeros(row.shape[0])
    return np.asarray(coef, dtype=dtype), np.asarray(intercept, dtype=dtype)


class LogisticRegression(_sk.LogisticRegression):
    """Logistic regression with L1, L2 or elastic-net penalty, solved by fastlasso.

    Minimises scikit-learn's objective, for every ``solver`` value::

        C * sum_i s_i * loss_i + l1_ratio * ||W||_1 + (1 - l1_ratio) / 2 * ||W||_F^2

    with ``s`` the sample weights times the class weights, the intercept
    unpenalised, the binomial log-loss for two classes (one row of ``W``) and the
    multinomial log-loss for three or more. The solver is a proximal Newton method
    (glmnet / newGLMNET) whose weighted least-squares subproblems are solved by
    fastlasso's elastic-net kernels (working sets, gap-safe screening), with a line
    search on the objective and an exact Newton step for the intercepts. It stops
    on a duality gap: ``dual_gap_ <= tol * P_null``, ``P_null`` the objective of the
    intercept-only model. No other logistic solver certifies its answer.

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet', None}, default='deprecated'
        Deprecated by scikit-learn 1.8, as there: use ``l1_ratio`` and ``C``.
    C : float, default=1.0
        Inverse regularisation strength (multiplies the loss). ``C=np.inf``
        (no penalty) is refused: the unpenalised problem has no solution on
        separable data; use :class:`sklearn.linear_model.LogisticRegression`.
    l1_ratio : float, default=0.0
        L1 share of the penalty, ``0 <= l1_ratio <= 1``.
    dual : bool, default=False
        Accepted where scikit-learn accepts it (liblinear, L2); the primal
        problem is solved either way.
    tol : float, default=1e-4
        Relative duality-gap tolerance (see above).
    fit_intercept : bool, default=True
    intercept_scaling : float, default=1
        Ignored: with ``solver='liblinear'`` scikit-learn penalises the intercept
        (as a feature of value ``intercept_scaling``); fastlasso never does, so
        its liblinear answers are those of the unpenalised-intercept objective
        above (the one ``saga`` solves).
    class_weight : dict or 'balanced', default=None
    random_state : int, RandomState instance or None, default=None
        Unused (the solver is deterministic).
    solver : {'lbfgs', 'liblinear', 'newton-cg', 'newton-cholesky', 'sag', \
'saga'}, default='lbfgs'
        Validated as scikit-learn does (which penalties each accepts); every
        accepted combination solves the objective above with fastlasso's solver.
    max_iter : int, default=100
        Maximum number of outer (Newton) iterations.
    verbose : int, default=0
        Print the objective and gap of each Newton iteration when > 0.
    warm_start : bool, default=False
    n_jobs : None
        Deprecated by scikit-learn 1.8 (no effect).
    penalty_factor : array-like of shape (n_features,), default=None
        Not in scikit-learn (glmnet's ``penalty.factor``): feature ``j``'s penalty
        terms are multiplied by ``penalty_factor[j] >= 0``; 0 leaves the feature
        unpenalised (two classes only; such features must be unbounded, and if
        they alone separate the classes the problem has no minimiser: the fit
        then warns with an infinite gap).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
default=None
        Not in scikit-learn (glmnet's ``lower.limits`` / ``upper.limits``): box
        constraints ``lower_bounds[j] <= W_kj <= upper_bounds[j]`` with
        ``lower_bounds <= 0 <= upper_bounds``. The certificate covers them.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,), int32
        Newton iterations.
    dual_gap_ : float
        Duality gap of the returned solution (objective above, unscaled).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    _parameter_constraints: dict = {
        **_sk.LogisticRegression._parameter_constraints,
        "penalty_factor": ["array-like", None],
        "lower_bounds": ["array-like", Real, None],
        "upper_bounds": ["array-like", Real, None],
    }

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        random_state=None,
        solver="lbfgs",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        super().__init__(
            penalty=penalty,
            C=C,
            l1_ratio=l1_ratio,
            dual=dual,
            tol=tol,
            fit_intercept=fit_intercept,
            intercept_scaling=intercept_scaling,
            class_weight=class_weight,
            random_state=random_state,
            solver=solver,
            max_iter=max_iter,
            verbose=verbose,
            warm_start=warm_start,
            n_jobs=n_jobs,
        )
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by proximal Newton with a duality-gap certificate.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            float32 is kept, other dtypes become float64; sparse input is used as
            CSC (never densified).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        penalty = resolve_penalty(self.penalty, self.C, self.l1_ratio)
        solver = _check_solver(self.solver, penalty, self.dual)
        _check_penalty(self, penalty)
        if self.penalty is None and self.C != 1.0:
            warnings.warn(
                "Setting penalty=None will ignore the C and l1_ratio parameters",
                stacklevel=2,
            )
        if penalty is None or self.C == np.inf:
            raise ValueError(
                "fastlasso.LogisticRegression solves penalised problems only "
                "(C < inf); for the unpenalised model (penalty=None or C=np.inf) "
                "use sklearn.linear_model.LogisticRegression."
            )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=("csc", "csr"),
            dtype=[np.float64, np.float32],
            order="F",
            accept_large_sparse=solver not in ("liblinear", "sag", "saga"),
        )
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        check_classes(solver, self.classes_)
        if solver == "liblinear" and _max_value(X) > 1e30:
            raise ValueError(
                "Using the 'liblinear' solver while X contains a maximum "
                "value > 1e30 results in a frozen fit. Please choose another "
                "solver or rescale the input X."
            )
        X = check_design(X)
        s = sample_weights(X, y, self.classes_, sample_weight, self.class_weight)
        Y = encode_targets(y, self.classes_)
        binary = Y.shape[1] == 1
        coef = None
        if self.warm_start and hasattr(self, "coef_"):
            coef = self._warm_start_coef(Y.shape[1], X.shape[1])
        coefs, _, n_iter, gaps = _solve(
            X,
            Y,
            s,
            [self.C],
            l1_share(penalty, self.l1_ratio),
            fit_intercept=self.fit_intercept,
            coef=coef,
            tol=self.tol,
            max_iter=self.max_iter,
            verbose=self.verbose,
            pen=make_penalty(
                X.shape[1],
                X.dtype,
                self.penalty_factor,
                self.lower_bounds,
                self.upper_bounds,
            ),
        )
        self.coef_, self.intercept_ = split_coefs(
            coefs[0], self.fit_intercept, binary, X.dtype
        )
        self.n_iter_ = np.asarray(n_iter, dtype=np.int32)
        self.dual_gap_ = float(gaps[0])
        return self

    def _warm_start_coef(self, K, p):
        coef = np.asarray(self.coef_, dtype=np.float64)
        if coef.shape != (K, p):
            raise ValueError(
                f"Initialization coef is of shape {coef.shape}, expected shape "
                f"({K}, {p + int(self.fit_intercept)})"
            )
        if self.fit_intercept:
            coef = np.hstack([coef, np.asarray(self.intercept_)[:, None]])
        return coef


def _max_value(X):
    if sparse.issparse(X):
        return float(X.data.max()) if X.nnz else 0.0
    return float(np.max(X)) if X.size else 0.0


def logistic_path(
    X,
    y,
    *,
    Cs=10,
    l1_ratio=1.0,
    fit_intercept=True,
    sample_weight=None,
    class_weight=None,
    tol=1e-4,
    max_iter=100,
    coef=None,
    n_Cs=100,
    eps=None,
    early_stop=None,
    verbose=0,
):
    """Warm-started penalised logistic regressions over a grid of ``C``.

    Each fit minimises scikit-learn's objective ``C * sum_i s_i loss_i +
    l1_ratio * ||W||_1 + (1 - l1_ratio) / 2 * ||W||_F^2`` (binomial loss for two
    classes, multinomial otherwise; intercepts unpenalised) to a duality gap
    ``<= tol * P_null``, starting from the previous ``C``'s solution.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels (at least two classes).
    Cs : int, array-like or 'auto', default=10
        An int gives scikit-learn's grid ``np.logspace(-4, 4, Cs)``; an array is
        used in the given order (increasing ``C`` warm-starts best); ``'auto'``
        gives glmnet's grid: ``n_Cs`` values from the smallest ``C`` with a
        non-zero coefficient (:func:`fastlasso._logistic_path.min_C`, needs
        ``l1_ratio > 0``) up to ``1 / eps`` times it.
    l1_ratio : float in [0, 1], default=1.0
    sample_weight, class_weight : as for :class:`LogisticRegression`
    coef : ndarray of shape (K', n_features + fit_intercept), default=None
        Starting point of the first fit.
    eps : float, default=None
        Ratio of the smallest to the largest ``1 / C`` of the ``'auto'`` grid
        (glmnet's ``lambda.min.ratio``: 1e-2 when n_samples < n_features, else
        1e-4).
    early_stop : bool, default=None (True for 'auto', else False)
        Stop once the fraction of the null deviance explained exceeds 0.999 or
        gains less than 1e-5 from one ``C`` to the next (glmnet's rule; on
        separable data the fits saturate); the returned ``Cs`` are then shorter.

    Returns
    -------
    coefs : ndarray of shape (n_Cs, K', n_features + fit_intercept)
        ``K' = 1`` for two classes (the second class of ``classes`` is the
        positive one), else the number of classes; intercepts last.
    Cs : ndarray of shape (n_Cs,)
    n_iter : ndarray of shape (n_Cs,)
        Newton iterations per ``C``.
    dual_gaps : ndarray of shape (n_Cs,)
    """
    X = check_array(
        X, accept_sparse=("csc", "csr"), dtype=[np.float64, np.float32], order="F"
    )
    y = check_array(y, ensure_2d=False, dtype=None)
    check_consistent_length(X, y)
    check_classification_targets(y)
    classes = np.unique(y)
    check_classes("saga", classes)
    if not 0.0 <= float(l1_ratio) <= 1.0:
        raise ValueError(f"l1_ratio must be in [0, 1]; got {l1_ratio}.")
    X = check_design(X)
    s = sample_weights(X, y, classes, sample_weight, class_weight)
    Y = encode_targets(y, classes)
    auto = isinstance(Cs, str) and Cs == "auto"
    if auto:
        n, p = X.shape
        eps = (1e-2 if n < p else 1e-4) if eps is None else float(eps)
        Cs = auto_Cs(X, Y, s, float(l1_ratio), fit_intercept, n_Cs, eps)
    else:
        Cs = default_Cs(Cs)
    return _solve(
        X,
        Y,
        s,
        Cs,
        float(l1_ratio),
        fit_intercept=fit_intercept,
        coef=coef,
        tol=tol,
        max_iter=max_iter,
        verbose=verbose,
        early_stop=auto if early_stop is None else bool(early_stop),
    )
