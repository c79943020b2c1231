"""Titles and sentences follow the report's scope (params/report.yaml ``scope``), in both
editions, in words."""

from __future__ import annotations

import re

import pytest

from cadre_analytics import report
from cadre_analytics.params import ReportSettings, Scope, load_report_settings
from cadre_analytics.report import settings as report_settings
from cadre_analytics.report.strings import LANGUAGES
from tests.report import aggregates
from tests.report.test_plain_words import SNAKE, visible_text

LABELS = {"vi": "khu vực huyện Di Linh cũ", "en": "the former Di Linh district area"}
TITLES = {"vi": "Khu vực huyện Di Linh cũ", "en": "The former Di Linh district area"}
# The default words, which a named scope replaces everywhere.
DEFAULT = {"vi": ("toàn huyện", "Toàn huyện"), "en": ("the whole district", "Whole district")}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("scope_words")
    aggregates.write(out, aggregates.build())
    return report.load_report_inputs(out, 2025)


def _with_scope(monkeypatch, scope: Scope) -> None:
    named = ReportSettings(max_units_shown=40, min_cell=5, heat_low=0.8, min_change_people=5,
                           scope=scope)  # fmt: skip
    monkeypatch.setattr(report_settings, "settings", lambda: named)


def _h(html: str, tag: str) -> list[str]:
    return [visible_text(m) for m in re.findall(rf"<{tag}\b.*?</{tag}>", html, flags=re.S)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_named_scope_titles_the_report(inputs, monkeypatch, lang):
    _with_scope(monkeypatch, Scope(label_vi=LABELS["vi"], label_en=LABELS["en"]))
    html = "".join(report.all_sections(inputs, lang))
    h1 = _h(html, "h1")[0]
    assert LABELS[lang] in h1
    district = next(h for h in _h(html, "h2") if h.startswith("2. "))
    assert district.startswith(f"2. {TITLES[lang]}: ")
    text = visible_text(html)
    # The summary table's whole-scope rows and the first finding name the scope too.
    assert text.count(TITLES[lang]) >= 2 and LABELS[lang] in report.title_block(inputs, lang)
    for words in DEFAULT[lang]:
        assert words not in text, words
    assert SNAKE.findall(text) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_scope_named_reads_as_today(inputs, monkeypatch, lang):
    _with_scope(monkeypatch, Scope())
    html = "".join(report.all_sections(inputs, lang))
    district = next(h for h in _h(html, "h2") if h.startswith("2. "))
    want = {"vi": "2. Toàn huyện: ", "en": "2. The whole district: "}[lang]
    assert district.startswith(want)
    assert DEFAULT[lang][0] in _h(html, "h1")[0]


def test_scope_in_report_yaml(tmp_path):
    path = tmp_path / "report.yaml"
    base = "max_units_shown: 40\nmin_cell: 5\nheat_low: 0.8\nmin_change_people: 5\n"
    path.write_text(
        base + 'scope:\n  label_vi: "khu vực huyện Di Linh cũ"\n'
        '  label_en: "the former Di Linh district area"\n'
        "  units: {successors_of: [25000, '25003']}\n",
        encoding="utf-8",
    )
    scope = load_report_settings(path).scope
    assert scope == Scope(LABELS["vi"], LABELS["en"], ("25000", "25003"), successors=True)
    path.write_text(base + "scope:\n  units: {codes: [X01]}\n", encoding="utf-8")
    assert load_report_settings(path).scope == Scope(codes=("X01",))
    path.write_text(base, encoding="utf-8")
    assert load_report_settings(path).scope == Scope()  # every unit: today's behaviour


@pytest.mark.parametrize(
    ("scope_text", "fragment"),
    [
        ('  label_vi: "khu vực"\n  units: all\n', "label_en"),  # one label without the other
        ("  units: some\n", "units"),
        ("  units: {codes: []}\n", "codes"),
        ("  unit: all\n", "unit"),  # typo
    ],
)
def test_bad_scope_is_a_clear_error(tmp_path, scope_text, fragment):
    from cadre_analytics.errors import ParamsError

    path = tmp_path / "report.yaml"
    base = "max_units_shown: 40\nmin_cell: 5\nheat_low: 0.8\nmin_change_people: 5\n"
    path.write_text(base + "scope:\n" + scope_text, encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_report_settings(path)
    assert fragment in f"{err.value.message_en} {err.value.where}"
