"""Package-wide settings for the Numba kernels.

``JIT`` is read once, at import of the kernel modules. Kernels are compiled lazily
(nothing compiles at import) and cached on disk (``cache=True``) so that a second
process loads them instead of recompiling. Set ``FASTLASSO_NUMBA_CACHE=0`` to turn
the on-disk cache off (for example on a read-only file system without a
``NUMBA_CACHE_DIR``).
"""

import os

__all__ = ["JIT"]


def _cache_enabled() -> bool:
    return os.environ.get("FASTLASSO_NUMBA_CACHE", "1").strip().lower() not in {
        "0",
        "false",
        "no",
        "off",
    }


# No fastmath: the convergence test must see NaN and inf (STYLE.md, section 2.4).
JIT = dict(cache=_cache_enabled(), nogil=True, error_model="numpy")

#: Options of kernels called only from other kernels: no CPython (or cfunc)
#: wrapper is generated for them. Numba otherwise builds, optimises and
#: machine-codes one per jitted function, although only the entry points
#: (``_kernels.KERNELS``) are called from Python: measured (A/B, 2 runs each, 2
#: cores), a first dense fit on an empty cache 18.1 s -> 15.9 s. Such a function
#: cannot be called from Python (use ``.py_func`` in tests).
INNER = dict(JIT, no_cpython_wrapper=True, no_cfunc_wrapper=True)
