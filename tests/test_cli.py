"""The ``fastlasso`` command line: every sub-command as a subprocess.

Each command runs as ``python -m fastlasso ...`` with the session's environment (so
with the session's NUMBA_CACHE_DIR, see conftest.py) on small files written to
``tmp_path``; its printed and written results are checked against the estimators
run in this process with the same settings. Independent subprocesses run two at a
time to keep the file fast.
"""

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.model_selection import KFold

import fastlasso
from fastlasso import ElasticNetCV, Lasso, LassoCV
from fastlasso.cli import main

N_SAMPLES, N_FEATURES = 40, 60
GRID = ["--n-alphas", "15", "--cv", "3"]


def run_cli(*args, cwd=None):
    """``python -m fastlasso *args``: (returncode, stdout, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "fastlasso", *map(str, args)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=cwd,
        timeout=300,
    )
    return proc.returncode, proc.stdout, proc.stderr


def run_many(arg_lists, cwd=None):
    """Several independent commands, two at a time; results in order."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda a: run_cli(*a, cwd=cwd), arg_lists))


def make_data(seed=0):
    """40 x 60, half the entries zero, three true features."""
    rng = np.random.RandomState(seed)
    X = rng.randn(N_SAMPLES, N_FEATURES)
    X[rng.rand(N_SAMPLES, N_FEATURES) < 0.5] = 0.0
    y = 3 * X[:, 0] - 2 * X[:, 1] + 1.5 * X[:, 2] + 0.5 * rng.randn(N_SAMPLES)
    names = [f"g{j}" for j in range(N_FEATURES)]
    return np.asfortranarray(X), y, names


def write_table(path, X, y, names, *, target_col, target_name="y", delimiter=","):
    """Text table with the target inserted at column ``target_col``."""
    header = list(names)
    header.insert(target_col, target_name)
    with open(path, "w") as f:
        f.write(delimiter.join(header) + "\n")
        for row, t in zip(X, y, strict=True):
            cells = [repr(float(v)) for v in row]
            cells.insert(target_col, repr(float(t)))
            f.write(delimiter.join(cells) + "\n")


def write_svmlight(path, X, y):
    """One-based libsvm indices, exact float text."""
    with open(path, "w") as f:
        for row, t in zip(X, y, strict=True):
            items = [f"{j + 1}:{float(row[j])!r}" for j in np.flatnonzero(row)]
            f.write(" ".join([repr(float(t)), *items]) + "\n")


def printed_selection(stdout):
    """``[(feature, coef), ...]`` from the ranked table printed by ``select``."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("rank  feature"))
    out = []
    for line in lines[start + 1 :]:
        m = re.match(r"^\s*(\d+)\s+(\S+)\s+(\S+)$", line)
        if not m:
            break
        assert int(m.group(1)) == len(out) + 1
        out.append((m.group(2), float(m.group(3))))
    return out


def ranked(coef):
    j = np.flatnonzero(coef)
    return j[np.argsort(-np.abs(coef[j]), kind="stable")]


def chosen_cv_mse(est):
    """(mean, se) of the CV MSE at ``alpha_`` on the chosen l1_ratio's curve."""
    mse, se, alphas = est.mse_path_, est.mse_se_, est.alphas_
    if mse.ndim == 3:
        k = int(np.flatnonzero(np.asarray(est.l1_ratio) == est.l1_ratio_)[0])
        mse, se = mse[k], se[k]
        alphas = alphas[k] if alphas.ndim == 2 else alphas
    i = int(np.flatnonzero(alphas == est.alpha_)[0])
    return mse[i].mean(), se[i]


@pytest.fixture(scope="module")
def data():
    return make_data()


# --------------------------------------------------------------------------------------
# select


