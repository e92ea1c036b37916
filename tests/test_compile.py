"""Numba compilation: on-disk cache reuse across processes and specialisation budget.

Each test runs fresh Python subprocesses with NUMBA_CACHE_DIR pointing at a fresh
temporary directory, and reads dispatcher statistics printed as JSON.  No timings.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STATS = textwrap.dedent("""
    import json
    from fastlasso._kernels import KERNELS
    out = {}
    for name, disp in KERNELS.items():
        st = disp.stats
        out[name] = {
            "signatures": [str(s) for s in disp.signatures],
            "cache_hits": sum(st.cache_hits.values()),
            "cache_misses": sum(st.cache_misses.values()),
        }
    print("STATS=" + json.dumps(out))
""")

FIT_ONE = textwrap.dedent("""
    import numpy as np
    import scipy.sparse as sp
    from fastlasso import ElasticNet, Lasso
    rng = np.random.RandomState(0)
    X = rng.randn(30, 10)
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.randn(30)
    Lasso(alpha=0.05).fit(X, y)
    ElasticNet(alpha=0.05, l1_ratio=0.5).fit(sp.csc_matrix(X), y)
""")

FIT_MANY_DENSE = textwrap.dedent("""
    import numpy as np
    from fastlasso import ElasticNet, Lasso, enet_path, lasso_path
    rng = np.random.RandomState(0)
    X = rng.randn(30, 10)
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.randn(30)
    sw = rng.uniform(0.5, 2, 30)
    for dtype in (np.float64, np.float32):
        for Xl in (np.asfortranarray(X, dtype=dtype),
                   np.ascontiguousarray(X, dtype=dtype)):
            for fi in (True, False):
                for pos in (True, False):
                    for s in (None, sw):
                        Lasso(alpha=0.05, fit_intercept=fi, positive=pos).fit(
                            Xl, y, sample_weight=s)
                        ElasticNet(alpha=0.05, fit_intercept=fi, selection="random",
                                   random_state=0).fit(Xl, y, sample_weight=s)
            m = Lasso(alpha=0.1, warm_start=True).fit(Xl, y)
            m.set_params(alpha=0.01).fit(Xl, y)
            Lasso(alpha=0.05).fit(Xl, np.column_stack([y, -y]))
            lasso_path(Xl, y, alphas=5)
            enet_path(Xl, y, alphas=5, coef_init=np.zeros(10))
            from fastlasso import MultiTaskElasticNet, MultiTaskLasso
            Y2 = np.column_stack([y, -y, y ** 2])
            for fi in (True, False):
                for s in (None, sw):
                    MultiTaskLasso(alpha=0.05, fit_intercept=fi).fit(
                        Xl, Y2, sample_weight=s)
            MultiTaskElasticNet(alpha=0.05, selection="random", random_state=0,
                                penalty_factor=np.r_[0.0, np.ones(9)]).fit(Xl, Y2)
            lasso_path(Xl, Y2, alphas=5)
""")

FIT_MANY_SPARSE = textwrap.dedent("""
    import scipy.sparse as sp
    for dtype in (np.float64, np.float32):
        for Xs in (sp.csc_matrix(X.astype(dtype)), sp.csr_matrix(X.astype(dtype))):
            for fi in (True, False):
                for s in (None, sw):
                    Lasso(alpha=0.05, fit_intercept=fi).fit(Xs, y, sample_weight=s)
                    ElasticNet(alpha=0.05, fit_intercept=fi, positive=True,
                               selection="random", random_state=0).fit(
                                   Xs, y, sample_weight=s)
            lasso_path(Xs, y, alphas=5)
            for s in (None, sw):
                MultiTaskLasso(alpha=0.05).fit(Xs, Y2, sample_weight=s)
""")

FIT_MANY_GRAM = textwrap.dedent("""
    for dtype in (np.float64, np.float32):
        Xl = np.asfortranarray(X, dtype=dtype)
        for fi in (True, False):
            ElasticNet(alpha=0.05, fit_intercept=fi, precompute=True).fit(
                Xl, y, sample_weight=sw)
        G = Xl.T @ Xl
        lasso_path(Xl, y, alphas=5, precompute=G, Xy=Xl.T @ y.astype(dtype))
        lasso_path(Xl, y, alphas=5, precompute="auto")
