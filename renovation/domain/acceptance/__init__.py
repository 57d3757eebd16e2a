"""Acceptance with the residents (竣工验收) and its rectification items (整改事项).

- :mod:`.records`: recording an acceptance (units present, residents' representatives, the project's
  content items checked one by one) and reading a project's acceptances;
- :mod:`.rectifications`: items to rectify, added from an acceptance or directly, closed with a photo
  or a note; when one is overdue;
- :mod:`.attachments`: the minutes and sign-in sheets, stored like a consultation's files;
- :mod:`.facts`: what the stage rule of 竣工验收 reads (``COMPLETION_RULES`` in
  :mod:`renovation.domain.stages.rules`).
"""
