"""The report's words: one catalogue per language (``strings/vi.yaml``, ``strings/en.yaml``).

Every heading, label and sentence template of the report is looked up here, so the English
edition is the same notebooks with ``lang="en"`` and a translator edits YAML, not code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from cadre_analytics.errors import ParamsError

STRINGS_DIR = Path(__file__).resolve().parent / "strings"
LANGUAGES = ("vi", "en")
DEFAULT_LANG = "vi"
# libyaml's safe loader: the same documents, ~10x faster than the pure-Python one (the vi
# catalogue took ~0.1 s of every report); SafeLoader where pyyaml was built without libyaml.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else a clear user error (REPORT_LANG is user input)."""
    if lang not in LANGUAGES:
        raise ParamsError(
            f"Ngôn ngữ báo cáo '{lang}' không được hỗ trợ.",
            f"Report language '{lang}' is not supported.",
            where="REPORT_LANG",
            fix_vi="Dùng REPORT_LANG=vi hoặc REPORT_LANG=en.",
            fix_en="Use REPORT_LANG=vi or REPORT_LANG=en.",
        )
    return lang


def _flatten(node: object, prefix: str, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    else:
        out[prefix] = str(node)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flattened catalogue of one language: dotted key -> template."""
    check_lang(lang)
    path = STRINGS_DIR / f"{lang}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506 - safe
    out: dict[str, str] = {}
    _flatten(data, "", out)
    return out


def has(key: str, lang: str) -> bool:
    return key in catalogue(lang)


def t(key: str, lang: str, **values: object) -> str:
    """The template ``key`` in ``lang`` with ``values`` filled in (numbers pre-formatted).

    A missing key is a programming error, not a user error, so it raises KeyError loudly.
    """
    template = catalogue(lang)[key]
    return template.format(**values) if values else template


def t_or(key: str, lang: str, fallback: str) -> str:
    """The template ``key`` if the catalogue has it, else ``fallback`` (e.g. an ethnic name)."""
    return catalogue(lang).get(key, fallback)