""")


def run_python(code, cache_dir, stderr=None, shipped=False, stdout=None):
    """Run ``code`` in a fresh interpreter with NUMBA_CACHE_DIR ``cache_dir``;
    the shipped (precompiled) cache is off unless ``shipped``, so that the
    tests below see Numba compile and cache."""
    env = dict(os.environ)
    env["NUMBA_CACHE_DIR"] = str(cache_dir)
    env["FASTLASSO_SHIPPED_CACHE"] = "1" if shipped else "0"
    env.pop("NUMBA_DISABLE_JIT", None)
    env.pop("FASTLASSO_NUMBA_CACHE", None)  # caching on (its default)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1500,  # a cold warm-up of every kernel on a loaded 2-core machine
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("STATS=")][-1]
    if stderr is not None:
        stderr.append(proc.stderr)
    if stdout is not None:
        stdout.append(proc.stdout)
    return json.loads(line[len("STATS=") :])


def test_kernels_loaded_from_cache_in_fresh_process(tmp_path):
    cache_dir = tmp_path / "numba-cache"
    cache_dir.mkdir()
    err = []
    first = run_python(FIT_ONE + STATS, cache_dir, err)
    # the compile is announced once per specialisation (dense and CSC here)
    lines = err[0].splitlines()
    notices = [ln for ln in lines if ln.startswith("fastlasso: compiling")]
    assert len(notices) == 2, err[0]
    assert "float64 dense" in notices[0] and "float64 sparse" in notices[1], notices
    used = [name for name, st in first.items() if st["signatures"]]
    assert used, f"no kernel in KERNELS was used by a fit: {first}"
    # the first process really compiled (cold cache), so the next check means something
    for name in used:
        assert first[name]["cache_misses"] > 0, (name, first[name])
        assert first[name]["cache_hits"] == 0, (name, first[name])
    files = [f for _, _, fs in os.walk(cache_dir) for f in fs]
    assert any(f.endswith(".nbi") for f in files), files
    assert any(f.endswith(".nbc") for f in files), files

    second = run_python(FIT_ONE + STATS, cache_dir, err)
    assert "fastlasso: compiling" not in err[1], err[1]  # loaded: no notice
    # (a kernel compiled only as a callee of another kernel in the first process
    # need not be touched at all in the second one: it is linked into its caller)
    used2 = [name for name, st in second.items() if st["signatures"]]
    assert used2 and set(used2) <= set(used), (used, used2)
    for name in used2:
        st = second[name]
        assert st["cache_hits"] > 0, (name, st)
        assert st["cache_misses"] == 0, (name, st)
        assert set(st["signatures"]) <= set(first[name]["signatures"])
    # the cache did not grow on the second run
    files2 = [f for _, _, fs in os.walk(cache_dir) for f in fs]
    assert sorted(files2) == sorted(files)


@pytest.mark.parametrize("scope", ["dense", "all"])
def test_specialisation_budget(numba_cache_dir, scope):
    """Inputs are canonicalised, so each kernel compiles at most one specialisation
    per dtype for dense input (F and C order, weights, intercept, positive,
    selection, warm start, 2-D y, paths), and at most one per dtype and layout
    (dense / CSC, CSR converted) overall (STYLE.md "compile budget")."""
    code = FIT_MANY_DENSE
    if scope == "all":
        code += FIT_MANY_SPARSE + FIT_MANY_GRAM
    # the session cache is shared with the test process: compile work is reused, and
    # signatures loaded from a cache (the session's or the shipped one) count
    # exactly like compiled ones
    stats = run_python(code + STATS, numba_cache_dir, shipped=True)
    limit = 2 if scope == "dense" else 4
    for name, st in stats.items():
        assert len(st["signatures"]) <= limit, (name, st["signatures"])
    assert any(st["signatures"] for st in stats.values())


WARMUP = textwrap.dedent("""
    from fastlasso._warmup import warmup
    compiled = warmup()
    print("N_WARMUP=" + str(len(compiled)))
