"""The resource group that holds one environment."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import resources


class EnvironmentResourceGroup(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        group_name: str,
        location: str,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("feathr:core:EnvironmentResourceGroup", name, None, opts)
        group = resources.ResourceGroup(
            name,
            resource_group_name=group_name,
            location=location,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.name: pulumi.Output[str] = group.name
        self.id: pulumi.Output[str] = group.id
        self.location = location
        self.register_outputs({"name": self.name, "id": self.id})
