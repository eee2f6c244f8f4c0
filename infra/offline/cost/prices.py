"""Prices in the Azure Retail Prices API's format: the dated snapshot in the repo, or the live API.

One reader for both: a document with `Items` (and `NextPageLink`), each item with serviceName,
productName, skuName, meterName, armRegionName, currencyCode, type, unitOfMeasure and retailPrice
(Learn, "Azure Retail Prices REST API overview"). The live API is asked only when asked for
(`make cost ONLINE=1`); tests and CI read the snapshot.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("retail-prices-2026-12-01.json")
API = "https://prices.azure.com/api/retail/prices"
FILTER_FIELDS = ("serviceName", "productName", "skuName", "meterName")


@dataclass(frozen=True)
class Price:
    unit_price: float
    unit_of_measure: str
    per: float  # how many base units one unitOfMeasure is ("10K" -> 10000)


def unit_size(unit_of_measure: str) -> float:
    """`1 Hour` -> 1, `10K` -> 10000, `1 GB/Month` -> 1, `100 Hours` -> 100."""
    match = re.match(r"\s*(\d+(?:\.\d+)?)\s*([KM])?\b", unit_of_measure)
    if not match:
        return 1.0
    return float(match.group(1)) * {None: 1, "K": 1_000, "M": 1_000_000}[match.group(2)]


class PriceBook:
    """Items from one source, looked up by the API's own fields."""

    def __init__(self, items: list[Mapping[str, Any]], source: str) -> None:
        self.items = items
        self.source = source

    @classmethod
    def from_document(cls, document: Mapping[str, Any], source: str) -> PriceBook:
        return cls(list(document["Items"]), source)

    @classmethod
    def snapshot(cls, path: Path = SNAPSHOT) -> PriceBook:
        return cls.from_document(json.loads(path.read_text()), f"snapshot {path.name}")

    def find(self, meter: Mapping[str, str], region: str, currency: str) -> tuple[Price | None, str]:
        """The Consumption price of one meter in one region and currency, or None and why not."""
        found = [
            item
            for item in self.items
            if item.get("armRegionName") == region
            and item.get("currencyCode") == currency
            and item.get("type") == "Consumption"
            and all(item.get(key) == value for key, value in meter.items())
            and not item.get("tierMinimumUnits")  # the first tier
        ]
        prices = {(float(i["retailPrice"]), i["unitOfMeasure"]) for i in found}
        if not prices:
            return None, f"no {currency} price in {region} in the {self.source}"
        if len(prices) > 1:
            return None, f"{len(prices)} different prices in the {self.source}: ambiguous"
        (price, unit), *_ = prices
        return Price(price, unit, unit_size(unit)), ""


def fetch_online(meters: Sequence[Mapping[str, str]], region: str, currency: str, timeout: float = 10.0) -> PriceBook:
    """Ask the live API for exactly these meters (one $filter each), following NextPageLink."""
    items: list[Mapping[str, Any]] = []
    for meter in meters:
        clauses = [f"armRegionName eq '{region}'", "priceType eq 'Consumption'"]
        clauses += [f"{key} eq '{value}'" for key, value in meter.items()]
        url: str | None = f"{API}?currencyCode='{currency}'&$filter=" + urllib.parse.quote(" and ".join(clauses))
        while url:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # a fixed https host
                page = json.load(response)
            items += page.get("Items", [])
            url = page.get("NextPageLink")
    return PriceBook(items, "Azure Retail Prices API (live)")
