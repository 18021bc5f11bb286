"""Deterministic, illustrative example data in the contract format (``python -m cohort.workbook.example``).

The numbers per area and month are invented; only the public totals are real (council letter of 6 July 2021
and news reports, see ``/work/shared/sources``): caseload trajectory, stadsdeel sizes, first starts, 7 areas
finished and 6 active on 30 June 2021, "ruim 13.000" conversations and 30 complaints, 1,233 exemptions, and
outflow to work "twice as high" in cohort areas.

The raw "twice as high" is deliberately built as a modest true effect plus confounding, so that the
difference-in-differences page has something honest to show: areas that started early have a higher
baseline outflow to work of their own, and the labour-market recovery of 2021 coincides with more areas
being active. A naive comparison therefore overstates the effect of the Cohortaanpak.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from cohort.contract import COMPLAINT_COLUMNS, UnitKind
from cohort.dataset import normalise_frames
from cohort.settings import EXAMPLE_SEAL, EXAMPLE_WORKBOOK
from cohort.workbook.write import write_contract_workbook

SEED = 2021
FIRST_MONTH = date(2018, 1, 1)
LAST_MONTH = date(2022, 12, 1)
PEILDATUM = date(2021, 6, 30)

STADSDEEL_NAMES: dict[str, str] = {
    "A": "Centrum",
    "E": "West",
    "F": "Nieuw-West",
    "K": "Zuid",
    "M": "Oost",
    "N": "Noord",
    "T": "Zuidoost",
}
# Households on welfare per stadsdeel on 1 March 2021 (public); Oost/Zuid split our own (together ≈ 12,100).
STADSDEEL_HOUSEHOLDS: dict[str, int] = {
    "F": 7427,
    "E": 7051,
    "T": 5966,
    "N": 5408,
    "A": 2801,
    "M": 7000,
    "K": 5100,
}

# The 22 areas of the 2015–2021 division (codes, names, stadsdeel from gebieden_2015_GEBIEDEN22; Westpoort
# left out). `share` is the invented share of the stadsdeel's caseload. The schedule is invented around the
# public first starts; the early areas are on the small side so that "ruim 13.000" conversations by June
# 2021 is consistent with reaching most people in each finished area.
# code, name, stadsdeel, share, start, eind
AREAS: tuple[tuple[str, str, str, float, date | None, date | None], ...] = (
    ("DX01", "Centrum-West", "A", 0.44, date(2019, 11, 1), date(2020, 10, 31)),
    ("DX02", "Centrum-Oost", "A", 0.56, date(2019, 11, 1), date(2020, 12, 31)),
    ("DX03", "Westerpark", "E", 0.20, date(2020, 10, 1), date(2021, 9, 30)),
    ("DX04", "Bos en Lommer", "E", 0.44, date(2021, 7, 1), date(2022, 6, 30)),
    ("DX05", "Oud West / De Baarsjes", "E", 0.36, date(2022, 1, 1), date(2022, 12, 31)),
    ("DX06", "Geuzenveld-Slotermeer-Sloterdijken", "F", 0.42, date(2021, 9, 1), date(2022, 9, 30)),
    ("DX07", "Osdorp", "F", 0.19, date(2019, 12, 1), date(2021, 1, 31)),
    ("DX08", "De Aker, Sloten en Nieuw Sloten", "F", 0.13, date(2020, 6, 1), date(2021, 6, 30)),
    ("DX09", "Slotervaart", "F", 0.26, date(2021, 4, 1), date(2022, 3, 31)),
    ("DX10", "Oud Zuid", "K", 0.36, date(2022, 2, 1), date(2022, 12, 31)),
    ("DX11", "Buitenveldert / Zuidas", "K", 0.18, date(2020, 11, 1), date(2021, 10, 31)),
    ("DX12", "De Pijp / Rivierenbuurt", "K", 0.46, date(2021, 9, 1), date(2022, 8, 31)),
    ("DX13", "Oud Oost", "M", 0.27, date(2021, 2, 1), date(2022, 1, 31)),
    ("DX14", "Indische Buurt / Oostelijk Havengebied", "M", 0.41, date(2021, 11, 1), date(2022, 10, 31)),
    ("DX15", "Watergraafsmeer", "M", 0.16, date(2020, 3, 1), date(2021, 4, 30)),
    ("DX16", "IJburg / Eiland Zeeburg", "M", 0.16, date(2022, 4, 1), None),
    ("DX17", "Noord West", "N", 0.44, date(2021, 10, 1), date(2022, 9, 30)),
    ("DX18", "Oud Noord", "N", 0.32, date(2021, 1, 1), date(2021, 12, 31)),
    ("DX19", "Noord Oost", "N", 0.24, date(2020, 2, 1), date(2021, 2, 28)),
    ("DX20", "Bijlmer Centrum", "T", 0.31, date(2020, 9, 1), date(2021, 8, 31)),
    ("DX21", "Bijlmer Oost", "T", 0.27, date(2019, 9, 1), date(2020, 9, 30)),
    ("DX22", "Gaasperdam / Driemond", "T", 0.42, date(2022, 3, 1), None),
)

# City-wide target groups: own caseload (June 2021), own conversations, relative outflow to work. They are
# never part of area totals.
# code, name, start, eind, caseload, conversations, relative outflow to work
TARGET_GROUPS: tuple[tuple[str, str, date, date | None, int, int, float], ...] = (
    ("DG01", "Jongeren tot 27 jaar", date(2020, 1, 1), date(2021, 12, 31), 2100, 1480, 1.9),
    ("DG02", "Statushouders", date(2020, 3, 1), date(2022, 2, 28), 1700, 1160, 1.3),
    ("DG03", "55-plussers", date(2020, 9, 1), None, 1500, 640, 0.45),
)

# City caseload (areas only) at anchor months; linear in between. Public: ≈40,300 early 2019, 44,980
# mid-June 2021, ≈35,700 in December 2022.
CASELOAD_ANCHORS: tuple[tuple[date, int], ...] = (
    (date(2018, 1, 1), 41_400),
    (date(2019, 1, 1), 40_300),
    (date(2020, 2, 1), 39_600),
    (date(2020, 9, 1), 43_600),
    (date(2021, 1, 1), 45_300),
    (date(2021, 6, 1), 44_980),
    (date(2022, 12, 1), 35_700),
)

# --- Outflow calibration -------------------------------------------------------------------------------
# Outflow to work per person-month in a not-started area with baseline 1 in 2019. With the early-area
# premium this gives ≈ 83 a week city-wide in 2019.
BASE_WORK_RATE = 0.0088
# The true multiplicative effect of a running cohort on outflow to work.
TRUE_COHORT_EFFECT = 1.55
# Confounder: areas that started before the peildatum have a higher baseline outflow to work of their own
# than the areas that started later (≈ 1.45×), whatever the cohort does.
EARLY_AREA_BASELINE = 1.20
LATE_AREA_BASELINE = 0.83
# Other outflow (moving, income, age, enforcement) per person-month; the cohort raises it a little
# (review of lawfulness of the benefit).
BASE_OTHER_RATE = 0.0132
COHORT_OTHER_EFFECT = 1.10

# Labour-market multiplier on outflow to work per month (1 = 2019). Corona dip Apr–Sep 2020 (≈ −40%),
# second lockdown over the winter, recovery from spring 2021 (the second confounder).
_WORK_CLIMATE: dict[date, float] = {
    date(2020, 3, 1): 0.85,
    date(2020, 4, 1): 0.52,
    date(2020, 5, 1): 0.55,
    date(2020, 6, 1): 0.60,
    date(2020, 7, 1): 0.64,
    date(2020, 8, 1): 0.66,
    date(2020, 9, 1): 0.70,
    date(2020, 10, 1): 0.74,
    date(2020, 11, 1): 0.72,
    date(2020, 12, 1): 0.70,
    date(2021, 1, 1): 0.70,
    date(2021, 2, 1): 0.72,
    date(2021, 3, 1): 0.86,
    date(2021, 4, 1): 0.98,
    date(2021, 5, 1): 1.08,
    date(2021, 6, 1): 1.15,
}

# --- Conversations and complaints ------------------------------------------------------------------------
CONVERSATIONS_UNTIL_PEILDATUM = 13_240  # "ruim 13.000 gesprekken"
COMPLAINTS_UNTIL_PEILDATUM = 30
COMPLAINT_RATE = COMPLAINTS_UNTIL_PEILDATUM / CONVERSATIONS_UNTIL_PEILDATUM  # ≈ 2.3 per 1,000
COMPLAINT_SHARES: tuple[float, ...] = (0.45, 0.25, 0.20, 0.10)  # bejegening, bereikbaarheid, koers, overig
PLANNED_COHORT_MONTHS = 13  # used to spread conversations of cohorts without an end date
# Conversations were partly paused during the lockdowns.
_CONVERSATION_CLIMATE: dict[date, float] = {
    date(2020, 3, 1): 0.7,
    date(2020, 4, 1): 0.35,
    date(2020, 5, 1): 0.45,
    date(2020, 6, 1): 0.75,
    date(2021, 1, 1): 0.8,
    date(2021, 2, 1): 0.85,
}
EXEMPTIONS_AT_PEILDATUM = 1_233  # footnote of the letter: 1.233 of 44.980 persons
BUURTTEAM_START = date(2021, 4, 1)

NOTES: dict[str, str] = {
    "bron": (
        "Illustratieve voorbeelddata, gekalibreerd op publieke totalen (raadsbrief 6 juli 2021). "
        "Geen registratie van WPI."
    ),
    "voorbeelddata": "ja",
    "peildatum": PEILDATUM.isoformat(),
    "contact": "Geen: dit zijn voorbeeldcijfers zonder eigenaar bij de gemeente.",
    "opmerkingen": (
        "Alle cijfers per gebied, doelgroep en maand zijn verzonnen. Alleen de totalen volgen openbare "
        "bronnen: ongeveer 40.300 personen in de bijstand begin 2019, 44.980 medio juni 2021 en ongeveer "
        "35.700 in december 2022; de verhouding tussen de stadsdelen volgt het aantal huishoudens in de "
        "bijstand op 1 maart 2021; eerste starts Bijlmer Oost (september 2019), Centrum-West en "
        "Centrum-Oost (november 2019) en Osdorp (december 2019); op 30 juni 2021 zijn 7 gebieden afgerond "
        "en 6 actief; tot en met juni 2021 ruim 13.000 gesprekken en 30 klachten; 1.233 ontheffingen in "
        "juni 2021; uitstroom naar werk ongeveer 83 per week in 2019, met een coronadip in 2020. "
        "De uitstroom naar werk in lopende cohortgebieden is ongeveer twee keer zo hoog als in gebieden "
        "die nog niet gestart zijn (september 2019 – juni 2021), maar het ingebouwde echte effect van de "
        "cohortaanpak is kleiner (factor 1,55). De rest van het verschil is vertekening: gebieden die "
        "eerder startten hebben van zichzelf al meer uitstroom naar werk, en het herstel van de "
        "arbeidsmarkt in 2021 valt samen met meer actieve gebieden. Doelgroepen zijn stedelijk en tellen "
        "niet mee in de totalen van de gebieden."
    ),
}


def build_example() -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]:
    """Units, monthly figures and notes of the example dataset; identical on every call."""
    rng = np.random.default_rng(SEED)
    months = _months()
    units = _units()
    n_areas = len(AREAS)
    starts = units.get_column("start").to_list()
    ends = units.get_column("eind").to_list()
    in_cohort = np.array([[_in_cohort(m, s, e) for m in months] for s, e in zip(starts, ends, strict=True)])
    is_area = np.arange(len(starts)) < n_areas
    until_peildatum = np.array([m <= PEILDATUM for m in months])

    bijstand = np.vstack([_area_caseload(rng, months), _target_group_caseload(rng, months)])

    work_rate = BASE_WORK_RATE * _baseline_work(starts)[:, None] * _climate(months, _WORK_CLIMATE)[None, :]
    work_rate = work_rate * np.where(in_cohort, TRUE_COHORT_EFFECT, 1.0)
    uitstroom_werk = rng.poisson(bijstand * work_rate)
    other_climate = 1.0 - 0.4 * (1.0 - _climate(months, _WORK_CLIMATE))  # other outflow dips less
    other_rate = BASE_OTHER_RATE * other_climate[None, :] * np.where(in_cohort, COHORT_OTHER_EFFECT, 1.0)
    uitstroom = uitstroom_werk + rng.poisson(bijstand * other_rate)

    gesprekken = _conversations(rng, months, ends, in_cohort, bijstand, is_area, until_peildatum)
    klachten = _complaints(rng, gesprekken, is_area, until_peildatum)

    counts: dict[str, np.ndarray] = {
        "bijstand": bijstand,
        "gesprekken": gesprekken,
        "uitstroom": uitstroom,
        "uitstroom_werk": uitstroom_werk,
        **dict(zip(COMPLAINT_COLUMNS, klachten, strict=True)),
        **_optional_counts(rng, months, bijstand, gesprekken, in_cohort, is_area),
    }
    monthly = _long_frame(units.get_column("code").to_list(), months, counts)
    units_out, monthly_out = normalise_frames(units, monthly)
    return units_out, monthly_out, dict(NOTES)


def main() -> None:
    units, monthly, notes = build_example()
    EXAMPLE_WORKBOOK.parent.mkdir(parents=True, exist_ok=True)
    write_contract_workbook(units, monthly, notes, EXAMPLE_WORKBOOK)
    print(f"Geschreven: {EXAMPLE_WORKBOOK} ({monthly.height} maandrijen, {units.height} eenheden)")
    EXAMPLE_SEAL.write_text(example_seal_text(), encoding="utf-8")
    print(f"Geschreven: {EXAMPLE_SEAL} (de verborgen cellen van de voorbeelddata)")


def example_seal_text() -> str:
    """The seal of the bundled workbook's release under the default rule, protected afresh by this code."""
    from cohort.privacy.release import Release, complaint_lattice_for, lattice_for, seal_key_for
    from cohort.privacy.rules import DEFAULT_RULE
    from cohort.privacy.seal import CURRENT_METHOD, make_seal, seal_to_text
    from cohort.workbook.read import read_workbook

    dataset = read_workbook(EXAMPLE_WORKBOOK, name="Voorbeelddata Cohortaanpak").dataset
    assert dataset is not None, "the example workbook does not pass its own validation"
    release = Release(dataset, DEFAULT_RULE, lattice_for(dataset, DEFAULT_RULE),
                      complaint_lattice_for(dataset, DEFAULT_RULE))
    return seal_to_text(make_seal(seal_key_for(dataset, DEFAULT_RULE), CURRENT_METHOD, release.values,
                                  release.hidden))


