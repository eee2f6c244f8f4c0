"""The largest data size Azure SQL Database allows per vCore service objective (single database).

Source: Microsoft Learn, "Resource limits for single databases using the vCore purchasing model"
(https://learn.microsoft.com/azure/azure-sql/database/resource-limits-vcore-single-databases), row
"Max data size (GB)" of the General Purpose serverless, General Purpose provisioned and Business
Critical provisioned standard-series (Gen5) tables; MicrosoftDocs/sql-docs
azure-sql/database/resource-limits-vcore-single-databases.md at 0024d53a. The current page's serverless
part 1 (GP_S_Gen5_1..8: 512, 1024, 1024, 1024, 2048) was checked against it. GP_S_Gen5_80, GP_Gen5_128
and BC_Gen5_128 are newer than that text: every objective of 24 vCores and more allows 4096 GB there,
and the settings' own ceiling is 4096, so they get 4096.
"""

from __future__ import annotations

from types import MappingProxyType

# vCores -> max data size (GB)
SERVERLESS_MAX_DATA_GB = MappingProxyType(
    {1: 512, 2: 1024, 4: 1024, 6: 1024, 8: 2048, 10: 2048, 12: 3072, 14: 3072, 16: 3072, 18: 3072, 20: 3072}
    | dict.fromkeys((24, 32, 40, 80), 4096)
)
_PROVISIONED = {2: 1024, 4: 1024, 6: 1536, 8: 2048, 10: 2048, 12: 3072, 14: 3072, 16: 3072, 18: 3072, 20: 3072}
GENERAL_PURPOSE_MAX_DATA_GB = MappingProxyType(_PROVISIONED | dict.fromkeys((24, 32, 40, 80, 128), 4096))
BUSINESS_CRITICAL_MAX_DATA_GB = MappingProxyType(_PROVISIONED | dict.fromkeys((24, 32, 40, 80, 128), 4096))


def max_data_size_gb(serverless: bool, tier: str, vcores: int) -> int:
    if serverless:
        return SERVERLESS_MAX_DATA_GB[vcores]
    table = GENERAL_PURPOSE_MAX_DATA_GB if tier == "GeneralPurpose" else BUSINESS_CRITICAL_MAX_DATA_GB
    return table[vcores]
