"""Linked leaders (挂钩联系点) and their site visits (蹲点调研).

- :mod:`.links`: who is linked to which communities and projects, on which dates; linking and
  ending a link (history kept, audit log);
- :mod:`.visits`: recording a site visit and reading a project's or a leader's visits.
"""
