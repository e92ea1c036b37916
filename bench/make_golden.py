"""Reference objectives P* of the benchmark suite -> ``golden/suite_refs.json``.

Usage (from the repository root)::

    python bench/make_golden.py                   # every case whose data exist
    python bench/make_golden.py --cases ridge_tall,path20_leukemia   # update some

Lasso, ElasticNet, path, LassoCV, logistic and multitask references come from
:func:`fastlasso.reference_solution` (working-set CD at ``tol=1e-14``, polish
on the support, duality gap recomputed in float64; certified relative gap
``<= 1e-12`` of the null model's objective, else the script fails). P* is the
objective of that solution as the suite's judge (``cases.score``) computes it.

- path: one reference per alpha of the grid;
- LassoCV: one reference per alpha of the grid that fastlasso's and scikit-
  learn's ``LassoCV`` both build (checked equal here), so any selected
  ``alpha_`` can be judged;
- Ridge: the normal equations ``(Z^T Z + alpha I) w = Z^T y_c`` (one step of
  iterative refinement), certified by ``P - P* <= ||g||^2 / (4 alpha)`` with
  ``g`` the gradient;
- logistic: ``C`` of ``logistic_compare.py``'s task (``logistic_refs.json``),
  checked against that file's ``P_star``;
- multitask: only when ``fastlasso.MultiTaskLasso`` exists:
  ``reference_solution`` with the 2-d ``Y`` (block CD at ``tol=1e-14``, the
  multi-task duality gap recomputed in numpy).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime, timezone

import cases as C  # bench/ is on sys.path when run as a script
import numpy as np
from cases import CASES, GOLDEN, data_available, fingerprint, load_data

import fastlasso

REL_GAP = 1e-12


def _ref(X, y, alpha, l1_ratio=1.0, **kw):
    ref = fastlasso.reference_solution(X, y, alpha, l1_ratio=l1_ratio, **kw)
    if not ref.certified:
        raise RuntimeError(f"reference not certified: rel gap {ref.rel_gap:.2e}")
    return ref


def _lasso(case, data):
    ref = _ref(data.X, data.y, data.alpha, case.l1_ratio)
    res = C.Result(ref.coef, ref.intercept)
    s = C.score(case, data, {"P_star": ref.objective}, res)
    return {
        "alpha": data.alpha,
        "P_star": s["objective"],
        "rel_gap": ref.rel_gap,
        "gap": ref.gap,
        "method": ref.method,
        "nnz": int(np.count_nonzero(ref.coef)),
    }


def _path(case, data):
    refs = [_ref(data.X, data.y, a, case.l1_ratio) for a in data.alphas]
    p_star = [
        C.objective(data.X, data.y, r.coef, r.intercept, a, case.l1_ratio)
        for r, a in zip(refs, data.alphas, strict=True)
    ]
    return {
        "alphas": data.alphas.tolist(),
        "P_star": p_star,
        "rel_gap": max(r.rel_gap for r in refs),
        "gap": [r.gap for r in refs],
    }


def _cv(case, data):
    from sklearn import linear_model as skl
    from sklearn.model_selection import KFold

    alphas = fastlasso.LassoCV(cv=KFold(5)).fit(data.X, data.y).alphas_
    alphas_sk = skl.LassoCV(cv=KFold(5)).fit(data.X, data.y).alphas_
    if not np.allclose(alphas, alphas_sk, rtol=1e-12, atol=0):
        raise RuntimeError("fastlasso's and scikit-learn's LassoCV grids differ")
    data.alphas = np.asarray(alphas)
    out = _path(case, data)
    return out


def _ridge(case, data):
    X, y, alpha = data.X, data.y, data.alpha
    Z = X - X.mean(axis=0)
    yc = y - y.mean()
    A = Z.T @ Z
    A[np.diag_indices_from(A)] += alpha
    rhs = Z.T @ yc
    w = np.linalg.solve(A, rhs)
    w += np.linalg.solve(A, rhs - A @ w)
    b = float(y.mean() - X.mean(axis=0) @ w)
    g = 2.0 * (A @ w - rhs)
    p_star = C.ridge_objective(X, y, w, b, alpha)
    bound = float(g @ g) / (4.0 * alpha)
    if bound > REL_GAP * p_star:
        raise RuntimeError(f"ridge reference: bound {bound / p_star:.1e}")
    return {"alpha": alpha, "P_star": p_star, "rel_gap": bound / p_star}


def _logistic(case, data):
    import logistic_compare as lc

    task = lc.TASKS[case.task]
    ref = fastlasso.reference_solution(
        data.X,
        data.y,
        model="logistic",
        C=data.C,
        l1_ratio=task.l1_ratio,
        fit_intercept=task.fit_intercept,
    )
    if not ref.certified:
        raise RuntimeError(f"logistic reference: rel gap {ref.rel_gap:.2e}")
    p_star = C.score(case, data, {"P_star": 1.0}, C.Result(ref.coef, ref.intercept))
    p_star = p_star["objective"]
    other = json.loads(lc.REFS.read_text())["tasks"][case.task]["P_star"]
    if abs(p_star - other) > 1e-8 * other:
        raise RuntimeError(f"logistic P* {p_star!r} vs logistic_refs.json {other!r}")
    return {
        "C": data.C,
        "P_star": p_star,
        "rel_gap": ref.rel_gap,
        "method": ref.method,
        "logistic_refs_P_star": other,
    }


def _multitask(case, data):
    if not hasattr(fastlasso, "MultiTaskLasso"):
        return None
    ref = _ref(data.X, data.y, data.alpha)  # 2-d y: the multi-task Lasso
    p_star = C.multitask_objective(data.X, data.y, ref.coef, ref.intercept, data.alpha)
    return {"alpha": data.alpha, "P_star": p_star, "rel_gap": ref.rel_gap}


MAKERS = {
    "lasso": _lasso,
    "path": _path,
    "cv": _cv,
    "ridge": _ridge,
    "logistic": _logistic,
    "multitask": _multitask,
}


def _commit():
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=C.BENCH,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    wanted = set(args.cases.split(",")) if args.cases else None
    old = C.load_golden()
    out = dict(old)
    for case in CASES:
        if wanted is not None and case.name not in wanted:
            continue
        if not data_available(case, args.data_dir):
            print(f"{case.name}: data not found, skipped", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        data = load_data(case, args.data_dir)
        entry = MAKERS[case.kind](case, data)
        if entry is None:
            print(f"{case.name}: solver not available, skipped", file=sys.stderr)
            continue
        entry["fingerprint"] = fingerprint(data)
        entry["seconds"] = time.perf_counter() - t0
        out[case.name] = entry
        print(
            f"{case.name}: P* = {np.ravel(entry['P_star'])[0]:.15g}, rel gap "
            f"{entry['rel_gap']:.1e}, {entry['seconds']:.1f} s",
            file=sys.stderr,
        )
    doc = {
        "command": "python bench/make_golden.py",
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "versions": C.versions(),
        "target_rel_gap": REL_GAP,
        "cases": dict(sorted(out.items())),
    }
    GOLDEN.write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