""")

# Every kind of input a user can pass, fitted after warm-up in a fresh process.
FIT_AFTER_WARMUP = textwrap.dedent("""
    import os, tempfile
    import numpy as np
    import scipy.sparse as sp
    from fastlasso import (ElasticNet, ElasticNetCV, Lasso, LogisticRegression,
                           Ridge, lasso_path)
    rng = np.random.RandomState(1)
    X = rng.randn(40, 12)
    y = X[:, 0] - X[:, 3] + 0.1 * rng.randn(40)
    yc = np.where(y > 0, "yes", "no")
    y3 = np.digitize(y, [-0.5, 0.5])
    sw = rng.uniform(0.5, 2.0, 40)
    ro = np.asfortranarray(X.copy()); ro.flags.writeable = False
    path = os.path.join(tempfile.mkdtemp(), "X.npy")
    np.save(path, np.asfortranarray(X))
    mm = np.load(path, mmap_mode="r")
    y_ro = y.copy(); y_ro.flags.writeable = False
    csr64 = sp.csr_matrix(X); csr64.indices = csr64.indices.astype(np.int64)
    csr64.indptr = csr64.indptr.astype(np.int64)
    csc64 = sp.csc_matrix(X); csc64.indices = csc64.indices.astype(np.int64)
    csc64.indptr = csc64.indptr.astype(np.int64)
    inputs = [X, np.ascontiguousarray(X), ro, mm, X[:, ::1].T.copy().T,
              np.asfortranarray(np.hstack([X, X]))[:, ::2], X.astype(np.float32),
              np.ascontiguousarray(X, dtype=np.float32), sp.csc_matrix(X),
              csr64, csc64, sp.coo_matrix(X), sp.csr_matrix(X.astype(np.float32))]
    pf = np.ones(12); pf[0] = 0.0; pf.flags.writeable = False
    def fit(f, *a, **k):
        # int64 indices: scikit-learn's estimators refuse them (fastlasso too,
        # with the same error); what accepts them must not compile
        try:
            f(*a, **k)
        except ValueError as e:
            assert "32-bit integer indices" in str(e), e
    for Xl in inputs:
        for s in (None, sw):
            fit(Lasso(alpha=0.05).fit, Xl, y_ro, sample_weight=s)
            fit(ElasticNet(alpha=0.05, l1_ratio=0.5, penalty_factor=pf,
                           upper_bounds=2.0).fit, Xl, y, sample_weight=s)
            fit(ElasticNet(alpha=0.05, l1_ratio=0.0).fit, Xl, y, sample_weight=s)
            fit(Ridge(alpha=1.0).fit, Xl, y, sample_weight=s)
        fit(lasso_path, Xl, y, alphas=4)
        for s in (None, sw):
            fit(LogisticRegression(l1_ratio=1.0, solver="saga").fit, Xl, yc,
                sample_weight=s)
            fit(LogisticRegression().fit, Xl, y3, sample_weight=s)
        fit(ElasticNet(alpha=0.05, solver="fista").fit, Xl, y)
    for Xl in inputs[:4]:
        ElasticNet(alpha=0.05, precompute=True).fit(Xl, y, sample_weight=sw)
    ElasticNetCV(cv=3, alphas=5, l1_ratio=[0.5, 1.0]).fit(mm, y)
    from fastlasso import LogisticRegressionCV
    LogisticRegressionCV(Cs=3, cv=3, l1_ratios=[0.5, 1.0], solver="saga",
                         scoring="neg_log_loss", n_jobs=2).fit(mm, yc)
    from fastlasso import (MultiTaskElasticNet, MultiTaskElasticNetCV,
                           MultiTaskLasso, MultiTaskLassoCV)
    Y = np.column_stack([y, -y, y ** 2])
    Y_ro = Y.copy(); Y_ro.flags.writeable = False
    for Xl in inputs:
        for s in (None, sw):
            fit(MultiTaskLasso(alpha=0.05).fit, Xl, Y_ro, sample_weight=s)
            fit(MultiTaskElasticNet(alpha=0.05, penalty_factor=pf).fit, Xl, Y,
                sample_weight=s)
        fit(lasso_path, Xl, Y, alphas=4)
    MultiTaskLassoCV(cv=3, alphas=5, n_jobs=2).fit(mm, Y)
    MultiTaskElasticNetCV(cv=3, alphas=5, l1_ratio=[0.5, 1.0]).fit(
        sp.csr_matrix(X), Y, sample_weight=sw)
