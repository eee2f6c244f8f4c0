"""Monthly cost estimate of a stack from its offline plan (`make cost STACK=<stack>`).

meters.py: what each resource type bills (or why it is free or cannot be priced); prices.py: the
Retail Prices API's format, read from the dated snapshot or the live API; estimate.py: the table."""

from infra.offline.cost.estimate import Estimate, estimate, render, summary
from infra.offline.cost.prices import PriceBook

__all__ = ["Estimate", "PriceBook", "estimate", "render", "summary"]
