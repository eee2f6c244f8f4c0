"""Access control: the role matrix (data) and what it expands to for one environment."""
