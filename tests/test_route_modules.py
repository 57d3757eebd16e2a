"""Each blueprint is defined in its package's ``__init__`` and its route modules register on it as
they are imported (Flask's large-app pattern); a route module imports no other route module, so no
two of them tie into a cycle (what they share lives in forms, panels and files modules)."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "renovation"
BLUEPRINTS = ("account", "admin", "api", "auth", "bulletins", "consultations", "dashboard", "demands", "leaders",
              "ledger", "photos", "problems", "projects")
def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.module, [alias.name for alias in node.names])
            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]


def _route_modules() -> dict[str, Path]:
    """The modules that put routes on a blueprint: those importing ``bp`` (from the package, or from
    another of its modules)."""
    return {f"renovation.{package}.{path.stem}": path
            for package in BLUEPRINTS for path in (PACKAGE / package).glob("*.py")
            if path.name != "__init__.py" and any(
                module.startswith(f"renovation.{package}") and "bp" in names for module, names in _imports(path))}


@pytest.mark.parametrize("package", BLUEPRINTS)
def test_the_blueprint_is_defined_in_its_package(package):
    init = PACKAGE / package / "__init__.py"
    assert f'bp = Blueprint("{package}", __name__)' in init.read_text(encoding="utf-8")
    assert f"renovation.{package}.views" in _route_modules()


def test_no_route_module_imports_another():
    routes = _route_modules()
    assert len(routes) > len(BLUEPRINTS)  # views modules and the route modules beside them
    crossing = sorted(
        (name, module if module in routes else f"{module}.{imported}")
        for name, path in routes.items()
        for module, names in _imports(path) for imported in names
        if module in routes or f"{module}.{imported}" in routes)
    assert crossing == []


def test_the_app_registers_every_package_blueprint(app):
    assert set(BLUEPRINTS) <= set(app.blueprints)
    for package in BLUEPRINTS:
        assert app.blueprints[package].import_name == f"renovation.{package}"
