"""Text in Plotly figures: escaped once for Plotly's HTML subset, so a name shows exactly as written.

What the browser shows is checked in tests/browser/test_plain_text.py (axis labels and hover on the Uitstroom
page); these tests pin what goes into the figure.
"""

from datetime import date

import plotly.graph_objects as go

from cohort.charts.area import area_series_figure
from cohort.charts.base import base_layout, house_figure, house_layout, merged_layout, plotly_text

NAME = "=HYPERLINK(\"http://x\",\"klik\") <script>alert(1)</script> & 'Oost' &amp;"
ESCAPED = "=HYPERLINK(\"http://x\",\"klik\") &lt;script&gt;alert(1)&lt;/script&gt; &amp; 'Oost' &amp;amp;"


def test_plotly_text_escapes_markup_and_ampersands_but_not_quotes() -> None:
    # Plotly decodes &lt; &gt; &amp; and numeric entities but shows &quot; as it is: quotes stay quotes.
    assert plotly_text(NAME) == ESCAPED
    assert plotly_text("Centrum-West (DX01)") == "Centrum-West (DX01)"
    assert plotly_text(None) == ""


def test_titles_are_plain_text() -> None:
    fig = base_layout(go.Figure(), title=f"Klachten in {NAME}")
    assert fig.layout.title.text == f"Klachten in {ESCAPED}"
    area = area_series_figure([date(2021, 1, 1)], [2.5], ["K1 2021: 2,5"], title=f"{NAME}: uitstroom naar werk",
                              cohort_start=None, cohort_end=None)
    assert area.layout.title.text == f"{ESCAPED}: uitstroom naar werk"  # once, not twice


def test_merged_layout_merges_dicts_key_by_key_and_replaces_everything_else() -> None:
    base = {"margin": {"l": 10, "t": 60}, "xaxis": {"title": {"text": "x"}, "showgrid": False}, "shapes": [{"a": 1}]}
    change = {"margin": {"t": 40}, "xaxis": {"title": {"font": {"size": 9}}}, "shapes": [{"b": 2}], "height": 280}
    assert merged_layout(base, change, {"height": 300}) == {
        "margin": {"l": 10, "t": 40},
        "xaxis": {"title": {"text": "x", "font": {"size": 9}}, "showgrid": False},
        "shapes": [{"b": 2}],  # a list is replaced, as update_layout does on a figure without shapes
        "height": 300,
    }
    assert base["margin"] == {"l": 10, "t": 60}  # the arguments are left as they were


def test_house_figure_is_the_figure_update_layout_would_make() -> None:
    # One construction instead of two update_layout calls (15-20 ms each): the same figure, template included.
    trace = go.Scatter(x=[1, 2], y=[3.0, 4.0], name="a")
    own = {"margin": {"t": 40}, "xaxis": {"dtick": 3}, "shapes": [{"type": "line", "x0": 0, "x1": 0}]}
    built = house_figure([trace], title="T & U", y_title="per 1.000", height=280, layout=own)
    updated = go.Figure(data=[trace])
    updated.update_layout(house_layout(title="T & U", y_title="per 1.000", height=280))
    updated.update_layout(own)
    assert built.to_plotly_json() == updated.to_plotly_json()
    assert built.layout.margin.l == 10 and built.layout.margin.t == 40 and built.layout.title.text == "T &amp; U"