# --- Units and calendar ----------------------------------------------------------------------------------


def _months() -> list[date]:
    return pl.date_range(FIRST_MONTH, LAST_MONTH, "1mo", eager=True).to_list()


def _units() -> pl.DataFrame:
    rows = [
        (code, name, UnitKind.AREA.value, STADSDEEL_NAMES[sd], start, end)
        for code, name, sd, _share, start, end in AREAS
    ] + [
        (code, name, UnitKind.TARGET_GROUP.value, None, start, end)
        for code, name, start, end, *_rest in TARGET_GROUPS
    ]
    return pl.DataFrame(
        rows,
        schema={"code": pl.String, "naam": pl.String, "soort": pl.String, "stadsdeel": pl.String,
                "start": pl.Date, "eind": pl.Date},
        orient="row",
    )


def _in_cohort(month: date, start: date | None, end: date | None) -> bool:
    """The contract's rule: start <= first of month <= eind, an empty eind being open."""
    return start is not None and start <= month and (end is None or month <= end)


def _climate(months: list[date], table: dict[date, float]) -> np.ndarray:
    """Per-month multiplier: 2018 a little weaker than 2019 (= 1); after the table the recovery continues."""
    last = max(table)
    values = []
    for month in months:
        if month in table:
            values.append(table[month])
        elif month < min(table):
            values.append(0.97 if month.year == 2018 else 1.0)
        elif month > last:
            values.append(1.10 if month.year == 2021 else 1.15)
        else:
            values.append(1.0)
    return np.array(values)


