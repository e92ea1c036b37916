"""A/B benchmark of two git revisions of fastlasso: ``python bench/ab.py BASE HEAD``.

Each revision is exported from the local repository (``git archive``, so the
working tree is not touched) and installed, non-editable, into its own virtual
environment whose ``sys.path`` continues with the running Python's
site-packages (a ``.pth`` file):
``pip install --no-deps --ignore-installed <export>`` (pip's isolated build
fetches setuptools from the package index; ``--install path`` skips the build and
puts the export on the environment's ``sys.path``, offline). The
environment thus reuses this interpreter's numpy, scipy, numba and
scikit-learn (no registry access, a few seconds per revision) and differs only
in fastlasso; each worker checks that ``fastlasso`` is imported from its own
environment. Environments are kept under ``--work-dir`` keyed by commit and
side, with their own Numba cache, so later runs on the same commits skip the
install and the JIT compilation.

The cases are those of the pytest-benchmark suite (``cases.py``) that fastlasso
runs, with the same data and judge, run by one worker process per side
(threads pinned to one). The ``tol`` of each case is calibrated once on BASE
(the loosest of the sweep reaching relative suboptimality 1e-6 against the
golden P*) and used for both sides. Then, for ``--rounds`` rounds, every case
runs ``k`` pairs of fits (``k`` from the calibration, about 0.2 s of fits per
side and round), base and head back to back, the side that goes first
alternating, so that load from elsewhere on the machine hits both sides of a
pair.

Output: per case, the median over the pairs of the head/base time ratio, the
ratio of the best times, ``n_iter`` of each side and the head's
suboptimality. Exit status 1 when a case is slower by ``>= --fail`` (1.5) in
both ratios, or less accurate (head misses 1e-6 where base reaches it); a
median ratio ``>= --info`` (1.2) is printed as information. ``--json FILE`` writes
every measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PIN = {
    v: "1"
    for v in (
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "NUMBA_NUM_THREADS",
    )
}


# ------------------------------------------------------------------- worker
def _worker():
    """Serve JSON requests on stdin; answers on the original stdout."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stdout = sys.stderr  # library prints must not corrupt the protocol
    sys.path.insert(0, str(BENCH))
    import cases as C
    import numpy as np
    from threadpoolctl import threadpool_limits

    import fastlasso

    threadpool_limits(1)
    golden = C.load_golden()
    state = {"name": None}

    def prepare(name):
        if state["name"] != name:
            case = C.CASES_BY_NAME[name]
            runner = C.make_runner(case, "fastlasso")
            state.update(
                name=name,
                case=case,
                runner=runner,
                data=C.load_data(case, golden=golden[name]),
                warm=False,
            )
        return state

    def handle(req):
        op = req["op"]
        if op == "hello":
            return {"file": fastlasso.__file__, "version": fastlasso.__version__}
        st = prepare(req["case"])
        case, runner, data = st["case"], st["runner"], st["data"]
        ref = golden[case.name]
        if op == "calibrate":
            setting, seconds, best, n_fits = C.calibrate(runner, case, data, ref)
            st["warm"] = True
            return {"setting": setting, "seconds": seconds, "best": best}
        if op == "time":
            if not st["warm"]:
                runner.fit(data, req["setting"])  # JIT warm-up, untimed
                st["warm"] = True
            times = []
            for _ in range(req["repeat"]):
                t0 = time.perf_counter()
                result = runner.fit(data, req["setting"])
                times.append(time.perf_counter() - t0)
            s = C.score(case, data, ref, result)
            return {"seconds": float(np.min(times)), "n_iter": result.n_iter, **s}
        raise ValueError(op)

    for line in sys.stdin:
        req = json.loads(line)
        try:
            answer = {"ok": True, **handle(req)}
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(answer) + "\n")


