"""Turns the executed ``04_report`` notebook into ONE self-contained, offline HTML file.

Our own nbconvert template (``templates/cadre_report``): both stock templates (lab, classic)
pull require.js and MathJax from a CDN, which leaves a blank page on an office PC without
internet. Ours keeps only the HTML outputs (sections, inline SVG charts, tables), inlines its
stylesheet and references nothing outside the file.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from cadre_analytics.report.strings import check_lang

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "cadre_report"
MAX_BYTES = 3 * 1024 * 1024

# Anything a browser would try to fetch, or that names a remote location at all.
_OFFLINE_PATTERNS = {
    "url": re.compile(r"(?i)\b(?:https?|ftp|wss?):/*"),
    "protocol-relative": re.compile(r"""(?i)(?:src|href|action)\s*=\s*["']?//"""),
    "script src": re.compile(r"(?i)<script[^>]*\bsrc\s*="),
    "link": re.compile(r"(?i)<link\b"),
    "import": re.compile(r"(?i)@import\b"),
    "css url": re.compile(r"(?i)url\(\s*(?!['\"]?(?:data:|#))"),
    "iframe/embed": re.compile(r"(?i)<(?:iframe|embed|object)\b"),
    "img src": re.compile(r"""(?i)<img[^>]*\bsrc\s*=\s*(?!["']?data:)"""),
}


def assert_offline(html: str) -> None:
    """Fail if the HTML references anything outside itself (scripts, styles, fonts, images)."""
    found = []
    for name, pattern in _OFFLINE_PATTERNS.items():
        for match in pattern.finditer(html):
            start = max(match.start() - 40, 0)
            found.append(f"{name}: ...{html[start : match.end() + 40]}...")
    if found:
        raise AssertionError("report is not self-contained:\n" + "\n".join(found[:10]))


def _title(body: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", body, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def render_html(executed_notebook: Path, out_html: Path, lang: str) -> None:
    """Render the executed report notebook to ``out_html`` (no code, offline, ``lang`` set)."""
    # nbformat/nbconvert pull in jsonschema's format checkers (~2 s): imported here, not by
    # ``from cadre_analytics import report`` in the report notebook's kernel.
    import nbformat
    from nbconvert.exporters import TemplateExporter

    check_lang(lang)
    nb = nbformat.read(str(executed_notebook), as_version=4)
    exporter = TemplateExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.file_extension = ".html"
    body_guess = "".join(
        out.get("data", {}).get("text/html", "")
        if isinstance(out.get("data", {}).get("text/html", ""), str)
        else "".join(out["data"]["text/html"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    resources = {
        "report_lang": lang,
        "report_title": _title(body_guess),
        "report_css": (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8"),
    }
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    assert_offline(html)
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(html, encoding="utf-8")
