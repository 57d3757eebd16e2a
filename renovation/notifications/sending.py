"""Sending starts right after the commit that wrote a delivery: the domain marks the session
(:data:`renovation.domain.notifications.deliveries.WAITING`), and after the commit one job is
queued that sends what is due. A page never waits for a receiver (in ``immediate`` mode, the
tests' and the command line's, the job runs in the caller). If the queue cannot be reached the
periodic job sends it within the minute."""
import logging

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from renovation.domain.notifications.deliveries import WAITING

log = logging.getLogger(__name__)
_installed = False


def init_app(app: Flask) -> None:
    """Listen to every session's commits (once per process: the listener asks the app in hand)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True


def _after_rollback(session) -> None:
    session.info.pop(WAITING, None)


def _after_commit(session) -> None:
    if not session.info.pop(WAITING, False) or not has_app_context():
        return
    from renovation.tasks import enqueue

    try:
        enqueue("send_deliveries")
    except Exception:  # the queue away: the periodic job sends within the minute
        log.exception("could not queue the sending of notifications")
    current_app.logger.debug("queued the sending of notifications")