def test_select_csv_json_matches_in_process_fit(tmp_path, data):
    X, y, names = data
    write_table(tmp_path / "d.csv", X, y, names, target_col=N_FEATURES)
    rc, out, err = run_cli(
        "select", "d.csv", "--target", "y", *GRID, "--out", "res.json", "--verbose",
        cwd=tmp_path,
    )  # fmt: skip
    assert rc == 0, err
    # --verbose: LassoCV's progress lines on stderr, down to the last one
    assert re.search(r"^\[LassoCV\] 45/45 \(fold x alphas\) solved.* done$", err, re.M)
    ref = LassoCV(alphas=15, cv=KFold(3)).fit(X, y)
    order = ranked(ref.coef_)
    assert 0 < order.size < N_FEATURES
    assert {0, 1, 2} <= set(order.tolist())

    # printed: the alphas, the CV error and the ranked features
    assert f"alpha_min = {ref.alpha_min_:.6g}  (" in out
    assert f"alpha_1se = {ref.alpha_1se_:.6g}  (" in out
    assert f"alpha     = {ref.alpha_:.6g}  (chosen, --alpha-rule min)" in out
    mse, se = chosen_cv_mse(ref)
    assert f"{mse:.6g} ± {se:.3g}" in out
    assert f"selected features: {order.size} of {N_FEATURES}" in out
    shown = printed_selection(out)
    assert [name for name, _ in shown] == [names[j] for j in order]
    np.testing.assert_allclose([c for _, c in shown], ref.coef_[order], rtol=1e-5)

    res = json.loads((tmp_path / "res.json").read_text())
    assert res["estimator"] == "LassoCV"
    assert (res["n_samples"], res["n_features"]) == (N_SAMPLES, N_FEATURES)
    assert res["alpha_rule"] == "min" and res["l1_ratio"] == 1.0
    for key, value in [
        ("alpha", ref.alpha_),
        ("alpha_min", ref.alpha_min_),
        ("alpha_1se", ref.alpha_1se_),
        ("intercept", ref.intercept_),
        ("cv_mse", mse),
        ("cv_mse_se", se),
    ]:
        np.testing.assert_allclose(res[key], value, rtol=1e-9, err_msg=key)
    assert res["n_selected"] == order.size
    assert [s["feature"] for s in res["selected"]] == [names[j] for j in order]
    assert [s["index"] for s in res["selected"]] == order.tolist()
    np.testing.assert_allclose(
        [s["coef"] for s in res["selected"]], ref.coef_[order], rtol=1e-12
    )


def test_select_same_answer_from_tsv_npz_svmlight(tmp_path, data):
    """One data set in four formats (target by name / index / npz y / svmlight)."""
    X, y, names = data
    write_table(tmp_path / "d.tsv", X, y, names, target_col=5, delimiter="\t")
    write_table(tmp_path / "d.txt", X, y, names, target_col=0, delimiter=";")
    np.savez(tmp_path / "d.npz", X=X, y=y, feature_names=np.array(names))
    write_svmlight(tmp_path / "d.svm", X, y)
    tight = [*GRID, "--tol", "1e-10"]
    runs = run_many(
        [
            ["select", "d.tsv", "--target", "5", *tight, "--out", "tsv.csv"],
            ["select", "d.txt", "--target", "y", *tight, "--out", "txt.csv"],
            ["select", "d.npz", *tight, "--out", "npz.csv"],
            ["select", "d.svm", *tight, "--out", "svm.csv"],
        ],
        cwd=tmp_path,
    )
    for rc, _, err in runs:
        assert rc == 0, err
    assert "(sparse, not standardized)" in runs[3][1]
    ref = LassoCV(alphas=15, cv=KFold(3), tol=1e-10).fit(X, y)
    order = ranked(ref.coef_)
    for stem in ("tsv", "txt", "npz", "svm"):
        rows = (tmp_path / f"{stem}.csv").read_text().splitlines()
        assert rows[0] == "rank,feature,index,coef"
        table = [r.split(",") for r in rows[1:]]
        assert [int(r[0]) for r in table] == list(range(1, order.size + 1))
        assert [int(r[2]) for r in table] == order.tolist(), stem
        expected = (
            [str(j + 1) for j in order]  # svmlight: the file's one-based indices
            if stem == "svm"
            else [names[j] for j in order]
        )
        assert [r[1] for r in table] == expected
        np.testing.assert_allclose(
            [float(r[3]) for r in table], ref.coef_[order], rtol=1e-6, err_msg=stem
        )


