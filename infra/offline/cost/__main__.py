"""make cost STACK=<stack> [ONLINE=1]: the monthly estimate from the offline plan.

    python -m infra.offline.cost <stack> [--online]

Prices come from the dated snapshot in the repo (infra/offline/cost/retail-prices-*.json), or with
--online from the Azure Retail Prices API (a machine that reaches it)."""

from __future__ import annotations

import argparse
import sys
from urllib.error import URLError

from infra.offline.cost.estimate import estimate, render
from infra.offline.cost.meters import billing
from infra.offline.cost.prices import PriceBook, fetch_online
from infra.offline.runner import read_stack, run_program
from infra.offline.stack_files import StackFileError
from infra.settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack")
    parser.add_argument("--online", action="store_true", help="price from the live Retail Prices API")
    args = parser.parse_args(argv)
    try:
        found = read_stack(args.stack)
        run = run_program(args.stack)
        settings = load_settings(found.values, run.project, args.stack, found.secret_keys)
    except (StackFileError, SettingsError) as error:
        print(f"settings error: {error}", file=sys.stderr)
        return 1
    book = PriceBook.snapshot()
    if args.online:
        meters = [m.filter for r in run.resources if r.custom for m in billing(r, settings.cost).meters]
        unique = [dict(t) for t in sorted({tuple(sorted(m.items())) for m in meters})]
        regions = sorted({str(r.inputs.get("location")) for r in run.resources if r.inputs.get("location")})
        try:
            items = []
            for region in regions:
                items += fetch_online(unique, region, settings.cost.currency).items
            book = PriceBook(items, "Azure Retail Prices API (live)")
        except (URLError, OSError) as error:
            print(f"the Retail Prices API is not reachable ({error}); using the {book.source}", file=sys.stderr)
    print(render(estimate(run, settings.cost, book, settings.env.location)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
