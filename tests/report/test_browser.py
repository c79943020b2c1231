"""Opens the report in headless Chromium with the network blocked: every chart drew, no
script error. Skips (with the reason) when no Chromium is installed."""

from __future__ import annotations

import re
import subprocess
import tempfile

import pytest

from tests.report.conftest import chromium

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

BLOCKED = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    '--host-resolver-rules="MAP * ~NOTFOUND"'.replace('"', ""),
    "--proxy-server=127.0.0.1:9",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=3000",
]


def _dump_dom(binary: str, url: str) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [binary, *BLOCKED, f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    return done.stdout, done.stderr


def test_every_chart_draws_offline_without_script_errors(sample_report):
    binary = chromium()
    if binary is None:
        pytest.skip("chromium not installed (apt-get install -y chromium); browser test skipped")
    html = sample_report.read_text(encoding="utf-8")
    expected_figures = html.count('<figure class="chart')
    assert expected_figures >= 5
    dom, log = _dump_dom(binary, sample_report.as_uri())
    figures = re.findall(r"<figure class=\"chart.*?</figure>", dom, flags=re.S)
    assert len(figures) == expected_figures, "the browser lost some charts"
    for fig in figures:
        svg = re.search(r"<svg[^>]*class=\"marks\".*?</svg>", fig, flags=re.S)
        assert svg, "a figure without a rendered SVG"
        marks = len(re.findall(r"<(?:path|rect|line|circle|text)\b", svg.group(0)))
        assert marks > 10, "a chart with (almost) nothing drawn"
    errors = [
        line
        for line in log.splitlines()
        if "Uncaught" in line or ("CONSOLE" in line and "error" in line.lower())
    ]
    assert errors == [], errors
    # the Vietnamese text arrived intact in the DOM (UTF-8 read correctly offline)
    assert "Tóm tắt" in dom and "Tỷ lệ" in dom