def test_select_elasticnet_1se_standardize_shuffled_folds(tmp_path, data):
    X, y, names = data
    X = X * np.linspace(0.5, 20, N_FEATURES)  # unequal scales
    write_table(tmp_path / "d.csv", X, y, names, target_col=N_FEATURES)
    rc, out, err = run_cli(
        "select", "d.csv", "--target", "y", *GRID, "--l1-ratio", "0.5,1",
        "--alpha-rule", "1se", "--standardize", "--random-state", "3",
        "--out", "res.json", cwd=tmp_path,
    )  # fmt: skip
    assert rc == 0, err
    scale = X.std(axis=0)
    ref = ElasticNetCV(
        l1_ratio=[0.5, 1.0],
        alphas=15,
        cv=KFold(3, shuffle=True, random_state=3),
        alpha_rule="1se",
        random_state=3,
    ).fit(np.asfortranarray(X / scale), y)
    assert ref.alpha_ == ref.alpha_1se_ > ref.alpha_min_
    coef = ref.coef_ / scale
    order = ranked(coef)
    res = json.loads((tmp_path / "res.json").read_text())
    assert res["estimator"] == "ElasticNetCV" and res["standardized"] is True
    assert res["l1_ratio"] == ref.l1_ratio_
    np.testing.assert_allclose(res["alpha"], ref.alpha_1se_, rtol=1e-12)
    np.testing.assert_allclose(res["intercept"], ref.intercept_, rtol=1e-10)
    np.testing.assert_allclose(res["cv_mse"], chosen_cv_mse(ref)[0], rtol=1e-12)
    assert [s["index"] for s in res["selected"]] == order.tolist()
    np.testing.assert_allclose(
        [s["coef"] for s in res["selected"]], coef[order], rtol=1e-10
    )
    assert f"l1_ratio  = {ref.l1_ratio_:g}" in out


