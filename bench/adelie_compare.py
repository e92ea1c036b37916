"""100-alpha Lasso path: fastlasso vs adelie (and scikit-learn, skglm, celer).

Run from the repository root::

    python bench/adelie_compare.py --out bench/results/adelie_compare.md

Every solver solves the same problem at the same alphas,

    P(w, b) = 1/(2 n) ||y - X w - b||^2 + alpha ||w||_1,

with an unpenalised intercept and no standardisation, on the grid
``alpha_max * geomspace(1, eps, 100)`` for ``eps`` in ``--eps`` (alpha_max from
``problems.alpha_max``). adelie: ``grpnet`` with ``glm.gaussian(y)`` (weights
1/n, so its loss is 1/(2n)||y - eta||^2 up to a constant), groups of size 1,
penalty factors 1 (its default sqrt(group size)), ``lmda_path`` = the grid,
``intercept=True``, ``early_exit=False`` (it would stop the path once 90 % of
the deviance is explained), one thread. fastlasso / scikit-learn / skglm /
celer: ``solvers.py``'s path adapters (X and y centred once inside the timed
call, intercepts ``mean(y) - mean(X) @ w``); for sparse X fastlasso and
scikit-learn get ``X_offset`` (implicit centring) and skglm / celer are not
run. Every returned (coef, intercept) is scored by ``problems.objective``;
P*(alpha) is the lowest objective seen at that alpha (a fastlasso path at
``tol=1e-12`` included, its duality gap from ``problems.duality_gap`` is
reported); a path's suboptimality is ``max_alpha (P - P*) / P*``.

Each solver sweeps its own ``tol`` (loose first). All configurations are run
once untimed (Numba compilation, scoring), then timed ``--repeats`` times,
interleaved (round-robin over all configurations of a problem), best time
kept. The time to a target is the smallest best time among the tols whose
path suboptimality is <= the target (measured, never interpolated).
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from problems import (  # noqa: E402
    alpha_max,
    default_data_dir,
    duality_gap,
    load_leukemia,
    load_news20,
    make_toeplitz_regression,
    objective,
)
from solvers import make_solver  # noqa: E402

TARGETS = (1e-4, 1e-6)
TOLS = {
    "fastlasso": (1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 1e-7, 1e-8, 1e-9),
    "adelie": (1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14),
    "sklearn": (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9),
    "skglm": (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9),
    "celer": (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9),
}
MAX_ITER = 100_000


def load_problem(name, data_dir):
    if name == "leukemia":
        return load_leukemia(data_dir)
    if name == "toeplitz":
        return make_toeplitz_regression(n_samples=500, n_features=5000)
    if name == "news20":
        return load_news20(data_dir)
    raise ValueError(name)


def adelie_path(X, y, alphas, tol):
    import adelie as ad

    if sp.issparse(X):
        Xa = ad.matrix.sparse(X, method="naive", n_threads=1)
    else:
        Xa = ad.matrix.dense(X, method="naive", n_threads=1)
    state = ad.grpnet(
        Xa,
        ad.glm.gaussian(y),
        lmda_path=alphas,
        penalty=np.ones(X.shape[1]),
        intercept=True,
        early_exit=False,
        progress_bar=False,
        tol=tol,
        max_iters=MAX_ITER,
        n_threads=1,
    )
    lmdas = np.asarray(state.lmdas)
    if lmdas.shape != alphas.shape or not np.allclose(lmdas, alphas, rtol=1e-12):
        raise RuntimeError(f"adelie solved {lmdas.size} alphas, not the grid")
    return state.betas.toarray().T, np.asarray(state.intercepts)


def sparse_path(lib, X, y, alphas, tol):
    """fastlasso / scikit-learn enet_path on sparse X, implicit centring."""
    x_mean = np.asarray(X.mean(axis=0)).ravel()
    y_mean = y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, coefs, _ = lib.enet_path(
            X,
            y - y_mean,
            l1_ratio=1.0,
            alphas=alphas,
            tol=tol,
            max_iter=MAX_ITER,
            X_offset=x_mean,
            X_scale=np.ones(X.shape[1]),
        )
    return coefs, y_mean - x_mean @ coefs


def make_runner(name, sparse):
    if name == "adelie":
        import adelie  # noqa: F401

        return lambda X, y, a, tol: adelie_path(X, y, a, tol)
    if sparse:
        if name == "fastlasso":
            import fastlasso as lib
        elif name == "sklearn":
            import sklearn.linear_model as lib
        else:
            return None
        return lambda X, y, a, tol: sparse_path(lib, X, y, a, tol)
    solver = make_solver(name)
    return lambda X, y, a, tol: solver.path(X, y, a, 1.0, tol, MAX_ITER)


def path_objectives(X, y, alphas, coefs, intercepts):
    return np.array(
        [
            objective(X, y, coefs[:, k], intercepts[k], alphas[k])
            for k in range(alphas.size)
        ]
    )


def machine_load():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return ["?"]


def run_case(prob, X, y, eps, solvers, args, log):
    a_max = alpha_max(X, y)
    alphas = a_max * np.geomspace(1.0, eps, args.n_alphas)
    sparse = sp.issparse(X)
    runners = {}
    for s in solvers:
        if sparse and s not in args.sparse_solvers:
            continue
        r = make_runner(s, sparse)
        if r is not None:
            runners[s] = r
    # Reference: fastlasso at tol=1e-12.
    ref = runners["fastlasso"]
    ref(X, y, alphas, 1e-4)  # compile
    coefs, icpt = ref(X, y, alphas, args.ref_tol)
    p_ref = path_objectives(X, y, alphas, coefs, icpt)
    gaps = []
    for k in range(alphas.size):
        p, d = duality_gap(X, y, coefs[:, k], alphas[k])
        gaps.append((p - d) / p)
    ref_gap = float(np.max(gaps))
    log(f"{prob} eps={eps:g}: reference max relative gap {ref_gap:.2e}")
    configs = []  # (solver, tol, objs, nnz)
    for s, run in runners.items():
        run(X, y, alphas[:3], 1e-2)  # untimed: JIT compilation (skglm, celer)
        for tol in TOLS[s]:
            t0 = time.perf_counter()
            c, b = run(X, y, alphas, tol)
            dt = time.perf_counter() - t0
            objs = path_objectives(X, y, alphas, c, b)
            configs.append(
                dict(solver=s, tol=tol, objs=objs, nnz=int((c[:, -1] != 0).sum()),
                     first=dt, times=[])
            )
            log(f"  {s:9s} tol={tol:.0e} first {dt:.3f} s")
            if dt > args.max_seconds:
                log(f"  {s}: path slower than {args.max_seconds} s, sweep stopped")
                break
    p_star = np.minimum.reduce([p_ref] + [c["objs"] for c in configs])
    for c in configs:
        c["subopt"] = float(np.max((c["objs"] - p_star) / p_star))
    # Drop configurations past the first one meeting the tightest target.
    kept = []
    for s in runners:
        for c in [c for c in configs if c["solver"] == s]:
            kept.append(c)
            if c["subopt"] <= min(TARGETS):
                break
    for rep in range(args.repeats):
        for c in kept:
            if c["first"] > args.single_above and rep > 0:
                continue
            run = runners[c["solver"]]
            t0 = time.perf_counter()
            run(X, y, alphas, c["tol"])
            c["times"].append(time.perf_counter() - t0)
    for c in kept:
        c["best"] = min(c["times"])
        log(f"  {c['solver']:9s} tol={c['tol']:.0e} best {c['best']:.4f} s "
            f"subopt {c['subopt']:.2e} nnz(last) {c['nnz']}")
    return dict(problem=prob, eps=eps, shape=X.shape, ref_gap=ref_gap,
                p_star_nnz=int((coefs[:, -1] != 0).sum()), configs=kept,
                solvers=list(runners))


def to_target(case, solver, target):
    ok = [c for c in case["configs"] if c["solver"] == solver
          and c["subopt"] <= target]
    if not ok:
        return None
    return min(ok, key=lambda c: c["best"])


def markdown(cases, args, load_before, load_after, versions):
    lines = [
        "# 100-alpha Lasso path: fastlasso vs adelie",
        "",
        f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Machine: "
        f"{os.cpu_count()} shared cores, other jobs running (load average "
        f"{' '.join(load_before)} before, {' '.join(load_after)} after): "
        "timings are noisy.",
        "",
        f"Command: `python bench/adelie_compare.py {' '.join(sys.argv[1:])}`",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        "Same problem for every solver: 1/(2n)||y - Xw - b||^2 + alpha ||w||_1, "
        "intercept fit, no standardisation, alphas = alpha_max * "
        "geomspace(1, eps, 100). Suboptimality: max over the 100 alphas of "
        "(P - P*)/P*, P* the lowest objective seen (fastlasso tol=1e-12 "
        "reference included), all judged by `bench/problems.objective`. "
        f"Time: best of {args.repeats} interleaved warm runs (a path slower "
        f"than {args.single_above} s on its first run is timed once), one "
        "thread everywhere. 'tol' is each library's own tol: the setting of "
        "its sweep that reaches the target fastest (fastlasso / sklearn: "
        "gap <= tol ||y_c||^2 per alpha; adelie: its coordinate-descent tol).",
        "",
    ]
    for target in TARGETS:
        lines += [
            f"## Time to max relative suboptimality <= {target:g}",
            "",
            "| problem | n x p | alpha_max/alpha_min | ref. max gap | nnz at "
            "alpha_min | " + " | ".join(args.solvers)
            + " | fastlasso vs adelie | fastlasso vs fastest peer |",
            "|---|---|---|---|---|" + "---|" * len(args.solvers) + "---|---|",
        ]
        for case in cases:
            cells, times = [], {}
            for s in args.solvers:
                if s not in case["solvers"]:
                    cells.append("not run")
                    continue
                c = to_target(case, s, target)
                if c is None:
                    worst = min(
                        (x["subopt"] for x in case["configs"] if x["solver"] == s),
                        default=float("nan"),
                    )
                    cells.append(f"not reached (best {worst:.1e})")
                    continue
                times[s] = c["best"]
                cells.append(f"{c['best']:.3g} s (tol {c['tol']:.0e}, "
                             f"{c['subopt']:.1e})")
            fl = times.get("fastlasso")
            ad_t = times.get("adelie")
            vs_ad = f"{ad_t / fl:.2f}x" if fl and ad_t else "-"
            peers = [t for s, t in times.items() if s != "fastlasso"]
            vs_peer = f"{min(peers) / fl:.2f}x" if fl and peers else "-"
            n, p = case["shape"]
            lines.append(
                f"| {case['problem']} | {n} x {p} | {1 / case['eps']:g} | "
                f"{case['ref_gap']:.1e} | {case['p_star_nnz']} | "
                + " | ".join(cells) + f" | {vs_ad} | {vs_peer} |"
            )
        lines += ["", "Ratios > 1 mean fastlasso is faster.", ""]
    lines += ["## Every timed configuration", "",
              "| problem | eps | solver | tol | best time | max rel. subopt |",
              "|---|---|---|---|---|---|"]
    for case in cases:
        for c in case["configs"]:
            lines.append(f"| {case['problem']} | {case['eps']:g} | {c['solver']} | "
                         f"{c['tol']:.0e} | {c['best']:.4g} s | {c['subopt']:.2e} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", default="leukemia,toeplitz,news20")
    parser.add_argument("--eps", default="1e-2,1e-3,1e-4",
                        help="alpha_min / alpha_max of the grids")
    parser.add_argument("--solvers", default="fastlasso,adelie,sklearn,skglm,celer")
    parser.add_argument(
        "--sparse-solvers",
        default="fastlasso,adelie",
        help="solvers run on sparse X (scikit-learn's sparse path is slow; "
        "skglm / celer are not adapted to sparse X with an intercept here)",
    )
    parser.add_argument("--n-alphas", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--single-above", type=float, default=5.0)
    parser.add_argument("--max-seconds", type=float, default=10.0,
                        help="stop a solver's tol sweep after a path this slow")
    parser.add_argument("--ref-tol", type=float, default=1e-12)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="markdown file")
    args = parser.parse_args(argv)
    args.solvers = args.solvers.split(",")
    args.sparse_solvers = args.sparse_solvers.split(",")
    data_dir = args.data_dir or default_data_dir()

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    versions = {}
    for s in args.solvers:
        mod = __import__({"sklearn": "sklearn"}.get(s, s))
        versions[s] = getattr(mod, "__version__", "?")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True,
                                cwd=BENCH).stdout.strip()
        versions["fastlasso"] += f" (commit {commit})"
    except OSError:
        pass
    load_before = machine_load()
    cases = []
    for prob in args.problems.split(","):
        X, y = load_problem(prob, data_dir)
        for eps in (float(e) for e in args.eps.split(",")):
            cases.append(run_case(prob, X, y, eps, args.solvers, args, log))
            md = markdown(cases, args, load_before, machine_load(), versions)
            if args.out:  # after every case, so a stopped run keeps its results
                args.out.write_text(md)
    print(md)


if __name__ == "__main__":
    main()
