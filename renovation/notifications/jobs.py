"""The notifications' background jobs on the app's huey queue (renovation/tasks.py registers them):
``send_deliveries`` (queued after a commit that wrote a delivery, and every minute for retries),
and ``scan_notifications`` every ``NOTIFY_SCAN_MINUTES``: what time brings, today's digests once
their hour has come, then the sending."""
import logging

from flask import Flask

log = logging.getLogger(__name__)


def notify_once(send: bool = True, digest: bool | None = None) -> dict:
    """One round: the scan, the digests (``digest`` None: if their hour has come), then the sending."""
    from renovation.domain.notifications import deliveries, scan
    from renovation.domain.notifications import digest as digests

    found = scan.scan()
    written = digests.build_digests() if (digests.is_digest_time() if digest is None else digest) else 0
    sent = deliveries.send_due() if send else {}
    return {"events": found, "digests": written, **sent}


def register(queue, app: Flask) -> dict:
    """Register the jobs on ``queue``, each run in an app context of ``app``; the jobs by name."""
    from huey import crontab

    from renovation.extensions import db

    every = max(1, min(59, int(app.config.get("NOTIFY_SCAN_MINUTES", 15))))

    @queue.task(name="send_deliveries")
    def send_deliveries() -> None:
        from renovation.domain.notifications import deliveries

        with app.app_context():
            try:
                deliveries.send_due()
            finally:
                db.session.remove()

    @queue.periodic_task(crontab(minute="*"), name="send_deliveries_every_minute")
    def send_deliveries_every_minute() -> None:
        send_deliveries.call_local()

    @queue.periodic_task(crontab(minute=f"*/{every}"), name="scan_notifications")
    def scan_notifications() -> None:
        with app.app_context():
            try:
                outcome = notify_once()
                log.info("notifications: %s", outcome)
            finally:
                db.session.remove()

    return {"send_deliveries": send_deliveries, "scan_notifications": scan_notifications}
