"""Text in Plotly figures: escaped once for Plotly's HTML subset, so a name shows exactly as written.

What the browser shows is checked in tests/browser/test_plain_text.py (axis labels and hover on the Uitstroom
page); these tests pin what goes into the figure.
"""

from datetime import date

import plotly.graph_objects as go
import polars as pl

from cohort.charts.area import area_timeseries_figure
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
    monthly = pl.DataFrame({"maand": [date(2021, 1, 1)], "uitstroom_werk": [5], "bijstand": [2000]})
    area = area_timeseries_figure(monthly, name=NAME, start=None, eind=None)
    assert area.layout.title.text == f"{ESCAPED}: uitstroom naar werk per maand"  # once, not twice
