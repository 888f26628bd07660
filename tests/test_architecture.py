"""The shape the code keeps (docs/architecture.md), read from the imports of every module, lazy
ones inside functions included: no app imports another that imports it back, however long the
way round; the engine client and the plain helpers import no app; the engine imports no web
framework."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS_DIR = ROOT / "supportbot"
APPS = sorted(p.name for p in APPS_DIR.iterdir() if (p / "__init__.py").exists())


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            # `from supportbot import lib` names the package in the alias.
            modules |= {f"{node.module}.{alias.name}" for alias in node.names}
    return modules


def app_imports() -> dict[str, set[str]]:
    """Which other apps each app's code imports (migrations are history: left out)."""
    edges: dict[str, set[str]] = {app: set() for app in APPS}
    for app in APPS:
        for path in (APPS_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for module in imported_modules(path):
                parts = module.split(".")
                if len(parts) > 1 and parts[0] == "supportbot" and parts[1] in APPS and parts[1] != app:
                    edges[app].add(parts[1])
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, path, state = [], [], {}

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for after in sorted(edges.get(node, ())):
            if state.get(after) == "open":
                found.append([*path[path.index(after) :], after])
            elif after not in state:
                visit(after)
        path.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_the_checker_finds_a_cycle_the_long_way_round():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_app_imports_another_that_imports_it_back():
    assert cycles(app_imports()) == []


def test_the_engine_client_and_the_helpers_import_no_app():
    edges = app_imports()
    assert edges["inference_bridge"] <= {"lib"}, edges["inference_bridge"]
    assert edges["lib"] == set(), edges["lib"]


def test_the_engine_imports_neither_django_nor_the_web_layer():
    for path in (ROOT / "inference").rglob("*.py"):
        for module in imported_modules(path):
            assert module.split(".")[0] not in {"django", "channels", "celery", "supportbot"}, (path, module)
