"""Command-line interface: ``fastlasso warmup`` and ``fastlasso demo``.

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
  warmup  compile every Numba kernel specialization now (float32/float64,
          dense/sparse) and store it in the on-disk cache, so that later
          processes load it instead of compiling
  demo    compute the full Lasso path on the bundled leukemia data with
          fastlasso and with scikit-learn, print the path, both timings and
          a check that both solutions are certified equally good

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


def _cmd_warmup(args):
    from fastlasso import _kernels

    start = time.perf_counter()
    compiled = _kernels.warmup()
    elapsed = time.perf_counter() - start
    for item in compiled:  # "name(signature)" strings or (name, signature) pairs
        print("  " + (item if isinstance(item, str) else "  ".join(map(str, item))))
    print(f"{len(compiled)} kernel specializations ready in {elapsed:.2f} s")
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


def main(argv=None):
    """Entry point of the ``fastlasso`` command; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except _CLIError as exc:
        print(f"fastlasso {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except (ImportError, OSError, ValueError) as exc:
        print(
            f"fastlasso {args.command}: error: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return 1
