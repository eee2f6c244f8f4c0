"""The feathr-infra guardrails policy pack: `pulumi preview --policy-pack policy` (see docs/operations.md).

Only the entry point lives here: constructing the pack starts the analyzer server and blocks, so the
policies live in feathr_policies.py, where the tests import them.
"""

from feathr_policies import ALL_POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="feathr-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=ALL_POLICIES,
)
