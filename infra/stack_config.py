"""The raw stack config exactly as the Pulumi engine handed it to this program."""

from typing import Any

from pulumi.runtime import config as runtime_config


def raw_stack_config() -> dict[str, Any]:
    # The engine passes config through PULUMI_CONFIG; the mocks set it in-process. Either may be empty.
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def raw_secret_keys() -> frozenset[str]:
    """The config keys the engine marks secret (PULUMI_CONFIG_SECRET_KEYS; the mocks set them in-process)."""
    listed = set(runtime_config.get_config_secret_keys_env())
    return frozenset(key for key in raw_stack_config() if key in listed or runtime_config.is_config_secret(key))
