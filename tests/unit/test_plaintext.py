"""`markdown_literal`: text from an upload becomes Markdown that Streamlit shows as exactly that text.

What Streamlit's browser side makes of the result is checked in tests/browser/test_plain_text.py; these tests
pin the Markdown itself, written out by hand.
"""

import re
import string

import pytest

from cohort.plaintext import markdown_literal

BREAK = ":small[]"


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("Centrum-West", "Centrum\\-West"),
        ("Zuidoost ‘é’ 2022", "Zuidoost ‘é’ 2022"),
        ("![p](x.png)", "\\!\\[p\\]\\(x\\.png\\)"),
        ("_schuin_ **vet** `code` $x$", "\\_schuin\\_ \\*\\*vet\\*\\* \\`code\\` \\$x\\$"),
        (":red[rood]", BREAK + "\\:red\\[rood\\]"),
        ("http://host/p", "http" + BREAK + "\\:\\/\\/host\\/p"),
        ("www.example.nl", "www" + BREAK + "\\.example\\.nl"),
        ("WWW.example.nl", "WWW" + BREAK + "\\.example\\.nl"),
        ("a@b.nl", "a\\@" + BREAK + "b\\.nl"),
        ("a -> b", "a \\-" + BREAK + "\\> b"),
        ("a <= b", "a \\<" + BREAK + "\\= b"),
        ("<b>x</b> & &amp;", "\\<b\\>x\\<\\/b\\> \\& \\&amp\\;"),
        ("# kop", "\\# kop"),
        ("1. item", "1\\. item"),
    ],
)
def test_markdown_is_escaped_and_patterns_are_broken(text: str, markdown: str) -> None:
    assert markdown_literal(text) == markdown


def test_whitespace_becomes_single_spaces() -> None:
    # A newline would start a new Markdown block, four leading spaces a code block.
    assert markdown_literal("    regel een\n\n- regel\ttwee  ") == "regel een \\- regel twee"
    assert markdown_literal(None) == ""
    assert markdown_literal(2022) == "2022"


def test_nothing_but_escapes_and_breaks_is_added() -> None:
    text = string.printable.strip() + " ‘Zuidoost’ ëï €"
    markdown = markdown_literal(text)
    restored = re.sub(r"\\(.)", r"\1", markdown.replace(BREAK, ""))
    assert restored == " ".join(text.split())
    # Every ASCII punctuation character is escaped: the Markdown is a run of "\\<punctuation>" and other text.
    punctuation = re.escape(string.punctuation)
    assert re.fullmatch(rf"(?:\\[{punctuation}]|[^{punctuation}])*", markdown.replace(BREAK, ""))
