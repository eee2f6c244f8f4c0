"""Assumptions of the monthly cost estimate (`make cost`): what the plan cannot know.

The plan knows SKUs, capacities and instance counts; it cannot know how many hours an auto-paused
Spark pool or a serverless database runs, or how much data the offline store holds. These keys say
it, with stated defaults, so an estimate is reproducible and its assumptions are visible.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings.reader import Section

# The currencies the Azure Retail Prices API takes as currencyCode (Learn, "Azure Retail Prices REST API
# overview", Supported currencies).
CURRENCIES = frozenset(
    {
        "USD",
        "AUD",
        "BRL",
        "CAD",
        "CHF",
        "CNY",
        "DKK",
        "EUR",
        "GBP",
        "INR",
        "JPY",
        "KRW",
        "NOK",
        "NZD",
        "RUB",
        "SEK",
        "TWD",
    }
)
HOURS_IN_LONGEST_MONTH = 744  # 31 x 24: no meter runs more hours in a month


@dataclass(frozen=True)
class CostSettings:
    currency: str
    hours_per_month: float  # always-on resources
    spark_hours: float  # hours per month a Spark pool runs at its minimum node count (auto-paused otherwise)
    sql_serverless_hours: float  # hours per month a serverless database is active (not auto-paused)
    storage_gb: float  # GB the offline store holds
    key_vault_operations: int  # Key Vault operations per month


def parse_cost(section: Section) -> CostSettings:
    settings = CostSettings(
        currency=section.string("currency", "USD", allowed=CURRENCIES),
        hours_per_month=section.number("hoursPerMonth", 730.0, minimum=1, maximum=HOURS_IN_LONGEST_MONTH),
        spark_hours=section.number("sparkHours", 80.0, minimum=0, maximum=HOURS_IN_LONGEST_MONTH),
        sql_serverless_hours=section.number("sqlServerlessHours", 200.0, minimum=0, maximum=HOURS_IN_LONGEST_MONTH),
        storage_gb=section.number("storageGb", 100.0, minimum=0, maximum=5_000_000),
        key_vault_operations=section.integer("keyVaultOperations", 100_000, minimum=0, maximum=10_000_000_000),
    )
    section.finish()
    return settings
