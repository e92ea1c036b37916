"""MultiTaskElasticNet / MultiTaskLasso and enet_path with a 2-D y.

Against scikit-learn 1.9.1's multi-task classes (dense, tight tol) on a grid of
shapes, task counts, l1_ratio, intercept, sample weights and three alphas:
objectives within 1e-8 (relative) of the better one, coefficients within 1e-5
where the minimiser is unique; every solution carries its duality gap (<= tol)
and satisfies the optimality (KKT) conditions of the L2,1 problem, checked here
from the objective with numpy; dense and CSC give the same answer.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastlasso as fl
from fastlasso._multitask_path import mt_solve_path
from fastlasso._path import Design

SHAPES = {"n<p": (20, 30), "n>p": (40, 8)}


def _problem(shape, n_tasks, seed=0):
    n, p = SHAPES[shape]
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 0.5 * rng.randn(n, 1)  # correlated columns
    X[:, 0] += 3.0  # a column far from centred
    W = np.zeros((p, n_tasks))
    W[:4] = rng.randn(4, n_tasks)
    Y = X @ W + 0.5 * rng.randn(n, n_tasks) + 2.0
    return np.asfortranarray(X), Y


def _centre(X, Y, sw, fit_intercept):
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    sw = np.ones(n) if sw is None else np.asarray(sw, float) * n / np.sum(sw)
    if not fit_intercept:
        return X, np.asarray(Y, float), sw
    return X - np.average(X, 0, sw), Y - np.average(Y, 0, sw), sw


def _alpha_max(X, Y, sw, fit_intercept, l1_ratio):
    Xc, Yc, sw = _centre(X, Y, sw, fit_intercept)
    G = Xc.T @ (sw[:, None] * Yc)
    return np.sqrt((G**2).sum(1)).max() / (len(sw) * l1_ratio)


def objective(X, Y, coef, intercept, alpha, l1_ratio, sw=None, pf=None):
    """scikit-learn's multi-task objective (weighted mean squared loss)."""
    X = X.toarray() if sp.issparse(X) else X
    n = X.shape[0]
    sw = np.ones(n) if sw is None else np.asarray(sw, float) * n / np.sum(sw)
    pf = np.ones(coef.shape[1]) if pf is None else np.asarray(pf, float)
    R = Y - X @ coef.T - intercept
    row2 = (coef**2).sum(0)
    return (
        0.5 / n * (sw[:, None] * R**2).sum()
        + alpha * l1_ratio * (pf * np.sqrt(row2)).sum()
        + 0.5 * alpha * (1 - l1_ratio) * (pf * row2).sum()
    )


def assert_kkt(X, Y, est, alpha, l1_ratio, sw=None, pf=None, rtol=1e-3):
    """Optimality of the L2,1 problem, row by row: with ``G_j`` the gradient of
    the smooth part at row j, ``G_j = -alpha l1_ratio pf_j W_j / ||W_j||`` on the
    support, ``||G_j|| <= alpha l1_ratio pf_j`` off it (tolerance ``rtol`` of
    alpha l1_ratio: the gap bounds the objective, not the gradient)."""
    Xc, Yc, swn = _centre(X, Y, sw, est.fit_intercept)
    n = Xc.shape[0]
    pf = np.ones(Xc.shape[1]) if pf is None else np.asarray(pf, float)
    W = est.coef_.T.astype(np.float64)  # (p, T)
    R = Yc - Xc @ W
    G = -(Xc.T @ (swn[:, None] * R)) / n + alpha * (1 - l1_ratio) * pf[:, None] * W
    lam = alpha * l1_ratio
    slack = rtol * max(lam, 1e-12)
    norms = np.linalg.norm(W, axis=1)
    for j in range(W.shape[0]):
        if norms[j] > 0:
            target = -lam * pf[j] * W[j] / norms[j]
            assert np.linalg.norm(G[j] - target) <= slack * 10 + 1e-12, j
        else:
            assert np.linalg.norm(G[j]) <= lam * pf[j] + slack, j


