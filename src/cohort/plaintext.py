"""Text from uploads and evaluators, shown exactly as written inside Streamlit's Markdown.

Dataset names, descriptions, withdrawal reasons, unit names and `toelichting` notes are input from anyone who
can upload. Streamlit renders the text of captions, alerts, toasts, headers and labels as Markdown, so a name
like `![p](http://host/pixel.png)` would make every viewer's browser fetch that image. Streamlit has no escaper,
and escaping Markdown syntax is not enough for Streamlit 1.67: after the Markdown is parsed it also rewrites the
plain text itself (bare URLs, `www.` and e-mail addresses become links; `:smile:`, `:streamlit:` and
`:material_x:` become pictures; `->` becomes an arrow). `markdown_literal` is the one function that turns such
text into Markdown showing exactly that text; `cohort.ui` applies it where the text meets Streamlit.
"""

from __future__ import annotations

import re

# An empty `:small[]` directive renders as an empty <span>: it separates two runs of text without adding a
# character, so patterns that Streamlit looks for in one run of text (a URL, a shortcode, an arrow) never
# form. A zero-width character would do the same but would end up in what a user copies.
_BREAK = ":small[]"

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of them switches off
# every construct (links, images, emphasis, code, HTML, headings, lists, tables, directives, LaTeX).
_SPECIAL = re.compile(
    r"(?P<www>www)(?=\.)"  # "www.example.nl" is a link without any syntax
    r"|(?P<colon>:)"  # "http://", "mailto:", ":smile:", ":streamlit:", ":material_x:"
    r"|(?P<at>@)"  # "naam@example.nl"
    r"|(?P<arrow>[-<>~])(?=[-<>=])"  # "->", "<-", "<->", "--", ">=", "<=", "~="
    r"|(?P<punct>[!-/;-?\[-`{-~])",  # the other ASCII punctuation (":" and "@" are above)
    re.IGNORECASE,
)


def _replace(match: re.Match[str]) -> str:
    kind, text = match.lastgroup, match.group()
    if kind == "www":
        return text + _BREAK
    if kind == "colon":
        return _BREAK + "\\:"
    if kind == "at":
        return "\\@" + _BREAK
    if kind == "arrow":
        return "\\" + text + _BREAK
    return "\\" + text


def markdown_literal(text: object) -> str:
    """Markdown that Streamlit shows as exactly `text`, as plain text: no link, image, format or picture.

    Runs of whitespace (newlines too) become one space, as HTML shows them anyway; a newline or leading spaces
    would otherwise start a new Markdown block (a list, a heading, a code block).
    """
    collapsed = " ".join(("" if text is None else str(text)).split())
    return _SPECIAL.sub(_replace, collapsed)
