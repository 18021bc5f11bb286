"""The operator's command for the dataset store (the one `COHORT_STORE_DIR` / `COHORT_DATABASE_URL` name).

    python -m cohort.store verify [--remove-leftovers]   check every dataset in full; exit 1 when one is damaged
    python -m cohort.store migrate                       bring the schema up to date (the app also does this)

`verify` recomputes, for every dataset, the checksums of its stored bytes and its content id from the parsed
frames, so it finds what the app's cheaper check on load would find and more. Exit codes: 0 all in order,
1 at least one dataset damaged, 2 the store itself cannot be opened.
"""

from __future__ import annotations

import argparse
import logging
import sys

from cohort.fmt import fmt_int
from cohort.settings import SettingsError
from cohort.store.catalog import DatasetStore
from cohort.store.errors import StoreError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cohort.store", description="Beheer van de datasetopslag.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="controleer alle datasets volledig")
    verify.add_argument("--remove-leftovers", action="store_true",
                        help="verwijder opgeslagen gegevens zonder catalogusregel (van afgebroken publicaties)")
    commands.add_parser("migrate", help="werk het schema bij (de app doet dit ook bij het starten)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        with DatasetStore.from_settings() as store:
            print(f"Opslag: {store.where} ({store.backend}{', alleen-lezen' if store.read_only else ''})")
            if args.command == "migrate":
                print("Het schema is bijgewerkt.")
                return 0
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
    damaged = [c for c in report.datasets if c.problem is not None]
    total = fmt_int(len(report.datasets))
    if damaged:
        verb = "is" if len(damaged) == 1 else "zijn"
        print(f"{fmt_int(len(damaged))} van de {total} datasets {verb} niet in orde.")
        return 1
    print(f"{total} datasets gecontroleerd: alle in orde.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
