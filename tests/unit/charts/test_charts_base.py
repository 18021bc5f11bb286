"""Text in Plotly figures: escaped once for Plotly's HTML subset, so a name shows exactly as written.

What the browser shows is checked in tests/browser/test_plain_text.py (axis labels and hover on the Uitstroom
page); these tests pin what goes into the figure.
"""

from datetime import date

import plotly.graph_objects as go

from cohort.charts.area import area_series_figure
from cohort.charts.base import base_layout, plotly_text

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
