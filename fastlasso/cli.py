"""Command-line interface: ``fastlasso select``, ``path``, ``info``, ``bench``,
``demo`` and ``warmup``.

Also reachable as ``python -m fastlasso``. Heavy imports (numpy, numba,
scikit-learn) happen inside the sub-commands so that ``--help`` stays instant.
"""

import argparse
import sys
import time
import warnings

__all__ = ["main"]

_DESCRIPTION = """\
fastlasso: Numba coordinate-descent Lasso / ElasticNet, a drop-in for
scikit-learn's Lasso, ElasticNet, lasso_path and enet_path.

commands:
  select  choose features by cross-validated Lasso / ElasticNet (LassoCV,
          ElasticNetCV) on a CSV/TSV, .npz or svmlight file, or on the bundled
          leukemia data when no file is given; print and save the selected
          features, optionally plot the path and the CV curve
  path    the regularization path (lasso_path / enet_path) of a data file:
          alpha, number of non-zeros and duality gap per alpha
  info    versions, Numba cache location and state, thread counts
  bench   time fastlasso against scikit-learn on a few Lasso problems
  warmup  compile every Numba kernel specialization now (float32/float64,
          dense/sparse) and store it in the on-disk cache, so that later
          processes load it instead of compiling
  demo    compute the full Lasso path on the bundled leukemia data with
          fastlasso and with scikit-learn, print the path, both timings and
          a check that both solutions are certified equally good

examples:
  fastlasso select                      # LassoCV on the leukemia data
  fastlasso select data.csv --target y --alpha-rule 1se --out genes.csv
  fastlasso select data.csv --target y --l1-ratio 0.5,0.9,1 --plot cv.png
  fastlasso path data.tsv --target price --n-alphas 50 --plot path.png

Run 'fastlasso COMMAND --help' for the options of a command.
"""

_DEMO_DESCRIPTION = """\
Full Lasso path on the Golub leukemia data shipped with fastlasso
(72 samples x 7129 genes, raw expression values, target +1 = AML,
-1 = ALL). No standardization. The intercept is fitted by centering X and y
once and calling lasso_path on the centered data (intercept_k =
mean(y) - mean(X) @ coef_k), exactly as Lasso(fit_intercept=True) does.

fastlasso.lasso_path and sklearn.linear_model.lasso_path run on the same
arrays with the same options in this process. The kernels are loaded (or
compiled) before the clock starts; that time is reported on its own line.
Both solvers stop at a duality gap <= tol * ||y||^2 / n, so at every alpha
the two objectives must agree within the sum of the two reported gaps; the
check verifies that (the coefficients may differ more: the default tol is loose).
Exit status: 0 if the check passes, 1 if it does not or on error, 2 on bad usage.
"""


_DATA_HELP = """\
data files (DATA), format chosen by extension (a trailing .gz is decompressed):
  .csv / .tsv / .tab  text with a header row of column names; any other
                      extension is read as text too, the delimiter guessed
                      from the header line (tab, comma, semicolon, |, or
                      whitespace). --target names the column to predict.
                      Empty cells, NA and NaN are reported as errors (with
                      their lines), as are non-numeric columns (--drop them).
  .npz                arrays X (2-D), y (1-D), optional feature_names
  .svm .svmlight .libsvm
                      svmlight / libsvm text; X stays sparse; features are
                      named by their index in the file
"""

_SELECT_DESCRIPTION = (
    """\
Feature selection by cross-validation: on a target of classes (non-numeric,
or two distinct values) fastlasso.LogisticRegressionCV with an L1 penalty (or
elastic net with --l1-ratio), else fastlasso.LassoCV (or ElasticNetCV with
--l1-ratio); --model overrides the choice, which is printed. Runs on DATA, or on
the bundled Golub leukemia data (72 samples x 7129 genes, target +1 AML / -1
ALL: a logistic model by default, features named by their Affymetrix probe
identifiers such as M23197_at) when no DATA is given. The model has an
intercept; X is used as is unless --standardize.

For the logistic model it prints the chosen C (and C_1se), the CV log-loss
+- its standard error and the CV accuracy at that C, and the selected features.

Prints the alpha chosen by --alpha-rule together with alpha_min (smallest
mean CV error) and alpha_1se (largest alpha within one standard error of that
minimum), the mean CV mean squared error +- its standard error at the chosen
alpha, and the selected features (non-zero coefficients) ranked by |coef|.
--out writes them as CSV (rank, feature, index, coef) or JSON (also alpha,
l1_ratio, CV MSE, intercept, n_samples, n_features, ...).

Progress lines (folds x alphas solved, time left) go to stderr when stderr is
a terminal or with --verbose; --quiet turns them off.

"""
    + _DATA_HELP
)

_PATH_DESCRIPTION = (
    """\
Regularization path of DATA (or of the bundled leukemia data when no DATA is
given): fastlasso.lasso_path, or enet_path with --l1-ratio, from alpha_max
(all coefficients zero) down to eps * alpha_max on a geometric grid, with an
intercept (X and y are centred; a sparse X implicitly). Prints, per alpha,
the number of non-zero coefficients and the duality gap of the solution
(the certificate: the objective is within that much of its optimum).
--out writes one CSV row per alpha: alpha, n_nonzero, dual_gap, intercept and
one column per feature (coefficients on the original scale of X).

"""
    + _DATA_HELP
)

_INFO_DESCRIPTION = """\
Print the versions of fastlasso and its dependencies, where the Numba on-disk
cache of the fastlasso kernels is (NUMBA_CACHE_DIR, or __pycache__ next to the
kernel sources) and how many kernel specializations it holds, and the thread
counts (Numba, CPUs, BLAS/OpenMP pools through threadpoolctl).
"""

