"""Resident demands (诉求): the project section and the cross-project list."""