# --- Caseload ----------------------------------------------------------------------------------------------


def _city_caseload(months: list[date]) -> np.ndarray:
    index = [a.year * 12 + a.month for a, _ in CASELOAD_ANCHORS]
    values = [v for _, v in CASELOAD_ANCHORS]
    return np.interp([m.year * 12 + m.month for m in months], index, values)


def _area_caseload(rng: np.random.Generator, months: list[date]) -> np.ndarray:
    """Areas' caseloads: fixed shares with a slow drift and small AR(1) noise, summing to the city exactly."""
    total_households = sum(STADSDEEL_HOUSEHOLDS.values())
    shares = np.array([STADSDEEL_HOUSEHOLDS[sd] / total_households * share for _, _, sd, share, *_ in AREAS])
    n_areas, n_months = len(AREAS), len(months)
    drift = rng.uniform(-0.04, 0.04, n_areas)[:, None] * np.linspace(-0.5, 0.5, n_months)[None, :]
    noise = np.zeros((n_areas, n_months))
    shocks = rng.normal(0.0, 0.005, (n_areas, n_months))
    for t in range(n_months):
        noise[:, t] = (0.7 * noise[:, t - 1] if t else 0.0) + shocks[:, t]
    weights = shares[:, None] * np.exp(drift + noise)
    city = np.rint(_city_caseload(months)).astype(np.int64)
    return np.column_stack([_round_to_total(weights[:, t], int(city[t])) for t in range(n_months)])


