"""The lease a worker holds on a bulletin while it renders it.

Claiming a bulletin sets ``render_started_at``; while the render runs, a thread renews it every
third of ``BULLETIN_RENDER_LEASE`` (a minute by default). A worker killed mid-render (``kill -9``,
the machine restarting) renews nothing, so its bulletin is *stalled* a lease later and the
running worker queues it again (see :func:`renovation.tasks.recover_renders`); a render that
hangs is let go after ``BULLETIN_RENDER_TIMEOUT``, then stalls the same way.

The last stamp written is the lease's token: renewing and finishing are conditional UPDATEs on
it, so a worker that lost its lease (someone claimed the stalled bulletin meanwhile) never
overwrites the other's result: a bulletin is rendered and stored once.
"""
import logging
import threading
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import Bulletin, RenderStatus

log = logging.getLogger(__name__)
DEFAULT_LEASE = timedelta(seconds=60)
DEFAULT_RENDER_TIMEOUT = timedelta(minutes=10)


def render_lease() -> timedelta:
    """How long a render may go without renewing its lease before it counts as stalled."""
    return current_app.config.get("BULLETIN_RENDER_LEASE") or DEFAULT_LEASE


def render_timeout() -> timedelta:
    """The longest a render may run: after it, the lease is no longer renewed."""
    return current_app.config.get("BULLETIN_RENDER_TIMEOUT") or DEFAULT_RENDER_TIMEOUT


def held_by(lease: "Lease"):
    """The SQL condition: the bulletin is still rendering under ``lease``."""
    return (Bulletin.id == lease.bulletin_id) & (Bulletin.render_status == RenderStatus.RENDERING.value) & (
        Bulletin.render_started_at == lease.stamp)


class Lease:
    """A claim on a bulletin taken at ``claimed_at``, renewed in a thread between :meth:`start`
    and :meth:`release`."""

    def __init__(self, bulletin_id: int, claimed_at: datetime):
        self.bulletin_id, self.claimed_at, self.stamp, self.lost = bulletin_id, claimed_at, claimed_at, False
        self._app = current_app._get_current_object()
        self._every = render_lease().total_seconds() / 3
        self._until = claimed_at + render_timeout()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew_until_released, daemon=True,
                                        name=f"render-lease-{bulletin_id}")

    def start(self) -> "Lease":
        self._thread.start()
        return self

    def release(self) -> None:
        """Stop renewing; :attr:`stamp` is then the token to finish with."""
        self._stop.set()
        self._thread.join()

    def _renew_until_released(self) -> None:
        with self._app.app_context():
            try:
                while not self._stop.wait(self._every) and utcnow() < self._until:
                    if not self._renew():
                        return
            finally:
                db.session.remove()

    def _renew(self) -> bool:
        stamp = utcnow()
        try:
            renewed = db.session.execute(update(Bulletin).where(held_by(self)).values(render_started_at=stamp)).rowcount
            db.session.commit()
        except Exception:  # the database was briefly away: try again at the next beat
            db.session.rollback()
            log.warning("bulletin %s: could not renew the render lease", self.bulletin_id, exc_info=True)
            return True
        if not renewed:
            self.lost = True
            log.warning("bulletin %s: render lease lost (claimed again after stalling)", self.bulletin_id)
            return False
        self.stamp = stamp
        return True
