"""Shared fixtures for the fastlasso test suite.

NUMBA_CACHE_DIR is pointed at a fresh temporary directory *at import time*, before
fastlasso (and therefore any Numba dispatcher with ``cache=True``) is imported, so the
suite never reads or writes a user's cache.  A caller-provided NUMBA_CACHE_DIR is
respected.  The directory is removed at the end of the session.
"""

import os
import shutil
import tempfile

if "NUMBA_CACHE_DIR" not in os.environ:
    _NUMBA_CACHE_DIR = tempfile.mkdtemp(prefix="fastlasso-numba-cache-")
    os.environ["NUMBA_CACHE_DIR"] = _NUMBA_CACHE_DIR
else:
    _NUMBA_CACHE_DIR = None

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def numba_cache_dir():
    """The session's NUMBA_CACHE_DIR (removed in pytest_unconfigure if temporary)."""
    return os.environ["NUMBA_CACHE_DIR"]


def pytest_unconfigure(config):
    # runs even when collection fails or no test uses the fixture
    if _NUMBA_CACHE_DIR is not None:
        shutil.rmtree(_NUMBA_CACHE_DIR, ignore_errors=True)


@pytest.fixture(params=[np.float64, np.float32], ids=["f64", "f32"])
def dtype(request):
    return request.param


@pytest.fixture(params=["F", "csc"])
def layout(request):
    return request.param
