"""The benchmark suite: ``pytest bench/ --benchmark-only``.

One test per (case, solver) of ``cases.CASES``, grouped per case so the table
shows the solvers side by side. Outside the timed region each solver sweeps
its ``tol`` (loosest first; the first fit is also the JIT warm-up) to the
loosest setting whose output reaches relative suboptimality <= 1e-6 against
the case's P* in ``golden/suite_refs.json``; that setting is then timed in
pedantic mode, and the output of the timed fits must reach 1e-6 too (a fast but
wrong solver fails). ``benchmark.extra_info`` holds the setting, suboptimality,
duality gap, ``n_iter_``, time in ``X.T @ r`` units and versions
(``--benchmark-json FILE`` writes all of it).
"""

import math

import numpy as np
import pytest
from cases import CASES, TARGET, calibrate, fingerprint, make_runner, score, versions

#: Timed rounds per (case, solver): about ROUND_BUDGET seconds, within bounds.
ROUND_BUDGET, MIN_ROUNDS, MAX_ROUNDS = 1.0, 3, 15

PARAMS = [
    pytest.param(case, solver, id=f"{case.name}-{solver}")
    for case in CASES
    for solver in case.solvers
]


def _check_fingerprint(case, data, ref):
    now, then = fingerprint(data), ref.get("fingerprint")
    if then is None:
        return
    same = now["shape"] == then["shape"] and all(
        math.isclose(now[k], then[k], rel_tol=1e-9) for k in ("sum_X", "sum_y2")
    )
    if not same:
        pytest.fail(
            f"{case.name}: the data differ from those of the golden file; run "
            f"python bench/make_golden.py --cases {case.name}"
        )


@pytest.mark.parametrize("case, solver", PARAMS)
def test_case(benchmark, case, solver, golden, case_data):
    try:
        runner = make_runner(case, solver)
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"{solver} not available for {case.kind}: {exc}")
    except NotImplementedError as exc:
        pytest.skip(f"{solver} cannot solve {case.name}: {exc}")
    if case.name not in golden:
        pytest.skip(f"no golden entry: python bench/make_golden.py --cases {case.name}")
    ref = golden[case.name]
    data = case_data.get(case, ref)
    _check_fingerprint(case, data, ref)

    setting, seconds, best, n_fits = calibrate(runner, case, data, ref)
    assert setting is not None, (
        f"{solver} never reached suboptimality {TARGET:g} on {case.name} "
        f"(best {best['subopt']:.2e} after {n_fits} settings)"
    )
    benchmark.group = case.name
    rounds = int(np.clip(math.ceil(ROUND_BUDGET / max(seconds, 1e-6)), MIN_ROUNDS,
                         MAX_ROUNDS))  # fmt: skip
    result = benchmark.pedantic(
        runner.fit, args=(data, setting), rounds=rounds, iterations=1
    )
    s = score(case, data, ref, result)
    stats = getattr(benchmark.stats, "stats", None)
    median = stats.median if stats is not None else seconds
    xtr = data.extra["xtr_seconds"]
    benchmark.extra_info.update(
        solver=solver,
        solver_version=runner.version,
        case=case.name,
        note=case.note,
        setting=setting,
        calibration_fits=n_fits,
        subopt=s["subopt"],
        objective=s["objective"],
        P_star=s["P_star"],
        rel_duality_gap=s["rel_gap"],
        n_iter=result.n_iter,
        xtr_seconds=xtr,
        time_xtr_units=median / xtr,
        versions=versions(),
    )
    assert s["subopt"] <= TARGET, (
        f"{solver} on {case.name}: timed fit at {setting} has suboptimality "
        f"{s['subopt']:.2e} > {TARGET:g}"
    )