def test_select_leukemia_lasso_with_plot(tmp_path):
    """``fastlasso select --model lasso``: LassoCV (5 folds, 100 alphas) on
    leukemia's +1/-1 labels."""
    from fastlasso.datasets import load_leukemia

    rc, out, err = run_cli(
        "select", "--model", "lasso", "--out", "genes.json", "--plot", "fig.png",
        "--top", "5", cwd=tmp_path,
    )  # fmt: skip
    assert rc == 0, err
    assert "[LassoCV]" not in err  # no progress: stderr is not a terminal
    bunch = load_leukemia()
    X, y = bunch.data, bunch.target
    ref = LassoCV(cv=KFold(5)).fit(X, y)
    order = ranked(ref.coef_)
    assert "leukemia" in out and "72 samples x 7129 features" in out
    shown = printed_selection(out)
    assert [n for n, _ in shown] == bunch.feature_names[order[:5]].tolist()
    assert f"({order.size - 5} more, see --out)" in out
    res = json.loads((tmp_path / "genes.json").read_text())
    np.testing.assert_allclose(res["alpha"], ref.alpha_, rtol=1e-12)
    assert [s["index"] for s in res["selected"]] == order.tolist()
    png = (tmp_path / "fig.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_select_leukemia_default_is_logistic(tmp_path):
    """``fastlasso select`` alone: two classes, so LogisticRegressionCV (L1, 5
    stratified folds, glmnet's C grid); the printed genes are the refit's
    non-zero coefficients, ranked, and the CV scores are the folds' own."""
    from sklearn.model_selection import StratifiedKFold

    from fastlasso import LogisticRegressionCV
    from fastlasso._cli_logistic import c_grid
    from fastlasso.datasets import load_leukemia

    rc, out, err = run_cli("select", "--n-alphas", "20", "--top", "5", cwd=tmp_path)
    assert rc == 0, err
    assert "LogisticRegressionCV (2 classes" in out
    bunch = load_leukemia()
    X, y = bunch.data, bunch.target
    folds = list(StratifiedKFold(5).split(X, y))
    ref = LogisticRegressionCV(
        Cs=c_grid(X, y, 20, 1e-3, 1.0), l1_ratios=[1.0], cv=folds, solver="saga",
        scoring="neg_log_loss", use_legacy_attributes=False,
    ).fit(X, y)  # fmt: skip
    assert re.search(rf"C\s+= {ref.C_:.6g} ", out)
    order = ranked(ref.coef_[0])
    shown = printed_selection(out)
    assert [n for n, _ in shown] == bunch.feature_names[order[:5]].tolist()
    assert f"selected features: {order.size} of 7129" in out
    assert re.search(r"CV log-loss at C: [0-9.]+ ± [0-9.e-]+, CV accuracy 0\.9", out)


def test_select_logistic_out_plot_penalty_factor(tmp_path):
    """The logistic selection writes --out (JSON with the CV summary, CSV) and
    --plot, and passes --penalty-factor to LogisticRegressionCV (and its C grid)."""
    pytest.importorskip("matplotlib")
    from sklearn.model_selection import StratifiedKFold

    from fastlasso import LogisticRegressionCV
    from fastlasso._cli_logistic import c_grid
    from fastlasso.datasets import load_leukemia

    bunch = load_leukemia()
    X, y, names = bunch.data, bunch.target, bunch.feature_names
    pf = np.ones(X.shape[1])
    pf[:50] = 3.0  # penalised more
    (tmp_path / "pf.txt").write_text("\n".join(str(v) for v in pf) + "\n")
    common = ["select", "--n-alphas", "6", "--penalty-factor", "pf.txt"]
    runs = run_many(
        [
            [*common, "--out", "sel.json", "--plot", "cv.png"],
            [*common, "--out", "sel.csv"],
        ],
        cwd=tmp_path,
    )
    for rc, _, err in runs:
        assert rc == 0, err
    assert "penalty factors from pf.txt" in runs[0][1]
    Cs = c_grid(X, y, 6, 1e-3, 1.0, pf)
    ref = LogisticRegressionCV(
        Cs=Cs, l1_ratios=[1.0], cv=list(StratifiedKFold(5).split(X, y)),
        solver="saga", scoring="neg_log_loss", use_legacy_attributes=False,
        penalty_factor=pf,
    ).fit(X, y)  # fmt: skip
    res = json.loads((tmp_path / "sel.json").read_text())
    assert res["estimator"] == "LogisticRegressionCV"
    np.testing.assert_allclose(res["C"], ref.C_, rtol=1e-12)
    order = ranked(ref.coef_[0])
    assert [s["index"] for s in res["selected"]] == order.tolist()
    assert [s["feature"] for s in res["selected"]] == names[order].tolist()
    np.testing.assert_allclose(
        [s["coef"][0] for s in res["selected"]], ref.coef_[0, order], rtol=1e-8
    )
    assert 0.0 < res["cv_log_loss"] and 0.5 < res["cv_accuracy"] <= 1.0
    rows = (tmp_path / "sel.csv").read_text().splitlines()
    assert rows[0] == "rank,feature,index,coef" and len(rows) == order.size + 1
    assert (tmp_path / "cv.png").stat().st_size > 1000


def test_select_penalty_factor(tmp_path, data):
    """Penalty factors from a file reach the estimator's ``penalty_factor``."""
    X, y, names = data
    write_table(tmp_path / "d.csv", X, y, names, target_col=N_FEATURES)
    weights = np.ones(N_FEATURES)
    weights[59] = 0.0  # a noise feature, unpenalized: always kept
    weights[0] = 5.0  # a true feature, heavily penalized
    (tmp_path / "one.txt").write_text("\n".join(str(float(w)) for w in weights) + "\n")
    rows = [f"{names[j]},{float(weights[j])}" for j in (59, 0, 7)][::-1]  # any order
    (tmp_path / "two.csv").write_text("feature,weight\n" + "\n".join(rows) + "\n")
    runs = run_many(
        [
            ["select", "d.csv", "--target", "y", *GRID, "--penalty-factor", f,
             "--out", f"{f}.json"]
            for f in ("one.txt", "two.csv")
        ],
        cwd=tmp_path,
    )  # fmt: skip
    for rc, _, err in runs:
        assert rc == 0, err
    ref = LassoCV(alphas=15, cv=KFold(3), penalty_factor=weights).fit(X, y)
    plain = LassoCV(alphas=15, cv=KFold(3)).fit(X, y)
    assert ref.coef_[59] != 0 and plain.coef_[59] == 0
    order = ranked(ref.coef_)
    for f in ("one.txt", "two.csv"):
        res = json.loads((tmp_path / f"{f}.json").read_text())
        assert [s["index"] for s in res["selected"]] == order.tolist(), f
        np.testing.assert_allclose(res["alpha"], ref.alpha_, rtol=1e-12)
        np.testing.assert_allclose(
            [s["coef"] for s in res["selected"]], ref.coef_[order], rtol=1e-10
        )


# --------------------------------------------------------------------------------------
# path


def test_path_csv_and_svmlight(tmp_path, data):
    X, y, names = data
    write_table(tmp_path / "d.csv", X, y, names, target_col=N_FEATURES)
    write_svmlight(tmp_path / "d.libsvm", X, y)
    opts = ["--n-alphas", "8", "--eps", "0.01", "--tol", "1e-10"]
    runs = run_many(
        [
            ["path", "d.csv", "--target", "y", *opts, "--out", "p.csv",
             "--plot", "p.png"],
            ["path", "d.libsvm", *opts, "--out", "s.csv"],
            ["path", "d.csv", "--target", "y", *opts, "--l1-ratio", "0.5",
             "--out", "e.csv"],
        ],
        cwd=tmp_path,
    )  # fmt: skip
    for rc, _, err in runs:
        assert rc == 0, err
    out = runs[0][1]
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    for stem, l1_ratio in (("p", 1.0), ("s", 1.0), ("e", 0.5)):
        lines = (tmp_path / f"{stem}.csv").read_text().splitlines()
        header = lines[0].split(",")
        assert header[:4] == ["alpha", "n_nonzero", "dual_gap", "intercept"]
        feature_names = names if stem != "s" else [str(j + 1) for j in range(60)]
        assert header[4:] == feature_names
        table = np.array([[float(v) for v in r.split(",")] for r in lines[1:]])
        alphas = table[:, 0]
        assert table.shape == (8, 4 + N_FEATURES)
        # the grid: alpha_max (all coefficients zero) down to eps * alpha_max
        alpha_max = np.max(np.abs(Xc.T @ yc)) / (N_SAMPLES * l1_ratio)
        np.testing.assert_allclose(alphas, np.geomspace(1, 0.01, 8) * alpha_max)
        for k, alpha in enumerate(alphas):
            m = fastlasso.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12).fit(
                X, y
            )
            np.testing.assert_allclose(table[k, 4:], m.coef_, rtol=0, atol=1e-6)
            np.testing.assert_allclose(table[k, 3], m.intercept_, rtol=1e-6)
            assert table[k, 1] == np.count_nonzero(table[k, 4:])
            # an exact solution may report a gap of -1e-17 (rounding)
            gap_k = table[k, 2]
            assert -1e-14 * np.mean(yc**2) <= gap_k <= 1e-10 * np.mean(yc**2)
    # printed table: one line per alpha with its non-zero count
    rows = re.findall(r"^\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\S+)$", out, re.M)
    p_table = np.loadtxt(tmp_path / "p.csv", delimiter=",", skiprows=1)
    assert [int(r[0]) for r in rows] == list(range(8))
    assert [int(r[3]) for r in rows] == p_table[:, 1].astype(int).tolist()
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


