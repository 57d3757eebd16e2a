"""Resident consultation pages: the project page's section, the consultation page with its vote,
edit and delete, and the list across projects."""