class Worker:
    def __init__(self, python, cache_dir, log):
        env = {**os.environ, **PIN, "NUMBA_CACHE_DIR": str(cache_dir)}
        env.pop("PYTHONPATH", None)
        self.proc = subprocess.Popen(
            [str(python), str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
            cwd=tempfile.gettempdir(),  # not the checkout: no stray fastlasso
        )

    def ask(self, **req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("worker died (see its log)")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# ---------------------------------------------------------------- installs
def _git(*args):
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def install(rev, side, work_dir, say, method="pip"):
    """``(python, numba_cache_dir, sha)`` of an environment holding ``rev``."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    env_dir = work_dir / f"{sha[:12]}-{side}-{method}"
    python = env_dir / "bin" / "python"
    marker = env_dir / "ab-installed"
    if not marker.exists():
        say(f"installing {rev} ({sha[:10]}) into {env_dir}")
        src = work_dir / f"src-{sha[:12]}-{side}"
        src.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
        code = "import sysconfig; print(sysconfig.get_path('purelib'))"
        site = subprocess.run(
            [str(python), "-c", code], check=True, capture_output=True, text=True
        ).stdout.strip()
        # this interpreter's packages (numpy, numba, ...) after the env's own;
        # `python -m venv --system-site-packages` from a venv would give the
        # base interpreter's instead
        parent = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
        Path(site, "ab-parent-site.pth").write_text("\n".join(parent) + "\n")
        if method == "pip":
            # build isolation: pip fetches the build backend (setuptools) from
            # the package index; --no-deps: numpy & co. come from this Python
            subprocess.run(
                [
                    str(python), "-m", "pip", "install", "-q", "--no-deps",
                    "--ignore-installed", str(src),
                ],
                check=True,
            )  # fmt: skip
        else:  # "path": no build, the export itself goes on the env's sys.path
            Path(site, "fastlasso-ab.pth").write_text(str(src) + "\n")
        marker.write_text(sha + "\n")
    return python, env_dir / "numba-cache", sha


# -------------------------------------------------------------------- main
def _median(values):
    v = sorted(values)
    m = len(v) // 2
    return v[m] if len(v) % 2 else 0.5 * (v[m - 1] + v[m])


def _cases(names):
    sys.path.insert(0, str(BENCH))
    import cases as C

    golden = C.load_golden()
    chosen = []
    for case in C.CASES:
        if names and case.name not in names:
            continue
        if "fastlasso" not in case.solvers or case.name not in golden:
            continue
        if not C.data_available(case):
            continue
        chosen.append(case.name)
    return chosen


def run(args, say):
    work_dir = Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    log = open(work_dir / "workers.log", "a")  # noqa: SIM115 - closed below
    sides = {}
    for side, rev in (("base", args.base), ("head", args.head)):
        python, cache, sha = install(rev, side, work_dir, say, args.install)
        sides[side] = {"rev": rev, "sha": sha, "worker": Worker(python, cache, log)}
    for side, s in sides.items():
        hello = s["worker"].ask(op="hello")
        if not hello.get("ok") or not hello["file"].startswith(str(work_dir)):
            raise RuntimeError(f"{side}: fastlasso imported from {hello}")
    names = _cases(set(args.cases.split(",")) if args.cases else None)
    plan, rows = {}, {}
    for name in names:
        cal = sides["base"]["worker"].ask(op="calibrate", case=name)
        if not cal.get("ok"):
            say(f"{name}: skipped on base ({cal.get('error')})")
            continue
        if cal["setting"] is None:
            say(f"{name}: base never reaches 1e-6 (best {cal['best']['subopt']:.1e})")
            continue
        repeat = max(1, min(20, int(0.2 / max(cal["seconds"], 1e-4))))
        plan[name] = (cal["setting"], repeat)
        rows[name] = {"base": [], "head": [], "setting": cal["setting"]}
    say(f"{len(plan)} cases, {args.rounds} rounds")
    for r in range(args.rounds):
        for name, (setting, repeat) in plan.items():
            # fit by fit, alternating which side goes first: a burst of load
            # from elsewhere on the machine hits both sides of a pair
            for j in range(repeat):
                first = (r + j) % 2 == 0
                for side in ("base", "head") if first else ("head", "base"):
                    a = sides[side]["worker"].ask(
                        op="time", case=name, setting=setting, repeat=1
                    )
                    rows[name][side].append(a)
    for s in sides.values():
        s["worker"].close()
    log.close()
    return sides, rows


def report(sides, rows, args):
    lines = [
        f"A/B: base {sides['base']['rev']} ({sides['base']['sha'][:10]}) vs head "
        f"{sides['head']['rev']} ({sides['head']['sha'][:10]}), {args.rounds} "
        f"rounds, fits interleaved pair by pair; fail when both ratios >= "
        f"{args.fail}x or less accurate, info >= {args.info}x (median of pairs)",
        "",
        "| case | tol | base best s | head best s | head/base (median of pairs) | "
        "head/base (best) | pairs | n_iter base | n_iter head | head subopt | "
        "verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    failed = False
    for name, row in rows.items():
        errors = [a.get("error") for side in ("base", "head") for a in row[side]]
        errors = [e for e in errors if e]
        if errors:
            lines.append(f"| {name} | | | | | | | | | | ERROR {errors[0]} |")
            failed = True
            continue
        base = min(a["seconds"] for a in row["base"])
        head = min(a["seconds"] for a in row["head"])
        best_ratio = head / base
        pairs = zip(row["head"], row["base"], strict=True)
        ratio = _median([h["seconds"] / b["seconds"] for h, b in pairs])
        sub_h = max(a["subopt"] for a in row["head"])
        sub_b = max(a["subopt"] for a in row["base"])
        verdict = "ok"
        if sub_h > args.target >= sub_b:
            verdict, failed = "FAIL (less accurate)", True
        elif min(ratio, best_ratio) >= args.fail:
            verdict, failed = "FAIL (slower)", True
        elif ratio >= args.info:
            verdict = "info (slower)"
        elif ratio <= 1.0 / args.info:
            verdict = "info (faster)"
        tol = row["setting"].get("tol")
        lines.append(
            f"| {name} | {tol:g} | {base:.4g} | {head:.4g} | {ratio:.2f}x | "
            f"{best_ratio:.2f}x | {len(row['base'])} | {row['base'][-1]['n_iter']} | "
            f"{row['head'][-1]['n_iter']} | {sub_h:.1e} | {verdict} |"
        )
    lines.append("")
    lines.append("result: " + ("FAIL" if failed else "ok"))
    return "\n".join(lines), failed


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base", help="git revision of the baseline")
    p.add_argument("head", help="git revision to compare")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--cases", help="comma-separated case names (default: all)")
    p.add_argument("--fail", type=float, default=1.5)
    p.add_argument("--info", type=float, default=1.2)
    p.add_argument("--target", type=float, default=1e-6)
    p.add_argument(
        "--work-dir",
        default=os.path.join(tempfile.gettempdir(), "fastlasso-ab"),
        help="environments, exports and Numba caches (reused across runs)",
    )
    p.add_argument(
        "--install",
        choices=("pip", "path"),
        default="pip",
        help="pip: pip install --no-deps of the export into a venv with the "
        "system site-packages (the build backend comes from the package index); "
        "path: no build, the export is put on the venv's sys.path (offline)",
    )
    p.add_argument("--json", help="write every measurement to this file")
    return p.parse_args(argv)


def main(argv=None):
    if argv is None and sys.argv[1:] == ["--worker"]:
        _worker()
        return 0
    args = parse_args(argv)
    start = time.perf_counter()

    def say(msg):
        print(f"[ab {time.perf_counter() - start:6.1f}s] {msg}", file=sys.stderr)

    sides, rows = run(args, say)
    text, failed = report(sides, rows, args)
    print(text)
    if args.json:
        doc = {
            "base": {k: v for k, v in sides["base"].items() if k != "worker"},
            "head": {k: v for k, v in sides["head"].items() if k != "worker"},
            "rows": rows,
            "failed": failed,
        }
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")
    say("done")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
