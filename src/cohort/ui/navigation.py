"""The app's pages and its navigation: every page at its own address, and a page list that is a list.

Two things Streamlit 1.67 does not do by itself:
- The default page of `st.navigation` answers only at "/": `st.Page.url_path` is "" for the default page,
  and a first request for /overzicht (a shared link) finds no page with that path, shows "Page not found"
  and runs the default page (see streamlit/commands/navigation.py, runtime/pages_manager.py). So the overview
  is registered twice: hidden at "/" (the default) and at "/overzicht", the path the links use.
- Its sectioned sidebar navigation is a `<ul>` with a `<div>` per section inside (axe `list`/`listitem`),
  so screen readers announce no list. The navigation is hidden and drawn here instead: `st.page_link`s,
  one list per section, which a small script marks as a `<nav>` landmark with lists, list items and
  `aria-current="page"` (Streamlit's page links carry no roles and no aria-current).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.navigation.page import Page as StreamlitPage

NAV_KEY = "paginas"
NAV_LABEL = "Pagina’s"
FOOTER_KEY = "paginas-voet"


@dataclass(frozen=True)
class PageSpec:
    """One page: its file in views/, its title in the navigation, its icon and its address."""

    file: str
    title: str
    icon: str
    url_path: str


# The sections of the page list, in order; the statement is linked from the sidebar's footer instead.
SECTIONS: dict[str, tuple[PageSpec, ...]] = {
    "Cohortaanpak": (
        PageSpec("views/overzicht.py", "Overzicht", ":material/dashboard:", "overzicht"),
        PageSpec("views/kaart.py", "Kaart", ":material/map:", "kaart"),
        PageSpec("views/uitstroom.py", "Uitstroom naar werk", ":material/work:", "uitstroom"),
        PageSpec("views/gebieden.py", "Uitrol per gebied", ":material/view_timeline:", "gebieden"),
        PageSpec("views/klachten.py", "Klachten en bejegening", ":material/feedback:", "klachten"),
        PageSpec("views/over.py", "Over de data", ":material/info:", "over"),
        PageSpec("views/wijzigingen.py", "Wat is er veranderd", ":material/difference:", "wijzigingen"),
    ),
    "Evaluatoren": (PageSpec("views/data.py", "Data", ":material/upload_file:", "data"),),
}
STATEMENT = PageSpec(
    "views/toegankelijkheid.py", "Toegankelijkheidsverklaring", ":material/accessibility_new:", "toegankelijkheid"
)
HOME = SECTIONS["Cohortaanpak"][0]  # what "/" shows
ALL_PAGES: tuple[PageSpec, ...] = (*(spec for specs in SECTIONS.values() for spec in specs), STATEMENT)


@dataclass(frozen=True)
class Navigation:
    """The page this run shows, what it is, every registered page by url_path ("" is "/"), and the place at the
    top of the sidebar where `draw_navigation` puts the page list."""

    current: StreamlitPage
    spec: PageSpec
    pages: dict[str, StreamlitPage]
    slot: Any = None

    def link_target(self, spec: PageSpec) -> StreamlitPage:
        # On "/" the overview's link points at "/" itself, so Streamlit marks it as the current page too.
        if spec is HOME and self.current is self.pages[""]:
            return self.current
        return self.pages[spec.url_path]


def _st_page(spec: PageSpec, **kwargs: Any) -> StreamlitPage:
    return st.Page(spec.file, title=spec.title, icon=spec.icon, **kwargs)


def run_navigation() -> Navigation:
    """Register every page and keep the top of the sidebar for the page list; the page this run shows.

    The list itself is drawn by `draw_navigation` after the page: nine page links and a script are element kinds
    the browser must load and render, and drawn first they delayed the page's first chart by seconds (issue 15).
    The container reserved here keeps the list at the top of the sidebar.
    """
    pages = {"": _st_page(HOME, url_path="", default=True, visibility="hidden")}
    pages.update({spec.url_path: _st_page(spec, url_path=spec.url_path) for spec in ALL_PAGES})
    current = st.navigation(list(pages.values()), position="hidden")
    path = next(path for path, page in pages.items() if page is current)  # st.navigation returns one of ours
    spec = next((spec for spec in ALL_PAGES if spec.url_path == path), HOME)
    return Navigation(current, spec, pages, st.sidebar.container(key=NAV_KEY))


def draw_navigation(nav: Navigation) -> None:
    """The page list, in the place `run_navigation` kept for it at the top of the sidebar."""
    with nav.slot:
        for number, (section, specs) in enumerate(SECTIONS.items()):
            st.caption(section)
            with st.container(key=f"{NAV_KEY}-{number}", gap="xsmall"):
                for spec in specs:
                    st.page_link(nav.link_target(spec), label=spec.title, icon=spec.icon)
        _mark_up(nav)
        st.divider()


def navigation_footer(nav: Navigation) -> None:
    """The last thing in the sidebar: the link to the accessibility statement (as on every government site)."""
    with st.sidebar, st.container(key=FOOTER_KEY):
        st.page_link(nav.pages[STATEMENT.url_path], label=STATEMENT.title, icon=STATEMENT.icon)


# Gives the containers drawn above the roles a <nav> with lists has, and the current page's link
# aria-current; closes the sidebar after a click on a link where it lies over the page. Streamlit re-renders
# the sidebar on every run and may replace these elements, so a MutationObserver applies the marks again after
# every change (it watches only added/removed nodes, not the attributes it sets itself). Constant code; the
# only data are our own keys and url_path, as JSON.
_MARK_UP_JS = """
<script>
(() => {
  window.__cohortNav = __CONF__;
  const apply = () => {
    const conf = window.__cohortNav;
    const set = (node, name, value) => {
      if (value === null) { if (node.hasAttribute(name)) node.removeAttribute(name); }
      else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
    };
    const nav = document.querySelector('.st-key-' + conf.nav);
    if (!nav) return;
    set(nav, 'role', 'navigation');
    set(nav, 'aria-label', conf.label);
    // The visible section names are the lists' names already; read once, not twice.
    nav.querySelectorAll('[data-testid=stCaptionContainer]').forEach((caption) => set(caption, 'aria-hidden', 'true'));
    // This script's own (empty) element would otherwise take a row's height in the sidebar.
    nav.querySelectorAll(':scope > [data-testid=stElementContainer]:has([data-testid=stHtml])')
      .forEach((element) => { element.style.display = 'none'; });
    document.querySelectorAll(conf.lists.map((key) => '.st-key-' + key).join(',')).forEach((list, i) => {
      set(list, 'role', 'list');
      set(list, 'aria-label', conf.sections[i]);
      for (const item of list.children) set(item, 'role', 'listitem');
    });
    document.querySelectorAll(
      ['.st-key-' + conf.nav, '.st-key-' + conf.footer].map((s) => s + ' a[data-testid=stPageLink-NavLink]').join(',')
    ).forEach((link) => {
      set(link, 'aria-current', link.getAttribute('href').split('?')[0] === conf.current ? 'page' : null);
    });
  };
  if (!window.__cohortNavObserver) {
    window.__cohortNavObserver = new MutationObserver(apply);
    window.__cohortNavObserver.observe(document.body, {childList: true, subtree: true});
    // On a narrow window (a phone, or 200% zoom) the sidebar lies over the page: after choosing a page, close
    // it, so the page just opened can be seen (Streamlit's own navigation does this on phones only).
    document.addEventListener('click', (event) => {
      const conf = window.__cohortNav;
      const link = event.target.closest && event.target.closest(
        ['.st-key-' + conf.nav, '.st-key-' + conf.footer].map((s) => s + ' a').join(','));
      const sidebar = document.querySelector('[data-testid=stSidebar]');
      const main = document.querySelector('[data-testid=stMain]');
      if (!link || !sidebar || !main) return;
      if (sidebar.getBoundingClientRect().right > main.getBoundingClientRect().left + 1) {
        document.querySelector('[data-testid=stSidebarCollapseButton] button')?.click();
      }
    });
  }
  apply();
})();
</script>
"""


def _mark_up(nav: Navigation) -> None:
    conf = {
        "nav": NAV_KEY,
        "footer": FOOTER_KEY,
        "label": NAV_LABEL,
        "lists": [f"{NAV_KEY}-{number}" for number in range(len(SECTIONS))],
        "sections": list(SECTIONS),
        # The href Streamlit writes for the current page's link: its url_path ("" on "/").
        "current": nav.link_target(nav.spec).url_path,
    }
    st.html(_MARK_UP_JS.replace("__CONF__", json.dumps(conf)), unsafe_allow_javascript=True)