def _sklearn(X, Y, alpha, l1_ratio, fit_intercept, sw):
    # a copy: scikit-learn 1.9.1 rescales X by sqrt(sample_weight) in place when
    # fit_intercept=False (copy_X only copies when fitting an intercept)
    X = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sk.MultiTaskElasticNet(
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=fit_intercept,
            tol=1e-13,
            max_iter=100000,
        ).fit(X, Y, sample_weight=sw)


@pytest.mark.parametrize("shape", ["n<p", "n>p"])
@pytest.mark.parametrize("n_tasks", [2, 10])
@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_parity_with_sklearn(shape, n_tasks, l1_ratio, fit_intercept, weighted):
    X, Y = _problem(shape, n_tasks, seed=n_tasks)
    n = X.shape[0]
    sw = np.random.RandomState(1).uniform(0.2, 2.0, n) if weighted else None
    amax = _alpha_max(X, Y, sw, fit_intercept, l1_ratio)
    unique = l1_ratio < 1 or shape == "n>p"
    for alpha in amax * np.array([0.5, 0.1, 0.01]):
        ref = _sklearn(X, Y, alpha, l1_ratio, fit_intercept, sw)
        o_ref = objective(X, Y, ref.coef_, ref.intercept_, alpha, l1_ratio, sw)
        fits = []
        for Xl in (X, sp.csc_matrix(X)):
            est = fl.MultiTaskElasticNet(
                alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-12
            ).fit(Xl, Y, sample_weight=sw)
            fits.append(est)
            o = objective(X, Y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
            assert o <= min(o, o_ref) * (1 + 1e-8)
            assert est.coef_.shape == (n_tasks, X.shape[1])
            assert est.intercept_.shape == (n_tasks,)
            assert -1e-12 * o <= est.dual_gap_ and est.dual_gap_ * n <= est.eps_
            # the certificate: the objective is within dual_gap_ of the optimum
            assert o - min(o, o_ref) <= est.dual_gap_ + 1e-12 * o
            assert_kkt(X, Y, est, alpha, l1_ratio, sw)
            if unique:
                np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-5)
                np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-5)
        np.testing.assert_allclose(fits[0].coef_, fits[1].coef_, atol=1e-7)
        np.testing.assert_allclose(fits[0].intercept_, fits[1].intercept_, atol=1e-7)


