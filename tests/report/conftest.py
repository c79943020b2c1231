"""Shared fixtures for the report tests: one papermill run of 04_report per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cadre_analytics.params import PROJECT_ROOT
from tests.report import aggregates

NOTEBOOK = PROJECT_ROOT / "notebooks" / "04_report.ipynb"
KERNEL = "python3"


def run_report_notebook(out_dir: Path, year: int, lang: str) -> Path:
    """Execute 04_report with typed parameters (a dict, not -p strings) and render it."""
    papermill = pytest.importorskip("papermill")
    from cadre_analytics.report import render_html

    executed = out_dir / "notebooks" / "04_report.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={"out_dir": str(out_dir), "year": year, "lang": lang},
        kernel_name=KERNEL,
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )
    html = out_dir / "report.html"
    render_html(executed, html, lang)
    return html


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory) -> Path:
    """The Vietnamese report over hand-built aggregates (6 communes, 3 snapshots)."""
    out = tmp_path_factory.mktemp("sample_out")
    aggregates.write(out, aggregates.build())
    return run_report_notebook(out, 2025, "vi")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None
