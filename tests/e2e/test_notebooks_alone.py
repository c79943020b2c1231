"""Each notebook, opened on its own, runs top to bottom on its default (empty) parameters.

Every notebook gets a fresh, empty scratch folder, so it must run the stages before it on the
bundled sample by itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import papermill
import pytest

from cadre_analytics.pipeline import KERNEL_NAME, KERNEL_QUIET, NOTEBOOKS_DIR
from cadre_analytics.workspace import LAB_DIR_VARIABLE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# notebook -> files it, and every stage before it, must leave in the scratch folder
LEAVES = {
    "01_ingest_validate": ["data_quality.html", "restricted/accepted_staff.parquet"],
    "02_indicators": ["restricted/units.parquet", "indicators.parquet", "readings.csv"],
    "03_projection": ["indicators.parquet", "projection.parquet", "requirements.csv"],
    "05_plan": ["projection.parquet", "plan_outcome.csv", "restricted/plan_nominations.csv"],
    "04_report": [
        "plan_solver.csv",
        "projection.parquet",
        "bang_so_lieu.xlsx",
        "restricted/danh_sach.xlsx",
    ],
}


def _outputs(executed: Path) -> list[dict]:
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    return [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]


@pytest.mark.parametrize("name", sorted(LEAVES))
def test_notebook_runs_on_its_defaults(name, tmp_path, monkeypatch):
    lab = tmp_path / "lab"
    monkeypatch.setenv(LAB_DIR_VARIABLE, str(lab))
    executed = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / f"{name}.ipynb"),
        str(executed),
        kernel_name=KERNEL_NAME,
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
        extra_arguments=KERNEL_QUIET,
    )
    for relative in LEAVES[name]:
        assert (lab / relative).exists(), f"{name} left no {relative}"
    outputs = _outputs(executed)
    assert not [o for o in outputs if o["output_type"] == "error"]
    printed = "".join("".join(o.get("text", "")) for o in outputs if o["output_type"] == "stream")
    if name != "01_ingest_validate":
        # One line says which earlier stages were run on the sample.
        assert "01_ingest_validate" in printed
    if name in ("02_indicators", "03_projection"):
        # altair's renderer outside JupyterLab: vega-embed in an HTML output
        charts = [
            o for o in outputs if "vegaEmbed" in "".join(o.get("data", {}).get("text/html", ""))
        ]
        assert charts, f"{name} shows no interactive chart"
