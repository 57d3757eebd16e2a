"""A deterministic, plausible demo programme, seeded through the domain's operations.

data makes the streets, communities, compounds, projects and users; photos, residents and
snapshots add photo evidence, consultations and demands, and monthly snapshots to it.
"""
