"""Turns the executed ``04_report`` notebook into ONE self-contained, offline HTML file.

Our own nbconvert template (``templates/cadre_report``): both stock templates (lab, classic)
pull require.js and MathJax from a CDN, which leaves a blank page on an office PC without
internet. Ours keeps only the HTML outputs (sections, inline SVG charts, tables), inlines its
stylesheet and references nothing outside the file.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from cadre_analytics.report.strings import check_lang

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "cadre_report"
MAX_BYTES = 3 * 1024 * 1024

# A resource is what a browser fetches: a URL in an attribute (src, href, …), in CSS (url(),
# @import) or a script's code, and every <link>, <iframe>, <embed>, <object>.  Text is never a
# resource: a unit named after its web site ("www.hoabac.gov.vn") is printed, not fetched.
_RESOURCE_ATTRS = frozenset(
    {
        "src",
        "href",
        "xlink:href",
        "action",
        "formaction",
        "data",
        "poster",
        "srcset",
        "background",
        "codebase",
        "manifest",
        "ping",
    }
)
_ALWAYS_EXTERNAL_TAGS = frozenset({"link", "iframe", "embed", "object", "frame", "base"})
_CSS_URL = re.compile(r"(?i)url\(\s*(?!['\"]?\s*(?:data:|#))")
_CSS_IMPORT = re.compile(r"(?i)@import\b")
_CODE_URL = re.compile(r"(?i)(?:\b(?:https?|ftp|wss?):|[\"'`]//)")


def _internal(value: str) -> bool:
    """Whether an attribute value points inside the file (a fragment or inline data)."""
    value = value.strip().lower()
    return value == "" or value.startswith(("#", "data:"))


class _ResourceFinder(HTMLParser):
    """Collects every reference to something outside the document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._inside: str | None = None  # "style" or "script" while in their content

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ALWAYS_EXTERNAL_TAGS:
            self.found.append(f"<{tag}>: {self.get_starttag_text()}")
        for name, value in attrs:
            if value is None:
                continue
            if name in _RESOURCE_ATTRS and not _internal(value):
                self.found.append(f"{tag} {name}: {value[:120]}")
            elif name == "style":
                self._check_css(value, tag)
        if tag in ("style", "script"):
            self._inside = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("style", "script"):
            self._inside = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "style":
            self._check_css(data, "style")
        elif self._inside == "script" and _CODE_URL.search(data):
            self.found.append(f"script: {data.strip()[:120]}")

    def _check_css(self, css: str, where: str) -> None:
        for pattern in (_CSS_URL, _CSS_IMPORT):
            for match in pattern.finditer(css):
                self.found.append(
                    f"{where} css: {css[max(match.start() - 20, 0) : match.end() + 40]}"
                )


def assert_offline(html: str) -> None:
    """Fail if the HTML references anything outside itself (scripts, styles, fonts, images).
    Only resources are looked at; text that mentions a web address is fine."""
    finder = _ResourceFinder()
    finder.feed(html)
    finder.close()
    if finder.found:
        raise AssertionError("report is not self-contained:\n" + "\n".join(finder.found[:10]))


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
