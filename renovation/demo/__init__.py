"""A deterministic, plausible demo programme, seeded through the domain's operations.

data makes the streets, communities, compounds and projects (counties adds the rest of the
province to a large demo); photos, residents and snapshots add photo evidence, consultations
and demands, and monthly snapshots to it.
"""
