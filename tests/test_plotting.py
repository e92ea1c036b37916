"""fastlasso.plotting: path and CV plots (matplotlib, Agg backend)."""

import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

from fastlasso import ElasticNetCV, Lasso, LassoCV, lasso_path  # noqa: E402
from fastlasso.plotting import plot_cv, plot_path  # noqa: E402


@pytest.fixture(scope="module")
def problem():
    rng = np.random.RandomState(0)
    X = rng.randn(50, 30)
    y = 3 * X[:, 0] - 2 * X[:, 1] + X[:, 2] + 0.5 * rng.randn(50)
    return X, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def gid_lines(ax, prefix):
    return [ln for ln in ax.get_lines() if (ln.get_gid() or "").startswith(prefix)]


def test_plot_path_from_lasso_path(problem, tmp_path):
    X, y = problem
    alphas, coefs, _ = lasso_path(X - X.mean(0), y - y.mean(), alphas=20, eps=1e-2)
    ever = np.flatnonzero(np.any(coefs != 0, axis=1))
    assert 3 < ever.size < X.shape[1]  # some features never enter: a real filter
    fig, ax = plt.subplots()
    names = [f"f{j}" for j in range(X.shape[1])]
    out = plot_path((alphas, coefs, None), feature_names=names, top_k=3, ax=ax)
    assert out is ax
    lines = gid_lines(ax, "path:")
    assert len(lines) == ever.size
    assert sorted(int(ln.get_gid()[5:]) for ln in lines) == ever.tolist()
    for ln in lines:
        j = int(ln.get_gid()[5:])
        np.testing.assert_array_equal(ln.get_xdata(), alphas)
        np.testing.assert_array_equal(ln.get_ydata(), coefs[j])
    # log alpha axis, decreasing from left to right
    assert ax.get_xscale() == "log" and ax.xaxis_inverted()
    # the legend names the three largest |coef| at the smallest alpha, in order
    top3 = np.argsort(-np.abs(coefs[:, -1]))[:3]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [names[j] for j in top3]
    assert not gid_lines(ax, "alpha")  # no reference alpha given: none marked
    fig.savefig(tmp_path / "path.png")
    assert (tmp_path / "path.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_path_from_cv_estimator_computes_the_path(problem):
    X, y = problem
    est = LassoCV(alphas=15, cv=KFold(3), tol=1e-10).fit(X, y)
    ax = plot_path(est, X, y, top_k=2)
    lines = gid_lines(ax, "path:")
    # reference: fastlasso.Lasso at every alpha of the estimator's grid
    ref = np.column_stack(
        [Lasso(alpha=a, tol=1e-12).fit(X, y).coef_ for a in est.alphas_]
    )
    ever = np.flatnonzero(np.any(ref != 0, axis=1))
    assert len(lines) == ever.size
    for ln in lines:
        j = int(ln.get_gid()[5:])
        np.testing.assert_allclose(ln.get_ydata(), ref[j], rtol=0, atol=1e-6)
    (marker,) = gid_lines(ax, "alpha")
    assert marker.get_xdata()[0] == est.alpha_
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    top2 = np.argsort(-np.abs(est.coef_))[:2]
    assert legend[:2] == [f"x{j}" for j in top2]
    with pytest.raises(ValueError, match="pass X and y"):
        plot_path(est)


def test_plot_cv_band_and_alpha_markers(problem, tmp_path):
    X, y = problem
    est = LassoCV(alphas=20, cv=KFold(4)).fit(X, y)
    assert est.alpha_1se_ > est.alpha_min_
    fig, ax = plt.subplots()
    assert plot_cv(est, ax=ax, show_folds=True) is ax
    mean = est.mse_path_.mean(axis=1)
    (curve,) = gid_lines(ax, "cv_mean")
    np.testing.assert_array_equal(curve.get_xdata(), est.alphas_)
    np.testing.assert_allclose(curve.get_ydata(), mean)
    (band,) = [c for c in ax.collections if c.get_gid() == "cv_band"]
    assert isinstance(band, PolyCollection)
    vertices = band.get_paths()[0].vertices
    np.testing.assert_allclose(vertices[:, 1].max(), np.max(mean + est.mse_se_))
    np.testing.assert_allclose(vertices[:, 1].min(), np.min(mean - est.mse_se_))
    assert np.all(est.mse_se_ > 0)
    (at_min,) = gid_lines(ax, "alpha_min")
    (at_1se,) = gid_lines(ax, "alpha_1se")
    assert tuple(at_min.get_xdata()) == (est.alpha_min_, est.alpha_min_)
    assert tuple(at_1se.get_xdata()) == (est.alpha_1se_, est.alpha_1se_)
    assert len(gid_lines(ax, "fold:")) == 4
    assert ax.get_xscale() == "log" and ax.xaxis_inverted()
    fig.savefig(tmp_path / "cv.png")
    assert (tmp_path / "cv.png").stat().st_size > 5000


def test_plot_cv_elasticnet_draws_the_chosen_l1_ratio(problem):
    X, y = problem
    est = ElasticNetCV(l1_ratio=[0.2, 0.9], alphas=10, cv=KFold(3)).fit(X, y)
    k = [0.2, 0.9].index(est.l1_ratio_)
    ax = plot_cv(est)
    (curve,) = gid_lines(ax, "cv_mean")
    np.testing.assert_array_equal(curve.get_xdata(), est.alphas_[k])
    np.testing.assert_allclose(curve.get_ydata(), est.mse_path_[k].mean(axis=1))
    assert f"l1_ratio = {est.l1_ratio_:g}" in ax.get_title()
    # and its path, with shared x axes inverted once only
    fig, (a1, a2) = plt.subplots(2, 1, sharex=True)
    plot_path(est, X, y, ax=a1)
    plot_cv(est, ax=a2)
    assert a1.xaxis_inverted() and a2.xaxis_inverted()
    np.testing.assert_array_equal(gid_lines(a1, "path:")[0].get_xdata(), est.alphas_[k])


def test_bad_arguments(problem):
    X, y = problem
    with pytest.raises(ValueError, match="shape"):
        plot_path((np.ones(5), np.ones((3, 4))))
    with pytest.raises(ValueError, match="feature names"):
        plot_path((np.ones(5), np.ones((3, 5))), feature_names=["a"])
    with pytest.raises(ValueError, match="needs a fitted"):
        plot_cv(Lasso(alpha=0.1).fit(X, y))


def test_missing_matplotlib_says_how_to_install(monkeypatch, problem):
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install fastlasso\[plot\]"):
        plot_path((np.ones(3), np.ones((2, 3))))
