"""Shared AppTest helpers: open the app like a browser would (link first, then the page), read what it shows."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from cohort.settings import PROJECT_ROOT
from cohort.ui.share import SHARE_KEY

APP = str(PROJECT_ROOT / "app.py")
PAGES = sorted(str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "views").glob("*.py"))


def open_app(page: str | None = None, *, check: bool = False, secrets: dict | None = None, user: dict | None = None,
             timeout: float = 60, **query: str | list[str]) -> AppTest:
    """Run the app with `query` in the URL before the first run (as a shared link), then switch to `page`.

    `secrets` (an [auth] section makes a login app) and `user` (the fields of `st.user`) set the session."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if secrets:
        at.secrets.update(secrets)
    if user is not None:
        at.user = user
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


def rendered_text(markdown: str) -> str:
    """The text a browser shows for Markdown from `cohort.plaintext.markdown_literal` (AppTest sees the source)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(":small[]", ""))


def metrics_by_label(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def notes(at: AppTest) -> list[str]:
    """Every note in the page's captions: a caption holds one note, or several as paragraphs (`show_notes`)."""
    return [note for caption in at.caption for note in caption.value.split("\n\n")]


def open_tables(at: AppTest, *file_stems: str) -> AppTest:
    """Open the "Cijfers bij deze grafiek" expanders of these charts (they build their table only when open)."""
    for stem in file_stems:
        at.session_state[f"cijfers_{stem}"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def share_link(at: AppTest) -> str:
    """The link in the sidebar's share control: open its expander (the code block is built only then) and read it."""
    at.session_state[SHARE_KEY] = True
    at.run()
    return at.code[-1].value
