"""Dependencies point down (ARCHITECTURE.md, STYLE.md practice 16), checked by reading
every module's imports, at the top and inside functions alike, without importing anything.

Two rules, over every module under src/samphan except migrations:
- an app imports only from apps in lower layers (and from itself); apps that share a layer
  do not import each other. A lower app learns of a higher one only through a registry
  or a signal it defines (e.g. analytics' report filters, filled by marketing).
- no import cycle between modules, whether the imports run at the top, inside a function
  or only for type checking: each hides a seam in the wrong place.

A violation has no exception list: fix the import (move the code to the layer that owns
it, or let the lower app define a registry or signal the higher one fills)."""

import ast
import pathlib
from collections.abc import Iterator

import samphan

SRC = pathlib.Path(samphan.__file__).parent

# Lowest first. An app may import the apps of the layers before its own.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("accounts",),
    ("customers",),
    ("sales",),
    ("analytics",),
    ("frontdesk", "messaging"),
    # Points from orders (sales' signals); rewards at the desk, reminders through the outbox.
    ("loyalty",),
    ("marketing",),
    # Tickets and surveys: replies through messaging, NPS through marketing's campaigns.
    ("support",),
    # Personal data across every app: the registry, requests, erasure, who saw whom.
    ("privacy",),
    # The full export of every table (issue 21): reads every app; the API assembles it.
    ("exports",),
    # The assembly: the API object, the demo data, the home page and its set-up command.
    ("api", "demo", "home"),
    ("project",),  # settings, urls, wsgi/asgi, the `samphan` command
)

# Modules that belong to another layer than their folder says.
PLACED = {
    # The API's shared field types and pagination: a kernel every app's api.py uses;
    # only api/main.py (the assembly) sits on top.
    "samphan.api.schemas": "core",
}

RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}


def module_name(path: pathlib.Path) -> str:
    parts = ("samphan", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, pathlib.Path]:
    return {
        module_name(path): path
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.relative_to(SRC).parts
    }


def app_of(module: str) -> str:
    if module in PLACED:
        return PLACED[module]
    parts = module.split(".")
    package = SRC.joinpath(*parts[1:2])
    return parts[1] if len(parts) > 1 and package.is_dir() else "project"


def imports(module: str, path: pathlib.Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for each of the project's modules this one imports."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from package import module` depends on that module; `from module import
            # name` on the module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import samphan.x.y` → samphan.x.y
                target = target.rpartition(".")[0]
            if target and target != module:
                yield target, node.lineno


def graph() -> dict[str, dict[str, int]]:
    """importer → {imported: first line}."""
    found = modules()
    known = set(found)
    edges: dict[str, dict[str, int]] = {}
    for module, path in found.items():
        targets = edges.setdefault(module, {})
        for target, line in imports(module, path, known):
            targets.setdefault(target, line)
    return edges


def upward(edges: dict[str, dict[str, int]]) -> dict[tuple[str, ...], str]:
    found = {}
    for importer, targets in edges.items():
        source = app_of(importer)
        for imported, line in targets.items():
            target = app_of(imported)
            if source != target and RANK[target] >= RANK[source]:
                found[(importer, imported)] = (
                    f"{importer} (line {line}) imports {imported}: {source} may not import {target}"
                )
    return found


def cycles(edges: dict[str, dict[str, int]]) -> dict[tuple[str, ...], str]:
    """Each strongly connected group of modules, with one cycle through it as the message."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph is a few hundred nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        for child in edges.get(node, {}):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return {("cycle", *sorted(group)): describe(group, edges) for group in groups}


def describe(group: list[str], edges: dict[str, dict[str, int]]) -> str:
    """One cycle inside the group, e.g. "a (line 3) → b (line 9) → a"."""
    members = set(group)
    start = min(group)
    path, seen, node = [start], {start}, start
    while True:
        node_next = min(child for child in edges[node] if child in members)
        path.append(f"{node_next}")
        path[-2] = f"{path[-2]} (line {edges[node][node_next]})"
        if node_next in seen:
            return "import cycle: " + " → ".join(path)
        seen.add(node_next)
        node = node_next


def test_every_app_has_a_layer() -> None:
    assert {app_of(module) for module in modules()} <= set(RANK)


def test_dependencies_point_down_and_form_no_cycle() -> None:
    edges = graph()
    found = upward(edges) | cycles(edges)
    assert not found, "dependency violations:\n" + "\n".join(sorted(found.values()))


def test_the_check_sees_an_upward_import_and_a_cycle() -> None:
    edges = {
        "samphan.core.x": {"samphan.customers.y": 1},
        "samphan.customers.y": {"samphan.customers.z": 2},
        "samphan.customers.z": {"samphan.customers.y": 3},
    }
    assert set(upward(edges)) == {("samphan.core.x", "samphan.customers.y")}
    assert cycles(edges) == {
        ("cycle", "samphan.customers.y", "samphan.customers.z"): "import cycle: "
        "samphan.customers.y (line 2) → samphan.customers.z (line 3) → samphan.customers.y"
    }


# A module past this many lines becomes a package along its seams (docs/structure.md).
MAX_LINES = 450
# One compiler from a validated rule tree to one SQL statement: cohesive, kept whole.
WHOLE = {"samphan.marketing.rules"}


def test_no_module_passes_the_line_limit() -> None:
    long = {
        module: lines
        for module, path in modules().items()
        if module not in WHOLE and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these along their seams: {long}"
