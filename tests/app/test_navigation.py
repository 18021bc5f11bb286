"""AppTest and unit tests of the navigation (cohort.ui.navigation): every page file is registered at its documented
address, every page shows the same page list whose links point at those addresses, and "/" is the overview.

What only a browser shows (a first request for /overzicht after a restart, the list semantics, aria-current, the
keyboard) is in tests/browser/test_navigation.py.
"""

import re

import pytest
from apptest import PAGES, open_app
from streamlit.testing.v1 import AppTest

from cohort.settings import PROJECT_ROOT
from cohort.ui.navigation import ALL_PAGES, HOME, SECTIONS, STATEMENT

LIST_TITLES = [spec.title for specs in SECTIONS.values() for spec in specs] + [STATEMENT.title]


def page_links(at: AppTest) -> list[tuple[str, str]]:
    """(label, href) of every st.page_link in the sidebar, in order (a page may link to another in its text)."""
    return [(link.proto.label, link.proto.page) for link in at.sidebar.get("page_link")]


def test_every_view_is_a_page_with_a_unique_address():
    assert sorted(spec.file for spec in ALL_PAGES) == PAGES, "a file in views/ that is no page, or the reverse"
    paths = [spec.url_path for spec in ALL_PAGES]
    assert len(set(paths)) == len(paths) and all(re.fullmatch(r"[a-z]+", path) for path in paths)


def test_readme_documents_every_address():
    # README.md: "Every page has its own address: `/overzicht` (also `/`), `/kaart`, …".
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("Every page has its own address"):].split("\n\n")[0]
    documented = re.findall(r"`/([a-z]*)`", paragraph)
    assert documented == [HOME.url_path, "", *(spec.url_path for spec in ALL_PAGES[1:])]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_the_page_list_with_the_addresses(page):
    at = open_app(page, check=True)
    expected = [(spec.title, spec.url_path) for specs in SECTIONS.values() for spec in specs]
    assert page_links(at) == [*expected, (STATEMENT.title, STATEMENT.url_path)]


def test_root_shows_the_overview_and_marks_it():
    root, overview = open_app(check=True), open_app(HOME.file, check=True)
    assert root.title[0].value == overview.title[0].value
    # On "/" the overview's link is "/" itself, so Streamlit shows it as the current page; elsewhere /overzicht.
    assert page_links(root)[0] == (HOME.title, "")
    assert page_links(overview)[0] == (HOME.title, HOME.url_path)
    assert [label for label, _href in page_links(root)] == LIST_TITLES


def test_statement_page_names_every_page_and_the_contact():
    at = open_app(STATEMENT.file, check=True)
    text = "\n".join(block.value for block in at.markdown)
    assert at.title[0].value == "Toegankelijkheidsverklaring"
    assert all(spec.title in text for spec in ALL_PAGES), "the statement lists the pages that were tested"
    assert "WCAG 2.1" in text and "EN 301 549" in text and "14 020" in text
    assert [h.value for h in at.main.header] == ["Status", "Wat we hebben getoetst, en hoe", "Wat nog niet goed werkt",
                                            "Contact"]
