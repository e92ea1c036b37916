"""Input validation, warnings, no input mutation, pickling/cloning.

Bad input must raise exactly the exception class scikit-learn 1.9.1 raises (computed
at run time by running scikit-learn on the same input), except negative
sample_weight, where fastlasso deliberately raises ValueError mentioning sample_weight.
"""

import inspect
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from _helpers import make_problem, make_weights
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from fastlasso import ElasticNet, Lasso, enet_path, lasso_path

X0, Y0 = make_problem(30, 8, seed=30)
SW0 = make_weights(30, seed=31)


def _int64_sparse(fmt):
    M = sp.csc_matrix(X0) if fmt == "csc" else sp.csr_matrix(X0)
    M.indices = M.indices.astype(np.int64)
    M.indptr = M.indptr.astype(np.int64)
    return M


def _with(X, i, j, value):
    X = np.array(X, dtype=np.float64)
    X[i, j] = value
    return X


# name -> (estimator params, X, y, sample_weight)
BAD_FIT_INPUTS = {
    "nan_in_X": ({}, _with(X0, 3, 2, np.nan), Y0, None),
    "inf_in_X": ({}, _with(X0, 3, 2, np.inf), Y0, None),
    "neginf_in_X": ({}, _with(X0, 0, 0, -np.inf), Y0, None),
    "nan_in_sparse_X": ({}, sp.csc_matrix(_with(X0, 3, 2, np.nan)), Y0, None),
    "inf_in_csr_X": ({}, sp.csr_matrix(_with(X0, 3, 2, np.inf)), Y0, None),
    "nan_in_y": ({}, X0, np.where(np.arange(30) == 4, np.nan, Y0), None),
    "inf_in_y": ({}, X0, np.where(np.arange(30) == 4, np.inf, Y0), None),
    "empty_X_and_y": ({}, X0[:0], Y0[:0], None),
    "no_features": ({}, X0[:, :0], Y0, None),
    "empty_y": ({}, X0, Y0[:0], None),
    "mismatched_lengths": ({}, X0, Y0[:-3], None),
    "mismatched_lengths_sparse": ({}, sp.csc_matrix(X0), Y0[:-3], None),
    "complex_X": ({}, X0 + 1j, Y0, None),
    "complex_y": ({}, X0, Y0 + 1j, None),
    "string_X": ({}, np.full(X0.shape, "a"), Y0, None),
    "object_X_with_str": (
        {},
        np.array([["x"] + [1.0] * 7] * 30, dtype=object),
        Y0,
        None,
    ),
    "3d_X": ({}, X0[:, :, None], Y0, None),
    "1d_X": ({}, X0[:, 0], Y0, None),
    "negative_alpha": ({"alpha": -0.1}, X0, Y0, None),
    "string_alpha": ({"alpha": "big"}, X0, Y0, None),
    "l1_ratio_above_1": ({"l1_ratio": 1.5}, X0, Y0, None),
    "l1_ratio_below_0": ({"l1_ratio": -0.1}, X0, Y0, None),
    "nan_sample_weight": ({}, X0, Y0, np.where(np.arange(30) == 2, np.nan, SW0)),
    "inf_sample_weight": ({}, X0, Y0, np.where(np.arange(30) == 2, np.inf, SW0)),
    "short_sample_weight": ({}, X0, Y0, SW0[:-1]),
    "2d_sample_weight": ({}, X0, Y0, SW0[:, None]),
    "max_iter_0": ({"max_iter": 0}, X0, Y0, None),
    "max_iter_float": ({"max_iter": 10.5}, X0, Y0, None),
    "negative_tol": ({"tol": -1e-3}, X0, Y0, None),
    "selection_foo": ({"selection": "foo"}, X0, Y0, None),
    "precompute_auto": ({"precompute": "auto"}, X0, Y0, None),
    "precompute_string": ({"precompute": "yes"}, X0, Y0, None),
    "precompute_wrong_gram": (
        {"precompute": np.zeros((8, 8)), "fit_intercept": False},
        X0,
        Y0,
        None,
    ),
    "int64_index_csc": ({}, _int64_sparse("csc"), Y0, None),
    "int64_index_csr": ({}, _int64_sparse("csr"), Y0, None),
    "fit_intercept_string": ({"fit_intercept": "yes"}, X0, Y0, None),
    "positive_string": ({"positive": "no"}, X0, Y0, None),
    "random_state_string": ({"random_state": "seed"}, X0, Y0, None),
}


