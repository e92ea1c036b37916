"""On-disk caches of the compiled kernels: the shipped one and the user's.

Numba compiles a kernel on first use, which costs tens of seconds per
specialisation on a fresh machine. fastlasso therefore ships its entry-point
kernels compiled (``fastlasso/_compiled/``), as Numba cache files built for a
baseline x86-64 CPU (``x86-64-v3``: AVX2 and FMA, every x86-64 CPU since 2013-2015),
so that a first fit loads machine code instead of compiling it. Numba's own
documentation describes such portable caches (``NUMBA_CPU_NAME``); what fastlasso
adds is a loader that uses them only when they are valid here:

* the host CPU has every ``x86-64-v3`` feature and the platform triple matches;
* the kernel sources, Numba's version and the Python version are those the cache
  was built with (``MANIFEST.json`` holds a SHA-256 of every kernel source);
* ``FASTLASSO_SHIPPED_CACHE`` is not ``0``.

Otherwise the kernels are compiled as before and cached in the user's Numba cache
(``NUMBA_CACHE_DIR`` or ``__pycache__``). That cache is stamped with the same hash
of *all* kernel sources, not only the file that defines a function: a kernel links
its callees' code into its own, so an edit of ``_newton.py`` must invalidate the
cached ``cd_enet_ws`` too (Numba's per-file stamp would keep running the old code).

Rebuild the shipped cache after any change to ``fastlasso/_kernels`` or
``fastlasso/_config.py`` (``tests/test_compile.py`` fails until it is rebuilt)::

    python -m fastlasso._kernel_cache

which runs ``fastlasso warmup`` in a child process whose Numba targets
``x86-64-v3`` and writes the entry points' cache files and the manifest.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path

__all__ = ["install", "kernel_hash", "shipped_status"]

_PKG = Path(__file__).resolve().parent
#: Where the shipped cache lives (package data).
SHIPPED_DIR = _PKG / "_compiled"
MANIFEST = SHIPPED_DIR / "MANIFEST.json"
#: The CPU the shipped cache is compiled for, and the LLVM features it needs.
TARGET_CPU = "x86-64-v3"
_V3_FEATURES = (
    "avx", "avx2", "bmi", "bmi2", "cx16", "f16c", "fma", "lzcnt", "movbe",
    "popcnt", "sahf", "sse3", "sse4.1", "sse4.2", "ssse3", "xsave",
)  # fmt: skip
#: Set (by ``python -m fastlasso._kernel_cache``) in the child that builds it.
_BUILD_ENV = "FASTLASSO_BUILD_SHIPPED_CACHE"


def _flag(name: str, default: str = "1") -> bool:
    value = os.environ.get(name, default).strip().lower()
    return value not in {"0", "false", "no", "off", ""}


@functools.cache
def kernel_hash() -> str:
    """SHA-256 over the sources of every kernel module and ``_config.py`` (once
    per process: :func:`shipped_status` and the cache stamps both need it)."""
    h = hashlib.sha256()
    for path in sorted((_PKG / "_kernels").glob("*.py")) + [_PKG / "_config.py"]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _host() -> dict:
    import llvmlite.binding as ll
    import numba

    features = ll.get_host_cpu_features()
    return {
        "triple": ll.get_process_triple(),
        "numba": numba.__version__,
        "python": f"py{sys.version_info[0]}{sys.version_info[1]}",
        "v3": all(features.get(f, False) for f in _V3_FEATURES),
    }


def shipped_status() -> tuple[bool, str]:
    """``(usable, reason)``: whether the shipped cache is used in this process."""
    if not _flag("FASTLASSO_SHIPPED_CACHE"):
        return False, "off (FASTLASSO_SHIPPED_CACHE=0)"
    if _flag(_BUILD_ENV, "0"):
        return False, "being built"
    try:
        manifest = json.loads(MANIFEST.read_text())
    except (OSError, ValueError):
        return False, f"absent ({MANIFEST} missing)"
    host = _host()
    if not host["v3"]:
        return False, f"not usable: this CPU lacks {TARGET_CPU} features"
    for key in ("triple", "numba", "python"):
        if manifest.get(key) != host[key]:
            return False, (
                f"not usable: built for {key} {manifest.get(key)}, this is {host[key]}"
            )
    if manifest.get("kernel_hash") != kernel_hash():
        return False, "stale: kernel sources changed since it was built"
    return True, f"used ({len(manifest.get('entries', []))} specialisations)"


def _classes():
    """The cache classes (built lazily: they subclass Numba internals)."""
    from numba.core import caching

    stamp = kernel_hash()

    checked = set()

    class _Stamped:
        # every cached kernel is stale when any kernel source changed
        def get_source_stamp(self):
            return stamp

        def ensure_cache_path(self):
            # Numba creates the directory and writes a probe file in it for each
            # of the ~110 dispatchers (16 ms of the import); once per directory
            # is enough
            path = self.get_cache_path()
            if path not in checked:
                super().ensure_cache_path()
                checked.add(path)

    user_locators = [
        type("Stamped" + c.__name__, (_Stamped, c), {})
        for c in (
            caching.UserProvidedCacheLocator,
            caching.InTreeCacheLocator,
            caching.UserWideCacheLocator,
        )
    ]

    class ShippedLocator(_Stamped, caching._CacheLocator):
        def __init__(self, py_func, py_file):
            self._lineno = py_func.__code__.co_firstlineno

        def get_cache_path(self):
            return str(SHIPPED_DIR)

        def get_disambiguator(self):
            return str(self._lineno)

        @classmethod
        def from_function(cls, py_func, py_file):
            return cls(py_func, py_file)

    class UserImpl(caching.CompileResultCacheImpl):
        _locator_classes = user_locators

    class ShippedImpl(caching.CompileResultCacheImpl):
        _locator_classes = [ShippedLocator]

    class UserCache(caching.FunctionCache):
        _impl_class = UserImpl

    portable = ("fastlasso-shipped", TARGET_CPU)

    class ShippedCache(caching.FunctionCache):
        _impl_class = ShippedImpl

        def _index_key(self, sig, codegen):
            # the host's codegen differs from the build's (x86-64-v3) by design:
            # the key names the portable target instead of the host CPU
            key = super()._index_key(sig, codegen)
            return (key[0], portable, key[2])

    class KernelCache(caching._Cache):
        """Shipped cache first (read-only), then the user's cache."""

        def __init__(self, py_func, shipped: bool, build: bool):
            self._user = UserCache(py_func)
            self._shipped = ShippedCache(py_func) if (shipped or build) else None
            self._build = build

        @property
        def cache_path(self):
            return self._user.cache_path

        def holds(self, sig, codegen) -> bool:
            """Whether ``sig`` can be loaded (shipped or user cache)."""
            for c in (self._shipped, self._user):
                if c is not None:
                    key = c._index_key(sig, codegen)
                    if key in c._cache_file._load_index():
                        return True
            return False

        def counts(self) -> tuple[int, int]:
            """Specialisations held by the shipped and by the user cache."""
            return tuple(
                len(c._cache_file._load_index()) if c is not None else 0
                for c in (self._shipped, self._user)
            )

        def load_overload(self, sig, target_context):
            if self._shipped is not None:
                data = self._shipped.load_overload(sig, target_context)
                if data is not None:
                    return data
            return self._user.load_overload(sig, target_context)

        def save_overload(self, sig, data):
            if self._build and self._shipped is not None:
                cpu = data.codegen._get_host_cpu_name()
                if cpu != TARGET_CPU:  # pragma: no cover - build misconfigured
                    raise RuntimeError(f"shipped cache built for {cpu}")
                self._shipped.save_overload(sig, data)
            else:
                self._user.save_overload(sig, data)

        def enable(self):
            self._user.enable()

        def disable(self):
            self._user.disable()

        def flush(self):
            self._user.flush()

    return KernelCache


