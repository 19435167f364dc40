"""The import rules of docs/architecture.md, checked on every module's imports (those inside
functions included): a forbidden edge or a cycle between modules fails here."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "operators", "projects", "tasks")

# Inside projects/: a package may import only packages of a lower layer (and itself). The modules
# at the top of projects/ (models.py and urls.py that gather, admin, templatetags, management) sit
# above them all; migrations are Django's.
PROJECT_LAYERS = {
    "projects.core": 0,
    "projects.pipeline": 1,
    "projects.delivery": 2,
    "projects.ledger": 2,
    "projects.reporting": 3,
    "projects.api": 4,
}
TOP = 5
# tasks/ in layers, lowest first; the pages of the outbox and preferences sit on top, and
# tasks.tasks (every Celery task) is imported by nobody: tasks are queued by name.
TASK_LAYERS = {
    "tasks.apps": 0,
    "tasks.models": 0,
    "tasks.workdays": 0,
    "tasks.emails": 1,
    "tasks.services": 2,
    "tasks.selectors": 3,
    "tasks.content": 4,
    "tasks.sender": 5,
    "tasks.sweeps": 6,
    "tasks.digests": 6,
    "tasks.supervision": 6,
    "tasks.forms": 7,
    "tasks.filters": 7,
    "tasks.tables": 7,
    "tasks.admin": 8,
    "tasks.views": 8,
    "tasks.urls": 9,
    "tasks.tasks": 10,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, resolved to modules (not names inside them)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
        else:
            continue
        for target in targets:
            # the longest known module that the target names (a name inside a module resolves to it)
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def project_layer(module: str) -> int:
    for prefix, layer in PROJECT_LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return TOP


def forbidden(source: str, target: str) -> str | None:
    """Why the import source → target breaks a rule, or None."""
    app, target_app = source.split(".")[0], target.split(".")[0]
    if app == "operators" and target_app in ("projects", "tasks"):
        return "operators imports no app"
    if app == "projects" and target_app == "tasks":
        return "projects never imports tasks (notifications are found by sweeps)"
    if target == "tasks.tasks":
        return "nothing imports tasks.tasks: queue a task by its name"
    if app == target_app == "projects":
        if target in ("projects.models", "projects.urls") and project_layer(source) < TOP:
            return "a package imports its models from its own package, not from the gathering module"
        s, t = project_layer(source), project_layer(target)
        same = source.split(".")[:2] == target.split(".")[:2]
        if t > s or (t == s and not same):
            return f"layer {s} may not import layer {t}"
    if app == target_app == "tasks" and TASK_LAYERS.get(target, 0) > TASK_LAYERS.get(source, 0):
        return "tasks/ imports only lower layers"
    return None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_across_a_rule():
    broken = [
        f"{source} → {target}: {why}"
        for source, targets in sorted(graph().items())
        for target in sorted(targets)
        if (why := forbidden(source, target))
    ]
    assert broken == []


def test_no_two_modules_import_each_other():
    assert cycles(graph()) == []


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("operators.access", "projects.pipeline.models"),
        ("projects.pipeline.services", "tasks.services"),
        ("projects.core.confidential", "projects.pipeline.models"),
        ("projects.pipeline.views", "projects.ledger.exports"),
        ("projects.delivery.services", "projects.ledger.imports"),
        ("projects.pipeline.selectors", "projects.models"),
        ("tasks.sweeps", "tasks.tasks"),
        ("tasks.services", "tasks.sender"),
    ],
)
def test_the_rules_catch_a_forbidden_edge(source, target):
    assert forbidden(source, target)


def test_the_cycle_check_catches_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_walk_sees_imports_inside_functions(tmp_path):
    path = tmp_path / "lazy.py"
    path.write_text("def f():\n    from .models import Project\n", encoding="utf-8")
    assert imports_of("projects.pipeline.lazy", path, {"projects.pipeline.models"}) == {"projects.pipeline.models"}
