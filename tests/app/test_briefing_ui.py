"""The Streamlit glue of the briefing: the download button (lazy, or disabled with the reason) and the print
stylesheet's injection. The click itself (the server generating the PDF) is in tests/browser/test_print.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import cohort.ui.briefing as ui_briefing
from cohort.briefing import Availability
from cohort.ui.print_css import FIT_CHARTS_JS, PRINT_CSS


def _button_app() -> None:
    from cohort.ui.briefing import briefing_download

    def not_now():
        raise AssertionError("the briefing was made while the page was drawn, not when the button was clicked")

    briefing_download(not_now, key="briefing_DX07", file_name="briefing_osdorp_2021-06-30.pdf")


def test_the_button_defers_the_pdf_until_it_is_clicked() -> None:
    at = AppTest.from_function(_button_app).run(timeout=30)
    assert not at.exception
    [button] = at.get("download_button")
    assert button.proto.label == "Briefing (pdf)"
    assert not button.proto.disabled
    assert button.proto.deferred_file_id  # a callable registered for the click, not bytes made now
    assert button.proto.ignore_rerun  # downloading does not rerun the page
    assert "dezelfde cijfers als op deze pagina" in button.proto.help


def test_without_pdf_support_the_button_is_disabled_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = "De briefing als pdf is op deze server niet beschikbaar: de bibliotheek ‘reportlab’ is niet geïnstalleerd."
    monkeypatch.setattr(ui_briefing, "briefing_available", lambda: Availability(False, reason))
    at = AppTest.from_function(_button_app).run(timeout=30)
    assert not at.exception
    [button] = at.get("download_button")
    assert button.proto.disabled
    assert not button.proto.deferred_file_id
    assert button.proto.help == reason
    assert [c.value for c in at.caption] == [reason]  # also readable without hovering over a disabled button


def _print_app() -> None:
    from cohort.ui.print_css import inject_print_css

    inject_print_css()


def test_print_css_is_injected_as_one_html_element() -> None:
    at = AppTest.from_function(_print_app).run(timeout=30)
    assert not at.exception
    [html] = at.get("html")
    assert html.proto.body == f"<style>{PRINT_CSS}</style><script>{FIT_CHARTS_JS}</script>"


def test_print_css_is_only_for_print() -> None:
    # Every rule sits inside the one @media print block, so nothing changes on screen.
    css = PRINT_CSS.strip()
    assert css.startswith("@media print {") and css.endswith("}")
    depth = 0
    for char in css[len("@media print {"):-1]:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "a rule closes the @media print block early"
    assert depth == 0
    for hidden in ("stSidebar", "stHeader", "stToolbar"):
        assert f'[data-testid="{hidden}"]' in css
    # The script acts on the browser's print events only.
    assert 'addEventListener("beforeprint"' in FIT_CHARTS_JS and 'addEventListener("afterprint"' in FIT_CHARTS_JS
