"""Plots of regularization paths and cross-validation curves (needs matplotlib).

matplotlib is an optional dependency (``pip install fastlasso[plot]``); it is
imported when a plotting function is called, not when this module is imported.

- :func:`plot_path`: coefficients against alpha, one line per feature that is
  ever non-zero, the largest ones labelled.
- :func:`plot_cv`: mean cross-validated MSE against alpha with its standard-error
  band and the ``alpha_min_`` / ``alpha_1se_`` choices; for
  :class:`~fastlasso.LogisticRegressionCV`, the mean held-out score against C
  with the ``C_best_`` / ``C_1se_`` choices.

Both draw on a given matplotlib ``Axes`` (or the current one) and return it. The
alpha axis is logarithmic and decreasing from left to right (strong
regularization on the left, as the path is computed). Artists carry a ``gid``
(``"path:<feature index>"``, ``"cv_mean"``, ``"cv_band"``, ``"alpha"``,
``"alpha_min"``, ``"alpha_1se"``; ``"C_best"``, ``"C_1se"`` for the logistic CV)
so that they can be found programmatically. The C axis of the logistic CV is
logarithmic and increasing (C is an inverse regularization strength, so strong
regularization is on the left there too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["plot_cv", "plot_path"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "fastlasso.plotting needs matplotlib: pip install fastlasso[plot] "
            "(or pip install matplotlib)"
        ) from exc
    return plt


def _get_ax(ax):
    plt = _pyplot()
    return plt.gca() if ax is None else ax


def _decreasing_log_alpha(ax) -> None:
    ax.set_xscale("log")
    if not ax.xaxis_inverted():  # axes sharing x may already be inverted
        ax.invert_xaxis()


def _cv_curve(est) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float | None]:
    """alphas, mean MSE, standard error, n_folds, l1_ratio of the chosen curve."""
    for attr in ("mse_path_", "alphas_", "alpha_min_", "alpha_1se_", "mse_se_"):
        if not hasattr(est, attr):
            raise ValueError(
                f"{type(est).__name__} has no {attr}: plot_cv needs a fitted "
                "fastlasso LassoCV, ElasticNetCV or LogisticRegressionCV"
            )
    mse_path = np.asarray(est.mse_path_)
    alphas = np.asarray(est.alphas_)
    se = np.asarray(est.mse_se_)
    l1_ratio = getattr(est, "l1_ratio_", None)
    if mse_path.ndim == 3:  # (n_l1_ratio, n_alphas, n_folds)
        k = int(np.flatnonzero(np.atleast_1d(est.l1_ratio) == est.l1_ratio_)[0])
        mse_path = mse_path[k]
        se = se[k]
        if alphas.ndim == 2:
            alphas = alphas[k]
    if mse_path.ndim == 1:  # a single alpha: scikit-learn squeezes the alpha axis
        mse_path = mse_path[np.newaxis, :]
    return alphas, mse_path.mean(axis=1), se, mse_path.shape[1], l1_ratio


def _logistic_cv_curve(est):
    """Cs (sorted), fold scores (n_folds, n_Cs), standard error, l1_ratio.

    The curve of the l1_ratio of the best total score (where ``C_best_`` is),
    from either attribute layout (``use_legacy_attributes`` True or False).
    """
    scores = est.scores_
    se = np.asarray(est.scores_se_)
    if isinstance(scores, dict):  # legacy: (n_folds, n_Cs[, n_l1_ratios]) per class
        scores = np.asarray(next(iter(scores.values())))
        if scores.ndim == 2:
            scores, se = scores[:, :, np.newaxis], se[:, np.newaxis]
        scores, se = np.swapaxes(scores, 1, 2), se.T
    total = scores.sum(axis=0).T  # (n_Cs, n_l1_ratios), ranked C-major
    k = int(np.unravel_index(np.argmax(total), total.shape)[1])
    Cs = np.asarray(est.Cs_, dtype=np.float64)
    order = np.argsort(Cs, kind="stable")
    l1_ratio = est.l1_ratios_[k]
    return Cs[order], scores[:, k, order], se[k, order], l1_ratio


def _plot_logistic_cv(est, ax, show_folds, title):
    """:func:`plot_cv` for a fitted fastlasso LogisticRegressionCV."""
    Cs, fold_scores, se, l1_ratio = _logistic_cv_curve(est)
    n_folds = fold_scores.shape[0]
    mean = fold_scores.mean(axis=0)
    ax = _get_ax(ax)
    if show_folds:
        for f in range(n_folds):
            ax.plot(Cs, fold_scores[f], color="0.75", lw=0.7, gid=f"fold:{f}")
    ax.fill_between(
        Cs,
        mean - se,
        mean + se,
        color="tab:red",
        alpha=0.2,
        lw=0,
        label="± 1 standard error",
        gid="cv_band",
    )
    ax.plot(
        Cs,
        mean,
        color="tab:red",
        marker=".",
        ms=4,
        lw=1.2,
        label=f"mean test score ({n_folds} folds)",
        gid="cv_mean",
    )
    i_best = int(np.argmin(np.abs(Cs - est.C_best_)))
    ax.axhline(
        mean[i_best] - se[i_best],
        color="0.4",
        ls=":",
        lw=0.9,
        label="best - 1 standard error",
        gid="threshold_1se",
    )
    ax.axvline(
        est.C_best_,
        color="tab:blue",
        ls="--",
        lw=1.2,
        label=f"C_best = {est.C_best_:.4g}",
        gid="C_best",
    )
    ax.axvline(
        est.C_1se_,
        color="tab:green",
        ls="-.",
        lw=1.2,
        label=f"C_1se = {est.C_1se_:.4g}",
        gid="C_1se",
    )
    ax.set_xscale("log")
    ax.set_xlabel("C (log scale; inverse regularization strength)")
    ax.set_ylabel("score (cross-validated, greater is better)")
    if title is None:
        title = f"Cross-validation: {n_folds} folds"
        if l1_ratio is not None:
            title += f", l1_ratio = {l1_ratio:g}"
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return ax


def _path_of_estimator(est, X, y) -> tuple[np.ndarray, np.ndarray]:
    """Coefficient path of a fitted CV estimator on its training data.

    The estimator's own final model (``Lasso`` / ``ElasticNet`` with the CV
    estimator's parameters, as its refit uses) is fitted at every alpha of the
    grid, warm-started from the previous alpha: the same problems as the refit,
    intercept and any other option included.
    """
    if X is None or y is None:
        raise ValueError(
            "plot_path of a fitted CV estimator computes the path on the training "
            "data: pass X and y (or pass (alphas, coefs) from lasso_path)"
        )
    alphas = np.asarray(est.alphas_, dtype=np.float64)
    if alphas.ndim == 2:
        k = int(np.flatnonzero(np.atleast_1d(est.l1_ratio) == est.l1_ratio_)[0])
        alphas = alphas[k]
    model = est._get_estimator()
    model_params = model.get_params()
    model.set_params(**{k: v for k, v in est.get_params().items() if k in model_params})
    model.set_params(warm_start=True)
    if "l1_ratio" in model_params and hasattr(est, "l1_ratio_"):
        model.set_params(l1_ratio=float(est.l1_ratio_))
    if isinstance(model.precompute, str):
        model.set_params(precompute=False)
    coefs = np.empty((est.coef_.shape[0], alphas.shape[0]), dtype=np.float64)
    for i, alpha in enumerate(alphas):
        model.set_params(alpha=float(alpha)).fit(X, y)
        coefs[:, i] = model.coef_
    return alphas, coefs


def plot_path(
    est_or_path: Any,
    X: Any = None,
    y: Any = None,
    *,
    feature_names: Sequence[str] | None = None,
    top_k: int = 10,
    alpha: float | None = None,
    ax: Any = None,
    ylabel: str = "coefficient",
    title: str | None = None,
) -> Any:
    """Plot coefficients against alpha: the regularization path.

    One line per feature that is non-zero somewhere on the path; the ``top_k``
    features with the largest ``|coef|`` at the reference alpha are drawn in
    colour and named in the legend, the others in grey. The alpha axis is
    logarithmic and decreasing from left to right. The top axis shows the number
    of non-zero coefficients at a few alphas.

    Parameters
    ----------
    est_or_path : fitted LassoCV / ElasticNetCV, or tuple (alphas, coefs[, ...])
        A fitted cross-validated estimator: the path is computed on ``X, y``
        at its ``alphas_`` (those of the chosen ``l1_ratio_``) by its final
        model (``Lasso`` / ``ElasticNet`` with the same parameters, intercept
        included), warm-started along the grid, and the chosen ``alpha_`` is
        marked. Or the return value of
        :func:`fastlasso.lasso_path` / :func:`fastlasso.enet_path`: ``alphas`` of
        shape (n_alphas,) and ``coefs`` of shape (n_features, n_alphas); further
        items (duality gaps) are ignored.
    X : {array-like, sparse matrix} of shape (n_samples, n_features), default=None
        Training data; needed with an estimator only.
    y : array-like of shape (n_samples,), default=None
        Training target; needed with an estimator only.
    feature_names : sequence of str, default=None
        Names for the legend; by default the estimator's ``feature_names_in_`` if
        any, else ``x0``, ``x1``, ...
    top_k : int, default=10
        Number of features labelled in the legend (0 for none).
    alpha : float, default=None
        Reference alpha for ranking the features, marked with a vertical line.
        Default: the estimator's ``alpha_``, or the smallest alpha of the path
        (then not marked).
    ax : matplotlib Axes, default=None
        Where to draw; the current Axes by default.
    ylabel : str, default="coefficient"
        Label of the y axis (e.g. to say the features were standardized).
    title : str, default=None
        Title of the Axes; a default one says how many features are drawn.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import lasso_path
    >>> from fastlasso.plotting import plot_path
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(50, 8)
    >>> y = X[:, 0] - X[:, 1] + 0.1 * rng.randn(50)
    >>> ax = plot_path(lasso_path(X, y, alphas=30))  # doctest: +SKIP
    """
    ax = _get_ax(ax)
    if isinstance(est_or_path, (tuple, list)):
        if len(est_or_path) < 2:
            raise ValueError("plot_path needs (alphas, coefs) from lasso_path")
        alphas = np.asarray(est_or_path[0], dtype=np.float64)
        coefs = np.asarray(est_or_path[1], dtype=np.float64)
        names = feature_names
        ref_alpha = alpha
    else:
        est = est_or_path
        if not hasattr(est, "alphas_"):
            raise ValueError(
                "plot_path needs a fitted LassoCV / ElasticNetCV or a tuple "
                "(alphas, coefs)"
            )
        alphas, coefs = _path_of_estimator(est, X, y)
        names = feature_names
        if names is None and hasattr(est, "feature_names_in_"):
            names = list(est.feature_names_in_)
        ref_alpha = est.alpha_ if alpha is None else alpha
    if coefs.ndim != 2 or coefs.shape[1] != alphas.shape[0]:
        raise ValueError(
            f"coefs must have shape (n_features, n_alphas={alphas.shape[0]}), got "
            f"{coefs.shape}"
        )
    n_features = coefs.shape[0]
    if names is None:
        names = [f"x{j}" for j in range(n_features)]
    elif len(names) != n_features:
        raise ValueError(
            f"{len(names)} feature names for {n_features} features on the path"
        )

    used = np.flatnonzero(np.any(coefs != 0, axis=1))
    i_ref = (
        int(np.argmin(np.abs(np.log(alphas) - np.log(ref_alpha))))
        if ref_alpha is not None and ref_alpha > 0
        else int(np.argmin(alphas))
    )
    strength = np.abs(coefs[used, i_ref])
    order = used[np.argsort(-strength, kind="stable")]
    top = [j for j in order[: max(int(top_k), 0)] if coefs[j, i_ref] != 0]
    top_set = set(top)

    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter

    colours = plt.get_cmap("tab10" if len(top) <= 10 else "tab20")
    for j in used:  # grey lines first, coloured ones on top
        if j not in top_set:
            ax.plot(alphas, coefs[j], color="0.65", lw=0.8, gid=f"path:{j}", zorder=1)
    for rank, j in enumerate(top):
        ax.plot(
            alphas,
            coefs[j],
            color=colours(rank % colours.N),
            lw=1.6,
            label=str(names[j]),
            gid=f"path:{j}",
            zorder=2,
        )
    ax.axhline(0.0, color="black", lw=0.6, zorder=0)
    if ref_alpha is not None and (
        alpha is not None or not isinstance(est_or_path, (tuple, list))
    ):
        ax.axvline(
            ref_alpha,
            color="black",
            ls="--",
            lw=1.0,
            gid="alpha",
            zorder=3,
            label=f"alpha = {ref_alpha:.4g}",
        )
    _decreasing_log_alpha(ax)
    ax.set_xlabel("alpha (log scale, decreasing)")
    ax.set_ylabel(ylabel)
    if title is None:
        title = (
            f"Regularization path: {len(used)} of {n_features} features ever non-zero"
        )
        if len(used) > len(top) and top:
            title += f" (top {len(top)} named)"
    ax.set_title(title, pad=30)
    if top:  # outside, on the right: the lines fill the axes
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize="small",
            frameon=False,
            title="largest |coef|",
            title_fontsize="small",
        )
    # plain tick labels: an offset text ("1e-5") would collide with the top axis
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))

    # number of non-zeros on a secondary axis at the top, as glmnet does
    nnz = np.count_nonzero(coefs, axis=0)
    picks = np.unique(np.linspace(0, len(alphas) - 1, min(7, len(alphas))).round())
    top_axis = ax.secondary_xaxis("top")
    top_axis.set_xticks(alphas[picks.astype(int)])
    top_axis.set_xticklabels([str(nnz[int(i)]) for i in picks])
    top_axis.minorticks_off()
    top_axis.set_xlabel("non-zero coefficients", fontsize="small", labelpad=2)
    top_axis.tick_params(labelsize="small")
    return ax


def plot_cv(
    cv_estimator: Any,
    ax: Any = None,
    *,
    show_folds: bool = False,
    title: str | None = None,
) -> Any:
    """Plot the cross-validated mean squared error against alpha (or score against C).

    Draws the mean test MSE over the folds, a band of one standard error
    (``mse_se_``) around it, vertical lines at ``alpha_min_`` (smallest mean
    MSE) and ``alpha_1se_`` (one-standard-error rule) and a dotted horizontal
    line at the 1-SE threshold (minimum plus its standard error). For an
    ElasticNetCV fitted with several ``l1_ratio`` the curve of the chosen
    ``l1_ratio_`` is drawn. The alpha axis is logarithmic and decreasing from
    left to right.

    For a :class:`~fastlasso.LogisticRegressionCV` the curve is the mean held-out
    score (greater is better) against ``Cs_`` on an increasing log axis, with
    its ``scores_se_`` band, vertical lines at ``C_best_`` and ``C_1se_`` and
    the 1-SE threshold (best score minus its standard error), for the
    l1_ratio of the best score.

    Parameters
    ----------
    cv_estimator : fitted fastlasso LassoCV, ElasticNetCV or LogisticRegressionCV
        Needs ``alphas_``, ``mse_path_``, ``mse_se_``, ``alpha_min_`` and
        ``alpha_1se_`` (or ``Cs_``, ``scores_``, ``scores_se_``, ``C_best_``
        and ``C_1se_``).
    ax : matplotlib Axes, default=None
        Where to draw; the current Axes by default.
    show_folds : bool, default=False
        Also draw every fold's test MSE curve (thin grey lines).
    title : str, default=None
        Title of the Axes; by default the number of folds (and l1_ratio).

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on.
    """
    est = cv_estimator
    if all(hasattr(est, a) for a in ("Cs_", "scores_", "scores_se_", "C_1se_")):
        return _plot_logistic_cv(est, ax, show_folds, title)
    alphas, mean, se, n_folds, l1_ratio = _cv_curve(est)
    ax = _get_ax(ax)
    if show_folds:
        mse_path = np.asarray(est.mse_path_)
        if mse_path.ndim == 3:
            k = int(np.flatnonzero(np.atleast_1d(est.l1_ratio) == est.l1_ratio_)[0])
            mse_path = mse_path[k]
        for f in range(mse_path.shape[-1]):
            ax.plot(alphas, mse_path[:, f], color="0.75", lw=0.7, gid=f"fold:{f}")
    ax.fill_between(
        alphas,
        mean - se,
        mean + se,
        color="tab:red",
        alpha=0.2,
        lw=0,
        label="± 1 standard error",
        gid="cv_band",
    )
    ax.plot(
        alphas,
        mean,
        color="tab:red",
        marker=".",
        ms=4,
        lw=1.2,
        label=f"mean test MSE ({n_folds} folds)",
        gid="cv_mean",
    )
    i_min = int(np.argmin(np.abs(alphas - est.alpha_min_)))
    ax.axhline(
        mean[i_min] + se[i_min],
        color="0.4",
        ls=":",
        lw=0.9,
        label="minimum + 1 standard error",
        gid="threshold_1se",
    )
    ax.axvline(
        est.alpha_min_,
        color="tab:blue",
        ls="--",
        lw=1.2,
        label=f"alpha_min = {est.alpha_min_:.4g}",
        gid="alpha_min",
    )
    ax.axvline(
        est.alpha_1se_,
        color="tab:green",
        ls="-.",
        lw=1.2,
        label=f"alpha_1se = {est.alpha_1se_:.4g}",
        gid="alpha_1se",
    )
    _decreasing_log_alpha(ax)
    ax.set_xlabel("alpha (log scale, decreasing)")
    ax.set_ylabel("mean squared error (cross-validated)")
    if title is None:
        title = f"Cross-validation: {n_folds} folds"
        if l1_ratio is not None:
            title += f", l1_ratio = {l1_ratio:g}"
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return ax
