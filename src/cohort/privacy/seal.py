"""A sealed release: which cells viewers of a published dataset were shown, kept with the dataset for good.

Why: the hidden cells of a release are computed, and the method that computes them can change with the code
(on 2 December 2026 it did: `cohort.privacy.release`, "lokaal" instead of "tabel"). Re-protecting a dataset
that viewers have already seen with another method shows some cells that were hidden and hides others, and a
viewer who kept the old numbers can combine both. So the first release built for a published dataset is
stored with it (`cohort.store`), and every later build of that release, by any version of the code, takes
its hidden cells from the seal instead of computing them again.

A seal names what it applies to (`key`: the rule, the period grains and the publications viewers saw before
it) and what it was computed over (`cells`, `cells_digest`: the number of cells and a digest of their values
in release order). A build whose cells differ (other code that lays the cells out differently) cannot use it;
the release then protects afresh and says so in the log, and `python -m cohort.store verify` reports it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cohort.privacy.rules import SuppressionRule

Method = Literal["lokaal", "tabel"]
# "lokaal": a certificate per small cell from a linear programme around it (the method since 2 December 2026);
# "tabel": whole-table checks only, one more hidden cell at a time (the method before; kept so that datasets
# published before that day can be sealed as their viewers saw them: `python -m cohort.store seal`).
METHODS: tuple[Method, ...] = ("lokaal", "tabel")
CURRENT_METHOD: Method = "lokaal"


@dataclass(frozen=True)
class Seal:
    key: str  # `seal_key(...)`: the rule, grains and earlier publications the release was protected under
    method: Method
    cells: int
    cells_digest: str  # sha256 of the cell values (int64, little-endian) in release order
    hidden: bytes  # one bit per cell (`np.packbits`, big-endian bit order), 1 = hidden
    sealed_at: str = field(default="", compare=False)  # ISO timestamp (UTC), set by the store

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.hidden).hexdigest()

    def hidden_mask(self) -> np.ndarray:
        """The hidden cells as booleans; ValueError when the bits do not hold exactly `cells` cells."""
        if len(self.hidden) != (self.cells + 7) // 8:
            raise ValueError(f"seal holds {len(self.hidden)} bytes for {self.cells} cells")
        bits = np.unpackbits(np.frombuffer(self.hidden, dtype=np.uint8), count=self.cells)
        return bits.astype(bool)

    def fits(self, values: np.ndarray) -> bool:
        """True when this seal was computed over exactly these cells."""
        return self.cells == len(values) and self.cells_digest == cells_digest(values)


def cells_digest(values: np.ndarray) -> str:
    # The array's own buffer, not a `tobytes()` copy (100 MB at 10,000 units).
    return hashlib.sha256(np.ascontiguousarray(values, dtype="<i8").data).hexdigest()


def seal_key(rule: SuppressionRule, grains: tuple[str, str], earlier: tuple[str, ...]) -> str:
    """What a release was protected under, as text a store can index: e.g. 'drempel=5;korrel=kwartaal/halfjaar;
    eerder=<id>,<id>'. Two builds with the same key and the same cells must hide the same cells."""
    return f"drempel={rule.threshold};korrel={grains[0]}/{grains[1]};eerder={','.join(earlier)}"


def make_seal(key: str, method: Method, values: np.ndarray, hidden: np.ndarray) -> Seal:
    return Seal(key, method, len(values), cells_digest(values), np.packbits(hidden.astype(np.uint8)).tobytes())


def seal_to_text(seal: Seal) -> str:
    """The seal as JSON (the bundled example data's seal is kept in a file beside its workbook)."""
    return json.dumps({"key": seal.key, "method": seal.method, "cells": seal.cells, "cells_digest": seal.cells_digest,
                       "hidden": base64.b64encode(seal.hidden).decode("ascii"), "checksum": seal.checksum},
                      indent=1) + "\n"


def seal_from_text(text: str) -> Seal:
    """ValueError when the text is not a whole seal or its bits do not match their checksum."""
    try:
        data = json.loads(text)
        seal = Seal(str(data["key"]), data["method"], int(data["cells"]), str(data["cells_digest"]),
                    base64.b64decode(data["hidden"], validate=True))
        checksum = data["checksum"]
    except (KeyError, TypeError, ValueError) as exc:  # json and base64 errors are ValueErrors
        raise ValueError(f"not a seal: {exc}") from exc
    if seal.method not in METHODS or seal.checksum != checksum:
        raise ValueError("the seal's bits do not match its checksum")
    seal.hidden_mask()
    return seal
