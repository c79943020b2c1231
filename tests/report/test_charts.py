"""Charts: aggregated data only, inline SVG without any URL, Vietnamese text kept as text."""

import polars as pl
import pytest

from cadre_analytics.report import charts
from cadre_analytics.report.render import assert_offline


def test_charts_refuse_personal_columns():
    frame = pl.DataFrame({"staff_id": ["A1"], "share": [0.5]})
    with pytest.raises(AssertionError, match="staff_id"):
        charts.assert_no_personal(frame)
    with pytest.raises(AssertionError):
        charts._chart(pl.DataFrame({"full_name": ["x"], "year": [2025]}))


def test_change_chart_svg_is_offline_accessible_and_vietnamese():
    change = pl.DataFrame({"indicator": ["c_university", "d_postgraduate"], "delta": [0.1, -0.05]})
    html = charts.figure(charts.change_chart(change, "vi"), "Biểu đồ thay đổi", "vi")
    assert_offline(html)
    assert 'role="img" aria-label="Biểu đồ thay đổi"' in html
    assert "<figcaption>Biểu đồ thay đổi</figcaption>" in html
    assert "Xã: CB, CC có trình độ đại học trở lên" in html  # diacritics as SVG text
    assert "+10,0 điểm %" in html and "−5,0 điểm %" in html
    assert html.count("<path") > 2
