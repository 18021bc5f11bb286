"""Shareable links: the URL parameters of a view, and cleaning a link someone sent us (pure, no streamlit).

Streamlit's `bind="query-params"` writes a widget's *label* into the URL (`peildatum=juni+2021`), so the URL
token of an option is its Dutch label. Hand-written spellings are accepted as aliases (`peildatum=2021-06`,
`eenheden=DX01`, `niveau=stad`). Anything else is dropped by key, never echoed: a link is input from anyone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from cohort.dataset import Dataset
from cohort.fmt import fmt_month
from cohort.map.boundaries import Division, canonical_code
from cohort.privacy.lattice import Lattice
from cohort.selection import LEVELS, default_lattice, default_selection

DATASET_KEY = "dataset"  # no widget: st.query_params
AREA_KEY = "gebied"  # the map selection (a click or the area choice): st.query_params, see cohort.ui.map_choice
INDICATOR_KEY = "indicator"  # the map page's indicator selectbox
MAX_VALUE_CHARS = 200  # the longest honest value is a unit label of about 60 characters
MAX_NOTICE_KEYS = 8
_DATASET_ID = re.compile(r"[0-9a-f]{64}")
_PLAIN_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SUSPICIOUS = re.compile(r"[<>\"'`\x00-\x1f\x7f]")


class Kind(StrEnum):
    ONE = "one"  # selectbox, radio: exactly one value
    MANY = "many"  # multiselect: repeated keys, each a valid option
    RANGE = "range"  # range slider: exactly two values
    BOOL = "bool"  # toggle: "true" / "false"


@dataclass(frozen=True)
class Param:
    """One URL parameter: its options (URL token -> option value), accepted aliases and the widget default."""

    tokens: Mapping[str, str]
    kind: Kind = Kind.ONE
    aliases: Mapping[str, str] = field(default_factory=dict)
    default: str | tuple[str, ...] | None = None
    bound: bool = True  # bound to a widget; False: managed through st.query_params


@dataclass(frozen=True)
class AllowedValues:
    """The valid options per key for one dataset."""

    params: Mapping[str, Param]


@dataclass(frozen=True)
class CleanResult:
    kept: dict[str, str | list[str]]  # option values (months "YYYY-MM", codes, "true"/"false") per valid key
    dropped: list[str]  # keys that were ignored (raw names; format them with `ignored_notice`)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month_key(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def month_label(key: str) -> str:
    return fmt_month(parse_month_key(key))


def unit_label(name: str, code: str) -> str:
    return f"{name} ({code})"


@dataclass(frozen=True)
class MapChoice:
    """Something the map page can select: an area, or (at level "stadsdeel") a stadsdeel."""

    code: str  # the area code, or the stadsdeel's letter (as a click on the map gives it)
    name: str
    is_stadsdeel: bool

    @property
    def label(self) -> str:
        """Its option in the page's choice: "Bijlmer Oost (DX21)" (as the sidebar names an area), or the
        stadsdeel's name. The link holds the code (`gebied=DX21`, `gebied=T`), as a click on the map gives it."""
        return self.name if self.is_stadsdeel else unit_label(self.name, self.code)


def map_choices(dataset: Dataset) -> list[MapChoice]:
    """Every area of the dataset and every stadsdeel they lie in (a link may select either; the map's level
    decides which the page offers)."""
    areas = dataset.areas
    choices = [MapChoice(code, name, False) for code, name in zip(areas.get_column("code"), areas.get_column("naam"),
                                                                   strict=True)]
    choices += [MapChoice(canonical_code(Division.STADSDELEN, name), name, True) for name in dataset.stadsdelen]
    return choices


BOOL_PARAM = Param(tokens={"true": "true", "false": "false"}, kind=Kind.BOOL,
                   aliases={"ja": "true", "nee": "false", "1": "true", "0": "false"}, default="true")


