"""Structured validation report: every problem in an upload, located and explained in Dutch."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import polars as pl

from cohort.workbook.parsing import make_visible


class Severity(StrEnum):
    ERROR = "fout"  # blocks publishing
    WARNING = "waarschuwing"  # shown, does not block


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str  # Dutch, complete sentence
    sheet: str | None = None
    row: int | None = None  # Excel row number as Excel shows it (`validation.with_excel_rows`)
    column: str | None = None
    value: str | None = None  # the offending value as text (invisible characters written out, truncated)


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)

    def error(self, message: str, **where: Any) -> None:
        self.problems.append(Problem(Severity.ERROR, message, **_where(where)))

    def warning(self, message: str, **where: Any) -> None:
        self.problems.append(Problem(Severity.WARNING, message, **_where(where)))

    def extend(self, other: ValidationReport) -> None:
        self.problems.extend(other.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"{len(self.errors)} fouten, {len(self.warnings)} waarschuwingen"

    def to_frame(self) -> pl.DataFrame:
        """One row per problem, with Dutch column names, for display and download."""
        return pl.DataFrame(
            {
                "Ernst": [p.severity.value for p in self.problems],
                "Tabblad": [p.sheet for p in self.problems],
                "Rij": [p.row for p in self.problems],
                "Kolom": [p.column for p in self.problems],
                "Waarde": [p.value for p in self.problems],
                "Melding": [p.message for p in self.problems],
            },
            schema={
                "Ernst": pl.String, "Tabblad": pl.String, "Rij": pl.Int64,
                "Kolom": pl.String, "Waarde": pl.String, "Melding": pl.String,
            },
        )


MAX_VALUE_CHARS = 60


def _where(where: dict[str, Any]) -> dict[str, Any]:
    value = where.get("value")
    if value is not None:
        text = make_visible(str(value))  # "DG01⟨U+200B⟩": otherwise the report shows "DG01" as the problem
        where["value"] = text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
    return where
