"""The dashboard: the whole programme at a glance, every figure a link to its list."""
