"""Charts: a value axis with labelled ticks, week labels, the value on every bar, hover
titles, a table of the values, and a "no data yet" state."""

import datetime as dt

import pytest
from django.template.loader import render_to_string

from feedback.charts import bar_chart, week_label


def test_week_label_is_the_iso_week_number() -> None:
    assert week_label(dt.date(2026, 11, 16)) == "wk 47"


def test_nps_axis_runs_from_minus_100_to_100_with_zero_as_baseline() -> None:
    chart = bar_chart([("wk 46", -20.0), ("wk 47", 35.5)], low=-100, high=100)
    assert [t.label for t in chart.ticks] == ["-100", "-50", "0", "50", "100"]
    zero = next(t for t in chart.ticks if t.label == "0")
    assert chart.baseline == zero.y
    negative, positive = chart.bars
    assert negative.negative and negative.y == chart.baseline
    assert positive.y + positive.height == chart.baseline
    assert (negative.value_label, positive.value_label) == ("-20", "35.5")


def test_scale_follows_the_largest_value_when_no_top_is_given() -> None:
    chart = bar_chart([("a", 3.0), ("b", 7.0)], low=0)
    assert chart.ticks[-1].label == "8"


def test_missing_value_keeps_its_label_and_draws_no_bar() -> None:
    chart = bar_chart([("wk 1", None), ("wk 2", 4.0)], low=0, high=10)
    assert chart.bars[0].height == 0 and chart.bars[0].show_label
    assert not chart.bars[0].show_value
    assert not chart.empty


def test_long_series_labels_every_other_bar_ending_with_the_last() -> None:
    chart = bar_chart([(f"wk {n}", float(n)) for n in range(1, 27)], low=0)
    shown = [bar.label for bar in chart.bars if bar.show_label]
    assert shown[-1] == "wk 26" and len(shown) == 13


@pytest.mark.parametrize("values", [[None, None], []])
def test_no_data_yet(values) -> None:
    chart = bar_chart([(f"wk {i}", v) for i, v in enumerate(values)], low=0, high=100)
    html = render_to_string("feedback/_chart.html", {"chart": chart, "caption": "CSAT"})
    assert chart.empty
    assert "No data yet" in html


def test_rendered_chart_has_axis_labels_values_titles_and_a_table() -> None:
    chart = bar_chart([("wk 46", 12.0), ("wk 47", 41.0)], low=-100, high=100)
    html = render_to_string("feedback/_chart.html", {"chart": chart, "caption": "NPS"})
    assert '<text class="fb-label"' in html and ">wk 47</text>" in html
    assert '<text class="fb-value"' in html and ">41</text>" in html
    assert "<title>wk 47: 41</title>" in html
    assert '<th scope="row">wk 47</th><td>41</td>' in html
    assert ">-100</text>" in html and ">100</text>" in html
    assert "No data yet" not in html
    assert " style=" not in html and "<script" not in html