_BENCH_DESCRIPTION = """\
Side-by-side timing of fastlasso.Lasso and sklearn.linear_model.Lasso in this
process, on the same data and options: the leukemia data and a synthetic
p >> n problem (200 x 5000, 20 true features), at alpha = alpha_max / 10
(with --quick; without it also alpha_max / 100 and a 1000 x 500 correlated
problem). Each estimator is fitted once to warm up (load or compile), then
--repeat times; the median time is reported, with the speed-up and, judged by
the same objective function P(w, b) = ||y - Xw - b||^2 / (2n) + alpha ||w||_1,
both objectives and both duality gaps: each solver certifies that its P is
within its gap of the optimum, so the two P must agree within the sum of gaps.
For the full benchmark (more problems and solvers, tolerance sweeps) run
`python bench/run.py` from a checkout of the fastlasso repository.
"""


class _CLIError(Exception):
    """An error with a message for the user (no traceback)."""


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def _nonneg_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _fold_count(text):
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 folds, got {value}")
    return value


def _l1_ratio_list(text):
    """Comma-separated l1_ratios, each in (0, 1]."""
    values = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {part!r}") from None
        if not 0.0 < value <= 1.0:
            raise argparse.ArgumentTypeError(
                f"each l1_ratio must be in (0, 1] (an automatic alpha grid needs "
                f"l1_ratio > 0), got {value:g}"
            )
        values.append(value)
    return values


def _one_l1_ratio(text):
    values = _l1_ratio_list(text)
    if len(values) != 1:
        raise argparse.ArgumentTypeError("one value only for a path")
    return values[0]


def _output_file(*extensions):
    """argparse type: a file name with one of ``extensions`` in an existing dir."""

    def check(text):
        import os

        ext = os.path.splitext(text)[1].lower()
        if extensions and ext not in extensions:
            raise argparse.ArgumentTypeError(
                f"{text!r}: the extension must be one of {', '.join(extensions)}"
            )
        folder = os.path.dirname(os.path.abspath(text))
        if not os.path.isdir(folder):
            raise argparse.ArgumentTypeError(f"{text!r}: no directory {folder}")
        return text

    return check


def _column_list(text):
    return [c.strip() for c in text.split(",") if c.strip()]


def _add_data_arguments(p):
    p.add_argument(
        "data",
        nargs="?",
        metavar="DATA",
        help=(
            "data file (.csv, .tsv, other delimited text, .npz, .svm/.svmlight/"
            ".libsvm; see below); default: the bundled leukemia data"
        ),
    )
    p.add_argument(
        "--target",
        metavar="COL",
        help=(
            "column to predict, by name or 0-based index (negative: from the "
            "end); required for text files, not used for svmlight or an .npz "
            "with y"
        ),
    )
    p.add_argument(
        "--drop",
        type=_column_list,
        default=[],
        metavar="COLS",
        help="comma-separated columns (names or indices) to leave out, e.g. an id",
    )
    p.add_argument(
        "--delimiter",
        metavar="CHAR",
        help=(
            "field delimiter of a text file (default: from the extension, else "
            "guessed from the header line); write 'tab' for a tab"
        ),
    )
    p.add_argument(
        "--standardize",
        action="store_true",
        help=(
            "divide every feature by its standard deviation before fitting "
            "(features then compete on an equal footing for the penalty; constant "
            "features are left as they are); coefficients are reported on the "
            "original scale of the data (standardized ones are plotted). Off by "
            "default: X is used as is, as Lasso does"
        ),
    )


def _add_grid_arguments(p, *, several_l1_ratios):
    if several_l1_ratios:
        p.add_argument(
            "--l1-ratio",
            type=_l1_ratio_list,
            metavar="R[,R...]",
            help=(
                "fit ElasticNetCV with this l1_ratio (mix of L1 and L2 penalty, in "
                "(0, 1], 1 = Lasso); several comma-separated values are chosen "
                "among by cross-validation too. Default: LassoCV"
            ),
        )
    else:
        p.add_argument(
            "--l1-ratio",
            type=_one_l1_ratio,
            metavar="R",
            help=(
                "elastic-net path (enet_path) with this l1_ratio in (0, 1]; "
                "default: the Lasso path"
            ),
        )
    p.add_argument(
        "--n-alphas",
        type=_positive_int,
        default=100,
        metavar="N",
        help="number of alphas on the grid (default: %(default)s)",
    )
    p.add_argument(
        "--eps",
        type=_positive_float,
        default=1e-3,
        help="length of the grid: alpha_min / alpha_max (default: %(default)s)",
    )
    p.add_argument(
        "--tol",
        type=_positive_float,
        default=1e-4,
        help=(
            "stopping tolerance, as in scikit-learn: stop when the duality gap "
            "<= tol * ||y - mean(y)||^2 / n_samples (default: %(default)s)"
        ),
    )
    p.add_argument(
        "--max-iter",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="maximum number of epochs per alpha (default: %(default)s)",
    )


