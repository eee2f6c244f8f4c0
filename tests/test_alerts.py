"""Alerts, the action group, registry health and SQL / Synapse auditing, per stack variant, against tables
written here. Metric names and namespaces are Learn's "Supported metrics for <type>" pages
(https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/<provider>-<type>-metrics):

- microsoft-web-sites-metrics: Http5xx (Count, Total), HealthCheckStatus (Count, Average, PT5M+)
- microsoft-sql-servers-databases-metrics: cpu_percent, storage_percent (Percent)
- microsoft-cache-redisenterprise-metrics and microsoft-cache-redis-metrics: usedmemorypercentage,
  serverLoad (Percent, Maximum)
- microsoft-storage-storageaccounts-metrics: Availability (Percent, Average)
- microsoft-synapse-workspaces-bigdatapools-metrics: BigDataPoolApplicationsEnded (Count, Total;
  dimensions JobType, JobResult)
"""

from __future__ import annotations

import json

import pytest

from tests.support import NS, config_merged, offline_store_account, primary, run
from tests.variants import run_variant

ACTION_GROUP = "azure-native:monitor:ActionGroup"
METRIC = "azure-native:monitor:MetricAlert"
ACTIVITY = "azure-native:monitor:ActivityLogAlert"
LOG = "azure-native:monitor:ScheduledQueryRule"
OWNER = "feature-platform@contoso.com"

# rule name -> (metric namespace, metric, aggregation, operator, threshold) for prod's defaults.
PROD_METRIC_ALERTS = {
    "contoso-prod-registry-api-http-5xx": ("Microsoft.Web/sites", "Http5xx", "Total", "GreaterThan", 10),
    "contoso-prod-registry-api-health-check": ("Microsoft.Web/sites", "HealthCheckStatus", "Average", "LessThan", 100),
    # the standby registry app in the SQL partner region (registryApi.standby), built by the same RegistryApi
    "contoso-prod-registry-standby-api-http-5xx": ("Microsoft.Web/sites", "Http5xx", "Total", "GreaterThan", 10),
    "contoso-prod-registry-standby-api-health-check": (
        "Microsoft.Web/sites",
        "HealthCheckStatus",
        "Average",
        "LessThan",
        100,
    ),
    "contoso-prod-registry-db-cpu": ("Microsoft.Sql/servers/databases", "cpu_percent", "Average", "GreaterThan", 80),
    "contoso-prod-registry-db-storage": (
        "Microsoft.Sql/servers/databases",
        "storage_percent",
        "Maximum",
        "GreaterThan",
        85,
    ),
    "contoso-prod-registry-db-secondary-cpu": (
        "Microsoft.Sql/servers/databases",
        "cpu_percent",
        "Average",
        "GreaterThan",
        80,
    ),
    "contoso-prod-registry-db-secondary-storage": (
        "Microsoft.Sql/servers/databases",
        "storage_percent",
        "Maximum",
        "GreaterThan",
        85,
    ),
    "contoso-prod-online-store-memory": (
        "Microsoft.Cache/redisEnterprise",
        "usedmemorypercentage",
        "Maximum",
        "GreaterThan",
        80,
    ),
    "contoso-prod-online-store-server-load": (
        "Microsoft.Cache/redisEnterprise",
        "serverLoad",
        "Maximum",
        "GreaterThan",
        80,
    ),
    "contoso-prod-offline-store-availability": (
        "Microsoft.Storage/storageAccounts",
        "Availability",
        "Average",
        "LessThan",
        99,
    ),
    "contoso-prod-spark-pool-failed-applications": (
        "Microsoft.Synapse/workspaces/bigDataPools",
        "BigDataPoolApplicationsEnded",
        "Total",
        "GreaterThanOrEqual",
        1,
    ),
}
AVAILABILITY_RULE = "contoso-prod-registry-probe-availability"


def rules(result, token):
    name_key = {METRIC: "ruleName", ACTIVITY: "activityLogAlertName", LOG: "ruleName"}[token]
    return {r.inputs[name_key]: r for r in result.of_type(token)}


