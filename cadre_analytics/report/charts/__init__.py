"""Charts of the report, as altair charts built ONLY from aggregated frames.

Every function returns an altair chart that works as it is in JupyterLab (tooltips; a click on
a legend entry highlights a series) and that ``figure`` draws to inline SVG for the offline
report, with a figcaption that says in words what the chart shows.
"""

from cadre_analytics.report.charts.by_quota import (
    change_chart,
    equity_chart,
    heatmap_chart,
    what_it_takes_chart,
)
from cadre_analytics.report.charts.district import (
    district_alt_text,
    district_chart,
    district_charts,
    district_series,
    projection_charts,
)
from cadre_analytics.report.charts.draw import (
    assert_no_personal,
    figure,
    format_locale,
    report_spec,
    to_svg,
)

__all__ = [
    "assert_no_personal",
    "change_chart",
    "district_alt_text",
    "district_chart",
    "district_charts",
    "district_series",
    "equity_chart",
    "figure",
    "format_locale",
    "heatmap_chart",
    "projection_charts",
    "report_spec",
    "to_svg",
    "what_it_takes_chart",
]
