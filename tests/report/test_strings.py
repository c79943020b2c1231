"""The two string catalogues carry the same keys and the same placeholders."""

import string

import pytest

from cadre_analytics.errors import ParamsError
from cadre_analytics.params import load_quota_rules
from cadre_analytics.report.strings import LANGUAGES, catalogue, check_lang, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogues_have_the_same_keys():
    vi, en = catalogue("vi"), catalogue("en")
    assert set(vi) - set(en) == set(), "keys only in vi.yaml"
    assert set(en) - set(vi) == set(), "keys only in en.yaml"


def test_catalogues_have_the_same_placeholders():
    vi, en = catalogue("vi"), catalogue("en")
    different = {k for k in vi if _fields(vi[k]) != _fields(en[k])}
    assert different == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_quota_of_the_params_has_a_label_and_a_course(lang):
    ids = [ind.id for ind in load_quota_rules().indicators]
    assert ids, "params/quotas.yaml has indicators"
    missing = [i for i in ids if f"quota.{i}" not in catalogue(lang)]
    missing += [i for i in ids if f"course.{i}" not in catalogue(lang)]
    assert missing == []


def test_template_is_filled_and_vietnamese_keeps_its_diacritics():
    assert t("report.title", "vi", year=2025, scope="toàn huyện") == (
        "Báo cáo chất lượng đội ngũ cán bộ, công chức, viên chức toàn huyện năm 2025"
    )
    assert t("status.off_track", "en") == "Off track"


def test_unknown_language_is_a_clear_user_error():
    with pytest.raises(ParamsError) as err:
        check_lang("fr")
    assert "REPORT_LANG" in err.value.one_line()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_text_is_nfc(lang):
    """Decomposed diacritics render as loose marks in some fonts; the catalogue is NFC."""
    import unicodedata

    bad = [k for k, v in catalogue(lang).items() if unicodedata.normalize("NFC", v) != v]
    assert bad == []
