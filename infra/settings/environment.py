"""Who and where this environment is: identity, region, ownership, production-likeness."""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings.reader import Section

# Public Azure regions (`az account list-locations --query "[].name"`, physical regions only).
AZURE_REGIONS = frozenset(
    [
        "australiacentral",
        "australiacentral2",
        "australiaeast",
        "australiasoutheast",
        "austriaeast",
        "belgiumcentral",
        "brazilsouth",
        "brazilsoutheast",
        "canadacentral",
        "canadaeast",
        "centralindia",
        "centralus",
        "chilecentral",
        "denmarkeast",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "francesouth",
        "germanynorth",
        "germanywestcentral",
        "indonesiacentral",
        "israelcentral",
        "italynorth",
        "japaneast",
        "japanwest",
        "koreacentral",
        "koreasouth",
        "malaysiawest",
        "mexicocentral",
        "newzealandnorth",
        "northcentralus",
        "northeurope",
        "norwayeast",
        "norwaywest",
        "polandcentral",
        "qatarcentral",
        "southafricanorth",
        "southafricawest",
        "southcentralus",
        "southeastasia",
        "southindia",
        "spaincentral",
        "swedencentral",
        "switzerlandnorth",
        "switzerlandwest",
        "uaecentral",
        "uaenorth",
        "uksouth",
        "ukwest",
        "westcentralus",
        "westeurope",
        "westindia",
        "westus",
        "westus2",
        "westus3",
    ]
)


@dataclass(frozen=True)
class EnvironmentSettings:
    environment: str
    location: str
    prefix: str
    production_like: bool
    owner: str
    cost_center: str


def parse_environment(root: Section) -> EnvironmentSettings:
    return EnvironmentSettings(
        environment=root.string(
            "environment", pattern=r"[a-z][a-z0-9]{1,7}", rule="2-8 lowercase letters or digits, starting with a letter"
        ),
        location=root.string("location", allowed=AZURE_REGIONS),
        prefix=root.string(
            "prefix", pattern=r"[a-z][a-z0-9]{1,9}", rule="2-10 lowercase letters or digits, starting with a letter"
        ),
        production_like=root.boolean("productionLike", False),
        owner=root.string(
            "owner", pattern=r"\S.{0,255}", rule="a non-empty owner (team or e-mail), at most 256 characters"
        ),
        cost_center=root.string(
            "costCenter", pattern=r"\S.{0,255}", rule="a non-empty cost center, at most 256 characters"
        ),
    )