def single_criterion(rule):
    criteria = rule.inputs["criteria"]
    assert criteria["odataType"] == "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"
    (criterion,) = criteria["allOf"]
    return criterion


def test_prod_has_exactly_these_alerts_all_to_its_one_action_group(prod):
    group = prod.one(ACTION_GROUP)
    assert group.inputs["actionGroupName"] == "contoso-prod-alerts"
    assert group.inputs["groupShortName"] == "feathr-prod"  # REST spec: at most 12 characters
    assert group.inputs["emailReceivers"] == [{"name": "owner", "emailAddress": OWNER, "useCommonAlertSchema": True}]
    assert "webhookReceivers" not in group.inputs
    metric = rules(prod, METRIC)
    assert set(metric) == {*PROD_METRIC_ALERTS, AVAILABILITY_RULE}
    for name, (namespace, metric_name, aggregation, operator, threshold) in PROD_METRIC_ALERTS.items():
        criterion = single_criterion(metric[name])
        assert (
            criterion["metricNamespace"],
            criterion["metricName"],
            criterion["timeAggregation"],
            criterion["operator"],
            criterion["threshold"],
        ) == (namespace, metric_name, aggregation, operator, threshold), name
    assert set(rules(prod, ACTIVITY)) == {"contoso-prod-registry-sql-failover"}
    assert set(rules(prod, LOG)) == {"contoso-prod-key-vault-secret-expiry"}
    for rule in prod.of_type(METRIC):
        assert rule.inputs["actions"] == [{"actionGroupId": group.arm_id}], rule.logical_name
    for rule in prod.of_type(ACTIVITY):
        assert rule.inputs["actions"] == {"actionGroups": [{"actionGroupId": group.arm_id}]}
    for rule in prod.of_type(LOG):
        assert rule.inputs["actions"] == {"actionGroups": [group.arm_id]}


def test_each_metric_alert_watches_its_resource(prod):
    metric = rules(prod, METRIC)
    by_type = {
        "Microsoft.Web/sites": "azure-native:web:WebApp",
        "Microsoft.Cache/redisEnterprise": "azure-native:redisenterprise:RedisEnterprise",
        "Microsoft.Storage/storageAccounts": "azure-native:storage:StorageAccount",
        "Microsoft.Synapse/workspaces/bigDataPools": "azure-native:synapse:BigDataPool",
    }
    for name, (namespace, *_rest) in PROD_METRIC_ALERTS.items():
        if namespace in by_type and "standby" not in name:
            # The offline store's account (private prod also has the deployment scripts' account, unwatched).
            watched = offline_store_account(prod) if namespace == "Microsoft.Storage/storageAccounts" else None
            watched = watched or primary(prod, by_type[namespace])
            assert metric[name].inputs["scopes"] == [watched.arm_id], name
    apps = {r.logical_name: r.arm_id for r in prod.of_type("azure-native:web:WebApp")}
    for name in ("contoso-prod-registry-standby-api-http-5xx", "contoso-prod-registry-standby-api-health-check"):
        assert metric[name].inputs["scopes"] == [apps["registry-standby-api"]], name
    databases = {r.logical_name: r.arm_id for r in prod.of_type("azure-native:sql:Database")}
    assert metric["contoso-prod-registry-db-cpu"].inputs["scopes"] == [databases["registry-sql-database"]]
    assert metric["contoso-prod-registry-db-secondary-cpu"].inputs["scopes"] == [
        databases["registry-sql-secondary-database"]
    ]


def test_failed_spark_applications_filter_on_the_failed_job_result(prod):
    criterion = single_criterion(rules(prod, METRIC)["contoso-prod-spark-pool-failed-applications"])
    assert criterion["dimensions"] == [{"name": "JobResult", "operator": "Include", "values": ["Failed"]}]