def period_options(lattice: Lattice) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """URL tokens and aliases of the peildatum and the period for a lattice.

    (peildatum tokens, peildatum aliases, period tokens, period aliases). A peildatum is the last month of a
    period ("juni 2021" -> "2021-06"); a period end of the range is a period's first month ("K2 2021" ->
    "2021-04"). Any month of the data is accepted as an alias and moved to its period (a link made before the
    lattice, or by hand, still opens the nearest view).
    """
    ends = [month_key(m) for m in lattice.period_ends()]
    peil_tokens = {month_label(m): m for m in ends}
    starts = {leaf.first: leaf for leaf in lattice.leaves}
    period_tokens = {leaf.label: month_key(leaf.first) for leaf in starts.values()}
    peil_aliases: dict[str, str] = {}
    period_aliases: dict[str, str] = {}
    for leaf in lattice.leaves:
        month = leaf.first
        while month <= leaf.last:
            key = month_key(month)
            snapped = month_key(lattice.snap_peildatum(month))
            for alias in (key, month_label(key)):
                peil_aliases.setdefault(alias, snapped)
                period_aliases.setdefault(alias, month_key(leaf.first))
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return peil_tokens, peil_aliases, period_tokens, period_aliases


def allowed_values(dataset: Dataset, indicators: Mapping[str, str] | None = None,
                   lattice: Lattice | None = None,
                   choices: Mapping[str, Mapping[str, str]] | None = None) -> AllowedValues:
    """The options of every view parameter for `dataset`; `indicators` maps indicator key -> label (map page);
    `choices` maps another page widget's key to its options (key -> label), the first being the default."""
    lattice = lattice or default_lattice(dataset)
    defaults = default_selection(dataset, lattice)
    peil_tokens, peil_aliases, period_tokens, period_aliases = period_options(lattice)
    starts = list(period_tokens.values())
    codes = dataset.units.get_column("code").to_list()
    names = dataset.units.get_column("naam").to_list()
    selectable = map_choices(dataset)  # areas and stadsdelen: what a click on the map selects
    params: dict[str, Param] = {
        "peildatum": Param(peil_tokens, Kind.ONE, peil_aliases, month_key(defaults.peildatum)),
        "periode": Param(period_tokens, Kind.RANGE, period_aliases, (starts[0], starts[-1]) if starts else ()),
        "stadsdelen": Param({s: s for s in dataset.stadsdelen}, Kind.MANY, default=()),
        "eenheden": Param({unit_label(n, c): c for n, c in zip(names, codes, strict=True)}, Kind.MANY,
                          {c: c for c in codes}, default=()),
        "doelgroepen": BOOL_PARAM,
        "niveau": Param({label: key for key, label in LEVELS.items()}, Kind.ONE, {k: k for k in LEVELS}, "gebied"),
        AREA_KEY: Param({c.code: c.code for c in selectable}, Kind.ONE, bound=False),
    }
    if indicators:
        params[INDICATOR_KEY] = Param({label: key for key, label in indicators.items()}, Kind.ONE,
                                      {key: key for key in indicators}, next(iter(indicators)))
    for name, options in (choices or {}).items():
        params[name] = Param({label: key for key, label in options.items()}, Kind.ONE, {key: key for key in options},
                             next(iter(options)))
    return AllowedValues(params)


AMBIGUOUS_DATASET = "meerdere"  # never a valid id, so the store explains that the link names no known dataset


def requested_dataset(values: Sequence[str]) -> str | None:
    """The dataset id a link asks for: None without one. `?dataset=x&dataset=x` (a link pasted together twice)
    asks for x; different ids are ambiguous and give AMBIGUOUS_DATASET."""
    distinct = list(dict.fromkeys(str(v) for v in values))
    if not distinct:
        return None
    return distinct[0] if len(distinct) == 1 else AMBIGUOUS_DATASET


