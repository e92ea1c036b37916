"""The package's shape: no import circles between fastlasso modules, and the
kernel layer's size bounds (issue 11: files under ~600 lines, kernel functions
under ~120 lines of code).

Imports are read with ``ast``, both module-level and function-level ones (a
lazy import inside a function still ties two modules together)."""

import ast
import os

import pytest

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKG = os.path.join(ROOT, "fastlasso")


def _modules():
    """{dotted module name: path} for every module of the package."""
    out = {}
    for folder, _, files in os.walk(PKG):
        for f in files:
            if not f.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(folder, f), ROOT)[:-3]
            parts = rel.split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = os.path.join(folder, f)
    return out


def _imports(name, path, modules):
    """The fastlasso modules that module ``name`` imports (anywhere in it)."""
    is_pkg = path.endswith("__init__.py")
    package = name if is_pkg else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # "from .pkg import sub" imports the module pkg.sub when it is one
            targets = [
                f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod
                for a in node.names
            ]
        else:
            continue
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != name and t != "fastlasso":
                found.add(t)
    return found


def _cycle(graph):
    """One import circle of ``graph`` as a list of modules, or None."""
    state = {}

    def visit(m, stack):
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                return stack[stack.index(d) :] + [d]
            if d not in state:
                found = visit(d, stack + [d])
                if found:
                    return found
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m, [m])
            if found:
                return found
    return None


def test_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_circles():
    modules = _modules()
    assert "fastlasso._kernels._workset" in modules
    graph = {m: _imports(m, p, modules) for m, p in modules.items()}
    # the walk sees real edges (else the test could not fail)
    assert "fastlasso._kernels._gap" in graph["fastlasso._kernels._workset"]
    assert "fastlasso._path" in graph["fastlasso.linear_model._coordinate_descent"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def _code_lines(fn):
    """Lines of a function without its docstring."""
    n = fn.end_lineno - fn.lineno + 1
    body = fn.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    ):
        n -= body[0].end_lineno - body[0].lineno + 1
    return n


#: Functions still over the bound, with their size when this list was written;
#: they may shrink, not grow (issue 11 asks for about 120 lines).
LONG = {"cd_enet_ws": 204, "fista_enet": 179, "cd_enet": 127}


@pytest.mark.parametrize(
    "path",
    sorted(
        os.path.join(PKG, "_kernels", f)
        for f in os.listdir(os.path.join(PKG, "_kernels"))
        if f.endswith(".py")
    ),
    ids=os.path.basename,
)
def test_kernel_module_sizes(path):
    text = open(path).read()
    assert len(text.splitlines()) <= 600, path
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef):
            bound = max(120, LONG.get(node.name, 0))
            assert _code_lines(node) <= bound, (node.name, _code_lines(node))
