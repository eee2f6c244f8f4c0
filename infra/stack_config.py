"""The raw stack config exactly as the Pulumi engine handed it to this program."""

from typing import Any

from pulumi.runtime import config as runtime_config


def raw_stack_config() -> dict[str, Any]:
    # The engine passes config through PULUMI_CONFIG; the mocks set it in-process. Either may be empty.
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
