"""The import graph of the non-test code, app by app.

`python -m keyprojects.tests.structure [ROOT]` prints the figures; test_structure.py keeps them true.
"""

import ast
import functools
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE = "keyprojects"

# Each app may import only the apps listed for it (and, through them, nothing higher).
# Domain apps depend downward: lib ← orgs ← projects ← plans ← tasks ← coordination ← land ← alerts;
# the faces (dashboard, api, reports) and the demo city sit on top.
ALLOWED = {
    "lib": set(),
    "orgs": {"lib"},
    "audit": {"lib", "orgs"},
    "calendars": {"lib", "orgs", "audit"},
    "notifications": {"lib", "orgs", "audit"},
    "projects": {"lib", "orgs", "audit", "notifications"},
    "plans": {"lib", "orgs", "audit", "notifications", "projects"},
    "tasks": {"lib", "orgs", "audit", "notifications", "projects", "plans"},
    "coordination": {"lib", "orgs", "audit", "notifications", "projects", "plans", "tasks"},
    "land": {"lib", "orgs", "audit", "notifications", "projects", "plans", "tasks", "coordination"},
    "alerts": {"lib", "orgs", "audit", "notifications", "projects", "plans", "tasks", "coordination", "land"},
}
# Supervision (letters, inspections, tours) acts on what the areas below record; assessment scores it all.
ALLOWED["supervision"] = set(ALLOWED)
ALLOWED["assessment"] = set(ALLOWED)
_DOMAIN = set(ALLOWED)
ALLOWED["dashboard"] = _DOMAIN
ALLOWED["reports"] = _DOMAIN | {"dashboard"}
ALLOWED["api"] = _DOMAIN | {"dashboard", "reports"}
ALLOWED["demo"] = _DOMAIN | {"dashboard", "reports", "api"}
# Operations (backups, health, job runs) look at every domain app; nothing imports them.
ALLOWED["ops"] = _DOMAIN
# Security (the security log, session limits, the second factor) reads users and writes its own log.
ALLOWED["security"] = _DOMAIN
# The project package itself (settings, urls, the test cast) may import any app.
ALLOWED[""] = set(ALLOWED) | {"demo"}


def _is_test(path: Path) -> bool:
    return "tests" in path.parts or path.name in ("test.py", "conftest.py", "matrix.py")


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else ""


def source_files(root: Path):
    for path in sorted((root / PACKAGE).rglob("*.py")):
        rel = path.relative_to(root)
        if "migrations" in rel.parts or _is_test(rel):
            continue
        yield rel


def imports(root: Path) -> list:
    """(importing module's app, imported app, file, line, inside a function) for each import."""
    return list(_imports_cached(Path(root).resolve()))


@functools.cache  # parsed once per run: several tests read the same graph
def _imports_cached(root: Path) -> tuple:
    return tuple(_imports(root))


def _imports(root: Path):
    for rel in source_files(root):
        here = ".".join(rel.with_suffix("").parts)
        if here.endswith(".__init__"):
            here = here[: -len(".__init__")]
        src_app = _app_of(here if here.count(".") >= 1 else here + ".x")
        tree = ast.parse((root / rel).read_text(encoding="utf-8"))
        for node, in_function in _walk(tree, False):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                # A relative import stays inside its own app.
                mod = here if node.level else node.module or ""
                targets = [mod]
            for target in targets[:1] if targets else []:
                dst_app = _app_of(target)
                if dst_app is None and isinstance(node, ast.ImportFrom) and target == PACKAGE:
                    for alias in node.names:
                        yield src_app, alias.name, str(rel), node.lineno, in_function
                    continue
                if dst_app is not None:
                    yield src_app, dst_app, str(rel), node.lineno, in_function


def _walk(node, in_function):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        yield from _walk(child, inner)


def app_graph(root: Path) -> dict[str, set[str]]:
    graph = defaultdict(set)
    for src, dst, *_ in imports(root):
        if src != dst:
            graph[src].add(dst)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one app (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def wrong_direction(root: Path):
    """Imports an app makes of an app it may not depend on."""
    return [
        (src, dst, f"{path}:{line}")
        for src, dst, path, line, _ in imports(root)
        if src != dst and dst not in ALLOWED.get(src, set())
    ]


def imports_inside_functions(root: Path):
    return [(src, dst, f"{path}:{line}") for src, dst, path, line, inner in imports(root) if inner]


def two_way_pairs(graph):
    return sorted({tuple(sorted((a, b))) for a, bs in graph.items() for b in bs if a in graph.get(b, ())})


def largest_functions(root: Path, n=10):
    sizes = []
    for rel in source_files(root):
        tree = ast.parse((root / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                sizes.append((node.end_lineno - node.lineno + 1, f"{rel}:{node.lineno} {node.name}"))
    return sorted(sizes, reverse=True)[:n]


def largest_modules(root: Path, n=10):
    sizes = [
        (len((root / rel).read_text(encoding="utf-8").splitlines()), str(rel)) for rel in source_files(root)
    ]
    return sorted(sizes, reverse=True)[:n]


def main(argv):
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parents[2])
    graph = app_graph(root)
    inner = imports_inside_functions(root)
    print("cycles:", cycles(graph) or "none")
    print("two-way pairs:", ", ".join("↔".join(p) for p in two_way_pairs(graph)) or "none")
    files = {where.split(":")[0] for *_, where in inner}
    print(f"imports inside functions (of keyprojects apps): {len(inner)} in {len(files)} files")
    wrong = wrong_direction(root)
    print(f"imports against the allowed direction: {len(wrong)}")
    for src, dst, where in wrong:
        print(f"  {src} → {dst}  {where}")
    print("largest modules:")
    for size, name in largest_modules(root):
        print(f"  {size:5d}  {name}")
    print("largest functions:")
    for size, name in largest_functions(root):
        print(f"  {size:5d}  {name}")


if __name__ == "__main__":
    main(sys.argv)
