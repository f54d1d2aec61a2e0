"""The package's imports follow the pipeline, top to bottom, with no circle (README: Architecture).

Every import statement counts: at module level, inside functions, and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kiro_bootstrap"

# Top first. A module may import only what sits below its own entry, or modules of its own
# entry (a package's siblings), and never in a circle.
LAYERS = (
    "kiro_bootstrap.__main__",
    "kiro_bootstrap.entry",
    "kiro_bootstrap.cli",
    "kiro_bootstrap.onboarding",
    "kiro_bootstrap.commands",
    "kiro_bootstrap.next_steps",
    # stages
    "kiro_bootstrap.status",
    "kiro_bootstrap.install",
    "kiro_bootstrap.state",
    "kiro_bootstrap.doctor",
    "kiro_bootstrap.repo",
    "kiro_bootstrap.configure",
    "kiro_bootstrap.subscription",
    "kiro_bootstrap.admin",
    "kiro_bootstrap.fetch",
    "kiro_bootstrap.verify",
    "kiro_bootstrap.release",
    "kiro_bootstrap.roster",
    "kiro_bootstrap.aws",
    # shared layers
    "kiro_bootstrap.privsep",
    "kiro_bootstrap.layout",
    "kiro_bootstrap.context",
    "kiro_bootstrap.net",
    "kiro_bootstrap.output",
    "kiro_bootstrap.logs",
    "kiro_bootstrap.settings",
    "kiro_bootstrap.paths",
    "kiro_bootstrap.host",
    "kiro_bootstrap.crash",
    "kiro_bootstrap.files",
    "kiro_bootstrap.parsing",
    "kiro_bootstrap.errors",
    "kiro_bootstrap.redact",
    "kiro_bootstrap.checks",
    "kiro_bootstrap.credentials",
    "kiro_bootstrap",
)


# Imports inside functions, and why each kind may be there: modules on the start-up path load a
# command's stage only when it runs (`--version` stays fast); heavy libraries load on first use;
# platform-only modules exist only on their OS.
START_UP_PATH = (
    "kiro_bootstrap.__main__",
    "kiro_bootstrap.entry",
    "kiro_bootstrap.cli",
    "kiro_bootstrap.onboarding",
    "kiro_bootstrap.commands",
    "kiro_bootstrap.context",
)
HEAVY_LIBRARIES = frozenset({
    "boto3", "botocore", "certifi", "cryptography", "httpx", "keyring", "pefile", "psutil",
    "pydantic", "pydantic_settings", "rich", "truststore", "yaml",
})  # fmt: skip
PLATFORM_ONLY = frozenset({
    "ctypes", "fcntl", "grp", "msvcrt", "pwd", "termios", "winreg",
    "kiro_bootstrap.host.gather_linux", "kiro_bootstrap.host.gather_macos",
    "kiro_bootstrap.host.gather_windows", "kiro_bootstrap.host.win32",
})  # fmt: skip


def module_name(path: Path) -> str:
    """The dotted name of a file in the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The index of the most specific LAYERS entry holding the module."""
    best = max(
        (entry for entry in LAYERS if module == entry or module.startswith(entry + ".")), key=len
    )
    return LAYERS.index(best)


def imports_of(module: str) -> Iterator[tuple[int, str]]:
    """(line, imported module of the package) for every import statement in the module."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` counts the module, `from module import name` the module.
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            names = [name for name in submodules if name in MODULES] or [base]
        else:
            continue
        for name in names:
            if name in MODULES and name != module:
                yield node.lineno, name


GRAPH = {module: sorted({name for _line, name in imports_of(module)}) for module in MODULES}


def test_every_module_has_a_layer() -> None:
    assert all(layer_of(module) >= 0 for module in MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_pipeline(module: str) -> None:
    own = layer_of(module)
    against = [
        f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} imports {name}"
        for line, name in imports_of(module)
        if layer_of(name) < own
    ]
    assert not against, "imports against the pipeline:\n" + "\n".join(against)


def lazy_imports(module: str) -> Iterator[tuple[int, str]]:
    """(line, name) of every import inside a function of the module: the top-level name of a
    library, the module's own name for the package's modules."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    yield from ((node.lineno, _library(alias.name)) for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module:
                    yield node.lineno, _library(node.module)


def _library(name: str) -> str:
    return name if name.startswith("kiro_bootstrap.") else name.partition(".")[0]


@pytest.mark.parametrize("module", [m for m in sorted(MODULES) if not m.startswith(START_UP_PATH)])
def test_imports_inside_functions_only_where_start_up_or_a_platform_needs_them(
    module: str,
) -> None:
    needless = [
        f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} imports {name} in a function"
        for line, name in lazy_imports(module)
        if name not in HEAVY_LIBRARIES | PLATFORM_ONLY
    ]
    assert not needless, "\n".join(needless)


def test_no_module_imports_in_a_circle() -> None:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in GRAPH[module]:
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (circle := visit(target)):
                return circle
        state[module] = "done"
        path.pop()
        return None

    for module in MODULES:
        if module not in state:
            circle = visit(module)
            assert circle is None, "import circle: " + " -> ".join(circle)