# --------------------------------------------------------------------------------------
# info, bench, demo, help


def test_info_bench_demo(tmp_path, data):
    import numba
    import scipy
    import sklearn

    X, y, _ = data
    Lasso(alpha=0.1).fit(X, y)  # the dense float64 kernel is now in the cache

    (rc_i, info, err_i), (rc_b, bench, err_b), (rc_d, demo, err_d) = run_many(
        [
            ["info"],
            ["bench", "--quick", "--repeat", "1"],
            ["demo", "--n-alphas", "10", "--every", "3"],
        ]
    )
    assert rc_i == 0, err_i
    for name, version in [
        ("fastlasso", fastlasso.__version__),
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("numba", numba.__version__),
        ("scikit-learn", sklearn.__version__),
    ]:
        assert re.search(rf"^{name}\s+{re.escape(version)}\b", info, re.M), name
    assert f"NUMBA_CACHE_DIR={os.environ['NUMBA_CACHE_DIR']}" in info
    assert "Shipped (precompiled) kernels: " in info
    held = re.search(r"cd_enet_ws\s+(\d+) shipped, (\d+) in the user cache", info)
    assert held and int(held[1]) + int(held[2]) >= 1, info
    assert f"os.cpu_count() = {os.cpu_count()}" in info
    assert "NUMBA_NUM_THREADS = " in info

    assert rc_b == 0, err_b
    rows = re.findall(
        r"^(leukemia 72x7129|synthetic 200x5000)\s+10\s+(\S+)\s+(\S+)\s+(\S+)x"
        r"\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+ok$",
        bench,
        re.M,
    )
    assert len(rows) == 2, bench
    for row in rows:
        t_fl, t_sk, ratio, p_fl, p_sk, g_fl, g_sk = map(float, row[1:])
        assert t_fl > 0 and t_sk > 0 and ratio > 0
        assert abs(p_fl - p_sk) <= g_fl + g_sk + 1e-6 * p_sk
    assert "python bench/run.py" in bench

    assert rc_d == 0, err_d
    assert "check:" in demo and ": OK" in demo


