"""Notifications: what happened to a user or to the compounds they follow, in the app (the bell and
its list) and outside it (a daily e-mail digest, group-chat robots).

- :mod:`.choices`: the kinds each user wants (defaults per role) and their e-mail address;
- :mod:`.events`: writing a notification once per recipient and thing, and the robots' messages —
  called by the domain's operations (a problem given to a leader, a bulletin issued) and by
  :mod:`.scan`, the periodic search for what time brings (due in 3 days, overdue, behind);
- :mod:`.texts`: what a notification says, in the reader's language or in Chinese outside the app;
- :mod:`.inbox`: a user's list and its unread count;
- :mod:`.robots`: the robots an admin sets up, their URLs checked, their JSON (企业微信, 钉钉 with 加签);
- :mod:`.deliveries` → :mod:`.outbound`: the messages outside the app, rows sent by the background
  worker, retried with back-off, then shown to admins; :mod:`.digest` writes the daily e-mails.

Events never break what caused them: :func:`problem_assigned` and :func:`bulletin_issued` log and
swallow their own errors (the operation has committed already, or commits without them).
"""
from renovation.domain.notifications.events import bulletin_issued, problem_assigned

__all__ = ["bulletin_issued", "problem_assigned"]
