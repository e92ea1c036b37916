"""``fastlasso select`` for class targets: cross-validated sparse logistic regression.

Kept apart from :mod:`fastlasso.cli` (argument parsing, the Lasso branch) so that
each module has one job; :func:`select_logistic` is called by ``cli._cmd_select``
once it has loaded the data and decided that the target holds classes.
"""

from __future__ import annotations

import sys

import numpy as np


def is_class_target(y) -> bool:
    """A target ``select`` treats as classes: non-numeric, or two distinct values.

    A numeric target with three or more values stays a regression target (ages,
    counts, doses are numbers); ``--model logistic`` makes it classes.
    """
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        return True
    return np.unique(y).size == 2


def c_grid(X, y, n_Cs, eps, l1_ratio):
    """glmnet's grid in C on all the data (:func:`fastlasso._logistic_path.auto_Cs`,
    unit weights, with an intercept)."""
    from fastlasso._logistic_path import auto_Cs, check_design
    from fastlasso.linear_model._logistic import encode_targets

    Y = encode_targets(np.asarray(y), np.unique(y))
    return auto_Cs(check_design(X), Y, np.ones(len(y)), l1_ratio, True, n_Cs, eps)


def held_out_scores(est, X, y, folds, C):
    """Per-fold log-loss and accuracy of the fold models at ``C`` (from
    ``coefs_paths_``; no refit)."""
    from scipy.special import expit, softmax
    from sklearn.metrics import accuracy_score, log_loss

    k_C = int(np.argmin(np.abs(np.asarray(est.Cs_) - C)))
    ratios = np.asarray(est.l1_ratios_, dtype=float)
    k_r = int(np.argmin(np.abs(ratios - est.l1_ratio_)))
    paths = np.asarray(est.coefs_paths_)  # (folds, l1_ratios, Cs, K', p + 1)
    losses, accs = [], []
    for f, (_, test) in enumerate(folds):
        row = paths[f, k_r, k_C]
        eta = X[test] @ row[:, :-1].T + row[:, -1]
        eta = np.asarray(eta)
        if len(est.classes_) == 2:
            p1 = expit(eta[:, 0])
            proba = np.column_stack([1.0 - p1, p1])
        else:
            proba = softmax(eta, axis=1)
        pred = est.classes_[np.argmax(proba, axis=1)]
        losses.append(log_loss(y[test], proba, labels=est.classes_))
        accs.append(accuracy_score(y[test], pred))
    return np.array(losses), np.array(accs)


def print_selection(names, coef, selected, top, scale, more):
    """The ranked table of selected features (one coefficient column per row of
    ``coef``, shape (K', p)); ``top`` > 0 shows the first ``top`` only."""
    print(
        f"selected features: {selected.size} of {coef.shape[1]} (non-zero "
        "coefficients, ranked by |coef|"
        + (", on the original scale)" if scale is not None else ")")
    )
    shown = selected if not top else selected[:top]
    if shown.size:
        width = max(7, max(len(names[j]) for j in shown))
        head = "coef" if coef.shape[0] == 1 else "coef per class"
        print(f"{'rank':>4}  {'feature':<{width}}  {head}")
        for rank, j in enumerate(shown, start=1):
            values = "  ".join(f"{v: .6g}" for v in coef[:, j])
            print(f"{rank:>4}  {names[j]:<{width}}  {values}")
        if shown.size < selected.size:
            print(f"  ... ({selected.size - shown.size} more{more})")


def select_logistic(args, data, X_fit, scale, names, verbose, fit):
    """Fit ``LogisticRegressionCV`` and print the selection; returns the exit code.

    ``fit(est, X, y)`` runs the fit counting ConvergenceWarnings (the CLI's).
    """
    import time

    from sklearn.model_selection import StratifiedKFold

    from fastlasso import LogisticRegressionCV

    y = np.asarray(data.y)
    l1_ratios = [1.0] if args.l1_ratio is None else list(args.l1_ratio)
    Cs = c_grid(X_fit, y, args.n_alphas, args.eps, min(l1_ratios))
    cv = StratifiedKFold(
        args.cv, shuffle=args.random_state is not None, random_state=args.random_state
    )
    folds = list(cv.split(X_fit, y))
    est = LogisticRegressionCV(
        Cs=Cs,
        l1_ratios=l1_ratios,
        cv=folds,
        solver="saga",
        scoring="neg_log_loss",
        tol=args.tol,
        max_iter=100,
        use_legacy_attributes=False,
        C_rule="1se" if args.alpha_rule == "1se" else "best",
        verbose=int(verbose),
    )
    classes = np.unique(y)
    print(
        f"fastlasso select: LogisticRegressionCV ({len(classes)} classes: "
        + ", ".join(str(c) for c in classes)
        + f"; --model lasso for a Lasso on the labels) on {data.source}: "
        f"{X_fit.shape[0]} samples x {X_fit.shape[1]} features"
        + (" (standardized)" if scale is not None else "")
    )
    print(
        f"{args.cv}-fold stratified CV, {len(Cs)} Cs from {Cs[0]:.4g} (first "
        f"feature) to {Cs[-1]:.4g}, l1_ratio "
        + ",".join(f"{r:g}" for r in l1_ratios)
        + f", scored by log-loss, tol {args.tol:g}"
    )
    start = time.perf_counter()
    n_conv = fit(est, X_fit, y)
    elapsed = time.perf_counter() - start
    if n_conv:
        print(
            f"warning: {n_conv} fits did not reach the tolerance (ConvergenceWarning)",
            file=sys.stderr,
        )
    losses, accs = held_out_scores(est, X_fit, y, folds, est.C_)
    se = losses.std(ddof=1) / np.sqrt(len(losses)) if len(losses) > 1 else 0.0
    coef = np.asarray(est.coef_, dtype=float)
    if scale is not None:
        coef = coef / scale
    weight = np.abs(coef).max(axis=0)
    selected = np.flatnonzero(weight)
    selected = selected[np.argsort(-weight[selected], kind="stable")]
    print(f"fitted in {elapsed:.2f} s")
    print()
    print(f"C       = {est.C_:.6g}  (chosen, --alpha-rule {args.alpha_rule})")
    if hasattr(est, "C_1se_"):
        print(f"C_1se   = {est.C_1se_:.6g}  (smallest C within 1 SE of the best)")
    if len(l1_ratios) > 1:
        print(f"l1_ratio = {est.l1_ratio_:g}")
    print(
        f"CV log-loss at C: {losses.mean():.4g} ± {se:.2g}, CV accuracy "
        f"{accs.mean():.3f} (mean over {len(folds)} folds)"
    )
    print(f"duality gap of the refit: {est.dual_gap_:.3g}")
    print_selection(names, coef, selected, args.top, scale, more="")
    return 0
