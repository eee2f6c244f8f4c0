"""Docs that use an Azure CLI command group shipped as an extension say how to add the extension."""

import re

import pytest

from infra.offline.runner import REPO_ROOT

# Command group -> the extension that provides it (not part of the core CLI). Sources:
# Azure/azure-cli-extensions src/redisenterprise; Azure/azure-devops-cli-extension (extension
# azure-devops: az devops, pipelines, boards, repos, artifacts).
EXTENSION_COMMANDS = {
    "az redisenterprise": "redisenterprise",
    "az pipelines": "azure-devops",
    "az devops": "azure-devops",
    "az boards": "azure-devops",
    "az repos": "azure-devops",
}
DOCS = sorted([REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md")])


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_extension_commands_come_with_the_extension_to_add(doc):
    text = doc.read_text()
    for command, extension in EXTENSION_COMMANDS.items():
        if re.search(rf"`{command} |^\s*{command} ", text, re.MULTILINE):
            assert f"az extension add --name {extension}" in text, (doc.name, command)


def test_the_docs_do_use_extension_commands():
    # Guards the test above against passing on nothing: both groups are used today.
    used = {c for c in EXTENSION_COMMANDS for doc in DOCS if f"{c} " in doc.read_text()}
    assert {"az redisenterprise", "az pipelines"} <= used
