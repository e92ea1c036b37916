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


def c_grid(X, y, n_Cs, eps, l1_ratio, penalty_factor=None):
    """glmnet's grid in C on all the data (:func:`fastlasso._logistic_path.auto_Cs`,
    unit weights, with an intercept; from the first penalised feature to enter
    when penalty factors are given)."""
    from fastlasso._logistic_path import auto_Cs, check_design
    from fastlasso._path import make_penalty
    from fastlasso.linear_model._logistic import encode_targets

    X = check_design(X)
    pen = make_penalty(X.shape[1], X.dtype, penalty_factor)
    Y = encode_targets(np.asarray(y), np.unique(y))
    return auto_Cs(X, Y, np.ones(len(y)), l1_ratio, True, n_Cs, eps, pen)


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


def write_selection(path, args, data, est, coef, selected, scores):
    """``--out``: the selection as JSON (with the CV summary) or CSV (rank,
    feature, index, one coefficient column per row of ``coef``)."""
    import csv
    import json

    (loss, loss_se, acc) = scores
    classes = [c.item() if hasattr(c, "item") else c for c in est.classes_]
    if path.lower().endswith(".json"):
        result = {
            "data": data.source,
            "target": data.target_name,
            "estimator": type(est).__name__,
            "classes": classes,
            "n_samples": int(data.X.shape[0]),
            "n_features": int(data.X.shape[1]),
            "standardized": bool(args.standardize),
            "cv_folds": int(args.cv),
            "alpha_rule": args.alpha_rule,
            "C": float(est.C_),
            "C_best": float(est.C_best_),
            "C_1se": float(est.C_1se_),
            "l1_ratio": float(est.l1_ratio_),
            "cv_log_loss": loss,
            "cv_log_loss_se": loss_se,
            "cv_accuracy": acc,
            "dual_gap": float(est.dual_gap_),
            "intercept": [float(v) for v in np.ravel(est.intercept_)],
            "n_selected": int(selected.size),
            "selected": [
                {
                    "feature": data.feature_names[j],
                    "index": int(j),
                    "coef": [float(v) for v in coef[:, j]],
                }
                for j in selected
            ],
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        return
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        heads = ["coef"] if coef.shape[0] == 1 else [f"coef_{c}" for c in classes]
        writer.writerow(["rank", "feature", "index", *heads])
        for rank, j in enumerate(selected, start=1):
            values = [repr(float(v)) for v in coef[:, j]]
            writer.writerow([rank, data.feature_names[j], int(j), *values])


def select_logistic(args, data, X_fit, scale, names, verbose, fit, penalty=None):
    """Fit ``LogisticRegressionCV`` and print the selection; returns the exit code.

    ``fit(est, X, y)`` runs the fit counting ConvergenceWarnings (the CLI's);
    ``penalty``: per-feature penalty factors (``--penalty-factor``) or None.
    """
    import time

    from sklearn.model_selection import StratifiedKFold

    from fastlasso import LogisticRegressionCV

    y = np.asarray(data.y)
    l1_ratios = [1.0] if args.l1_ratio is None else list(args.l1_ratio)
    Cs = c_grid(X_fit, y, args.n_alphas, args.eps, min(l1_ratios), penalty)
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
        penalty_factor=penalty,
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
        + (
            ", penalty factors from " + args.penalty_factor
            if penalty is not None
            else ""
        )
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
    more = ", see --out" if not args.out else ""
    print_selection(names, coef, selected, args.top, scale, more=more)
    if args.out:
        summary = (float(losses.mean()), float(se), float(accs.mean()))
        write_selection(args.out, args, data, est, coef, selected, summary)
        print(f"wrote {args.out}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from fastlasso.plotting import plot_cv

        fig, ax = plt.subplots(figsize=(9, 5))
        plot_cv(est, ax=ax)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        plt.close(fig)
        print(f"wrote {args.plot}")
    return 0
