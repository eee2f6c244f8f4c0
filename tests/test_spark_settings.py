"""Bad Spark settings stop the program before any resource exists, naming the key."""

import pytest

from infra.offline.runner import project_name
from infra.settings import SettingsError, load_settings
from tests.support import config_merged, databricks_ready, run

SP = "feathr-infra:spark"


def spark(stack="dev", **values):
    config = config_merged(stack, "spark", **values)
    return databricks_ready(config) if values.get("runtime") == "databricks" else config


def shared(**values):
    return spark(mode="shared", synapse={"executorNum": 2}, **values)


# (description, config builder, the key the message must name, a fragment of what is allowed)
BAD_SETTINGS = [
    ("unknown runtime", lambda: spark(runtime="hdinsight"), f"{SP}.runtime", "databricks, synapse"),
    ("unknown mode", lambda: spark(mode="borrowed"), f"{SP}.mode", "dedicated, shared"),
    ("unknown key", lambda: spark(pool="big"), f"{SP}.pool", "not a known setting"),
    ("unknown synapse key", lambda: spark(synapse={"nodes": 3}), f"{SP}.synapse.nodes", "not a known setting"),
    (
        "unsupported synapse runtime",
        lambda: spark(synapse={"sparkVersion": "3.4"}),
        f"{SP}.synapse.sparkVersion",
        "supported: 3.5",
    ),
    (
        "unsupported synapse runtime in prod",
        lambda: spark("prod", synapse={"sparkVersion": "3.3"}),
        f"{SP}.synapse.sparkVersion",
        "unsupported Synapse Spark runtime",
    ),
    (
        "unsupported databricks runtime",
        lambda: spark(runtime="databricks", databricks={"sparkVersion": "9.1.x-scala2.12"}),
        f"{SP}.databricks.sparkVersion",
        "15.4.x-scala2.12",
    ),
    (
        "databricks runtime out of support",
        lambda: spark(runtime="databricks", databricks={"sparkVersion": "13.3.x-scala2.12"}),
        f"{SP}.databricks.sparkVersion",
        "LTS runtimes on Scala 2.12",
    ),
    (
        "databricks scala 2.13 runtime",
        lambda: spark(runtime="databricks", databricks={"sparkVersion": "17.3.x-scala2.13"}),
        f"{SP}.databricks.sparkVersion",
        "Scala 2.12",
    ),
    (
        "synapse autoscale minimum above maximum",
        lambda: spark(synapse={"minNodes": 8, "maxNodes": 4}),
        f"{SP}.synapse.minNodes",
        "must not exceed maxNodes (4)",
    ),
    ("synapse pool below three nodes", lambda: spark(synapse={"minNodes": 2}), f"{SP}.synapse.minNodes", "3 to 200"),
    (
        "databricks autoscale minimum above maximum",
        lambda: spark(runtime="databricks", databricks={"minWorkers": 6, "maxWorkers": 2}),
        f"{SP}.databricks.minWorkers",
        "must not exceed maxWorkers (2)",
    ),
    (
        "databricks autoscale without maximum",
        lambda: spark(runtime="databricks", databricks={"minWorkers": 2}),
        f"{SP}.databricks.maxWorkers",
        "both minWorkers and maxWorkers",
    ),
    (
        "databricks fixed size and autoscale",
        lambda: spark(runtime="databricks", databricks={"numWorkers": 2, "minWorkers": 1, "maxWorkers": 3}),
        f"{SP}.databricks.numWorkers",
        "exclude each other",
    ),
    (
        "databricks work dir outside dbfs",
        lambda: spark(runtime="databricks", databricks={"workDir": "/tmp/feathr"}),
        f"{SP}.databricks.workDir",
        "dbfs:/",
    ),
    ("unknown node size", lambda: spark(synapse={"nodeSize": "Huge"}), f"{SP}.synapse.nodeSize", "XXXLarge"),
    # Learn apache-spark-pool-configurations: XXXLarge only in East US, West US 2, South Central US.
    (
        "XXXLarge outside its regions",
        lambda: spark(synapse={"nodeSize": "XXXLarge"}),
        f"{SP}.synapse.nodeSize",
        "offered only in eastus, southcentralus, westus2; the stack's location is westeurope",
    ),
    (
        "XXXLarge in West US (not West US 2)",
        lambda: {**spark(synapse={"nodeSize": "XXXLarge"}), "feathr-infra:location": "westus"},
        f"{SP}.synapse.nodeSize",
        "the stack's location is westus",
    ),
    (
        "executor size not a Feathr size",
        lambda: spark(synapse={"executorSize": "XLarge"}),
        f"{SP}.synapse.executorSize",
        "Large, Medium, Small",
    ),
    (
        "executor larger than a node",
        lambda: spark(synapse={"nodeSize": "Small", "executorSize": "Medium"}),
        f"{SP}.synapse.executorSize",
        "must fit on one node",
    ),
    (
        "executors beyond the pool",
        lambda: spark(synapse={"maxNodes": 3, "executorNum": 5}),
        f"{SP}.synapse.executorNum",
        "the pool has 12",
    ),
    (
        "allow-all firewall range",
        lambda: spark(synapse={"allowedIpRanges": ["0.0.0.0/0"]}),
        f"{SP}.synapse.allowedIpRanges[0]",
        "never 0.0.0.0/0",
    ),
    (
        "exfiltration protection without managed network",
        lambda: spark(synapse={"preventDataExfiltration": True}),
        f"{SP}.synapse.preventDataExfiltration",
        "managedVirtualNetwork",
    ),
    ("shared without a source", lambda: shared(), f"{SP}.shared.stackReference", "needs a source"),
    (
        "shared databricks without a source",
        lambda: spark(runtime="databricks", mode="shared"),
        f"{SP}.shared.stackReference",
        "needs a source",
    ),
    (
        "shared with two sources",
        lambda: shared(
            shared={
                "stackReference": "contoso/feathr-infra/prod",
                "synapse": {"workspaceName": "x-syn", "poolName": "pool"},
            }
        ),
        f"{SP}.shared.stackReference",
        "not both",
    ),
    (
        "shared source of the other runtime",
        lambda: shared(shared={"databricks": {"workspaceUrl": "https://adb-1.2.azuredatabricks.net"}}),
        f"{SP}.shared.databricks",
        "runtime is 'synapse'",
    ),
    (
        "shared synapse without a pool",
        lambda: shared(shared={"synapse": {"workspaceName": "x-syn"}}),
        f"{SP}.shared.synapse.poolName",
        "required",
    ),
    (
        "malformed stack reference",
        lambda: shared(shared={"stackReference": "a/b/c/d"}),
        f"{SP}.shared.stackReference",
        "<organization>/<project>/<stack>",
    ),
    (
        "malformed databricks url",
        lambda: spark(
            runtime="databricks", mode="shared", shared={"databricks": {"workspaceUrl": "https://example.com"}}
        ),
        f"{SP}.shared.databricks.workspaceUrl",
        "azuredatabricks.net",
    ),
    (
        "pool sizing in shared mode",
        lambda: spark(mode="shared", synapse={"maxNodes": 20}, shared={"stackReference": "contoso/feathr-infra/prod"}),
        f"{SP}.synapse.maxNodes",
        "mode 'dedicated'",
    ),
    (
        "stack reference in dedicated mode",
        lambda: spark(shared={"stackReference": "contoso/feathr-infra/prod"}),
        f"{SP}.shared.stackReference",
        "only used with mode 'shared'",
    ),
    (
        "runtime jar with a scheme the runtime cannot read",
        lambda: spark(feathrRuntimeLocation="dbfs:/jars/feathr.jar"),
        f"{SP}.feathrRuntimeLocation",
        "abfss://",
    ),
]


@pytest.mark.parametrize("config, key, allowed", [pytest.param(b(), k, a, id=d) for d, b, k, a in BAD_SETTINGS])
def test_bad_spark_setting_is_rejected_naming_the_key(config, key, allowed):
    with pytest.raises(SettingsError) as error:
        run("dev", config)
    message = str(error.value)
    assert f"setting {key} " in message or f"setting {key} =" in message, message
    assert allowed in message, message


def test_other_runtime_section_is_checked_but_does_not_block_a_switch():
    # prod keeps its synapse pool settings while switching to Databricks: they are ignored, not an error
    result = run("prod", spark("prod", runtime="databricks"))
    assert result.outputs["sparkRuntime"].value == "databricks"


@pytest.mark.parametrize(
    "location, node_size",
    [("eastus", "XXXLarge"), ("westus2", "XXXLarge"), ("southcentralus", "XXXLarge"), ("westeurope", "XXLarge")],
)
def test_largest_node_sizes_where_azure_offers_them(location, node_size):
    config = {**spark(synapse={"nodeSize": node_size}), "feathr-infra:location": location}
    settings = load_settings(config, project_name(), "dev")
    assert (settings.spark.synapse.node_size, settings.env.location) == (node_size, location)
