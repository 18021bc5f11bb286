"""Small-number suppression (AVG/GDPR): no count of persons or complaints from 1 to 4 may be readable or derivable.

The data describe vulnerable people. Like Amsterdam's research office (OIS shows 1–4 as "<5") and CBS (hides
small cells), viewer pages hide every count from 1 to ``threshold - 1`` and every figure computed from one.

Decisions (explained for readers in ``docs/privacy.md``):

- **0 is shown.** "Nobody" identifies nobody, and OIS shows 0 as 0. Consequence: everyone knows a hidden cell is
  at least 1, which the secondary suppression (``cohort.privacy.release``) takes into account.
- **Hidden numbers become null**, not only hidden text, so a chart or download cannot plot or leak them.
- **Secondary suppression** (a total minus the shown parts, linked row and column totals) is the job of
  ``cohort.privacy.release``, which protects every count a viewer can see together; in its tables every hidden cell
  reads "×" (``PROTECTED_TEXT``, the CBS sign for "geheim").

The primary suppression here holds for the frames passed in. A page that shows the same parts elsewhere
(another table, a chart, a download, a headline total) must use the same protected result; see ``docs/privacy.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from cohort.fmt import MISSING, fmt_dec, fmt_int
from cohort.settings import Settings

DEFAULT_THRESHOLD = 5
PROTECTED_TEXT = "×"  # every hidden cell in a table with totals (see module docstring)
FOOTNOTE_MARKER = "*"
HIDDEN_RATE_TEXT = f"{MISSING}{FOOTNOTE_MARKER}"  # "—*": hidden, as opposed to "—": no data

TEXT_SUFFIX = "_tekst"
HIDDEN_SUFFIX = "_verborgen"

Level = Literal["eenheid", "stadsdeel", "stad"]


@dataclass(frozen=True)
class SuppressionRule:
    """Counts from 1 to ``threshold - 1`` are hidden; 0 and counts of ``threshold`` or more are shown.

    ``enabled=False`` shows everything: only for evaluators looking at their own data, and every page that uses
    it must say so (``small_number_note_nl`` then returns the warning to show).
    """

    threshold: int = DEFAULT_THRESHOLD
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"threshold moet minstens 1 zijn, niet {self.threshold}")

    @classmethod
    def from_settings(cls, settings: Settings, *, enabled: bool = True) -> SuppressionRule:
        return cls(threshold=settings.small_number_threshold, enabled=enabled)

    @property
    def largest_hidden(self) -> int:
        """The largest count that is hidden (4 with the default threshold)."""
        return self.threshold - 1

    @property
    def hidden_text(self) -> str:
        """'<5' with the default threshold."""
        return f"<{self.threshold}"

    def hides(self, count: float | int | None) -> bool:
        """True when this count must not be shown."""
        return self.enabled and count is not None and 0 < count < self.threshold


DEFAULT_RULE = SuppressionRule()


def _hidden_expr(column: str, rule: SuppressionRule) -> pl.Expr:
    if not rule.enabled or rule.threshold <= 1:
        return pl.col(column).is_null() & pl.lit(False)  # keeps the frame's length, unlike a bare literal
    return pl.col(column).is_between(1, rule.largest_hidden).fill_null(False)


def _null_where(column: str, hidden: pl.Expr) -> pl.Expr:
    return pl.when(hidden).then(None).otherwise(pl.col(column)).alias(column)


def suppress_counts(
    frame: pl.DataFrame, count_columns: Sequence[str], rule: SuppressionRule = DEFAULT_RULE
) -> pl.DataFrame:
    """Hide small counts cell by cell (primary suppression), for tables without a total of these cells.

    For each column ``c``: ``c`` keeps its dtype but hidden values become null (charts cannot plot them),
    ``c_tekst`` is the Dutch text ("13.024", "0", "<5", "—" for missing) and ``c_verborgen`` is a boolean.
    Tables that also show a total of the cells are protected by ``cohort.privacy.release`` (secondary suppression).
    """
    hidden_flags = frame.select(
        [_hidden_expr(c, rule).alias(f"{c}{HIDDEN_SUFFIX}") for c in count_columns]
    ).with_columns(pl.all().cast(pl.Boolean))
    texts = [
        pl.Series(
            f"{c}{TEXT_SUFFIX}",
            [rule.hidden_text if hide else fmt_int(v) for v, hide in
             zip(frame.get_column(c).to_list(), hidden_flags.get_column(f"{c}{HIDDEN_SUFFIX}").to_list(), strict=True)],
            dtype=pl.String,
        )
        for c in count_columns
    ]
    nulled = frame.with_columns(
        [_null_where(c, pl.lit(hidden_flags.get_column(f"{c}{HIDDEN_SUFFIX}"))) for c in count_columns]
    )
    return nulled.with_columns(texts).with_columns(hidden_flags.get_columns())


def suppress_rates(
    frame: pl.DataFrame,
    numerator_column: str,
    rate_columns: Sequence[str],
    rule: SuppressionRule = DEFAULT_RULE,
    *,
    formatter: Callable[[float | None], str] = fmt_dec,
    hidden_column: str | None = None,
) -> pl.DataFrame:
    """Hide rates (and their interval bounds) whose numerator is 1 to threshold-1.

    Pass the rate and both bounds in ``rate_columns``: a bound alone would give the numerator away. Hidden values
    become null; ``r_tekst`` reads "—*" (footnote: ``small_number_note_nl``), else ``formatter(value)``;
    ``r_verborgen`` is a boolean. When the numerators come from a protected table, pass its ``<count>_verborgen``
    column as ``hidden_column``: a rate computed from a cell hidden to protect another must be hidden too.
    The numerator column itself is left as it is (suppress it with ``suppress_counts``).
    """
    hidden = _hidden_expr(numerator_column, rule)
    if hidden_column is not None and rule.enabled:
        hidden = hidden | pl.col(hidden_column).fill_null(False)
    flag = frame.select(hidden.cast(pl.Boolean).alias("_verborgen")).get_column("_verborgen")
    texts = [
        pl.Series(
            f"{r}{TEXT_SUFFIX}",
            [HIDDEN_RATE_TEXT if hide else formatter(v) for v, hide in
             zip(frame.get_column(r).to_list(), flag.to_list(), strict=True)],
            dtype=pl.String,
        )
        for r in rate_columns
    ]
    return frame.with_columns(
        [_null_where(r, pl.lit(flag)) for r in rate_columns]
        + texts
        + [flag.alias(f"{r}{HIDDEN_SUFFIX}") for r in rate_columns]
    )


# --- Texts -----------------------------------------------------------------------------------------------------


def small_number_note_nl(rule: SuppressionRule = DEFAULT_RULE, *, with_totals: bool = False) -> str:
    """The footnote under every table or chart that may hide numbers (or the warning when hiding is off)."""
    if not rule.enabled:
        return (
            "Let op: kleine aantallen worden in deze weergave níet verborgen. Alleen voor evaluatoren; "
            "niet publiceren, delen of als schermafbeelding doorsturen."
        )
    note = (
        f"{HIDDEN_RATE_TEXT} of {rule.hidden_text}: aantal van 1 tot en met {rule.largest_hidden}, "
        "verborgen om herleidbaarheid naar personen te voorkomen."
    )
    if with_totals:
        note += (
            f" {PROTECTED_TEXT}: verborgen; een aantal van 1 tot en met {rule.largest_hidden}, of een aantal "
            "dat mee verborgen is zodat zo’n klein aantal niet uit het totaal terug te rekenen is."
        )
    return note


def explain_hidden_nl(
    rule: SuppressionRule = DEFAULT_RULE,
    *,
    hidden_cells: int,
    total_cells: int,
    per_month: bool,
    level: Level = "eenheid",
) -> str:
    """Why values are hidden, and how to see more: a longer period or a higher level (for an info box).

    Returns "" when nothing is hidden. Does not say which cell is hidden for which reason: that would tell
    which hidden cell is the small one.
    """
    if not rule.enabled or hidden_cells <= 0:
        return ""
    share = hidden_cells / total_cells if total_cells else 1.0
    text = (
        f"{fmt_int(hidden_cells)} van de {fmt_int(total_cells)} waarden zijn verborgen. Aantallen van 1 tot en met "
        f"{rule.largest_hidden} tonen we niet, en ook niets waaruit ze terug te rekenen zijn (zoals een totaal "
        "min de getoonde delen): in kleine aantallen zijn personen te herkennen."
    )
    tips = []
    if per_month:
        tips.append("kies een langere periode (bijvoorbeeld alle maanden samen in plaats van per maand)")
    if level == "eenheid":
        tips.append("bekijk de cijfers per stadsdeel in plaats van per gebied")
    elif level == "stadsdeel":
        tips.append("bekijk het totaal voor de hele stad")
    if tips and share >= 0.25:
        text += " Meer zichtbaar? " + (" of ".join(tips)).capitalize() + "."
    return text


def disabled_banner_nl() -> str:
    """The banner a page shows while an evaluator has switched hiding off."""
    return small_number_note_nl(SuppressionRule(enabled=False))