def clean_query(params: Mapping[str, Sequence[str]], allowed: AllowedValues) -> CleanResult:
    """Keep what is valid, drop the rest by key.

    Dropped: unknown options, months outside the data, values over MAX_VALUE_CHARS, a single-valued key given
    more than once with different values (the same value twice is that value), a range without exactly two
    months, a malformed dataset id, and unknown keys whose name or value looks like markup. Unknown plain keys
    (other widgets' parameters) are left alone.
    """
    kept: dict[str, str | list[str]] = {}
    dropped: list[str] = []
    for key, raw in params.items():
        values = [str(v) for v in raw]
        if key == DATASET_KEY:
            requested = requested_dataset(values)
            if requested is not None and _DATASET_ID.fullmatch(requested):
                kept[key] = requested
            else:
                dropped.append(key)
            continue
        spec = allowed.params.get(key)
        if spec is None:
            if not _PLAIN_KEY.fullmatch(key) or any(_too_long(v) or _SUSPICIOUS.search(v) for v in values):
                dropped.append(key)
            continue
        if any(_too_long(v) for v in values):
            dropped.append(key)
            continue
        value, complete = _parse(values, spec)
        if value is not None:
            kept[key] = value
        if not complete:
            dropped.append(key)
    return CleanResult(kept, dropped)


def _too_long(value: str) -> bool:
    return len(value) > MAX_VALUE_CHARS


def _option(token: str, spec: Param) -> str | None:
    if spec.kind is Kind.BOOL:
        token = token.strip().lower()
    return spec.tokens.get(token, spec.aliases.get(token))


def _parse(values: list[str], spec: Param) -> tuple[str | list[str] | None, bool]:
    """(option value(s) or None, whether every value was usable)."""
    if spec.kind is Kind.MANY:
        if values == [""]:  # `?stadsdelen=` clears the filter, as Streamlit reads it
            return [], True
        options = [_option(v, spec) for v in values]
        valid = list(dict.fromkeys(o for o in options if o is not None))
        return (valid or None), None not in options  # duplicates are harmless
    if spec.kind is Kind.RANGE:
        options = [_option(v, spec) for v in values]
        if len(options) != 2 or None in options:
            return None, False
        order = list(dict.fromkeys(spec.tokens.values()))
        return sorted(options, key=order.index), True  # type: ignore[arg-type]
    values = list(dict.fromkeys(values))  # a value repeated as it was is still one value
    if len(values) != 1:
        return None, False
    option = _option(values[0], spec)
    return option, option is not None


def ignored_notice(dropped: Sequence[str]) -> str | None:
    """Dutch notice naming the ignored keys: sanitised and truncated, never raw values (shown as plain text)."""
    if not dropped:
        return None
    names = [_safe_name(k) for k in dict.fromkeys(dropped)]
    shown = ", ".join(f"‘{n}’" for n in names[:MAX_NOTICE_KEYS])
    if len(names) > MAX_NOTICE_KEYS:
        shown += f" en nog {len(names) - MAX_NOTICE_KEYS}"
    return (
        f"Deze delen van de link zijn genegeerd: {shown}. De waarde was onbekend, ongeldig, te lang of kwam "
        "meer dan eens voor; de rest van de link is toegepast."
    )


def _safe_name(key: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]", "?", key)[:30] or "?"
    if len(key) > 30:
        name += "…"
    return name



SIDEBAR_KEYS = ("peildatum", "periode", "stadsdelen", "eenheden", "doelgroepen", "niveau")


def option_values(value: object, kind: Kind) -> list[str]:
    """A widget's value as option strings: bool -> "true"/"false", tuples and lists -> lists."""
    if kind is Kind.BOOL:
        return ["true" if value else "false"]
    if isinstance(value, tuple | list):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def view_params(values: Mapping[str, object], allowed: AllowedValues) -> dict[str, list[str]]:
    """URL parameters for widget values, written as Streamlit writes them (labels); defaults are left out."""
    out: dict[str, list[str]] = {}
    for key, value in values.items():
        spec = allowed.params.get(key)
        if spec is None:
            continue
        options = option_values(value, spec.kind)
        default = option_values(spec.default, spec.kind) if spec.default is not None else None
        if options == default:
            continue
        inverse = {option: token for token, option in spec.tokens.items()}
        tokens = [inverse[o] for o in options if o in inverse]
        if tokens:
            out[key] = tokens
    return out
