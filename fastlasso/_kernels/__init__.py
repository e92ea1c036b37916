"""Numba kernels. Importing this package compiles nothing; :func:`warmup` does."""

import time

import numpy as np

from ._cd import cd_enet, cd_enet_gram, cd_enet_ws, col_stats, enet_gap
from ._fista import fista_enet

__all__ = [
    "KERNELS",
    "cd_enet",
    "cd_enet_gram",
    "cd_enet_ws",
    "col_stats",
    "enet_gap",
    "fista_enet",
    "warmup",
]

#: Kernel entry points called from Python, by name (each a ``numba`` dispatcher).
#: Helpers such as ``enet_gap`` are compiled into these and cached with them.
KERNELS = {
    "cd_enet": cd_enet,
    "cd_enet_gram": cd_enet_gram,
    "cd_enet_ws": cd_enet_ws,
    "col_stats": col_stats,
    "fista_enet": fista_enet,
}


def warmup(verbose: bool = False) -> list[str]:
    """Compile (or load from the on-disk cache) every kernel specialisation.

    fastlasso canonicalises its inputs (Fortran-raveled dense data or a CSC triple
    with int32 indices; float32 or float64), so each kernel has one specialisation
    per layout and dtype. This runs tiny dense, sparse and Gram problems in both
    dtypes through the public estimators, with each solver (working-set CD for
    l1 > 0, plain CD for l1 = 0, covariance updates, FISTA).

    Returns
    -------
    compiled : list of str
        ``"name(signature)"`` for every specialisation now available.
    """
    import scipy.sparse as sp

    from ..linear_model import ElasticNet

    rng = np.random.RandomState(0)
    X = rng.randn(8, 5)
    y = X @ rng.randn(5) + 0.1 * rng.randn(8)
    for dtype in (np.float64, np.float32):
        Xd = X.astype(dtype)
        t0 = time.perf_counter()
        for Xl in (Xd, sp.csc_matrix(Xd)):
            ElasticNet(alpha=0.01).fit(Xl, y)  # working sets (l1 > 0)
            ElasticNet(alpha=0.01, l1_ratio=0.0).fit(Xl, y)  # plain CD (l1 = 0)
        ElasticNet(alpha=0.01, precompute=True).fit(Xd, y)
        ElasticNet(alpha=0.01, solver="fista").fit(Xd, y)
        ElasticNet(alpha=0.01, solver="fista").fit(sp.csc_matrix(Xd), y)
        if verbose:
            print(f"{np.dtype(dtype).name}: {time.perf_counter() - t0:.2f} s")
    out = []
    for name, disp in KERNELS.items():
        for sig in disp.signatures:
            out.append(f"{name}{tuple(str(t) for t in sig)}")
    return out
