"""pytest configuration of the benchmark suite (``pytest bench/ --benchmark-only``).

Threads are pinned to one before numpy, scipy or numba are imported by the
suite (``*_NUM_THREADS=1``, and ``threadpool_limits(1)`` for the session), so
every solver runs single-threaded; ``bench/`` is put on ``sys.path`` so the
suite imports ``problems``, ``solvers``, ``cases`` and ``logistic_compare``.
"""

import os
import sys
from pathlib import Path

for _var in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ[_var] = "1"

_BENCH = str(Path(__file__).resolve().parent)
if _BENCH not in sys.path:
    sys.path.insert(0, _BENCH)

import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def golden():
    from cases import GOLDEN, load_golden

    refs = load_golden()
    if not refs:
        pytest.fail(f"{GOLDEN} missing: run python bench/make_golden.py")
    return refs


class _DataCache:
    """The data of the current case (one dataset in memory at a time)."""

    def __init__(self):
        self.key, self.value = None, None

    def get(self, case, ref):
        from cases import data_available, load_data, xtr_seconds

        if not data_available(case):
            pytest.skip(f"{case.dataset}: shared data not found (FASTLASSO_DATA)")
        if self.key != case.name:
            self.key, self.value = None, None
            data = load_data(case, golden=ref)
            data.extra["xtr_seconds"] = xtr_seconds(data.X, data.y)
            self.key, self.value = case.name, data
        return self.value


@pytest.fixture(scope="session")
def case_data():
    return _DataCache()
