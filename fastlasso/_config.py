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