def make(name, **params):
    fl_cls = {"Lasso": Lasso, "ElasticNet": ElasticNet}[name]
    return fl_cls(**params), getattr(sk, name)(**params)


def sk_outcome(func):
    """Run scikit-learn; return (exception class or None, result)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return None, func()
    except Exception as exc:  # noqa: BLE001 - we want the exact class
        return type(exc), None


@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
@pytest.mark.parametrize("case", list(BAD_FIT_INPUTS))
def test_bad_fit_input_same_exception(case, est):
    params, X, y, sw = BAD_FIT_INPUTS[case]
    if est == "Lasso" and "l1_ratio" in params:
        est = "ElasticNet"
    fl_model, sk_model = make(est, **params)
    sk_exc, _ = sk_outcome(lambda: sk_model.fit(X, y, sample_weight=sw))
    assert sk_exc is not None, f"case {case!r} is not an error in scikit-learn"
    with pytest.raises(Exception) as excinfo:  # noqa: B017,PT011
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fl_model.fit(X, y, sample_weight=sw)
    assert type(excinfo.value) is sk_exc, (
        f"fastlasso raised {type(excinfo.value).__name__}: {excinfo.value}; "
        f"scikit-learn raises {sk_exc.__name__}"
    )


@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
def test_negative_sample_weight_rejected(est, layout):
    X = {"dense": X0, "csc": sp.csc_matrix(X0), "csr": sp.csr_matrix(X0)}[layout]
    sw = SW0.copy()
    sw[5] = -0.5
    fl_model, _ = make(est)
    with pytest.raises(ValueError, match="sample_weight"):
        fl_model.fit(X, Y0, sample_weight=sw)


# Inputs that are unusual but valid in scikit-learn: must be accepted and give the
# same answer.
ODD_VALID_INPUTS = {
    "list_of_lists": (X0.tolist(), Y0.tolist(), None),
    "int_X": (np.round(X0 * 3).astype(np.int32), Y0, None),
    "bool_X": (X0 > 0, Y0, None),
    "numeric_strings": (X0.astype(str), Y0, None),
    "int_y": (X0, np.round(Y0).astype(np.int64), None),
    "float32_y_float64_X": (X0, Y0.astype(np.float32), None),
    "column_y": (X0, Y0[:, None], None),
    "scalar_sample_weight": (X0, Y0, 2.5),
    "list_sample_weight": (X0, Y0, SW0.tolist()),
    "int_sample_weight": (X0, Y0, np.arange(30) % 3),
    "coo_X": (sp.coo_matrix(X0), Y0, None),
    "sparse_float32": (sp.csc_matrix(X0.astype(np.float32)), Y0, None),
    # a strided view of X0 itself (every other column of [x0 x0 x1 x1 ...]); the
    # former hstack([X0, X0])[:, ::2] repeated 4 of the 8 features, a Lasso with
    # no unique solution
    "noncontiguous_X": (np.asfortranarray(np.repeat(X0, 2, axis=1))[:, ::2], Y0, None),
    "constant_column": (np.column_stack([X0, np.ones(30)]), Y0, None),
    "zero_column_sparse": (
        sp.csc_matrix(np.column_stack([X0, np.zeros(30)])),
        Y0,
        None,
    ),
    "constant_y": (X0, np.full(30, 3.0), None),
    "single_sample": (X0[:1], Y0[:1], None),
}


@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
@pytest.mark.parametrize("case", list(ODD_VALID_INPUTS))
def test_odd_but_valid_input(case, est):
    X, y, sw = ODD_VALID_INPUTS[case]
    fl_model, sk_model = make(est, alpha=0.05, tol=1e-10, max_iter=100_000)
    sk_exc, _ = sk_outcome(lambda: sk_model.fit(X, y, sample_weight=sw))
    if sk_exc is not None:  # scikit-learn rejects it after all: same class
        with pytest.raises(sk_exc):
            fl_model.fit(X, y, sample_weight=sw)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fl_model.fit(X, y, sample_weight=sw)
    assert fl_model.coef_.shape == sk_model.coef_.shape
    assert fl_model.coef_.dtype == sk_model.coef_.dtype
    rtol = 1e-3 if sk_model.coef_.dtype == np.float32 else 1e-5
    scale = max(np.abs(sk_model.coef_).max(), 1e-12)
    np.testing.assert_allclose(
        fl_model.coef_, sk_model.coef_, rtol=rtol, atol=rtol * scale
    )
    np.testing.assert_allclose(
        fl_model.intercept_,
        sk_model.intercept_,
        rtol=rtol,
        atol=rtol * max(1.0, abs(np.max(sk_model.intercept_))),
    )


@pytest.mark.parametrize("alpha", [0.05, 0.005])
def test_duplicated_features_same_objective(alpha):
    """Repeated columns make the Lasso minimiser non-unique: scikit-learn's cyclic
    CD puts the weight on the first copy, fastlasso's Newton steps may split it.
    The fits must agree on the objective and on each copy pair's total."""
    X = np.asfortranarray(np.hstack([X0, X0[:, :3]]))  # features 0-2 twice
    fl_model, sk_model = make("Lasso", alpha=alpha, tol=1e-12, max_iter=100_000)
    fl_model.fit(X, Y0)
    sk_model.fit(X, Y0)

    def objective(m):
        r = Y0 - X @ m.coef_ - m.intercept_
        return r @ r / (2 * len(Y0)) + alpha * np.abs(m.coef_).sum()

    assert objective(fl_model) <= objective(sk_model) * (1 + 1e-9)
    assert objective(sk_model) <= objective(fl_model) * (1 + 1e-9)
    fl_total = fl_model.coef_[:8].copy()
    fl_total[:3] += fl_model.coef_[8:]
    sk_total = sk_model.coef_[:8].copy()
    sk_total[:3] += sk_model.coef_[8:]
    np.testing.assert_allclose(fl_total, sk_total, rtol=1e-6, atol=1e-8)


