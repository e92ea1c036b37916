"""Numba kernels for the elastic-net objective, one module per job.

Every kernel minimises, over ``w``,

    P(w) = 0.5 * sum_i sw_i * (y_i - z_i @ w)**2 + l1 * ||w||_1 + 0.5 * l2 * ||w||_2**2

where ``Z = X - 1 @ X_offset.T`` is the design centred *implicitly* (``X`` itself is
never modified nor copied) and ``sw`` are sample weights (all ones when
``weighted`` is False). Lasso is ``l2 = 0``, Ridge is ``l1 = 0``.

One kernel body serves dense and sparse designs. A design is passed as

a tuple ``Xd``:

* dense: ``(X, n)``, the matrix raveled in Fortran order (a 1-D view, no copy),
  column ``j`` being ``X[j * n:(j + 1) * n]``;
* sparse: ``(X_data, X_indices, X_indptr)``, the CSC triple in scipy's
  constructor order (int32 indices).

Column operations (``col_dot``, ``col_axpy``, ...) are resolved at compile time by
``numba.extending.overload`` on the tuple's type, so the one body compiles to one
specialisation per layout and dtype (4 in all), each with tight loops, instead of
dense/sparse twins that drift apart. Only arrays, tuples of arrays and scalars
cross the boundary, which keeps ``cache=True`` effective (STYLE.md, Numba lessons).

Residual bookkeeping. The true residual is ``r = y - Z w``. Kernels keep
``r = R + s`` with a dense vector ``R`` and a scalar ``s``: updating ``w_j`` by ``d``
costs ``R -= d * X[:, j]`` (O(nnz of column j) when sparse) and ``s += d * mu_j``
instead of an O(n) pass for the centring term; ``s`` is folded back into ``R``
at every gap evaluation and whenever the work since the last fold reaches ``n``,
which bounds the rounding error of the representation. ``S = sum_i sw_i r_i``
is tracked as a scalar too; the centred correlation of column ``j`` with the
residual is then ``sum_i x_ij sw_i R_i + s * sum_i sw_i x_ij - mu_j * S``.

Stopping rule (same as scikit-learn >= 1.8): after an epoch whose largest
coefficient change is small relative to the largest coefficient (or on the last
epoch), compute the duality gap; stop when ``gap <= tol * sum_i sw_i y_i**2``.
Gap-safe screening (Fercoq, Gramfort, Salmon 2015; Ndiaye et al. 2017,
arXiv:1802.07481, eq. 11) discards features for good from the current dual point.

Kernels return ``(gap, tol_gap, n_iter, converged)`` with ``gap`` and ``tol_gap``
in the unscaled objective above; ``n_iter`` counts epochs and is 0 when the
starting point already satisfies the gap test.

Layout (each a module of this package):

* ``_colops``: column operations on a design (dense or CSC), per-design statistics;
* ``_gap``: duality-gap certificates; ``_penalty``: penalty factors and bounds
  (compiled only into the specialisations that get ``pen``), the coordinate update;
* ``_screening``: gap-safe screening, strong rule, working-set selection;
* ``_epoch``: the CD epoch and residual set-up;
* ``_anderson``, ``_newton``: the accelerations;
* ``_workset``: the working-set path driver :func:`cd_enet_ws`;
* ``_cd``: plain CD (:func:`cd_enet`) and Gram CD (:func:`cd_enet_gram`);
* ``_fista``: accelerated proximal gradient (:func:`fista_enet`);
* ``_multitask``: block CD for the multi-task elastic net (L2,1 penalty) along a
  path, with working sets, group screening and Anderson (:func:`mt_enet`);
  ``_mt_gap``: its duality-gap certificate.

Importing this package compiles nothing; ``fastlasso._warmup.warmup`` does.
"""

from ._cd import cd_enet, cd_enet_gram
from ._colops import col_stats
from ._fista import fista_enet
from ._gap import enet_gap
from ._multitask import mt_enet
from ._workset import cd_enet_ws

__all__ = [
    "KERNELS",
    "cd_enet",
    "cd_enet_gram",
    "cd_enet_ws",
    "col_stats",
    "enet_gap",
    "fista_enet",
    "mt_enet",
]

#: Kernel entry points called from Python, by name (each a ``numba`` dispatcher).
#: Helpers are compiled into these (and cached on disk with their own modules).
KERNELS = {
    "cd_enet": cd_enet,
    "cd_enet_gram": cd_enet_gram,
    "cd_enet_ws": cd_enet_ws,
    "col_stats": col_stats,
    "fista_enet": fista_enet,
    "mt_enet": mt_enet,
}


def _install_caches() -> None:
    import sys

    from .._kernel_cache import install

    prefix = __name__ + "."
    install([m for name, m in list(sys.modules.items()) if name.startswith(prefix)])


# the shipped (precompiled) cache and the source-hash stamp of the user cache
_install_caches()
