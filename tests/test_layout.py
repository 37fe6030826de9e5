"""The package layout: one sub-package per stage, no import circles, fonts and presets installed."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import briefexport
from briefexport.fonts import bundled_dir
from briefexport.theme import preset_names

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "briefexport"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """Every briefexport module ``name`` imports, anywhere in the file (TYPE_CHECKING and functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                yield f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for target in _imports(name, path, known):
            parts = target.split(".")
            # Importing a.b.c runs a.b's __init__ first, unless it is the importer's own ancestor
            # (then it is already running, and the edge is no circle).
            for depth in range(1, len(parts) + 1):
                step = ".".join(parts[:depth])
                if step in known and not (name == step or name.startswith(step + ".")):
                    edges.add(step)
        graph[name] = edges
    return graph


def test_no_import_circles() -> None:
    graph = _graph()
    visiting: list[str] = []
    done: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        if node in done:
            return
        if node in visiting:
            circles.append(visiting[visiting.index(node):] + [node])
            return
        visiting.append(node)
        for target in sorted(graph[node]):
            visit(target)
        visiting.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
    assert not circles, "import circles: " + "; ".join(" → ".join(c) for c in circles)


def test_the_graph_sees_imports() -> None:
    # guard the circle test against a parser that finds nothing
    graph = _graph()
    assert "briefexport.render.docx._oxml" in graph["briefexport.render.docx.writer"]
    assert "briefexport.render.pdf._cjk_lines" in graph["briefexport.render.pdf.writer"]
    assert "briefexport.builder.api" in graph["briefexport.builder"]


@pytest.mark.parametrize("stage", ["outline", "theme", "fonts", "importer", "render", "builder",
                                   "render.docx", "render.pdf", "render.epub"])
def test_each_stage_is_a_package_that_says_what_it_does(stage: str) -> None:
    init = PACKAGE.joinpath(*stage.split("."), "__init__.py")
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc and len(doc.splitlines()[0]) > 40, f"{init} needs a docstring saying what the stage takes in and gives out"


def test_pyproject_lists_every_package() -> None:
    # The package list is explicit (the fonts package is mapped from the top-level fonts/), so a
    # new sub-package must be added there or the wheel silently lacks it.
    if sys.version_info < (3, 11):
        pytest.skip("tomllib needs Python 3.11")
    import tomllib

    config = tomllib.loads((SRC.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = {_module_name(path.parent / "__init__.py") for path in PACKAGE.rglob("__init__.py")}
    assert set(config["packages"]) == packages | {"briefexport.fonts.files"}
    assert config["package-dir"]["briefexport.fonts.files"] == "fonts"


def test_fonts_and_presets_are_found_where_the_package_runs() -> None:
    fonts = {path.name for path in bundled_dir().iterdir()}
    assert {"NotoSerifCJKsc-Regular.ttf", "OFL-NotoCJK.txt", "LICENSE-Fandol.txt", "README.md"} <= fonts
    installed = Path(briefexport.__file__).resolve().parent
    if installed.is_relative_to(SRC):
        assert bundled_dir() == SRC.parent / "fonts"  # a source checkout reads the repository's folder
    else:
        assert bundled_dir() == installed / "fonts" / "files"
    assert set(preset_names()) == {"handout", "gongwen", "ebook"}