def described(help_text, flag):
    """The explanation printed after ``flag`` in an argparse help text."""
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(rf"^  (?:-\w, )?{flag}(?: \S+)?(?:  +(.*))?$", line)
        if m:
            text = [m.group(1) or ""]
            for cont in lines[i + 1 :]:
                if not re.match(r"^ {6,}\S", cont):
                    break
                text.append(cont.strip())
            return " ".join(text).strip()
    return ""


def test_help_of_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    top = capsys.readouterr().out
    for command in ("select", "path", "info", "bench", "warmup", "demo"):
        assert re.search(rf"^  {command}\s", top, re.M), command
    options = {
        "select": [
            "--target", "--drop", "--delimiter", "--standardize", "--l1-ratio",
            "--n-alphas", "--eps", "--tol", "--max-iter", "--cv", "--model",
            "--alpha-rule",
            "--random-state", "--n-jobs", "--penalty-factor", "--out", "--plot",
            "--top", "--verbose", "--quiet",
        ],
        "path": [
            "--target", "--drop", "--standardize", "--l1-ratio", "--n-alphas",
            "--eps", "--tol", "--max-iter", "--out", "--plot",
        ],
        "bench": ["--quick", "--repeat"],
        "info": [],
        "demo": ["--n-alphas", "--no-sklearn"],
        "warmup": [],
    }  # fmt: skip
    for command, flags in options.items():
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        text = capsys.readouterr().out
        for flag in flags:
            assert described(text, flag), (command, flag)
        assert "usage: fastlasso " + command in text


# --------------------------------------------------------------------------------------
# errors


