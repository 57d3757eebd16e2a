"""The domain's two refusals, shared by every area (stages, demands, consultations, photos).

- :class:`RuleViolation`: the values break a rule; ``errors`` maps each field to why. Pages show
  the messages beside their fields and answer 422; the API answers 422 ``{"errors": {...}}``.
- :class:`Conflict`: the record is not as the caller saw it (someone else saved it since, or it
  already exists); ``current`` is the record as it is now. Pages show it and answer 409; so does
  the API.

Nothing is saved when either is raised. An area may subclass them to name itself
(``StageConflict``); callers that do not care which area catch these bases.
"""


class RuleViolation(ValueError):
    """Values that break a rule: ``errors`` is ``{field: message}`` (text or lazy text)."""

    def __init__(self, errors: dict):
        super().__init__(", ".join(str(field) for field in errors))
        self.errors = errors


class Conflict(Exception):
    """The record changed (or exists) since the caller looked: ``current`` is how it is now."""

    def __init__(self, current):
        super().__init__(f"{type(current).__name__} {getattr(current, 'id', '')} is not as it was seen")
        self.current = current


def commit_or_conflict(record, conflict: type[Conflict]):
    """Commit the session's changes to ``record`` (a model with a ``version_id_col``); when someone
    else saved it first, roll back and raise ``conflict`` with the record as it is now."""
    from sqlalchemy.orm.exc import StaleDataError

    from renovation.extensions import db

    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(record)
        raise conflict(record) from None
    return record
