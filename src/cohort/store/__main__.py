"""The operator's command for the dataset store (the one `COHORT_STORE_DIR` / `COHORT_DATABASE_URL` name).

    python -m cohort.store verify [--remove-leftovers]   check every dataset in full; exit 1 when one is damaged
    python -m cohort.store migrate                       bring the schema up to date (the app also does this)
    python -m cohort.store seal [--method lokaal|tabel]  seal the release of every visible dataset (once each)

`verify` recomputes, for every dataset, the checksums of its stored bytes and its content id from the parsed
frames, so it finds what the app's cheaper check on load would find and more. Exit codes: 0 all in order,
1 at least one dataset damaged, 2 the store itself cannot be opened.

`seal` keeps which cells viewers of each published dataset were shown (`cohort.store.sealing`); run it with
`--method tabel` before this version first serves a store that a version before 2 December 2026 published to.
"""

from __future__ import annotations

import argparse
import logging
import sys

from cohort.fmt import fmt_int
from cohort.privacy.rules import SuppressionRule
from cohort.privacy.seal import CURRENT_METHOD, METHODS
from cohort.settings import SettingsError, load_settings
from cohort.store.catalog import DatasetStore
from cohort.store.errors import StoreError

SEAL_ACTOR = "beheer (python -m cohort.store seal)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cohort.store", description="Beheer van de datasetopslag.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="controleer alle datasets volledig")
    verify.add_argument("--remove-leftovers", action="store_true",
                        help="verwijder opgeslagen gegevens zonder catalogusregel (van afgebroken publicaties)")
    commands.add_parser("migrate", help="werk het schema bij (de app doet dit ook bij het starten)")
    seal_command = commands.add_parser("seal", help="leg de verborgen cellen van elke zichtbare dataset vast")
    seal_command.add_argument("--method", choices=METHODS, default=CURRENT_METHOD,
                      help="de beschermingsmethode voor datasets zonder vastlegging: ‘tabel’ voor datasets die "
                           "vóór 2 december 2026 zijn gepubliceerd (standaard: %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        with DatasetStore.from_settings() as store:
            print(f"Opslag: {store.where} ({store.backend}{', alleen-lezen' if store.read_only else ''})")
            if args.command == "migrate":
                print("Het schema is bijgewerkt.")
                return 0
            if args.command == "seal":
                return _seal(store, args.method)
            report = store.verify(remove_leftovers=args.remove_leftovers)
    except (StoreError, SettingsError) as error:
        print(f"De opslag kan niet worden geopend: {error}", file=sys.stderr)
        return 2

    for check in report.datasets:
        state = "in orde" if check.problem is None else f"NIET IN ORDE: {check.problem}"
        print(f"{check.dataset_id}  {check.status:<12}  ‘{check.name}’: {state}")
    if report.leftovers:
        verb = "verwijderd" if args.remove_leftovers else "gevonden (verwijder ze met --remove-leftovers)"
        print(f"{fmt_int(len(report.leftovers))} opgeslagen gegevens zonder catalogusregel {verb}: "
              + ", ".join(report.leftovers))
    for seal in report.seals:
        if seal.problem is not None:
            print(f"{seal.dataset_id}  vastgelegde verbergingen ({seal.seal_key}): NIET IN ORDE: {seal.problem}")
    damaged = ({c.dataset_id for c in report.datasets if c.problem is not None}
               | {s.dataset_id for s in report.seals if s.problem is not None})
    total = fmt_int(len(report.datasets))
    if damaged:
        verb = "is" if len(damaged) == 1 else "zijn"
        print(f"{fmt_int(len(damaged))} van de {total} datasets {verb} niet in orde.")
        return 1
    print(f"{total} datasets gecontroleerd: alle in orde.")
    return 0


def _seal(store: DatasetStore, method: str) -> int:
    from cohort.store.sealing import seal_visible  # the release code only for this command

    if store.read_only:
        print("De opslag is alleen-lezen: er kan niets worden vastgelegd.", file=sys.stderr)
        return 2
    rule = SuppressionRule.from_settings(load_settings())
    count = 0
    outcomes = seal_visible(store, rule, method, by=SEAL_ACTOR)  # type: ignore[arg-type]
    while True:
        try:
            outcome = next(outcomes, None)
        except StoreError as error:  # e.g. a damaged dataset: the ones after it need it, so stop here
            print(f"Vastleggen gestopt na {fmt_int(count)} datasets: {error}", file=sys.stderr)
            return 1
        if outcome is None:
            break
        count += 1
        state = (f"vastgelegd (methode {outcome.method})" if outcome.stored
                 else f"was al vastgelegd (methode {outcome.method})")
        print(f"{outcome.dataset_id}  ‘{outcome.name}’: {fmt_int(outcome.hidden)} van de {fmt_int(outcome.cells)} "
              f"cellen verborgen; {state}", flush=True)
    print(f"{fmt_int(count)} zichtbare datasets: alle vastgelegd.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
