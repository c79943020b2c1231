"""Committed notebooks are thin: no outputs, no def/class, exactly one `parameters` cell."""

import ast
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _code_cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:3] == [
        "01_ingest_validate.ipynb",
        "02_indicators.ipynb",
        "03_projection.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    for cell in _code_cells(path):
        assert cell.get("outputs") == [], f"{path.name}: a cell has outputs"
        assert cell.get("execution_count") is None, f"{path.name}: a cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_function_or_class_definitions(path):
    for cell in _code_cells(path):
        tree = ast.parse("".join(cell["source"]))
        defined = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
        ]
        assert not defined, f"{path.name}: logic belongs in the package, not the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exactly_one_parameters_cell(path):
    tagged = [c for c in _code_cells(path) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    # The parameters cell holds plain assignments only (papermill overrides them).
    for node in ast.parse("".join(tagged[0]["source"])).body:
        assert isinstance(node, ast.Assign | ast.AnnAssign)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_paths_outside_the_parameters_cell(path):
    for cell in _code_cells(path):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell["source"])
        for needle in ("/", ".csv", ".parquet", ".xlsx"):
            strings = [
                n.value
                for n in ast.walk(ast.parse(source))
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            assert not any(needle in s for s in strings), f"{path.name}: path literal {strings}"
