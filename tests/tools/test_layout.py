"""The developer tools stay outside the runtime: nothing a user runs imports them."""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_package_and_notebooks_never_import_tools():
    sources = {p: p.read_text(encoding="utf-8") for p in (ROOT / "cadre_analytics").rglob("*.py")}
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        sources[path] = "\n".join("".join(c["source"]) for c in code)
    assert len(sources) > 20  # the package and the four notebooks were found
    offenders = [
        str(p.relative_to(ROOT)) for p, text in sources.items() if "tools" in _imported(text)
    ]
    assert offenders == []
