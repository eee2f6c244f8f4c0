"""Registry health from outside: a workspace-based Application Insights component and a standard
availability test of the registry from several Azure locations, with its alert.

What the test requests. The registry's health path (`HEALTH_CHECK_PATH`, /api/v1/projects) sits behind App
Service authentication, which answers 401 to a request without a token (registry_auth.py); App Service's own
health probe passes authentication, an availability test from the internet does not. So the test requests
the registry UI's entry page (`/`, one of the paths authentication lets through, served by the image's nginx
from the container), which proves DNS, TLS, the front end and the container; whether the API and its store
answer is App Service's health check, alerted on through the site's HealthCheckStatus metric (api.py).

Availability tests run from the public internet (Learn, "Standard test": the URL "must be visible from the
public internet"), so they go against `registry.api_endpoint`'s host: the public global endpoint when the
app itself is private (docs/monitoring.md says what is possible otherwise).

The registry image does not read APPLICATIONINSIGHTS_CONNECTION_STRING (upstream v1.0.0 lists
opencensus-ext-azure in registry/purview-registry/requirements.txt but imports it nowhere), so the web
app gets no such setting: the component holds availability results only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import applicationinsights, monitor

from infra.components.monitoring.alerts import Alerting
from infra.settings.alerting import AlertSettings

# The page the test fetches: the UI shell, excluded from App Service authentication (registry_auth.UI_PATHS).
PROBE_PATH = "/"
# Learn "Standard test": default frequency five minutes; "Enable retries ... *We recommend this option*".
FREQUENCY_SECONDS = 300
TIMEOUT_SECONDS = 30
# Fail the test ahead of a certificate expiry ("Proactive lifetime check"); App Service renews managed
# certificates well before, so 7 days left means renewal is broken.
CERT_REMAINING_DAYS = 7


def probe_url(api_endpoint: str) -> str:
    """https://<host>/ from the API endpoint https://<host>/api/v1."""
    scheme, _, rest = api_endpoint.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}{PROBE_PATH}"


@dataclass(frozen=True)
class RegistryProbeArgs:
    settings: AlertSettings
    component_name: str
    test_name: str
    api_endpoint: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    location: str
    tags: dict[str, str]


class RegistryProbe(pulumi.ComponentResource):
    """Outputs: `component_id`, `web_test_id`, `url`."""

    def __init__(
        self, name: str, args: RegistryProbeArgs, alerting: Alerting, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("feathr:monitoring:RegistryProbe", name, None, opts)
        component = applicationinsights.Component(
            f"{name}-insights",
            resource_name_=args.component_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="web",
            application_type=applicationinsights.ApplicationType.WEB,
            # Workspace-based: its tables (AppAvailabilityResults) live in the environment's workspace.
            workspace_resource_id=args.workspace_id,
            ingestion_mode=applicationinsights.IngestionMode.LOG_ANALYTICS,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.url: pulumi.Output[str] = pulumi.Output.from_input(args.api_endpoint).apply(probe_url)
        test = applicationinsights.WebTest(
            f"{name}-availability-test",
            web_test_name=args.test_name,
            synthetic_monitor_id=args.test_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind=applicationinsights.WebTestKind.STANDARD,
            web_test_kind=applicationinsights.WebTestKind.STANDARD,
            description="The Feathr registry UI answers 200 over TLS from the public internet",
            enabled=True,
            frequency=FREQUENCY_SECONDS,
            timeout=TIMEOUT_SECONDS,
            retry_enabled=True,
            locations=[
                applicationinsights.WebTestGeolocationArgs(location=loc) for loc in args.settings.availability_locations
            ],
            request=applicationinsights.WebTestPropertiesRequestArgs(
                request_url=self.url, http_verb="GET", parse_dependent_requests=False, follow_redirects=False
            ),
            validation_rules=applicationinsights.WebTestPropertiesValidationRulesArgs(
                expected_http_status_code=200, s_sl_check=True, s_sl_cert_remaining_lifetime_check=CERT_REMAINING_DAYS
            ),
            # Azure links a test to its component by this tag (Learn, web tests ARM template: "hidden-link:<id>").
            tags=component.id.apply(lambda cid: {**args.tags, f"hidden-link:{cid}": "Resource"}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if alerting.action_group_id is not None:
            alerting.metric_rule(
                f"{name}-availability-alert",
                rule_name=alerting.name(name, "availability"),
                description="The registry failed its availability test from too many locations",
                scopes=[test.id, component.id],
                criteria=monitor.WebtestLocationAvailabilityCriteriaArgs(
                    odata_type="Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria",
                    web_test_id=test.id,
                    component_id=component.id,
                    failed_location_count=args.settings.failed_locations_to_alert,
                ),
                window="PT5M",
                frequency="PT1M",
                severity=1,
                parent=self,
            )
        self.component_id: pulumi.Output[str] = component.id
        self.web_test_id: pulumi.Output[str] = test.id
        self.register_outputs({"component_id": self.component_id, "web_test_id": self.web_test_id, "url": self.url})
