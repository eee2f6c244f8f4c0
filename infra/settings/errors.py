"""The one error type a bad stack setting raises."""


class SettingsError(ValueError):
    """A stack setting is missing, malformed, outside its allowed values, or contradicts another.

    The message always names the config key (as `pulumi config set` spells it), the value given
    and what is allowed, so the person running `pulumi up` can fix the stack file directly.
    """
