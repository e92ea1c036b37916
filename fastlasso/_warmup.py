"""``fastlasso warmup``: compile every kernel specialisation ahead of time.

Apart from :mod:`fastlasso._compile` so that the kernel layer never imports the
estimators (which import it).
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from ._kernels import KERNELS

__all__ = ["warmup"]


def _fit_all(group: str = "all", verbose: bool = False) -> None:
    """Fit the tiny problems of :func:`warmup`: ``group`` "ws" (working-set CD),
    "other" (plain CD, FISTA, Gram, multi-task block CD) or "all"."""
    import scipy.sparse as sp

    from .linear_model import ElasticNet, MultiTaskElasticNet

    rng = np.random.RandomState(0)
    X = rng.randn(8, 5)
    y = X @ rng.randn(5) + 0.1 * rng.randn(8)
    pf = np.array([0.0, 1.0, 1.0, 2.0, 1.0])
    ws = group in ("ws", "all")
    other = group in ("other", "all")
    for dtype in (np.float64, np.float32):
        t0 = time.perf_counter()
        Xd = np.asfortranarray(X, dtype=dtype)
        for Xl in (Xd, sp.csc_matrix(Xd)):
            for pen in ({}, {"penalty_factor": pf, "lower_bounds": -1.0}):
                if ws:
                    ElasticNet(alpha=0.01, **pen).fit(Xl, y)
                if other:
                    ElasticNet(alpha=0.01, l1_ratio=0.0, **pen).fit(Xl, y)
                    ElasticNet(alpha=0.01, solver="fista", **pen).fit(Xl, y)
        if other:
            ElasticNet(alpha=0.01, precompute=True).fit(Xd, y)
            # the multi-task kernel: one specialisation per dtype and layout (the
            # penalty factors and their projection are always passed as arrays)
            Y = np.column_stack([y, -y])
            for Xl in (Xd, sp.csc_matrix(Xd)):
                MultiTaskElasticNet(alpha=0.01).fit(Xl, Y)
        if verbose:
            name = np.dtype(dtype).name
            print(f"{group} {name}: {time.perf_counter() - t0:.2f} s", file=sys.stderr)


def warmup(verbose: bool = False, jobs: int | None = None) -> list[str]:
    """Compile (or load from the on-disk cache) every kernel specialisation.

    Runs tiny problems through the public estimators for each dtype (float32,
    float64), layout (dense, CSC) and penalty (none, penalty factors and bounds),
    with each solver (working-set CD for l1 > 0, plain CD for l1 = 0, FISTA), and
    the Gram solver (dense, no penalty factors) per dtype, and the multi-task
    block-CD kernel per dtype and layout. Other inputs (C order, strided,
    read-only, memory-mapped, CSR/COO, int64 indices, sample weights) are
    converted to one of these before they reach a kernel.

    With ``jobs`` > 1 (default: 2 if the machine has 2 cores or more and the
    on-disk cache is on) a second process compiles the plain-CD, FISTA, Gram and
    multi-task kernels while this one compiles the working-set kernel; each
    writes its own kernels' cache entries, and a last pass here loads them all
    (and compiles anything a concurrent index write lost).

    Returns
    -------
    compiled : list of str
        ``"name(signature)"`` for every specialisation now available.
    """
    import subprocess

    from ._config import JIT

    if jobs is None:
        jobs = 2 if (os.cpu_count() or 1) >= 2 else 1
    old = os.environ.get("FASTLASSO_COMPILE_NOTICE")
    os.environ["FASTLASSO_COMPILE_NOTICE"] = "0"
    try:
        if jobs > 1 and JIT.get("cache", False):
            code = "from fastlasso._warmup import _fit_all; _fit_all('other', %r)"
            proc = subprocess.Popen([sys.executable, "-c", code % verbose])
            try:
                _fit_all("ws", verbose)
            finally:
                proc.wait()
        _fit_all("all", verbose and jobs <= 1)
    finally:
        if old is None:
            os.environ.pop("FASTLASSO_COMPILE_NOTICE", None)
        else:
            os.environ["FASTLASSO_COMPILE_NOTICE"] = old
    out = []
    for name, disp in KERNELS.items():
        for sig in disp.signatures:
            out.append(f"{name}{tuple(str(t) for t in sig)}")
    return out