""")


def test_no_compile_after_warmup(tmp_path):
    """After ``fastlasso warmup``, no input a user can pass compiles a kernel: a
    fresh process fitting read-only, memory-mapped, C-ordered, strided, float32,
    CSR/CSC/COO with int64 indices, weighted and penalty-factor inputs (single-
    and multi-task estimators, paths and CV) loads every
    specialisation from the cache (no cache miss) and needs none that warm-up did
    not make."""
    cache_dir = tmp_path / "numba-cache"
    cache_dir.mkdir()
    # With the shipped kernels (where they fit) warm-up loads them instead of
    # compiling: the property tested, no input needs a specialisation warm-up
    # did not make, is the same, and a compiling warm-up costs ~4 minutes of CI
    # (``FASTLASSO_SHIPPED_CACHE=0`` reproduces it).
    from fastlasso._kernel_cache import _flag

    shipped = _flag("FASTLASSO_SHIPPED_CACHE")  # the package's own reading
    warm = run_python(WARMUP + STATS, cache_dir, shipped=shipped)
    after = run_python(FIT_AFTER_WARMUP + STATS, cache_dir, shipped=shipped)
    assert any(st["signatures"] for st in after.values())
    for name, st in after.items():
        assert st["cache_misses"] == 0, (name, st)
        assert set(st["signatures"]) <= set(warm[name]["signatures"]), name


# Every compilation in the process, of any dispatcher (kernels, their callees,
# overloads), counted through Numba's event API.
COUNT_COMPILES = textwrap.dedent("""
    from numba.core import event as _ev
    _COMPILED = []
    class _Count(_ev.Listener):
        def on_start(self, e):
            pass
        def on_end(self, e):
            _COMPILED.append(e.data["dispatcher"].py_func.__qualname__)
    _ev.register("numba:compile", _Count())
""")
SHIPPED = textwrap.dedent("""
    from fastlasso._kernel_cache import shipped_status
    print("COMPILED=" + json.dumps(_COMPILED))
    print("SHIPPED=" + json.dumps(shipped_status()))
""")


def test_shipped_cache_is_current():
    """The shipped cache was built from the kernel sources as they are now and
    for the Numba and Python of this environment (else every fresh machine
    compiles): after editing ``fastlasso/_kernels`` or ``_config.py``, rebuild it
    with ``python -m fastlasso._kernel_cache``."""
    import numba

    from fastlasso import _kernel_cache as kc

    manifest = json.loads(kc.MANIFEST.read_text())
    hint = "stale shipped cache: run 'python -m fastlasso._kernel_cache'"
    assert manifest["kernel_hash"] == kc.kernel_hash(), hint
    assert manifest["numba"] == numba.__version__, hint
    assert manifest["python"] == f"py{sys.version_info[0]}{sys.version_info[1]}"
    assert manifest["cpu"] == kc.TARGET_CPU
    # every specialisation warm-up makes is shipped, and each has its file
    names = {e.split("(")[0] for e in manifest["entries"]}
    from fastlasso._kernels import KERNELS

    assert names == set(KERNELS), names
    assert len(list(kc.SHIPPED_DIR.glob("*.nbc"))) >= len(manifest["entries"])


def test_user_cache_stamped_with_all_kernel_sources():
    """A kernel links its callees' code into its own, so the user cache of every
    kernel is stamped with a hash of all kernel sources (an edit of a callee's
    module invalidates its callers' cache entries too)."""
    from fastlasso import _kernel_cache as kc
    from fastlasso._kernels import KERNELS, _newton

    for disp in list(KERNELS.values()) + [_newton._newton]:
        user = disp._cache._user
        assert user._impl.locator.get_source_stamp() == kc.kernel_hash()


def test_shipped_cache_loads_without_compiling(tmp_path):
    """On a fresh machine (empty Numba cache, fresh process) every input a user
    can pass fits without a single compilation when the shipped cache is usable:
    it holds machine code for every entry point and specialisation."""
    from fastlasso._kernel_cache import shipped_status

    usable, why = shipped_status()
    if not usable:
        pytest.skip(f"shipped cache {why}")
    cache_dir = tmp_path / "numba-cache"
    cache_dir.mkdir()
    code = COUNT_COMPILES + FIT_AFTER_WARMUP + STATS + SHIPPED
    err, out = [], []
    stats = run_python(code, cache_dir, err, shipped=True, stdout=out)
    assert "fastlasso: compiling" not in err[0], err[0][-2000:]
    lines = out[0].splitlines()
    shipped = json.loads([ln for ln in lines if ln.startswith("SHIPPED=")][-1][8:])
    assert shipped[0], shipped
    compiled = json.loads([ln for ln in lines if ln.startswith("COMPILED=")][-1][9:])
    assert compiled == [], f"compiled despite the shipped cache: {compiled}"
    assert any(st["signatures"] for st in stats.values())
    for name, st in stats.items():
        assert st["cache_misses"] == 0, (name, st)
    assert not os.listdir(cache_dir) or not any(
        f.endswith(".nbc") for _, _, fs in os.walk(cache_dir) for f in fs
    ), "something compiled and was cached"
