"""The offline check looks at resources (what a browser would fetch), never at text."""

from __future__ import annotations

import pytest

from cadre_analytics.report.render import assert_offline


def test_web_address_in_text_is_not_a_resource():
    # a unit named with its web site, printed in a table cell and a heading
    assert_offline(
        "<h2>Xã Hòa Bắc (https://hoabac.gov.vn)</h2><td>www.hoabac.gov.vn</td>"
        "<p>url(x.png) @import is only text here</p>"
    )


@pytest.mark.parametrize(
    "bad",
    [
        '<a href="https://hoabac.gov.vn">Xã Hòa Bắc</a>',
        '<svg><image href="logo.png"/></svg>',
        '<script>fetch("https://example.org/x")</script>',
        '<video poster="cover.jpg"></video>',
        "<iframe></iframe>",
    ],
)
def test_resources_in_attributes_scripts_and_frames_are_caught(bad):
    with pytest.raises(AssertionError):
        assert_offline(f"<html><body>{bad}</body></html>")
