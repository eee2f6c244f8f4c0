"""Prints the policy-pack config that holds a stack to production rules, for `--policy-pack-config`.

The production jobs of the pipelines write it (`policy/venv/bin/python policy/pipeline_config.py >
file`) and pass it to every prod preview, up and drift run. The policy config wins over the stack's
own `feathr-infra:productionLike` (feathr_policies.production_like), so a pull request that switches
`productionLike` off in Pulumi.prod.yaml, a file such PRs routinely edit, does not switch the
production policies off: the pipeline decides which stack is production, not the stack file.

Format (Pulumi policy config file): {"<policy name>": {"productionLike": true}, ...}, one entry per
policy whose config schema has `productionLike`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from feathr_policies import ALL_POLICIES, PRODUCTION_LIKE_SCHEMA


def production_config() -> dict[str, dict[str, Any]]:
    return {
        policy.name: {"productionLike": True}
        for policy in ALL_POLICIES
        if policy.config_schema is PRODUCTION_LIKE_SCHEMA
    }


if __name__ == "__main__":
    json.dump(production_config(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