def test_path_bad_inputs_same_exception():
    cases = {
        "nan_in_X": (_with(X0, 1, 1, np.nan), Y0, {}),
        "inf_in_y": (X0, np.where(np.arange(30) == 4, np.inf, Y0), {}),
        "mismatched": (X0, Y0[:-1], {}),
        "complex": (X0 + 1j, Y0, {}),
        "3d": (X0[:, :, None], Y0, {}),
        "negative_eps": (X0, Y0, {"eps": -1.0}),
        "bad_selection": (X0, Y0, {"selection": "foo", "alphas": 3}),
        "l1_ratio_0_int_grid": (X0, Y0, {"l1_ratio": 0.0, "alphas": 3}),
        "bad_Xy_shape": (X0, Y0, {"Xy": np.ones(3), "precompute": True}),
        "bad_gram_shape": (X0, Y0, {"precompute": np.eye(3)}),
        "zero_alphas_int": (X0, Y0, {"alphas": 0}),
    }
    for name, (X, y, kw) in cases.items():
        for fl_func, sk_func in [
            (enet_path, sk.enet_path),
            (lasso_path, sk.lasso_path),
        ]:
            if sk_func is sk.lasso_path and "l1_ratio" in kw:
                continue
            sk_exc, _ = sk_outcome(lambda: sk_func(X, y, **kw))  # noqa: B023
            if sk_exc is None:
                continue  # scikit-learn accepts it: covered by parity tests
            with pytest.raises(Exception) as excinfo:  # noqa: B017,PT011
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fl_func(X, y, **kw)
            assert type(excinfo.value) is sk_exc, (
                name,
                fl_func.__name__,
                type(excinfo.value),
                sk_exc,
            )


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
def test_alpha_zero_warns(est, layout):
    X = X0 if layout == "dense" else sp.csc_matrix(X0)
    fl_model, sk_model = make(est, alpha=0.0, max_iter=50)
    with warnings.catch_warnings(record=True) as sk_rec:
        warnings.simplefilter("always")
        sk_model.fit(X, Y0)
    with warnings.catch_warnings(record=True) as fl_rec:
        warnings.simplefilter("always")
        fl_model.fit(X, Y0)
    sk_user = [w for w in sk_rec if w.category is UserWarning]
    fl_user = [w for w in fl_rec if w.category is UserWarning]
    assert sk_user, "scikit-learn is expected to warn"
    assert any("alpha=0" in str(w.message) for w in fl_user), [
        str(w.message) for w in fl_rec
    ]
    assert {str(w.message) for w in fl_user} == {str(w.message) for w in sk_user}


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
def test_convergence_warning(est, layout):
    X = X0 if layout == "dense" else sp.csc_matrix(X0)
    fl_model, sk_model = make(est, alpha=1e-3, max_iter=1, tol=1e-12)
    with pytest.warns(ConvergenceWarning, match="Objective did not converge"):
        sk_model.fit(X, Y0)
    with pytest.warns(ConvergenceWarning, match="Objective did not converge"):
        fl_model.fit(X, Y0)
    assert fl_model.n_iter_ == sk_model.n_iter_ == 1
    # and the path functions
    with pytest.warns(ConvergenceWarning):
        lasso_path(X, Y0, alphas=[1e-3], max_iter=1, tol=1e-12)
    # no warning once it converges
    fl_model.set_params(max_iter=100_000, tol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fl_model.fit(X, Y0)


def test_gram_recompute_warning():
    """A user Gram with fit_intercept=True triggers the same UserWarning."""
    gram = X0.T @ X0
    fl_model, sk_model = make("ElasticNet", alpha=0.01, precompute=gram)
    with pytest.warns(UserWarning, match="Gram matrix was provided"):
        sk_model.fit(X0, Y0)
    with pytest.warns(UserWarning, match="Gram matrix was provided"):
        fl_model.fit(X0, Y0)
    np.testing.assert_allclose(
        fl_model.coef_,
        sk_model.coef_,
        rtol=1e-4,
        atol=1e-4 * np.abs(sk_model.coef_).max(),
    )


def _snapshot(A):
    if sp.issparse(A):
        return (
            A.format,
            A.data.copy(),
            A.indices.copy(),
            A.indptr.copy(),
            A.data.dtype,
        )
    return (A.copy(), A.flags["F_CONTIGUOUS"], A.flags["C_CONTIGUOUS"])


def _assert_unchanged(A, snap):
    if sp.issparse(A):
        assert A.format == snap[0]
        np.testing.assert_array_equal(A.data, snap[1])
        np.testing.assert_array_equal(A.indices, snap[2])
        np.testing.assert_array_equal(A.indptr, snap[3])
        assert A.data.dtype == snap[4]
    else:
        np.testing.assert_array_equal(A, snap[0])
        assert A.flags["F_CONTIGUOUS"] == snap[1]
        assert A.flags["C_CONTIGUOUS"] == snap[2]


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("weighted", [False, True], ids=["", "sw"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("copy_X", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("layout", ["F", "C", "csc", "csr"])
def test_no_input_mutation(layout, dtype, copy_X, fit_intercept, weighted, precompute):
    if precompute and layout in ("csc", "csr"):
        precompute = False  # ignored for sparse
    Xd = X0.astype(dtype)
    X = {
        "F": np.asfortranarray(Xd),
        "C": np.ascontiguousarray(Xd),
        "csc": sp.csc_matrix(Xd),
        "csr": sp.csr_matrix(Xd),
    }[layout]
    y = Y0.astype(dtype).copy()
    sw = SW0.astype(dtype).copy() if weighted else None
    snaps = [_snapshot(X), y.copy()] + ([sw.copy()] if weighted else [])
    model = ElasticNet(
        alpha=0.01, copy_X=copy_X, fit_intercept=fit_intercept, precompute=precompute
    )
    model.fit(X, y, sample_weight=sw)
    _assert_unchanged(X, snaps[0])
    np.testing.assert_array_equal(y, snaps[1])
    if weighted:
        np.testing.assert_array_equal(sw, snaps[2])
    # 2-D y too
    Y2 = np.column_stack([y, -y])
    Y2s = Y2.copy()
    Lasso(alpha=0.01, copy_X=copy_X, fit_intercept=fit_intercept).fit(
        X, Y2, sample_weight=sw
    )
    _assert_unchanged(X, snaps[0])
    np.testing.assert_array_equal(Y2, Y2s)
    # and the result does not depend on copy_X
    ref = ElasticNet(
        alpha=0.01, copy_X=True, fit_intercept=fit_intercept, precompute=precompute
    ).fit(X.copy(), y.copy(), sample_weight=sw)
    np.testing.assert_array_equal(model.coef_, ref.coef_)


def test_check_input_false():
    """check_input=False with F-ordered float64 arrays: same result as validated fit."""
    XF = np.asfortranarray(X0)
    for est in ("Lasso", "ElasticNet"):
        a, _ = make(est, alpha=0.02, tol=1e-10, max_iter=10_000)
        b, _ = make(est, alpha=0.02, tol=1e-10, max_iter=10_000)
        a.fit(XF, Y0)
        b.fit(XF.copy(order="F"), Y0.copy(), check_input=False)
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-12)


@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
def test_signature_and_defaults(est):
    fl_cls = {"Lasso": Lasso, "ElasticNet": ElasticNet}[est]
    sk_cls = getattr(sk, est)
    assert issubclass(fl_cls, sk_cls)
    # scikit-learn's exact signature, plus fastlasso's keyword-only extras at the end
    extras = {
        "solver": "cd",
        "penalty_factor": None,
        "lower_bounds": None,
        "upper_bounds": None,
    }
    fl_sig = inspect.signature(fl_cls.__init__)
    params = list(fl_sig.parameters.values())
    tail = params[-len(extras) :]
    assert {p.name: p.default for p in tail} == extras
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in tail)
    assert fl_sig.replace(parameters=params[: -len(extras)]) == inspect.signature(
        sk_cls.__init__
    )
    fit_params = list(inspect.signature(fl_cls.fit).parameters)
    assert fit_params == ["self", "X", "y", "sample_weight", "check_input"]
    assert fl_cls().get_params() == {**sk_cls().get_params(), **extras}


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
def test_pickle_and_clone(est, layout):
    X = X0 if layout == "dense" else sp.csc_matrix(X0)
    fl_model, _ = make(
        est, alpha=0.02, positive=True, selection="random", random_state=3, tol=1e-8
    )
    fl_model.fit(X, Y0, sample_weight=SW0)
    blob = pickle.dumps(fl_model)
    back = pickle.loads(blob)
    assert type(back) is type(fl_model)
    for attr in ("coef_", "intercept_", "n_iter_", "dual_gap_", "n_features_in_"):
        np.testing.assert_array_equal(getattr(back, attr), getattr(fl_model, attr))
    np.testing.assert_array_equal(back.predict(X), fl_model.predict(X))
    assert back.get_params() == fl_model.get_params()
    # refit after unpickling works and is deterministic
    back.fit(X, Y0, sample_weight=SW0)
    np.testing.assert_array_equal(back.coef_, fl_model.coef_)

    cl = clone(fl_model)
    assert type(cl) is type(fl_model)
    assert cl.get_params() == fl_model.get_params()
    assert not hasattr(cl, "coef_")
    cl.fit(X, Y0, sample_weight=SW0)
    np.testing.assert_array_equal(cl.coef_, fl_model.coef_)
    assert cl.n_iter_ == fl_model.n_iter_
