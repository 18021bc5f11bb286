"""The operator's command: `python -m cohort.map.boundaries fetch --all` fills the boundary cache."""

from __future__ import annotations

import argparse
import sys

from cohort.map.boundaries import Division, InvalidBoundaries, _describe_error, fetch_layer, geodata_url
from cohort.settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cohort.map.boundaries",
        description="Download en cache de officiële gebiedsgrenzen, zodat de app ze offline kan tonen.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="download de lagen en zet ze in de cache")
    fetch.add_argument("--layer", action="append", choices=[d.layer for d in Division],
                       help="laag om op te halen (mag vaker); zonder --layer: alle lagen")
    fetch.add_argument("--all", action="store_true", help="alle lagen (standaard)")
    fetch.add_argument("--timeout", type=float, default=20.0, help="seconden per laag (standaard 20)")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"De instellingen kloppen niet: {error}", file=sys.stderr)
        return 2
    layers = [Division(layer) for layer in args.layer] if args.layer and not args.all else list(Division)
    failures = 0
    for division in layers:
        url = geodata_url(division)
        try:
            target = fetch_layer(division, settings, timeout=args.timeout)
        except (InvalidBoundaries, OSError, ValueError) as error:
            failures += 1
            reason = str(error) if isinstance(error, InvalidBoundaries) else _describe_error(error)
            print(f"MISLUKT {division.layer}: {url}: {reason}", file=sys.stderr)
        else:
            print(f"OK      {division.layer} ({division.label_nl}) -> {target}")
    if failures:
        print(f"{failures} van {len(layers)} lagen niet opgehaald; de app valt voor die lagen terug op de "
              "cache of een schematische kaart.", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
