"""The monthly estimate: every recorded resource's meters priced from one price book."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from infra.offline.cost.meters import Meter, billing
from infra.offline.cost.prices import PriceBook
from infra.offline.mocks import RecordedResource
from infra.offline.runner import ProgramRun
from infra.settings.cost import CostSettings


@dataclass(frozen=True)
class Line:
    component: str
    resource: str  # physical name
    token: str
    meter: Meter | None
    region: str
    unit_price: float | None
    unit: str
    monthly: float | None  # None: unpriced
    reason: str = ""  # why unpriced


@dataclass
class Estimate:
    stack: str
    currency: str
    source: str
    lines: list[Line]
    free: list[tuple[str, str, str]]  # (component, resource, reason)

    @property
    def priced_total(self) -> float:
        return sum(line.monthly for line in self.lines if line.monthly is not None)

    @property
    def unpriced(self) -> list[Line]:
        return [line for line in self.lines if line.monthly is None]

    def by_component(self) -> dict[str, tuple[float, int]]:
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        for line in self.lines:
            entry = totals[line.component]
            if line.monthly is None:
                entry[1] += 1
            else:
                entry[0] += line.monthly
        return {name: (value[0], int(value[1])) for name, value in sorted(totals.items())}


def _component(run: ProgramRun, resource: RecordedResource) -> str:
    by_urn = {r.urn: r for r in run.resources}
    top = ""
    parent = by_urn.get(resource.parent_urn)
    while parent is not None and parent.token.startswith("feathr:"):
        top = parent.logical_name
        parent = by_urn.get(parent.parent_urn)
    return top or "(stack)"


def estimate(run: ProgramRun, cost: CostSettings, book: PriceBook, primary_region: str) -> Estimate:
    lines: list[Line] = []
    free: list[tuple[str, str, str]] = []
    for r in sorted(run.resources, key=lambda r: r.urn):
        if not r.custom:
            continue
        component = _component(run, r)
        region = str(r.inputs.get("location") or primary_region)
        bill = billing(r, cost)
        if bill.free:
            free.append((component, r.physical_name, bill.free))
            continue
        if bill.unpriced:
            lines.append(Line(component, r.physical_name, r.token, None, region, None, "", None, bill.unpriced))
            continue
        for meter in bill.meters:
            price, why = book.find(meter.filter, region, cost.currency)
            if price is None:
                lines.append(Line(component, r.physical_name, r.token, meter, region, None, "", None, why))
            else:
                monthly = meter.quantity / price.per * price.unit_price
                lines.append(
                    Line(
                        component,
                        r.physical_name,
                        r.token,
                        meter,
                        region,
                        price.unit_price,
                        price.unit_of_measure,
                        monthly,
                    )
                )
    return Estimate(run.stack, cost.currency, book.source, lines, free)


def render(estimate: Estimate) -> str:
    cur = estimate.currency
    out = [f"Monthly cost estimate for stack '{estimate.stack}' ({cur}; prices: {estimate.source})", ""]
    header = f"{'component':<16} {'resource':<34} {'meter':<34} {'quantity':>12} {'unit price':>14} {'monthly':>10}"
    out += [header, "-" * len(header)]
    for line in estimate.lines:
        what = line.meter.what if line.meter else "-"
        quantity = f"{line.meter.quantity:,.1f}" if line.meter else "-"
        if line.monthly is None:
            price, monthly = "unpriced", "?"
        else:
            price, monthly = f"{line.unit_price:g}/{line.unit}", f"{line.monthly:,.2f}"
        out.append(
            f"{line.component:<16} {line.resource[:34]:<34} {what[:34]:<34} {quantity:>12} {price:>14} {monthly:>10}"
        )
    out += ["", "Per component (priced; unpriced meters counted)"]
    for name, (total, unpriced) in estimate.by_component().items():
        out.append(f"  {name:<16} {total:>10,.2f} {cur}" + (f"  + {unpriced} unpriced" if unpriced else ""))
    out.append(
        f"  {'total':<16} {estimate.priced_total:>10,.2f} {cur}"
        + (f"  + {len(estimate.unpriced)} unpriced meters: the real total is higher" if estimate.unpriced else "")
    )
    if estimate.unpriced:
        out += ["", "Unpriced (not counted as zero)"]
        for line in estimate.unpriced:
            what = f" {line.meter.what}" if line.meter else ""
            out.append(f"  {line.resource}{what} ({line.token.split(':', 1)[1]}, {line.region}): {line.reason}")
        out.append("")
    out += ["Assumptions: " + "; ".join(sorted({line.meter.basis for line in estimate.lines if line.meter}))]
    out.append(f"Free by themselves: {len(estimate.free)} resources (role assignments, locks, identities, ...)")
    return "\n".join(out)


def summary(estimate: Estimate) -> str:
    """One line for the plan's summary."""
    return (
        f"Monthly cost (make cost STACK={estimate.stack}): {estimate.priced_total:,.2f} {estimate.currency} priced"
        f" from the {estimate.source}, {len(estimate.unpriced)} meters unpriced"
    )


def estimate_stack_file(run: ProgramRun, book: PriceBook | None = None) -> Estimate:
    """The estimate of a run of a stack file, with that stack file's `cost` assumptions."""
    from infra.offline.runner import read_stack
    from infra.settings import load_settings

    found = read_stack(run.stack)
    settings = load_settings(found.values, run.project, run.stack, found.secret_keys)
    return estimate(run, settings.cost, book or PriceBook.snapshot(), settings.env.location)