def install(modules) -> None:
    """Give every cached Numba dispatcher of ``modules`` a :class:`KernelCache`.

    Entry points (with a CPython wrapper) read the shipped cache when it is
    usable; kernels called only from other kernels are linked into them and use
    the user's cache alone. Dispatchers without an on-disk cache (caching off)
    are left alone."""
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    kernel_cache = None
    shipped, _ = shipped_status()
    build = _flag(_BUILD_ENV, "0")
    for module in modules:
        for obj in vars(module).values():
            if not isinstance(obj, Dispatcher) or isinstance(obj._cache, NullCache):
                continue
            if kernel_cache is None:
                kernel_cache = _classes()
            entry = not obj.targetoptions.get("no_cpython_wrapper", False)
            obj._cache = kernel_cache(obj.py_func, entry and shipped, entry and build)


def _build() -> None:
    """Rebuild ``fastlasso/_compiled`` (see the module docstring)."""
    import subprocess
    import tempfile
    import time

    import numba

    for f in SHIPPED_DIR.glob("*.nb[ic]"):
        f.unlink()
    SHIPPED_DIR.mkdir(exist_ok=True)
    MANIFEST.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            NUMBA_CPU_NAME=TARGET_CPU,
            NUMBA_CPU_FEATURES="",
            NUMBA_CACHE_DIR=tmp,
            FASTLASSO_COMPILE_NOTICE="0",
            **{_BUILD_ENV: "1"},
        )
        code = (
            "from fastlasso._warmup import warmup; "
            "print('\\n'.join(warmup(verbose=True)))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, check=True,
            stdout=subprocess.PIPE, text=True,
        ).stdout.split("\n")  # fmt: skip
    host = _host()
    manifest = {
        "kernel_hash": kernel_hash(),
        "numba": numba.__version__,
        "python": host["python"],
        "triple": host["triple"],
        "cpu": TARGET_CPU,
        "entries": [line for line in out if line.strip()],
    }
    MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n")
    size = sum(f.stat().st_size for f in SHIPPED_DIR.iterdir())
    print(
        f"{len(manifest['entries'])} specialisations, {size / 2**20:.1f} MiB in "
        f"{SHIPPED_DIR}, {time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    _build()
