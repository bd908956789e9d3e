"""The apps are layered ``accounts < contacts < journeys < feedback``: no module of an app
(its tests and migrations included) imports a higher app, and none imports ``bench``, the
load tests above them all. Lower apps reach higher ones through signals and registries."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("accounts", "contacts", "journeys", "feedback")
ABOVE_ALL = ("bench",)


def imported_packages(source: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in ``source``, wherever it stands
    (inside functions and ``if TYPE_CHECKING:`` too); relative imports stay in the app."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return sorted(found)


def forbidden_for(app: str) -> set[str]:
    return set(LAYERS[LAYERS.index(app) + 1 :]) | set(ABOVE_ALL)


def upward_imports(app: str, source: str) -> list[tuple[int, str]]:
    forbidden = forbidden_for(app)
    return [(line, package) for line, package in imported_packages(source) if package in forbidden]


def test_every_layer_is_a_package_here() -> None:
    for app in (*LAYERS, *ABOVE_ALL):
        assert (ROOT / app / "__init__.py").is_file(), app


@pytest.mark.parametrize("app", LAYERS)
def test_no_module_of_an_app_imports_a_higher_app_or_bench(app: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for line, package in upward_imports(app, path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_walk_finds_an_upward_import_in_every_form() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import journeys.models\n"
        "from feedback import services\n"
        "from . import models\n"
        "if TYPE_CHECKING:\n"
        "    from bench.seedrun import SeedRun\n"
        "def later():\n"
        "    import_module('journeys.demo')\n"
    )
    assert upward_imports("contacts", source) == [
        (2, "journeys"),
        (3, "feedback"),
        (6, "bench"),
        (8, "journeys"),
    ]


def test_the_walk_lets_an_app_import_itself_and_lower_apps() -> None:
    source = (
        "import accounts.models\nfrom contacts.models import Customer\nfrom journeys import x\n"
    )
    assert upward_imports("journeys", source) == []