def test_failover_alert_is_the_failover_operations_on_either_server(prod):
    rule = rules(prod, ACTIVITY)["contoso-prod-registry-sql-failover"]
    sql_servers = {r.logical_name: r.arm_id for r in prod.of_type("azure-native:sql:Server")}
    assert rule.inputs["scopes"] == [sql_servers["registry-sql-server"], sql_servers["registry-sql-partner-server"]]
    assert rule.inputs["location"] == "global"
    # Learn, "Azure permissions for Databases" (Microsoft.Sql): the failover group's failover actions.
    assert rule.inputs["condition"] == {
        "allOf": [
            {"field": "category", "equals": "Administrative"},
            {
                "anyOf": [
                    {"field": "operationName", "equals": "Microsoft.Sql/servers/failoverGroups/failover/action"},
                    {
                        "field": "operationName",
                        "equals": "Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action",
                    },
                ]
            },
        ]
    }


def test_secret_expiry_is_a_log_alert_on_the_vault(prod):
    rule = rules(prod, LOG)["contoso-prod-key-vault-secret-expiry"]
    assert rule.inputs["scopes"] == [prod.one("azure-native:keyvault:Vault").arm_id]
    (condition,) = rule.inputs["criteria"]["allOf"]
    # Learn key-vault/general/logging, operation names (Secrets); the vault logs to AZKVAuditLogs.
    assert condition["query"] == (
        "AZKVAuditLogs\n"
        '| where OperationName in ("SecretNearExpiryEventGridNotification", "SecretExpiredEventGridNotification")'
    )
    assert (condition["timeAggregation"], condition["operator"], condition["threshold"]) == ("Count", "GreaterThan", 0)
    assert rule.inputs["kind"] == "LogAlert"


def test_availability_test_and_its_alert(prod):
    test = prod.one("azure-native:applicationinsights:WebTest")
    component = prod.one("azure-native:applicationinsights:Component")
    # prod has a standby (registryApi.standby): registry.api_endpoint is the Front Door endpoint, so the test
    # watches what users reach, whichever app serves it
    host = prod.one("azure-native:cdn:AFDEndpoint").outputs["hostName"]
    assert test.inputs["kind"] == test.inputs["webTestKind"] == "standard"
    # The UI entry page: /api/v1/projects answers 401 without a token (App Service authentication).
    assert test.inputs["request"] == {
        "requestUrl": f"https://{host}/",
        "httpVerb": "GET",
        "parseDependentRequests": False,
        "followRedirects": False,
    }
    assert test.inputs["locations"] == [
        {"location": "emea-nl-ams-azr"},
        {"location": "emea-gb-db3-azr"},
        {"location": "emea-ru-msa-edge"},
        {"location": "emea-fr-pra-edge"},
        {"location": "us-va-ash-azr"},
    ]
    assert test.inputs["validationRules"] == {
        "expectedHttpStatusCode": 200,
        "sSLCheck": True,
        "sSLCertRemainingLifetimeCheck": 7,
    }
    assert (test.inputs["frequency"], test.inputs["retryEnabled"], test.inputs["enabled"]) == (300, True, True)
    assert test.inputs["tags"][f"hidden-link:{component.arm_id}"] == "Resource"
    assert component.inputs["workspaceResourceId"] == prod.one("azure-native:operationalinsights:Workspace").arm_id
    assert component.inputs["ingestionMode"] == "LogAnalytics"
    rule = rules(prod, METRIC)[AVAILABILITY_RULE]
    assert rule.inputs["scopes"] == [test.arm_id, component.arm_id]
    assert rule.inputs["criteria"] == {
        "odataType": "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria",
        "webTestId": test.arm_id,
        "componentId": component.arm_id,
        "failedLocationCount": 3,  # 5 locations - 2 (Learn "Standard test", Alerts)
    }


def test_private_registry_without_a_public_front_gets_no_availability_test():
    # prod without its standby: network.mode private and no Front Door, so the registry has no endpoint the test
    # agents could reach (Learn "Standard test": the URL must be "visible from the public internet"); the app's
    # own health-check alert still watches it (same config as tests/test_registry_standby.py, one shared run)
    result = run("prod", config_merged("prod", "registryApi", standby={"enabled": False}))
    assert result.of_type("azure-native:applicationinsights:WebTest") == []
    assert result.of_type("azure-native:applicationinsights:Component") == []
    standby = {"contoso-prod-registry-standby-api-http-5xx", "contoso-prod-registry-standby-api-health-check"}
    assert set(rules(result, METRIC)) == set(PROD_METRIC_ALERTS) - standby  # no availability rule