def _target_group_caseload(rng: np.random.Generator, months: list[date]) -> np.ndarray:
    # Target groups follow the city's course around their own size.
    course = _city_caseload(months) / _city_caseload([date(2021, 6, 1)])[0]
    sizes = np.array([g[4] for g in TARGET_GROUPS], dtype=float)
    noise = rng.normal(0.0, 0.01, (len(TARGET_GROUPS), len(months)))
    return np.rint(sizes[:, None] * course[None, :] * np.exp(noise)).astype(np.int64)


def _round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to `values` that sum to `total` exactly (largest remainder)."""
    exact = values / values.sum() * total
    result = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - result), kind="stable")
    result[order[: total - int(result.sum())]] += 1
    return result


# --- Outflow -------------------------------------------------------------------------------------------------


def _baseline_work(starts: list[date | None]) -> np.ndarray:
    """Own outflow-to-work level of each unit (the first confounder: early starters are more employable)."""
    areas = [
        EARLY_AREA_BASELINE if s is not None and s <= PEILDATUM else LATE_AREA_BASELINE
        for s in starts[: len(AREAS)]
    ]
    groups = [g[6] for g in TARGET_GROUPS]
    return np.array(areas + groups)


# --- Conversations and complaints ---------------------------------------------------------------------------


def _conversations(
    rng: np.random.Generator,
    months: list[date],
    ends: list[date | None],
    in_cohort: np.ndarray,
    bijstand: np.ndarray,
    is_area: np.ndarray,
    until_peildatum: np.ndarray,
) -> np.ndarray:
    """Conversations in cohort months only: areas reach ≈ 80–95% of their caseload over the cohort."""
    climate = _climate_conversations(months)
    n_units = len(ends)
    expected = np.zeros(in_cohort.shape)
    reach = rng.uniform(0.84, 0.94, n_units)
    for u in range(n_units):
        if not in_cohort[u].any():
            continue
        shape = in_cohort[u] * climate
        shape[int(np.argmax(in_cohort[u]))] *= 0.6  # ramp-up: invitations go out in the first month
        # Cohorts still running are spread over their planned length, of which only part is observed.
        planned = PLANNED_COHORT_MONTHS if ends[u] is None else int(in_cohort[u].sum())
        observed = int(in_cohort[u].sum())
        total = (
            reach[u] * bijstand[u, in_cohort[u]].mean() * min(1.0, observed / planned)
            if is_area[u]
            else float(TARGET_GROUPS[u - int(is_area.sum())][5])
        )
        expected[u] = total * shape / shape.sum()

    result = np.zeros(in_cohort.shape, dtype=np.int64)
    before = is_area[:, None] & until_peildatum[None, :]
    # Scale the areas so the expected total up to the peildatum is the letter's figure, then fix it exactly.
    expected[is_area] *= CONVERSATIONS_UNTIL_PEILDATUM / expected[before].sum()
    result[before] = rng.multinomial(CONVERSATIONS_UNTIL_PEILDATUM, expected[before] / expected[before].sum())
    after = is_area[:, None] & ~until_peildatum[None, :]
    result[after] = rng.poisson(expected[after])
    for group in np.flatnonzero(~is_area):
        result[group] = rng.multinomial(round(expected[group].sum()), expected[group] / expected[group].sum())
    return result


def _climate_conversations(months: list[date]) -> np.ndarray:
    return np.array([_CONVERSATION_CLIMATE.get(m, 1.0) for m in months])


def _complaints(
    rng: np.random.Generator, gesprekken: np.ndarray, is_area: np.ndarray, until_peildatum: np.ndarray
) -> list[np.ndarray]:
    """Complaints per category, proportional to conversations; exactly 30 in the areas up to the peildatum."""
    shares = np.array(COMPLAINT_SHARES)
    result = rng.poisson(gesprekken[None, :, :] * COMPLAINT_RATE * shares[:, None, None])
    before = is_area[:, None] & until_peildatum[None, :]
    cells = gesprekken[before].astype(float)
    joint = (shares[:, None] * cells[None, :] / cells.sum()).ravel()
    fixed = rng.multinomial(COMPLAINTS_UNTIL_PEILDATUM, joint).reshape(len(shares), -1)
    for k in range(len(shares)):
        result[k][before] = fixed[k]
    return [result[k] for k in range(len(shares))]


# --- Optional counts ---------------------------------------------------------------------------------------------


def _optional_counts(
    rng: np.random.Generator,
    months: list[date],
    bijstand: np.ndarray,
    gesprekken: np.ndarray,
    in_cohort: np.ndarray,
    is_area: np.ndarray,
) -> dict[str, np.ndarray]:
    uitgenodigd = gesprekken + rng.poisson(0.15 * gesprekken)
    # Sanctions were largely suspended in the first lockdown; a running cohort imposes a few more.
    sanction_climate = np.array([0.3 if date(2020, 3, 1) <= m <= date(2020, 6, 1) else 1.0 for m in months])
    maatregelen = rng.poisson(bijstand * 0.0030 * sanction_climate[None, :] * np.where(in_cohort, 1.35, 1.0))
    herinstroom = rng.poisson(bijstand * 0.0020)
    jobhunter = rng.poisson(bijstand * 0.0006 + gesprekken * 0.07)
    leerstage = rng.poisson(bijstand * 0.0002 + gesprekken * 0.025)
    proefplaatsing = rng.poisson(bijstand * 0.0001 + gesprekken * 0.012)
    loonkostensubsidie = rng.poisson(bijstand * 0.0004 + gesprekken * 0.015)
    buurtteam_open = np.array([m >= BUURTTEAM_START for m in months])[None, :]
    buurtteam = np.where(buurtteam_open, rng.poisson(bijstand * 0.0015 + gesprekken * 0.05), 0)
    return {
        "uitgenodigd": uitgenodigd,
        "ontheffingen": _exemptions(rng, months, bijstand, is_area),
        "maatregelen": maatregelen,
        "herinstroom": herinstroom,
        "jobhunter": jobhunter,
        "leerstage": leerstage,
        "proefplaatsing": proefplaatsing,
        "loonkostensubsidie": loonkostensubsidie,
        "buurtteam": buurtteam,
    }


def _exemptions(
    rng: np.random.Generator, months: list[date], bijstand: np.ndarray, is_area: np.ndarray
) -> np.ndarray:
    """Stock of exemptions: slowly shrinking share (no new ones since 2017), 1,233 in the areas in June 2021."""
    peil_index = months.index(PEILDATUM.replace(day=1))
    share_at_peil = EXEMPTIONS_AT_PEILDATUM / bijstand[is_area, peil_index].sum()
    t = np.arange(len(months)) - peil_index
    share = share_at_peil * (1.0 - 0.004 * t)  # ≈ 3.2% in 2018 down to ≈ 2.5% at the end of 2022
    level = rng.uniform(0.75, 1.25, len(bijstand))
    level[~is_area] = [0.5, 0.8, 2.2][: int((~is_area).sum())]  # young people rarely, 55+ more often
    noise = np.exp(rng.normal(0.0, 0.02, bijstand.shape))
    weights = bijstand * level[:, None] * noise
    result = np.zeros(bijstand.shape, dtype=np.int64)
    area_totals = np.rint(bijstand[is_area].sum(axis=0) * share).astype(np.int64)
    area_totals[peil_index] = EXEMPTIONS_AT_PEILDATUM
    for i in range(len(months)):
        result[is_area, i] = _round_to_total(weights[is_area, i], int(area_totals[i]))
    result[~is_area] = np.rint(weights[~is_area] * share[None, :]).astype(np.int64)
    return result


# --- Frame ---------------------------------------------------------------------------------------------------------


def _long_frame(codes: list[str], months: list[date], counts: dict[str, np.ndarray]) -> pl.DataFrame:
    n_units, n_months = len(codes), len(months)
    return pl.DataFrame(
        {
            "maand": pl.Series(months * n_units, dtype=pl.Date),
            "code": np.repeat(np.array(codes), n_months).tolist(),
            **{name: pl.Series(values.reshape(-1).astype(np.int64)) for name, values in counts.items()},
        }
    )


if __name__ == "__main__":
    main()