def test_multitask_lasso_is_l1_ratio_one():
    X, Y = _problem("n<p", 3)
    a = fl.MultiTaskLasso(alpha=0.2, tol=1e-10).fit(X, Y)
    b = fl.MultiTaskElasticNet(alpha=0.2, l1_ratio=1.0, tol=1e-10).fit(X, Y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert "l1_ratio" not in a.get_params()
    ref = sk.MultiTaskLasso(alpha=0.2, tol=1e-10).fit(X, Y)
    o_ref = objective(X, Y, ref.coef_, ref.intercept_, 0.2, 1.0)
    o = objective(X, Y, a.coef_, a.intercept_, 0.2, 1.0)
    assert o <= o_ref * (1 + 1e-8)


@pytest.mark.parametrize("layout", ["dense", "csc"])
def test_float32(layout):
    X, Y = _problem("n<p", 3)
    X32 = X.astype(np.float32)
    X32 = sp.csc_matrix(X32) if layout == "csc" else np.asfortranarray(X32)
    est = fl.MultiTaskElasticNet(alpha=0.1, tol=1e-6).fit(X32, Y.astype(np.float32))
    assert est.coef_.dtype == np.float32
    ref = fl.MultiTaskElasticNet(alpha=0.1, tol=1e-10).fit(X, Y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=2e-4)
    assert est.dual_gap_ * X.shape[0] <= est.eps_


def test_enet_path_2d_matches_sklearn():
    X, Y = _problem("n<p", 4)
    for path_fl, path_sk, kw in [
        (fl.enet_path, sk.enet_path, {"l1_ratio": 0.7}),
        (fl.lasso_path, sk.lasso_path, {}),
    ]:
        a, c, g = path_fl(X, Y, alphas=6, tol=1e-12, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            a2, c2, _ = path_sk(X, Y, alphas=6, tol=1e-12, max_iter=100000, **kw)
        np.testing.assert_allclose(a, a2, rtol=1e-12)
        assert c.shape == c2.shape == (4, X.shape[1], 6)
        l1r = kw.get("l1_ratio", 1.0)
        zero = np.zeros(4)
        for k in range(6):
            o = objective(X, Y, c[:, :, k], zero, a[k], l1r)
            o2 = objective(X, Y, c2[:, :, k], zero, a[k], l1r)
            assert o <= o2 * (1 + 1e-8)
            assert g[k] >= 0
        assert np.all(c[:, :, 0] == 0)  # alpha_max: W = 0


def test_enet_path_2d_sparse_centred_and_weighted():
    """Sparse X with X_offset / sample_weight (how estimators call the path)."""
    X, Y = _problem("n<p", 3)
    sw = np.random.RandomState(0).uniform(0.5, 2, X.shape[0])
    sw *= X.shape[0] / sw.sum()
    mu = np.average(X, 0, sw)
    Yc = Y - np.average(Y, 0, sw)
    alphas = [0.3, 0.05]
    _, c, g = fl.enet_path(
        sp.csc_matrix(X), Yc, alphas=alphas, X_offset=mu, X_scale=np.ones_like(mu),
        sample_weight=sw, tol=1e-12,
    )  # fmt: skip
    for k, alpha in enumerate(alphas):
        est = fl.MultiTaskElasticNet(alpha=alpha, tol=1e-12).fit(X, Y, sw)
        np.testing.assert_allclose(c[:, :, k], est.coef_, atol=1e-8)


def test_path_speedups_do_not_change_the_answer():
    X, Y = _problem("n<p", 5)
    Yc = Y - Y.mean(0)
    design = Design(X, None, X.mean(0))
    alphas = _alpha_max(X, Y, None, True, 1.0) * np.geomspace(1, 0.01, 8)
    outs = [
        mt_solve_path(
            design, Yc, alphas, 1.0, tol=1e-12, screen=s, working_set=w, anderson=a
        )
        for s, w, a in [(True, True, True), (False, False, False), (True, False, True)]
    ]
    for coefs, gaps, _, tol_gap in outs:
        assert np.all(gaps <= tol_gap)
        np.testing.assert_allclose(coefs, outs[0][0], atol=1e-6)


def test_random_selection_and_warm_start():
    X, Y = _problem("n>p", 3)
    a = fl.MultiTaskLasso(alpha=0.05, tol=1e-12).fit(X, Y)
    b = fl.MultiTaskLasso(
        alpha=0.05, tol=1e-12, selection="random", random_state=0
    ).fit(X, Y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-7)
    w = fl.MultiTaskLasso(alpha=0.05, tol=1e-12, warm_start=True).fit(X, Y)
    w.fit(X, Y)
    assert w.n_iter_ == 0
    np.testing.assert_allclose(w.coef_, a.coef_, atol=1e-9)
    with pytest.raises(ValueError, match="warm_start"):
        w.fit(X[:, :5], Y)


@pytest.mark.parametrize("layout", ["dense", "csc"])
def test_penalty_factor(layout):
    X, Y = _problem("n<p", 3)
    Xl = sp.csc_matrix(X) if layout == "csc" else X
    base = fl.MultiTaskElasticNet(alpha=0.1, tol=1e-12).fit(Xl, Y)
    ones = fl.MultiTaskElasticNet(
        alpha=0.1, tol=1e-12, penalty_factor=np.ones(X.shape[1])
    ).fit(Xl, Y)
    np.testing.assert_allclose(base.coef_, ones.coef_, atol=1e-10)
    pf = np.ones(X.shape[1])
    pf[[1, 5]] = 0.0  # unpenalized
    pf[[2, 3]] = 3.0
    est = fl.MultiTaskElasticNet(alpha=0.1, tol=1e-12, penalty_factor=pf).fit(Xl, Y)
    assert est.dual_gap_ * X.shape[0] <= est.eps_
    assert np.all(np.linalg.norm(est.coef_[:, [1, 5]], axis=0) > 0)
    assert_kkt(X, Y, est, 0.1, 0.5, pf=pf)
    with pytest.raises(ValueError, match="penalty_factor"):
        fl.MultiTaskLasso(penalty_factor=-pf).fit(Xl, Y)
    # path with penalty factors: alpha_max zeroes every penalized row
    a, c, _ = fl.lasso_path(
        X - X.mean(0), Y - Y.mean(0), alphas=3, eps=0.05, penalty_factor=pf, tol=1e-12
    )
    pen = pf > 0
    assert np.all(np.abs(c[:, pen, 0]) < 1e-9) and np.any(c[:, ~pen, 0] != 0)
    assert np.any(c[:, pen, 1] != 0)


def _errors(make, X, Y, **kw):
    try:
        make().fit(X, Y, **kw)
    except Exception as exc:  # noqa: BLE001 - compared below
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize(
    "case", ["1d_y", "rows", "nan_X", "inf_y", "sparse_y", "neg_alpha", "bad_sw"]
)
def test_errors_as_sklearn(case):
    X, Y = _problem("n<p", 2)
    kw = {}
    make_fl, make_sk = fl.MultiTaskElasticNet, sk.MultiTaskElasticNet
    if case == "1d_y":
        Y = Y[:, 0]
    elif case == "rows":
        Y = Y[:-1]
    elif case == "nan_X":
        X = X.copy()
        X[0, 0] = np.nan
    elif case == "inf_y":
        Y = Y.copy()
        Y[0, 0] = np.inf
    elif case == "sparse_y":
        Y = sp.csr_matrix(Y)
    elif case == "neg_alpha":
        make_fl = lambda: fl.MultiTaskLasso(alpha=-1.0)  # noqa: E731
        make_sk = lambda: sk.MultiTaskLasso(alpha=-1.0)  # noqa: E731
    elif case == "bad_sw":
        kw = {"sample_weight": np.ones(3)}
    got = _errors(make_fl, X, Y, **kw)
    want = _errors(make_sk, X, Y, **kw)
    assert want is not None and got is not None
    assert got[0] is want[0], (got, want)
    if case in ("1d_y", "neg_alpha"):
        assert got[1] == want[1]
    for make in (fl.MultiTaskLasso, sk.MultiTaskLasso):
        if case == "1d_y":
            with pytest.raises(ValueError, match="For mono-task outputs, use"):
                make().fit(X, Y)


def test_no_input_mutation():
    X, Y = _problem("n<p", 3)
    sw = np.random.RandomState(0).uniform(0.5, 2, X.shape[0])
    for Xl in (X, sp.csc_matrix(X), sp.csr_matrix(X)):
        X0, Y0, sw0 = Xl.copy(), Y.copy(), sw.copy()
        for copy_X in (True, False):
            fl.MultiTaskElasticNet(alpha=0.1, copy_X=copy_X).fit(Xl, Y, sw)
        fl.enet_path(Xl, Y, alphas=3)
        if sp.issparse(Xl):
            assert (Xl != X0).nnz == 0
        else:
            np.testing.assert_array_equal(Xl, X0)
        np.testing.assert_array_equal(Y, Y0)
        np.testing.assert_array_equal(sw, sw0)


def test_convergence_warning_and_positive():
    X, Y = _problem("n<p", 3)
    with pytest.warns(ConvergenceWarning, match="Duality gap"):
        fl.MultiTaskLasso(alpha=0.001, max_iter=1, tol=1e-12).fit(X, Y)
    with pytest.raises(ValueError, match="positive=True is not allowed"):
        fl.enet_path(X, Y, positive=True)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("layout", ["dense", "csc"])
def test_cv_same_alpha_as_sklearn(weighted, layout):
    from sklearn.model_selection import KFold

    X, Y = _problem("n<p", 3, seed=3)
    sw = np.random.RandomState(2).uniform(0.5, 2, X.shape[0]) if weighted else None
    cv = KFold(3, shuffle=True, random_state=0)
    Xl = sp.csc_matrix(X) if layout == "csc" else X
    # (scikit-learn is given a copy: it may rescale a dense X in place)
    for l1_ratio in (0.5, [0.3, 1.0]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ref = sk.MultiTaskElasticNetCV(
                l1_ratio=l1_ratio, cv=cv, alphas=8, tol=1e-12, max_iter=100000
            ).fit(
                Xl.copy() if sp.issparse(Xl) else X.copy(order="F"), Y, sample_weight=sw
            )
        est = fl.MultiTaskElasticNetCV(
            l1_ratio=l1_ratio, cv=cv, alphas=8, tol=1e-12
        ).fit(Xl, Y, sample_weight=sw)
        assert est.alpha_ == ref.alpha_ and est.l1_ratio_ == ref.l1_ratio_
        np.testing.assert_array_equal(est.alphas_, ref.alphas_)
        np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-6)
        np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
        assert est.alpha_1se_ >= est.alpha_min_ == est.alpha_
    ref = sk.MultiTaskLassoCV(cv=cv, alphas=[0.5, 0.1, 0.02], tol=1e-12).fit(X, Y)
    est = fl.MultiTaskLassoCV(cv=cv, alphas=[0.5, 0.1, 0.02], tol=1e-12).fit(Xl, Y)
    assert est.alpha_ == ref.alpha_
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-6)
    assert not hasattr(est, "l1_ratio_")


def test_cv_jobs_verbose_rule_and_errors(capsys):
    X, Y = _problem("n<p", 2)
    a = fl.MultiTaskLassoCV(cv=3, alphas=6).fit(X, Y)
    b = fl.MultiTaskLassoCV(cv=3, alphas=6, n_jobs=2).fit(X, Y)
    assert a.alpha_ == b.alpha_
    np.testing.assert_array_equal(a.mse_path_, b.mse_path_)
    # verbose solves the path in pieces (progress between them): same certificate
    v = fl.MultiTaskLassoCV(cv=3, alphas=6, verbose=1).fit(X, Y)
    np.testing.assert_allclose(a.mse_path_, v.mse_path_, rtol=1e-5)
    assert "MultiTaskLassoCV" in capsys.readouterr().err
    c = fl.MultiTaskLassoCV(cv=3, alphas=6, alpha_rule="1se").fit(X, Y)
    assert c.alpha_ == a.alpha_1se_ >= a.alpha_
    for make_fl, make_sk in (
        (fl.MultiTaskLassoCV, sk.MultiTaskLassoCV),
        (fl.MultiTaskElasticNetCV, sk.MultiTaskElasticNetCV),
    ):
        got = _errors(make_fl, X, Y[:, 0])
        want = _errors(make_sk, X, Y[:, 0])
        assert got == want


@pytest.mark.parametrize("layout", ["dense", "csc"])
def test_nonfinite_params_raise(layout):
    """Huge data overflow to NaN inside the solver: scikit-learn's ValueError (the
    working-set selection once crashed on NaN scores)."""
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    Y = rng.randint(0, 2, size=(10, 2)).astype(float)
    Xl = sp.csc_matrix(X) if layout == "csc" else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="non-finite parameter values"):
            fl.MultiTaskElasticNet(alpha=0.1).fit(Xl, Y)
