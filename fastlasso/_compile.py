"""Compile-time bookkeeping: say when a kernel must be compiled.

The kernels ship precompiled where the CPU, Numba and Python fit
(:mod:`fastlasso._kernel_cache`); elsewhere Numba compiles them on first use
and caches them on disk (``cache=True``), so a first fit there pays the
compile time once; :func:`notify` tells the user on stderr when that is about to happen
(set ``FASTLASSO_COMPILE_NOTICE=0`` to silence it), and
``fastlasso._warmup.warmup`` compiles every specialisation an input can reach,
ahead of time.

Inputs are canonicalised before they reach a kernel (``_path.kernel_array``:
contiguous, read-only, int32 CSC indices), so the specialisations that can occur
are exactly: kernel x layout (dense, CSC) x dtype (float32, float64) x penalty
(plain, or penalty factors / bounds), plus the Gram kernel per dtype and the
column statistics per layout and dtype.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from ._kernels import KERNELS

__all__ = ["describe", "notify"]

#: Rough first-compile times on a 2-core machine, in seconds, by kernel (the
#: number shown in the notice; measured with ``bench/cold_start.py``).
_COST = {
    "cd_enet_ws": 15,
    "cd_enet": 8,
    "fista_enet": 10,
    "cd_enet_gram": 6,
    "mt_enet": 25,
}

_checked: set = set()


def _enabled() -> bool:
    flag = os.environ.get("FASTLASSO_COMPILE_NOTICE", "1").strip().lower()
    return flag not in {"0", "false", "no", "off"}


def _in_cache(dispatcher, args) -> bool:
    """Whether the specialisation for ``args`` is compiled in this process or
    stored in the on-disk cache (Numba internals; True when it cannot tell)."""
    try:
        sig = tuple(dispatcher.typeof_pyval(a) for a in args)
        if any(tuple(s) == sig for s in dispatcher.signatures):
            return True
        return dispatcher._cache.holds(sig, dispatcher.targetctx.codegen())
    except Exception:  # noqa: BLE001 - a notice must never break a fit
        return True


def notify(name: str, args: tuple, kind: tuple) -> None:
    """Print once per process and specialisation that kernel ``name`` is about
    to be compiled for ``args``. ``kind`` is :func:`describe`'s ``(dtype, layout,
    penalised)``; the words of the notice are made only when it is printed, so
    a call costs a set lookup after the first one for a specialisation."""
    key = (name, *kind)
    if key in _checked:
        return
    _checked.add(key)
    if not _enabled() or _in_cache(KERNELS[name], args):
        return
    dtype, layout, penalised = kind
    what = f"{np.dtype(dtype).name} {layout}"
    if penalised:
        what += " with penalty factors / bounds"
    print(
        f"fastlasso: compiling the {name} kernel for {what} data, once per "
        f"machine (~{_COST.get(name, 5)} s; cached afterwards; "
        "'fastlasso warmup' compiles all ahead of time; "
        "FASTLASSO_COMPILE_NOTICE=0 silences this)",
        file=sys.stderr,
        flush=True,
    )


def describe(design, pen) -> tuple:
    """``(dtype, layout, penalised)`` of a design and penalty, for :func:`notify`
    (e.g. ``(float64, "sparse (CSC)", False)``)."""
    layout = "sparse (CSC)" if design.is_sparse else "dense"
    return (design.dtype, layout, pen is not None)
