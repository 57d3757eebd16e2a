"""Difficult problems (困难问题): raised on a project, taken on by a leader (领办), followed until solved.

- :mod:`.flow`: the statuses and steps as data, what each step needs, when a problem is overdue;
- :mod:`.operations`: raising a problem and taking it through its steps (history and audit);
- :mod:`.listing`: reading many problems — a project's, the list's filter, the figures.
"""
