"""A solver process: the runner sends it requests and times out slow fits.

Each solver lives in its own worker process (spawned, so it starts with the
runner's pinned thread counts), holding one dataset in memory at a time.
Fits are timed inside the worker (``time.perf_counter`` around the adapter
call), so the pipe round-trip is not part of any measurement. When a fit
exceeds ``--max-fit-seconds`` the runner kills the worker and starts a new
one for the next problem; this is the only way to cap a compiled solver that
does not return to Python.
"""

import time
import traceback

__all__ = ["serve"]


def serve(conn, solver_name, data_dir):
    from problems import DATASETS
    from solvers import make_solver

    try:
        solver = make_solver(solver_name)
    except BaseException as exc:  # noqa: BLE001 - reported to the runner
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ok", solver.version))
    current, X, y = None, None, None
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        op, *params = request
        try:
            if op == "stop":
                return
            if op == "load":
                if params[0] != current:
                    X = y = None
                    X, y = DATASETS[params[0]].load(data_dir)
                    current = params[0]
                conn.send(("ok", None))
                continue
            method = getattr(solver, op)  # "fit" or "path"
            start = time.perf_counter()
            result = method(X, y, *params)
            elapsed = time.perf_counter() - start
            conn.send(("ok", (elapsed, result)))
        except BaseException:  # noqa: BLE001 - reported to the runner
            conn.send(("error", traceback.format_exc()))
