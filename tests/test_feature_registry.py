"""The registry component: the store chosen by `registry.backend` (plus SQL for RBAC roles with
Purview), behind the registry API."""

from tests.support import config_merged, run

REGISTRY = "feathr:registry:FeatureRegistry"


def children_types(result, component_token):
    component = result.one(component_token)
    return {r.token for r in result.resources if r.parent_urn == component.urn}


def test_sql_backend_puts_the_sql_store_behind_the_api(stack_run):
    expected = {"feathr:registry:SqlRegistryStore", "feathr:registry:RegistryApi"}
    if stack_run.stack == "prod":
        # private: the deployment scripts' storage is the registry's too (its only private scripts);
        # registryApi.standby: a second RegistryApi behind one Front Door
        expected |= {"feathr:deployment:ScriptStorage", "feathr:registry:RegistryFrontDoor"}
    assert children_types(stack_run, REGISTRY) == expected
    assert stack_run.outputs["registryBackend"].value == "sql"
    # The listener is the program's choice: the failover group's when geo-replicated (a name it
    # builds itself), else the server's own FQDN as Azure reports it.
    listener = stack_run.outputs["registrySqlListener"].value
    if stack_run.stack == "prod":
        assert listener == "contoso-prod-reg-fog-78gz9l.database.windows.net"
    else:
        (server,) = stack_run.of_type("azure-native:sql:Server")
        assert listener == server.outputs["fullyQualifiedDomainName"]


def test_purview_backend_keeps_a_sql_database_for_rbac_roles():
    # RBAC is always on, and its userroles live in SQL even with Purview (deploy/start.sh:36-56).
    result = run("dev", config_merged("dev", "registry", backend="purview"))
    assert children_types(result, REGISTRY) == {
        "feathr:registry:PurviewRegistryStore",
        "feathr:registry:SqlRegistryStore",
        "feathr:registry:RegistryApi",
    }
    assert len(result.of_type("azure-native:sql:Database")) == 1
    assert result.outputs["registrySqlListener"].value.endswith(".database.windows.net")
    assert result.outputs["registryBackend"].value == "purview"


def test_each_environment_owns_its_registry(dev, prod):
    def registry_ids(result):
        return {r.arm_id for r in result.resources if r.token.startswith(("azure-native:sql:", "azure-native:web:"))}

    assert registry_ids(dev) and not registry_ids(dev) & registry_ids(prod)
    assert dev.outputs["registryApiEndpoint"].value != prod.outputs["registryApiEndpoint"].value