def _add_commands(sub):
    sel = sub.add_parser(
        "select",
        help="feature selection by cross-validated logistic regression or Lasso",
        description=_SELECT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_data_arguments(sel)
    _add_grid_arguments(sel, several_l1_ratios=True)
    sel.add_argument(
        "--cv",
        type=_fold_count,
        default=5,
        metavar="K",
        help="number of cross-validation folds (default: %(default)s)",
    )
    sel.add_argument(
        "--model",
        choices=("auto", "lasso", "logistic"),
        default="auto",
        help=(
            "'logistic': LogisticRegressionCV (L1, or elastic net with "
            "--l1-ratio) on the classes of the target; 'lasso': LassoCV / "
            "ElasticNetCV on its values; 'auto' (default): logistic when the "
            "target is non-numeric or has exactly two distinct values (e.g. the "
            "leukemia +1/-1 labels), else lasso. The choice is printed"
        ),
    )
    sel.add_argument(
        "--alpha-rule",
        choices=("min", "1se"),
        default="min",
        help=(
            "which alpha to refit with: 'min', the smallest mean CV error "
            "(scikit-learn's choice), or '1se', the largest alpha whose mean CV "
            "error is within one standard error of that minimum (glmnet's "
            "lambda.1se: a sparser model that predicts about as well). "
            "Default: %(default)s"
        ),
    )
    sel.add_argument(
        "--random-state",
        type=int,
        metavar="SEED",
        help=(
            "shuffle the rows before splitting them into folds, with this seed "
            "(default: no shuffling, consecutive folds as scikit-learn's KFold)"
        ),
    )
    sel.add_argument(
        "--n-jobs",
        type=int,
        metavar="N",
        help=(
            "number of folds (x l1_ratios) fitted in parallel threads; -1 for all "
            "CPUs (default: 1)"
        ),
    )
    sel.add_argument(
        "--penalty-factor",
        metavar="FILE",
        help=(
            "per-feature penalty weights (non-negative; 0 = never penalized, "
            "always kept): a one-column file with one weight per feature in "
            "order, or a two-column 'feature,weight' CSV (unlisted features get "
            "1). Passed to the estimator as penalty_factor"
        ),
    )
    sel.add_argument(
        "--out",
        type=_output_file(".csv", ".json"),
        metavar="FILE",
        help=(
            "write the selected features to FILE: .csv (rank, feature, index, "
            "coef) or .json (also alpha, alpha_min, alpha_1se, l1_ratio, CV MSE "
            "and its standard error, intercept, n_samples, n_features)"
        ),
    )
    sel.add_argument(
        "--plot",
        type=_output_file(),
        metavar="FILE",
        help=(
            "save a figure (format by extension: .png, .pdf, .svg) of the "
            "coefficient path and the CV error curve; needs matplotlib "
            "(pip install fastlasso[plot])"
        ),
    )
    sel.add_argument(
        "--top",
        type=_nonneg_int,
        default=0,
        metavar="N",
        help=(
            "print only the N largest selected features (--out always has all; "
            "default: print all)"
        ),
    )
    talk = sel.add_mutually_exclusive_group()
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="progress lines on stderr (default: only when stderr is a terminal)",
    )
    talk.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines on stderr"
    )
    sel.set_defaults(func=_cmd_select)

    path = sub.add_parser(
        "path",
        help="regularization path: alpha, non-zeros, duality gap",
        description=_PATH_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_data_arguments(path)
    _add_grid_arguments(path, several_l1_ratios=False)
    path.add_argument(
        "--out",
        type=_output_file(".csv"),
        metavar="FILE.csv",
        help=(
            "write the path as CSV: one row per alpha with alpha, n_nonzero, "
            "dual_gap, intercept and the coefficient of every feature"
        ),
    )
    path.add_argument(
        "--plot",
        type=_output_file(),
        metavar="FILE",
        help=(
            "save a figure of the coefficient path (format by extension); needs "
            "matplotlib (pip install fastlasso[plot])"
        ),
    )
    path.set_defaults(func=_cmd_path)

    info = sub.add_parser(
        "info",
        help="versions, Numba cache and thread counts",
        description=_INFO_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    info.set_defaults(func=_cmd_info)

    bench = sub.add_parser(
        "bench",
        help="time fastlasso against scikit-learn",
        description=_BENCH_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bench.add_argument(
        "--quick",
        action="store_true",
        help="two problems at alpha_max / 10 only (a few seconds)",
    )
    bench.add_argument(
        "--repeat",
        type=_positive_int,
        default=3,
        metavar="N",
        help="timed fits per solver and problem; the median is shown (default: 3)",
    )
    bench.add_argument(
        "--json",
        type=_output_file(".json"),
        metavar="FILE",
        help="also write one record per problem, alpha and solver (times, "
        "objective, duality gap, n_iter_, time in X.T @ r units, versions) to "
        "FILE, as in the extra_info of bench/'s pytest-benchmark suite",
    )
    bench.set_defaults(func=_cmd_bench)


def _build_parser():
    from fastlasso import __version__

    parser = argparse.ArgumentParser(
        prog="fastlasso",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"fastlasso {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_commands(sub)

    warm = sub.add_parser(
        "warmup",
        help="compile and cache every Numba kernel specialization",
        description=(
            "Compile every kernel specialization (float32/float64 x "
            "dense/sparse) and write it to the Numba on-disk cache. Prints "
            "what was compiled (or loaded from the cache), the time it took "
            "and where the cache is. Set NUMBA_CACHE_DIR to choose the cache "
            "directory; FASTLASSO_NUMBA_CACHE=0 disables the on-disk cache."
        ),
    )
    warm.set_defaults(func=_cmd_warmup)

    demo = sub.add_parser(
        "demo",
        help="Lasso path on the bundled leukemia data, fastlasso vs scikit-learn",
        description=_DEMO_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--n-alphas",
        type=_positive_int,
        default=100,
        metavar="N",
        help="number of alphas on the path (default: %(default)s)",
    )
    demo.add_argument(
        "--eps",
        type=_positive_float,
        default=1e-3,
        help="length of the path: alpha_min / alpha_max (default: %(default)s)",
    )
    demo.add_argument(
        "--tol",
        type=_positive_float,
        default=1e-4,
        help=(
            "stopping tolerance, as in scikit-learn: stop when the duality "
            "gap <= tol * ||y - mean(y)||^2 / n_samples (default: %(default)s)"
        ),
    )
    demo.add_argument(
        "--max-iter",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="maximum number of epochs per alpha (default: %(default)s)",
    )
    demo.add_argument(
        "--every",
        type=_positive_int,
        default=10,
        metavar="K",
        help="print every K-th alpha of the path, plus the last (default: 10)",
    )
    demo.add_argument(
        "--check-rtol",
        type=_positive_float,
        default=1e-10,
        metavar="RTOL",
        help=(
            "rounding slack, relative to the objective, added to the sum of the two "
            "duality gaps when checking that both objectives agree "
            "(default: %(default)s)"
        ),
    )
    demo.add_argument(
        "--no-sklearn",
        action="store_true",
        help="skip the scikit-learn run, its timing and the agreement check",
    )
    demo.set_defaults(func=_cmd_demo)
    return parser


def _cache_dirs(kernels):
    """Directories where the kernels' Numba on-disk cache lives."""
    dirs = set()
    for dispatcher in kernels.values():
        path = getattr(getattr(dispatcher, "_cache", None), "cache_path", None)
        if path:
            dirs.add(str(path))
    return sorted(dirs)


def _print_shipped_status():
    """The shipped (precompiled) kernels' state, as ``info`` and ``warmup`` show it."""
    from fastlasso._kernel_cache import shipped_status

    print(f"Shipped (precompiled) kernels: {shipped_status()[1]}")


def _cmd_warmup(args):
    from fastlasso import _kernels, _warmup

    start = time.perf_counter()
    compiled = _warmup.warmup(verbose=True)
    elapsed = time.perf_counter() - start
    for item in compiled:  # "name(signature)" strings or (name, signature) pairs
        print("  " + (item if isinstance(item, str) else "  ".join(map(str, item))))
    print(f"{len(compiled)} kernel specializations ready in {elapsed:.2f} s")
    _print_shipped_status()
    dirs = _cache_dirs(_kernels.KERNELS)
    if dirs:
        print("Numba cache: " + ", ".join(dirs))
    else:
        print("Numba cache: disabled (kernels are compiled in every new process)")
    return 0


def _run_path(lasso_path, X, y, args):
    """Run one path function; returns (alphas, coefs, gaps, seconds, n_warnings)."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        alphas, coefs, gaps = lasso_path(
            X,
            y,
            eps=args.eps,
            alphas=args.n_alphas,
            tol=args.tol,
            max_iter=args.max_iter,
        )
        elapsed = time.perf_counter() - start
    n_warn = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return alphas, coefs, gaps, elapsed, n_warn


def _cmd_demo(args):
    import numpy as np

    import fastlasso
    from fastlasso.datasets import load_leukemia

    X, y = load_leukemia(return_X_y=True)
    n_samples, n_features = X.shape
    # Intercept by centering once; the path functions do not fit one.
    X_mean, y_mean = X.mean(axis=0), y.mean()
    Xc = np.asfortranarray(X - X_mean)
    yc = y - y_mean

    print(
        f"fastlasso {fastlasso.__version__} demo: Lasso path on leukemia "
        f"({n_samples} samples x {n_features} genes, float64, centered, "
        "not standardized)"
    )
    print(
        f"{args.n_alphas} alphas, eps={args.eps:g}, tol={args.tol:g}, "
        f"max_iter={args.max_iter}"
    )

    # Load (or compile) the dense float64 CD kernel before timing the path
    # (precompute=False: a narrow slice would otherwise take the Gram solver).
    start = time.perf_counter()
    fastlasso.lasso_path(Xc[:, :20], yc, alphas=2, tol=args.tol, precompute=False)
    t_load = time.perf_counter() - start
    print(f"kernel load/compile (not in the path time): {t_load:.2f} s")

    alphas, coefs, gaps, t_fl, warn_fl = _run_path(fastlasso.lasso_path, Xc, yc, args)
    if not (np.all(np.isfinite(coefs)) and np.all(np.isfinite(gaps))):
        raise _CLIError("fastlasso.lasso_path returned non-finite values")
    selected = np.count_nonzero(coefs, axis=0)

    sk = None
    if not args.no_sklearn:
        from sklearn.linear_model import lasso_path as sk_lasso_path

        sk = _run_path(sk_lasso_path, Xc, yc, args)
        if not np.allclose(alphas, sk[0], rtol=1e-10, atol=0):
            raise _CLIError("fastlasso and scikit-learn used different alpha grids")
        sk_selected = np.count_nonzero(sk[1], axis=0)

    rows = sorted(set(range(0, len(alphas), args.every)) | {len(alphas) - 1})
    header = f"{'#':>4}  {'alpha':>11}  {'alpha/alpha_max':>15}  {'genes':>5}"
    header += f"  {'duality gap':>11}"
    if sk is not None:
        header += f"  {'genes (sklearn)':>15}"
    print()
    print(header)
    print("-" * len(header))
    for k in rows:
        line = (
            f"{k:>4}  {alphas[k]:>11.5g}  {alphas[k] / alphas[0]:>15.4g}  "
            f"{selected[k]:>5d}  {gaps[k]:>11.3e}"
        )
        if sk is not None:
            line += f"  {sk_selected[k]:>15d}"
        print(line)
    print()
    b_last = y_mean - X_mean @ coefs[:, -1]
    print(f"intercept at the smallest alpha: {b_last:.6g}")

    note = f" ({warn_fl} ConvergenceWarnings)" if warn_fl else ""
    print(f"fastlasso.lasso_path : {t_fl:8.3f} s{note}")
    if sk is None:
        return 0
    t_sk, warn_sk = sk[3], sk[4]
    note = f" ({warn_sk} ConvergenceWarnings)" if warn_sk else ""
    print(f"sklearn   lasso_path : {t_sk:8.3f} s{note}")
    print(f"speed-up             : {t_sk / t_fl:8.2f} x")

    # Both solvers certify each solution with a duality gap: P(w) - P* <= gap.
    # So the two objectives must agree within the sum of the two gaps. (The
    # coefficients themselves may differ by more: at tol=1e-4 a path is loose.)
    def objective(W):
        R = yc[:, None] - Xc @ W
        return 0.5 * np.mean(R**2, axis=0) + alphas * np.abs(W).sum(axis=0)

    P_fl, P_sk = objective(coefs), objective(sk[1])
    bound = np.maximum(gaps, 0) + np.maximum(sk[2], 0) + args.check_rtol * P_sk
    excess = np.abs(P_fl - P_sk) / bound
    ok = bool(np.all(excess <= 1.0))
    verdict = "OK" if ok else "MISMATCH"
    rel_coef = np.max(np.abs(coefs - sk[1])) / max(np.max(np.abs(sk[1])), 1e-300)
    print(
        "check: |P_fastlasso - P_sklearn| <= gap_fastlasso + gap_sklearn at every "
        f"alpha (worst ratio {excess.max():.2f}): {verdict}"
    )
    print(f"       max |coef difference| / max |coef| = {rel_coef:.2e} (information)")
    if not ok:
        print(
            "fastlasso demo: an objective differs by more than the duality gaps allow",
            file=sys.stderr,
        )
        return 1
    return 0


# --------------------------------------------------------------------------------------
# Shared by select and path


def _load_data(args):
    """The data set of ``select`` / ``path``: DATA, or the bundled leukemia data."""
    from fastlasso._io import Dataset, read_dataset

    if args.data is None:
        if args.target is not None or args.drop:
            raise _CLIError(
                "--target and --drop need a DATA file (without one, the bundled "
                "leukemia data are used)"
            )
        from fastlasso.datasets import load_leukemia

        bunch = load_leukemia()
        X, y = bunch.data, bunch.target
        names = [str(name) for name in bunch.feature_names]  # Affymetrix probe ids
        return Dataset(X, y, names, "AML(+1)/ALL(-1)", source="leukemia (bundled)")
    delimiter = args.delimiter
    if delimiter is not None and delimiter.lower() in ("tab", "\\t"):
        delimiter = "\t"
    data = read_dataset(args.data, args.target, drop=args.drop, delimiter=delimiter)
    for note in data.notes:
        print(f"fastlasso {args.command}: note: {note}", file=sys.stderr)
    return data


def _standardize(X):
    """``(X / std, std)``, columns of zero standard deviation left unscaled."""
    import numpy as np
    from scipy import sparse

    if sparse.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        mean_sq = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        scale = np.sqrt(np.maximum(mean_sq - mean**2, 0.0))
    else:
        scale = X.std(axis=0)
    scale[~(scale > 0)] = 1.0
    if sparse.issparse(X):
        return (X @ sparse.diags(1.0 / scale)).tocsc(), scale
    return np.asfortranarray(X / scale), scale


def _pyplot():
    """matplotlib.pyplot with the Agg backend (files only, no display needed)."""
    try:
        import matplotlib
    except ImportError:
        raise _CLIError(
            "--plot needs matplotlib: pip install fastlasso[plot]"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _call_counting_warnings(func, *args, **kwargs):
    """``func(...)``, ConvergenceWarnings counted (returned) instead of shown."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        result = func(*args, **kwargs)
    n_conv = 0
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            n_conv += 1
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result, n_conv


def _report_convergence(n_conv, what):
    if n_conv:
        print(
            f"warning: {n_conv} {what} did not reach the tolerance within "
            "--max-iter epochs (ConvergenceWarning); raise --max-iter or --tol",
            file=sys.stderr,
        )


def _describe_data(data, standardize):
    n, p = data.X.shape
    kind = "sparse" if hasattr(data.X, "tocsc") else "dense"
    scaled = "standardized" if standardize else "not standardized"
    return (
        f"{data.source}: {n} samples x {p} features ({kind}, {scaled}), "
        f"target {data.target_name!r}"
    )


# --------------------------------------------------------------------------------------
# select


def _cmd_select(args):
    import numpy as np

    plt = _pyplot() if args.plot else None
    data = _load_data(args)
    X, y, names = data.X, data.y, data.feature_names
    n_samples, n_features = X.shape
    if n_samples < args.cv:
        raise _CLIError(
            f"{n_samples} samples are too few for --cv {args.cv} (one per fold at "
            "least)"
        )
    from fastlasso._cli_logistic import is_class_target, print_selection

    model = args.model
    if model == "auto":
        model = "logistic" if is_class_target(y) else "lasso"
    if model == "logistic":
        return _select_logistic(args, data)
    penalty = None
    if args.penalty_factor:
        from fastlasso._io import read_penalty_factor

        penalty = read_penalty_factor(args.penalty_factor, names)

    from sklearn.model_selection import KFold

    from fastlasso import ElasticNetCV, LassoCV

    cls = LassoCV if args.l1_ratio is None else ElasticNetCV
    if penalty is not None and "penalty_factor" not in cls().get_params():
        raise _CLIError(
            f"--penalty-factor: {cls.__name__} of this fastlasso version has no "
            "penalty_factor parameter"
        )
    X_fit, scale = _standardize(X) if args.standardize else (X, None)
    verbose = args.verbose or (not args.quiet and sys.stderr.isatty())
    params = dict(
        eps=args.eps,
        alphas=args.n_alphas,
        tol=args.tol,
        max_iter=args.max_iter,
        cv=KFold(
            args.cv,
            shuffle=args.random_state is not None,
            random_state=args.random_state,
        ),
        n_jobs=args.n_jobs,
        alpha_rule=args.alpha_rule,
        random_state=args.random_state,
        verbose=int(verbose),
    )
    if args.l1_ratio is not None:
        l1 = args.l1_ratio
        params["l1_ratio"] = l1[0] if len(l1) == 1 else l1
    if penalty is not None:
        params["penalty_factor"] = penalty
    est = cls(**params)

    print(
        f"fastlasso select: {cls.__name__} on {_describe_data(data, scale is not None)}"
    )
    folds = "shuffled" if args.random_state is not None else "consecutive"
    grid = f"{args.n_alphas} alphas (eps {args.eps:g})"
    if args.l1_ratio is not None:
        grid += " x l1_ratio " + ",".join(f"{r:g}" for r in args.l1_ratio)
    print(
        f"{args.cv}-fold CV ({folds} folds), {grid}, tol {args.tol:g}, "
        f"max_iter {args.max_iter}"
        + (
            ", penalty factors from " + args.penalty_factor
            if penalty is not None
            else ""
        )
    )
    start = time.perf_counter()
    _, n_conv = _call_counting_warnings(est.fit, X_fit, y)
    elapsed = time.perf_counter() - start
    _report_convergence(n_conv, "fits")

    coef = est.coef_ / scale if scale is not None else np.array(est.coef_)
    alphas = np.asarray(est.alphas_)
    mse_path = np.asarray(est.mse_path_)
    mse_se = np.asarray(est.mse_se_)
    if mse_path.ndim == 3:  # several l1_ratios
        k = int(np.flatnonzero(np.asarray(args.l1_ratio) == est.l1_ratio_)[0])
        mse_path, mse_se = mse_path[k], mse_se[k]
        alphas = alphas[k] if alphas.ndim == 2 else alphas
    i_alpha = int(np.argmin(np.abs(alphas - est.alpha_)))
    cv_mse = float(mse_path[i_alpha].mean())
    cv_se = float(mse_se[i_alpha])
    l1_ratio = float(getattr(est, "l1_ratio_", 1.0))

    selected = np.flatnonzero(coef)
    selected = selected[np.argsort(-np.abs(coef[selected]), kind="stable")]

    print(f"fitted in {elapsed:.2f} s")
    print()
    print(f"alpha_min = {est.alpha_min_:.6g}  (smallest mean CV error)")
    print(f"alpha_1se = {est.alpha_1se_:.6g}  (largest alpha within 1 SE of it)")
    print(f"alpha     = {est.alpha_:.6g}  (chosen, --alpha-rule {args.alpha_rule})")
    if args.l1_ratio is not None:
        print(f"l1_ratio  = {l1_ratio:g}")
    print(
        f"CV mean squared error at alpha: {cv_mse:.6g} ± {cv_se:.3g} "
        f"(mean ± standard error over {mse_path.shape[-1]} folds)"
    )
    print(f"intercept: {est.intercept_:.6g}")
    print_selection(names, coef[None, :], selected, args.top, scale, ", see --out")

    if args.out:
        _write_selection(args, est, data, coef, selected, cv_mse, cv_se, l1_ratio)
        print(f"wrote {args.out}")
    if args.plot:
        from fastlasso.plotting import plot_cv, plot_path

        fig, (ax_path, ax_cv) = plt.subplots(
            2, 1, figsize=(10, 9), sharex=True, height_ratios=(3, 2)
        )
        _, n_conv = _call_counting_warnings(
            plot_path,
            est,
            X_fit,
            y,
            feature_names=names,
            ax=ax_path,
            ylabel="coefficient"
            + (" (standardized features)" if scale is not None else ""),
        )
        _report_convergence(n_conv, "path fits for the plot")
        plot_cv(est, ax=ax_cv)
        ax_path.set_xlabel("")
        ax_path.tick_params(labelbottom=True)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        plt.close(fig)
        print(f"wrote {args.plot}")
    return 0


def _select_logistic(args, data):
    from fastlasso._cli_logistic import select_logistic

    penalty = None
    if args.penalty_factor:
        from fastlasso._io import read_penalty_factor

        penalty = read_penalty_factor(args.penalty_factor, data.feature_names)
    if args.plot:
        _pyplot()  # a clear error when matplotlib is missing
    X_fit, scale = _standardize(data.X) if args.standardize else (data.X, None)
    verbose = args.verbose or (not args.quiet and sys.stderr.isatty())

    def fit(est, X, y):
        return _call_counting_warnings(est.fit, X, y)[1]

    return select_logistic(
        args, data, X_fit, scale, data.feature_names, verbose, fit, penalty
    )


def _write_selection(args, est, data, coef, selected, cv_mse, cv_se, l1_ratio):
    import csv
    import json

    if args.out.lower().endswith(".json"):
        result = {
            "data": data.source,
            "target": data.target_name,
            "estimator": type(est).__name__,
            "n_samples": int(data.X.shape[0]),
            "n_features": int(data.X.shape[1]),
            "standardized": bool(args.standardize),
            "cv_folds": int(args.cv),
            "alpha_rule": args.alpha_rule,
            "alpha": float(est.alpha_),
            "alpha_min": float(est.alpha_min_),
            "alpha_1se": float(est.alpha_1se_),
            "l1_ratio": l1_ratio,
            "cv_mse": cv_mse,
            "cv_mse_se": cv_se,
            "intercept": float(est.intercept_),
            "n_selected": int(selected.size),
            "selected": [
                {
                    "feature": data.feature_names[j],
                    "index": int(j),
                    "coef": float(coef[j]),
                }
                for j in selected
            ],
        }
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        return
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["rank", "feature", "index", "coef"])
        for rank, j in enumerate(selected, start=1):
            writer.writerow([rank, data.feature_names[j], int(j), repr(float(coef[j]))])


# --------------------------------------------------------------------------------------
# path


def _cmd_path(args):
    import numpy as np
    from scipy import sparse

    import fastlasso
    from fastlasso._path import alpha_grid

    plt = _pyplot() if args.plot else None
    data = _load_data(args)
    X, y, names = data.X, data.y, data.feature_names
    X_fit, scale = _standardize(X) if args.standardize else (X, None)
    l1_ratio = 1.0 if args.l1_ratio is None else args.l1_ratio
    alphas = alpha_grid(
        X_fit,
        y,
        l1_ratio=l1_ratio,
        fit_intercept=True,
        eps=args.eps,
        n_alphas=args.n_alphas,
    )
    y_mean = float(y.mean())
    options = dict(
        l1_ratio=l1_ratio, alphas=alphas, tol=args.tol, max_iter=args.max_iter
    )
    if sparse.issparse(X_fit):
        X_mean = np.asarray(X_fit.mean(axis=0)).ravel()
        options.update(X_offset=X_mean, X_scale=np.ones_like(X_mean))
        X_path = X_fit
    else:
        X_mean = X_fit.mean(axis=0)
        X_path = np.asfortranarray(X_fit - X_mean)
    name = (
        "lasso_path" if args.l1_ratio is None else f"enet_path (l1_ratio {l1_ratio:g})"
    )
    print(f"fastlasso path: {name} on {_describe_data(data, scale is not None)}")
    print(
        f"{len(alphas)} alphas (eps {args.eps:g}), tol {args.tol:g}, "
        f"max_iter {args.max_iter}, intercept fitted"
    )
    start = time.perf_counter()
    (alphas, coefs, gaps), n_conv = _call_counting_warnings(
        fastlasso.enet_path, X_path, y - y_mean, **options
    )
    elapsed = time.perf_counter() - start
    _report_convergence(n_conv, "alphas")
    intercepts = y_mean - X_mean @ coefs
    coefs_orig = coefs / scale[:, None] if scale is not None else coefs
    nnz = np.count_nonzero(coefs, axis=0)
    print(f"path computed in {elapsed:.2f} s")
    print()
    header = (
        f"{'#':>4}  {'alpha':>12}  {'alpha/alpha_max':>15}  {'nonzero':>7}  "
        f"{'duality gap':>11}"
    )
    print(header)
    print("-" * len(header))
    for k in range(len(alphas)):
        print(
            f"{k:>4}  {alphas[k]:>12.6g}  {alphas[k] / alphas[0]:>15.4g}  "
            f"{nnz[k]:>7d}  {gaps[k]:>11.3e}"
        )
    if args.out:
        import csv

        with open(args.out, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["alpha", "n_nonzero", "dual_gap", "intercept", *names])
            for k in range(len(alphas)):
                writer.writerow(
                    [
                        repr(float(alphas[k])),
                        int(nnz[k]),
                        repr(float(gaps[k])),
                        repr(float(intercepts[k])),
                    ]
                    + [repr(float(c)) for c in coefs_orig[:, k]]
                )
        print(f"wrote {args.out}")
    if args.plot:
        from fastlasso.plotting import plot_path

        fig, ax = plt.subplots(figsize=(10, 6))
        plot_path(
            (alphas, coefs),
            feature_names=names,
            ax=ax,
            ylabel="coefficient"
            + (" (standardized features)" if scale is not None else ""),
        )
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        plt.close(fig)
        print(f"wrote {args.plot}")
    return 0


# --------------------------------------------------------------------------------------
# info


def _cmd_info(args):
    import os
    import platform
    from importlib import metadata

    import numba

    import fastlasso
    from fastlasso import _config
    from fastlasso._kernels import KERNELS

    print(
        f"fastlasso     {fastlasso.__version__}  "
        f"({os.path.dirname(fastlasso.__file__)})"
    )
    print(f"python        {platform.python_version()}  ({sys.executable})")
    for dist in (
        "numpy",
        "scipy",
        "numba",
        "scikit-learn",
        "joblib",
        "threadpoolctl",
        "matplotlib",
    ):
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "not installed"
        print(f"{dist:<13} {version}")
    print()
    env_dir = os.environ.get("NUMBA_CACHE_DIR", "")
    if not _config.JIT.get("cache", False):
        print(
            "Numba cache: disabled (FASTLASSO_NUMBA_CACHE=0); kernels compile in "
            "every process"
        )
    else:
        where = (
            f"NUMBA_CACHE_DIR={numba.config.CACHE_DIR}"
            if env_dir
            else "default: __pycache__ next to the kernel sources"
        )
        print(f"Numba cache: {where}")
        dirs = _cache_dirs(KERNELS)
        for d in dirs:
            files = os.listdir(d) if os.path.isdir(d) else []
            n_nbi = sum(f.endswith(".nbi") for f in files)
            n_nbc = sum(f.endswith(".nbc") for f in files)
            print(f"  {d}: {n_nbi} index files, {n_nbc} compiled objects")
        _print_shipped_status()
        n_ready = 0
        for name, dispatcher in KERNELS.items():
            counts = getattr(getattr(dispatcher, "_cache", None), "counts", None)
            if counts is None:
                continue
            n_shipped, n_user = counts()
            n_ready += (n_shipped + n_user) > 0
            print(
                f"  {name:<13} {n_shipped} shipped, {n_user} in the user cache "
                "(specializations)"
            )
        if n_ready < len(KERNELS):
            print("  (run 'fastlasso warmup' to compile and cache every kernel)")
    print()
    print(f"CPUs: os.cpu_count() = {os.cpu_count()}", end="")
    if hasattr(os, "sched_getaffinity"):
        print(f", usable by this process = {len(os.sched_getaffinity(0))}", end="")
    print()
    print(
        f"Numba: NUMBA_NUM_THREADS = {numba.config.NUMBA_NUM_THREADS}, threading "
        f"layer setting = {numba.config.THREADING_LAYER!r}"
    )
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("threadpoolctl not installed: BLAS/OpenMP thread pools unknown")
    else:
        import numpy  # noqa: F401  (loads the BLAS that threadpoolctl reports)
        import scipy.linalg  # noqa: F401

        pools = threadpool_info()
        if not pools:
            print("thread pools (threadpoolctl): none loaded")
        for pool in pools:
            print(
                f"thread pool: {pool.get('user_api')} {pool.get('internal_api')} "
                f"{pool.get('version') or ''}, {pool.get('num_threads')} threads "
                f"({os.path.basename(pool.get('filepath', ''))})"
            )
    return 0


# --------------------------------------------------------------------------------------
# bench


def _bench_problems(quick):
    import numpy as np

    from fastlasso.datasets import load_leukemia

    X, y = load_leukemia(return_X_y=True)
    problems = [("leukemia 72x7129", X, y)]
    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.randn(200, 5000))
    w = np.zeros(5000)
    w[rng.choice(5000, 20, replace=False)] = rng.randn(20)
    problems.append(("synthetic 200x5000", X, X @ w + 0.5 * rng.randn(200)))
    if not quick:
        Z = rng.randn(1000, 500)
        X = np.empty_like(Z, order="F")  # AR(1) correlation 0.8 between neighbours
        X[:, 0] = Z[:, 0]
        for j in range(1, 500):
            X[:, j] = 0.8 * X[:, j - 1] + 0.6 * Z[:, j]
        w = np.zeros(500)
        w[::25] = 1.0
        problems.append(("correlated 1000x500", X, X @ w + rng.randn(1000)))
    return problems


def _cmd_bench(args):
    import numpy as np
    from sklearn.linear_model import Lasso as SkLasso

    import fastlasso

    solvers = (("fastlasso", fastlasso.Lasso), ("scikit-learn", SkLasso))
    divisors = (10,) if args.quick else (10, 100)
    print(
        f"fastlasso bench: Lasso(alpha=alpha_max/k), default tol 1e-4, median of "
        f"{args.repeat} fits after one warm-up fit, one process"
    )
    header = (
        f"{'problem':<20} {'k':>4} {'fastlasso s':>11} {'sklearn s':>10} "
        f"{'speed-up':>8} {'P fastlasso':>13} {'P sklearn':>13} {'gap fl':>9} "
        f"{'gap sk':>9}  check"
    )
    print(header)
    print("-" * len(header))
    all_ok = True
    records = []
    for label, X, y in _bench_problems(args.quick):
        n = X.shape[0]
        Xc, yc = X - X.mean(axis=0), y - y.mean()
        alpha_max = np.max(np.abs(Xc.T @ yc)) / n
        xtr = []  # the unit of time_xtr_units: one X.T @ r, median of 20
        for _ in range(20 if args.json else 0):
            start = time.perf_counter()
            X.T @ yc
            xtr.append(time.perf_counter() - start)
        xtr = float(np.median(xtr)) if xtr else None
        for k in divisors:
            alpha = alpha_max / k
            times, objectives, gaps = [], [], []
            for name, cls in solvers:
                _call_counting_warnings(cls(alpha=alpha).fit, X, y)  # warm-up
                elapsed = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    model, _ = _call_counting_warnings(cls(alpha=alpha).fit, X, y)
                    elapsed.append(time.perf_counter() - start)
                times.append(float(np.median(elapsed)))
                residual = y - X @ model.coef_ - model.intercept_
                objectives.append(
                    0.5 * residual @ residual / n + alpha * np.abs(model.coef_).sum()
                )
                gaps.append(float(model.dual_gap_))
                if args.json:
                    records.append(
                        {
                            "problem": label,
                            "shape": list(X.shape),
                            "divisor": k,
                            "alpha": float(alpha),
                            "solver": name,
                            "tol": model.tol,
                            "times": elapsed,
                            "median_seconds": times[-1],
                            "objective": float(objectives[-1]),
                            "dual_gap": gaps[-1],
                            "n_iter": int(model.n_iter_),
                            "xtr_seconds": xtr,
                            "time_xtr_units": times[-1] / xtr,
                        }
                    )
            slack = max(gaps[0], 0) + max(gaps[1], 0) + 1e-10 * abs(objectives[1])
            ok = abs(objectives[0] - objectives[1]) <= slack
            all_ok &= ok
            if args.json:
                for record in records[-2:]:
                    record["check_ok"] = bool(ok)
            print(
                f"{label:<20} {k:>4} {times[0]:>11.4f} {times[1]:>10.4f} "
                f"{times[1] / times[0]:>7.1f}x {objectives[0]:>13.7g} "
                f"{objectives[1]:>13.7g} {gaps[0]:>9.2e} {gaps[1]:>9.2e}  "
                + ("ok" if ok else "MISMATCH")
            )
    print()
    print(
        "check: |P_fastlasso - P_sklearn| <= gap_fastlasso + gap_sklearn (both "
        "objectives judged by the same function, so both solutions are certified)"
    )
    if args.quick:
        print("without --quick: one more problem and alpha_max/100.")
    print(
        "Full benchmark (more data sets, skglm and celer, tolerance sweeps): "
        "python bench/run.py from a checkout of the repository."
    )
    if args.json:
        import json
        import platform

        import numba
        import scipy
        import sklearn

        doc = {
            "command": "fastlasso bench" + (" --quick" if args.quick else ""),
            "repeat": args.repeat,
            "objective": "||y - Xw - b||^2 / (2n) + alpha ||w||_1",
            "versions": {
                "python": platform.python_version(),
                **{m.__name__: m.__version__ for m in (np, scipy, numba, sklearn)},
                "fastlasso": fastlasso.__version__,
            },
            "records": records,
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"records written to {args.json}")
    return 0 if all_ok else 1


def main(argv=None):
    """Entry point of the ``fastlasso`` command; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"fastlasso {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if isinstance(exc, _CLIError) or getattr(exc, "user_facing", False):
            message = str(exc)
        elif isinstance(exc, (ImportError, OSError, ValueError)):
            message = f"{type(exc).__name__}: {exc}"
        else:
            raise
        print(f"fastlasso {args.command}: error: {message}", file=sys.stderr)
        return 1