def test_registry_app_gets_no_application_insights_setting(prod):
    # The image reads no APPLICATIONINSIGHTS_CONNECTION_STRING (upstream v1.0.0 never imports opencensus).
    for app in prod.of_type("azure-native:web:WebApp"):  # the primary and the standby
        settings = {s["name"] for s in app.inputs["siteConfig"]["appSettings"]}
        assert not {s for s in settings if "APPINSIGHTS" in s or "APPLICATIONINSIGHTS" in s}, app.logical_name


def test_dev_alerts_nothing_by_default(dev):
    for token in (ACTION_GROUP, METRIC, ACTIVITY, LOG, "azure-native:applicationinsights:WebTest"):
        assert dev.of_type(token) == [], token
    assert dev.of_type("azure-native:applicationinsights:Component") == []


def test_dev_with_alerting_on_watches_its_single_server():
    result = run("dev", config_merged("dev", "monitoring", alerts={"enabled": True}))
    assert set(rules(result, METRIC)) == {
        "contoso-dev-registry-api-http-5xx",
        "contoso-dev-registry-api-health-check",
        "contoso-dev-registry-db-cpu",
        "contoso-dev-registry-db-storage",
        "contoso-dev-online-store-memory",
        "contoso-dev-online-store-server-load",
        "contoso-dev-offline-store-availability",
        "contoso-dev-spark-pool-failed-applications",
        "contoso-dev-registry-probe-availability",
    }
    assert rules(result, ACTIVITY) == {}  # no failover group in dev
    assert set(rules(result, LOG)) == {"contoso-dev-key-vault-secret-expiry"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_legacy_redis_alerts_use_the_cache_namespace(stack):
    result = run_variant(stack, "legacy redis")
    metric = rules(result, METRIC)
    if stack == "dev":
        assert metric == {}
        return
    for key, name in (("memory", "usedmemorypercentage"), ("server-load", "serverLoad")):
        criterion = single_criterion(metric[f"contoso-prod-online-store-{key}"])
        assert (criterion["metricNamespace"], criterion["metricName"]) == ("Microsoft.Cache/redis", name)
        assert metric[f"contoso-prod-online-store-{key}"].inputs["scopes"] == [
            result.one("azure-native:redis:Redis").arm_id
        ]


def test_databricks_failed_runs_are_a_log_alert_on_the_workspace():
    result = run_variant("prod", "databricks")
    assert "contoso-prod-spark-pool-failed-applications" not in rules(result, METRIC)
    log = rules(result, LOG)
    assert set(log) == {"contoso-prod-key-vault-secret-expiry", "contoso-prod-spark-failed-applications"}
    rule = log["contoso-prod-spark-failed-applications"]
    assert rule.inputs["scopes"] == [result.one("azure-native:databricks:Workspace").arm_id]
    (condition,) = rule.inputs["criteria"]["allOf"]
    assert condition["query"] == 'DatabricksJobs\n| where ActionName == "runFailed"'
    assert (condition["operator"], condition["threshold"]) == ("GreaterThanOrEqual", 1)


def test_webhook_is_secret_in_state_and_never_in_the_plan():
    url = "https://hooks.example.com/services/T000/B000?token=not-a-real-token"
    config = {**config_merged("prod", "monitoring"), NS + "alertWebhookUrl": url}
    result = run("prod", config, secret_keys=[NS + "alertWebhookUrl"])
    group = result.one(ACTION_GROUP)
    assert group.inputs["webhookReceivers"] == [
        {"name": "webhook", "serviceUri": url, "useCommonAlertSchema": True, "useAadAuth": False}
    ]
    assert "webhookReceivers" in group.secret_inputs
    assert "webhookReceivers" in group.additional_secret_outputs
    assert url not in json.dumps(group.redacted_inputs())
    assert all(url not in json.dumps(o.value, default=str) for o in result.outputs.values())