def test_usage_errors_exit_2(capsys):
    for argv in (
        ["select", "--cv", "1"],
        ["select", "--alpha-rule", "max"],
        ["select", "--l1-ratio", "0"],
        ["select", "--l1-ratio", "0.5,x"],
        ["select", "--out", "result.txt"],
        ["select", "--out", "/no/such/dir/r.json"],
        ["path", "--l1-ratio", "0.5,0.7"],
        ["path", "--n-alphas", "0"],
        ["bench", "--repeat", "0"],
        ["nonsense"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv
        assert "error:" in capsys.readouterr().err


def test_bad_inputs_exit_1_with_a_message(tmp_path, data):
    X, y, names = data
    X, y = X[:12, :20], y[:12]
    names = names[:20]
    d = tmp_path

    write_table(d / "ok.csv", X, y, names, target_col=20)
    lines = (d / "ok.csv").read_text().splitlines()

    def variant(name, edit):
        rows = [r.split(",") for r in lines]
        edit(rows)
        (d / name).write_text("\n".join(",".join(r) for r in rows) + "\n")

    def non_numeric(rows):
        rows[0].insert(0, "sample")
        for i, r in enumerate(rows[1:]):
            r.insert(0, f"s{i}")
        rows[4][3] = "high"

    def missing(rows):
        rows[3][2] = ""  # line 4, column g2
        rows[7][2] = "NA"  # line 8, column g2
        rows[7][20] = "nan"  # line 8, the target

    def ragged(rows):
        rows[5].append("1.0")

    variant("nonnum.csv", non_numeric)
    variant("nan.csv", missing)
    variant("ragged.csv", ragged)
    variant("const.csv", lambda rows: [r.__setitem__(20, "2.5") for r in rows[1:]])
    (d / "empty.csv").write_text("")
    (d / "blank.csv").write_text("\n\n")
    (d / "header.csv").write_text(lines[0] + "\n")
    (d / "pf.txt").write_text("1\n" * 19)
    np.savez(d / "noy.npz", X=X)
    write_svmlight(d / "d.svm", X, y)

    cases = [
        (["select", "absent.csv", "--target", "y"], r"absent\.csv: no such file"),
        (
            ["select", "ok.csv", "--target", "nope"],
            r"target column 'nope' not found; the 21 columns are: 'g0', 'g1', .*"
            r"\(9 more\)",
        ),
        (["select", "ok.csv"], r"--target is required .* 'g0'"),
        (
            ["select", "nonnum.csv", "--target", "y"],
            r"2 non-numeric columns: 'sample' \(line 2: 's0'\), 'g2' \(line 5: "
            r"'high'\).*--drop",
        ),
        (
            ["path", "nan.csv", "--target", "y"],
            r"3 missing or non-finite values .* in 2 rows \(lines 4, 8\) and 2 "
            r"columns \('g2', 'y \(target\)'\); first cells \(line, column\): "
            r"\(4, 'g2'\), \(8, 'g2'\), \(8, 'y \(target\)'\)",
        ),
        (["select", "ragged.csv", "--target", "y"], r"line 6 has 22"),
        (["select", "empty.csv", "--target", "y"], r"the file is empty"),
        (["select", "blank.csv", "--target", "y"], r"the file is empty"),
        (["select", "header.csv", "--target", "y"], r"only a header line, no data"),
        (["select", "const.csv", "--target", "y"], r"target 'y' is constant"),
        (
            ["select", "ok.csv", "--target", "y", "--cv", "3", "--penalty-factor",
             "pf.txt"],
            r"has 19 weights but the data have 20 features",
        ),
        (["select", "noy.npz"], r"no array 'y' .* --target"),
        (["path", "d.svm", "--target", "0"], r"--target is not used with svmlight"),
        (["select", "--target", "y"], r"need a DATA file"),
    ]  # fmt: skip
    # the nonnumeric file is fine once its non-numeric columns are dropped
    ok_after_drop = ["select", "nonnum.csv", "--target", "y", "--drop", "sample,3"]
    # every case in a real process (exit status, no traceback)
    results = run_many([args for args, _ in cases] + [ok_after_drop], cwd=d)
    rc, out, err = results.pop()
    assert rc == 0, err
    assert "12 samples x 19 features" in out
    for (args, pattern), (rc, out, err) in zip(cases, results, strict=True):
        assert rc == 1, (args, out, err)
        assert "Traceback" not in err, err
        assert err.startswith(f"fastlasso {args[0]}: error: "), err
        assert re.search(pattern, err), (args, err)


def test_bench_json(tmp_path, capsys):
    import sklearn

    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--repeat", "2", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"records written to {out}" in printed
    doc = json.loads(out.read_text())
    assert doc["command"] == "fastlasso bench --quick" and doc["repeat"] == 2
    assert doc["versions"]["fastlasso"] == fastlasso.__version__
    assert doc["versions"]["sklearn"] == sklearn.__version__
    records = doc["records"]
    assert [(r["problem"], r["solver"]) for r in records] == [
        (p, s)
        for p in ("leukemia 72x7129", "synthetic 200x5000")
        for s in ("fastlasso", "scikit-learn")
    ]
    for fl, sk in zip(records[::2], records[1::2], strict=True):
        assert fl["alpha"] == sk["alpha"] and fl["divisor"] == sk["divisor"] == 10
        # both certified: the objectives agree within the two duality gaps
        slack = fl["dual_gap"] + sk["dual_gap"] + 1e-10 * sk["objective"]
        assert abs(fl["objective"] - sk["objective"]) <= slack
        assert fl["check_ok"] and sk["check_ok"]
        for r in (fl, sk):
            assert len(r["times"]) == 2 and r["median_seconds"] > 0
            assert r["n_iter"] >= 1 and r["tol"] == 1e-4
            assert r["time_xtr_units"] == pytest.approx(
                r["median_seconds"] / r["xtr_seconds"]
            )
        # the printed row carries the same medians
        row = re.search(
            rf"^{re.escape(fl['problem'])}\s+10\s+(\S+)\s+(\S+)", printed, re.M
        )
        assert float(row[1]) == pytest.approx(fl["median_seconds"], abs=1e-4)
        assert float(row[2]) == pytest.approx(sk["median_seconds"], abs=1e-4)
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--json", str(tmp_path / "bench.txt")])
    assert exc.value.code == 2
