"""LassoCV on a dask array (fastlasso, one pass) against one dask-ml fit.

A tall regression (``--n`` rows, ``--p`` features, ``--chunk``-row blocks) is made
block by block from a per-block seed (``numpy.random.default_rng([seed, i])``):
AR(1)-correlated columns (rho 0.5) with column means 10, ``y = X b + noise`` with
10 non-zero coefficients. With ``--persist`` the blocks are generated once and
kept in the workers' memory; without it every read of a block regenerates it
(deterministically), which is how an array larger than the cluster's memory
(10^7 x 1000 float64 = 80 GB) is read here.

Measured, on a ``distributed.LocalCluster`` of ``--workers`` processes (one thread
each):

* fastlasso ``LassoCV(cv=5, alphas=100)`` on the dask array: wall time, passes over
  X (reads of X's blocks, counted on the workers by an identity task wrapped around
  every block, divided by the number of blocks), peak traced driver memory
  (tracemalloc, NumPy allocations included) and peak worker RSS;
* one dask-ml ``LinearRegression(penalty='l1', solver='proximal_grad')`` fit at the
  alpha chosen by the CV (``C = 1 / (2 n alpha)``: dask-glm minimises ``||y - X b||^2
  + lambda ||b||_1``), capped at ``--daskml-max-iter`` iterations: wall time, passes,
  and (if capped) the iteration count it stopped at;
* with ``--memory`` the in-memory fastlasso ``LassoCV`` on the same data gathered
  on the driver (only where it fits), and the largest coefficient difference.

Prints a JSON object after the fastlasso CV and the full one at the end.
Timings on a shared 2-core machine are noisy.

Usage::

    python bench/dask_compare.py --n 10000000 --p 100 --persist --memory
    python bench/dask_compare.py --n 10000000 --p 1000
    python bench/dask_compare.py --n 200000 --p 1000 --persist --no-daskml --second-call
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc

import numpy as np

RHO = 0.5
MEAN = 10.0
N_TRUE = 10


def make_block(i, m, p, seed):
    """Block ``i`` (``m`` rows): ``(X, y)``, the same for the same ``(seed, i)``."""
    rng = np.random.default_rng([seed, i])
    X = rng.standard_normal((p, m)).T  # F-ordered: the column updates are contiguous
    c = np.sqrt(1.0 - RHO**2)
    for j in range(1, p):  # AR(1) across columns: corr(x_j, x_k) = RHO^|j-k|
        X[:, j] *= c
        X[:, j] += RHO * X[:, j - 1]
    coef = np.zeros(p)
    coef[: min(N_TRUE, p)] = np.linspace(2.0, -2.0, min(N_TRUE, p))
    y = X @ coef + rng.standard_normal(m) + 5.0
    X += MEAN
    return X, y


def _counted(block):
    """Identity on a block of X, counting the reads on the worker."""
    from distributed import get_worker

    w = get_worker()
    w.fastlasso_reads = getattr(w, "fastlasso_reads", 0) + 1
    return block


def _reads(client):
    counts = client.run(lambda dask_worker: getattr(dask_worker, "fastlasso_reads", 0))
    client.run(lambda dask_worker: setattr(dask_worker, "fastlasso_reads", 0))
    return sum(counts.values())


def _peak_rss(client):
    """Peak resident memory of each worker process, in GiB (lifetime peak)."""
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return [round(v / 2**20, 2) for v in peaks.values()]


def _traced_cv(X, y):
    """A 5-fold x 100-alpha LassoCV fit: ``(estimator, seconds, driver peak MiB)``
    (tracemalloc, NumPy allocations included)."""
    from fastlasso import LassoCV

    tracemalloc.start()
    t = time.perf_counter()
    cv = LassoCV(cv=5, alphas=100).fit(X, y)
    seconds = round(time.perf_counter() - t, 2)
    peak = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    return cv, seconds, peak


def build(n, p, chunk, seed):
    import dask
    import dask.array as da

    blocks = []
    for i, start in enumerate(range(0, n, chunk)):
        m = min(chunk, n - start)
        blocks.append((dask.delayed(make_block, pure=True)(i, m, p, seed), m))
    X = da.concatenate(
        [da.from_delayed(b[0], (m, p), dtype=np.float64) for b, m in blocks]
    )
    y = da.concatenate(
        [da.from_delayed(b[1], (m,), dtype=np.float64) for b, m in blocks]
    )
    return X, y


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10**7)
    ap.add_argument("--p", type=int, default=100)
    ap.add_argument("--chunk", type=int, default=10**5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--persist", action="store_true")
    ap.add_argument("--memory", action="store_true", help="also fit in memory")
    ap.add_argument("--daskml-max-iter", type=int, default=100)
    ap.add_argument("--no-daskml", action="store_true")
    ap.add_argument(
        "--second-call",
        action="store_true",
        help="fit the CV a second time in the process (driver peak without imports)",
    )
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from fastlasso import LassoCV

    out = vars(args).copy()
    cluster = LocalCluster(
        n_workers=args.workers, threads_per_worker=1, dashboard_address=None
    )
    client = Client(cluster)
    out["worker_memory_limit_GiB"] = round(
        next(iter(cluster.scheduler_info["workers"].values()))["memory_limit"] / 2**30,
        2,
    )
    X, y = build(args.n, args.p, args.chunk, args.seed)
    if args.persist:
        t = time.perf_counter()
        X, y = client.persist([X, y])
        from distributed import wait

        wait([X, y])
        out["persist_s"] = round(time.perf_counter() - t, 1)
    Xc = X.map_blocks(_counted, meta=np.empty((0, 0)))
    n_blocks = Xc.numblocks[0]
    _reads(client)

    cv, out["fastlasso_cv_s"], out["fastlasso_driver_peak_MiB"] = _traced_cv(Xc, y)
    out["fastlasso_passes"] = _reads(client) / n_blocks
    if args.second_call:
        # the first call also traces one-time imports and Numba registries
        cv2, out["fastlasso_cv_s_second_call"], peak = _traced_cv(Xc, y)
        out["fastlasso_driver_peak_MiB_second_call"] = peak
        out["second_call_same_mse_path"] = bool(
            np.array_equal(cv2.mse_path_, cv.mse_path_)
        )
        _reads(client)
    out["bar_driver_MiB_(K+2)8p^2"] = round(7 * 8 * args.p**2 / 2**20, 1)
    out["chunk_MiB"] = round(args.chunk * args.p * 8 / 2**20, 1)
    out["workers_peak_rss_GiB_after_cv"] = _peak_rss(client)
    out["alpha_"] = float(cv.alpha_)
    out["nnz"] = int(np.count_nonzero(cv.coef_))
    out["dual_gap_"] = float(cv.dual_gap_)
    print(json.dumps(out), flush=True)  # partial results survive a timeout

    if not args.no_daskml:
        from dask_ml.linear_model import LinearRegression

        C = 1.0 / (2.0 * args.n * cv.alpha_)
        model = LinearRegression(
            penalty="l1",
            solver="proximal_grad",
            C=C,
            max_iter=args.daskml_max_iter,
        )
        t = time.perf_counter()
        model.fit(Xc, y)
        out["daskml_fit_s"] = round(time.perf_counter() - t, 2)
        out["daskml_passes"] = _reads(client) / n_blocks
        out["daskml_max_iter"] = args.daskml_max_iter
        out["daskml_max_coef_diff"] = float(np.abs(model.coef_ - cv.coef_).max())
        out["speedup_cv_vs_one_daskml_fit"] = round(
            out["daskml_fit_s"] / out["fastlasso_cv_s"], 1
        )

    client.close()
    cluster.close()
    if args.memory:
        # the same blocks, made again on the driver into one F-ordered array
        Xm = np.empty((args.n, args.p), order="F")
        ym = np.empty(args.n)
        for i, start in enumerate(range(0, args.n, args.chunk)):
            m = min(args.chunk, args.n - start)
            Xm[start : start + m], ym[start : start + m] = make_block(
                i, m, args.p, args.seed
            )
        t = time.perf_counter()
        ref = LassoCV(cv=5, alphas=100).fit(Xm, ym)
        out["memory_cv_s"] = round(time.perf_counter() - t, 2)
        out["memory_alpha_"] = float(ref.alpha_)
        out["memory_max_coef_diff"] = float(np.abs(ref.coef_ - cv.coef_).max())
        out["memory_max_mse_path_rel_diff"] = float(
            np.max(np.abs(ref.mse_path_ - cv.mse_path_) / ref.mse_path_)
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
