"""What a notification says. The app's list reads it in the reader's language at the time it is
shown; messages sent outside the app (e-mail, robots) are written in Chinese, the bureau's
language, when they are made. The values come from the notification's ``facts``, kept as they were
when it happened; they are plain text, formatted into plain ``gettext`` strings (never a lazy
string Jinja would take as markup)."""
from flask import current_app
from flask_babel import force_locale, gettext

from renovation.domain.stages.keys import StageKey, stage_label
from renovation.models.notifications import NotificationKind

K = NotificationKind
OUTSIDE_LOCALE = "zh_CN"
SHORT_TEXT = 60  # a demand's text is cut to this in a headline


def _stage_name(key: str) -> str:
    return str(stage_label(key)) if key in set(StageKey) else key


def headline(kind: str, facts: dict) -> str:
    """One line: what happened, naming the thing (in the current locale)."""
    f = facts
    if kind == K.PROBLEM_ASSIGNED:
        return gettext("Difficult problem given to %(leader)s: %(title)s", leader=f.get("leader", ""),
                       title=f.get("title", ""))
    if kind == K.PROBLEM_DUE_SOON:
        return gettext("Difficult problem due on %(deadline)s: %(title)s", deadline=f.get("deadline", ""),
                       title=f.get("title", ""))
    if kind == K.PROBLEM_OVERDUE:
        return gettext("Difficult problem overdue since %(deadline)s: %(title)s", deadline=f.get("deadline", ""),
                       title=f.get("title", ""))
    if kind == K.DEMAND_OVERDUE:
        return gettext("Resident demand open for %(days)d days, overdue: %(text)s", days=f.get("days", 0),
                       text=f.get("text", ""))
    if kind == K.STAGE_BEHIND:
        return gettext("%(stage)s behind schedule by %(days)d days", stage=_stage_name(f.get("stage", "")),
                       days=f.get("days", 0))
    if kind == K.BULLETIN_ISSUED:
        return gettext("Bulletin issued: %(title)s (%(label)s)", title=f.get("title", ""), label=f.get("label", ""))
    if kind == K.DELIVERY_FAILED:
        return gettext("A message to %(target)s could not be delivered: %(title)s", target=f.get("target", ""),
                       title=f.get("title", ""))
    return kind


def place(facts: dict) -> str:
    """Where it happened: the compound and the project's code, or nothing."""
    if facts.get("compound") and facts.get("code"):
        return gettext("%(compound)s (%(code)s)", compound=facts["compound"], code=facts["code"])
    return facts.get("code", "")


def subject_path(kind: str, subject_id: int, facts: dict) -> str:
    """The app's page of the subject (tests/test_notification_texts.py checks these against the routes)."""
    if kind in (K.PROBLEM_ASSIGNED, K.PROBLEM_DUE_SOON, K.PROBLEM_OVERDUE):
        return f"/problems/{subject_id}"
    if kind == K.DEMAND_OVERDUE:
        return f"/demands/{subject_id}"
    if kind == K.STAGE_BEHIND:
        return f"/projects/{facts.get('code', '')}"
    if kind == K.BULLETIN_ISSUED:
        return f"/bulletins/{subject_id}"
    return "/admin/deliveries"


def link(kind: str, subject_id: int, facts: dict) -> str:
    """The subject's page as an address people can open from outside the app (``BASE_URL``), or ""."""
    base = current_app.config.get("BASE_URL", "")
    return f"{base}{subject_path(kind, subject_id, facts)}" if base else ""


def outside_message(kind: str, subject_id: int, facts: dict) -> tuple[str, str]:
    """(title, markdown) of a robot's post, in Chinese."""
    with force_locale(OUTSIDE_LOCALE):
        title, where = headline(kind, facts), place(facts)
        lines = [f"**{markdown_text(title)}**"]
        if where:
            lines.append(f"> {markdown_text(where)}")
        address, label = link(kind, subject_id, facts), gettext("Open in the tracker")
        if address:
            lines.append(f"[{label}]({address})")
        return title, "\n\n".join(lines)


def digest_text(user_name: str, items: list[tuple[str, int, dict]]) -> tuple[str, str]:
    """(subject, plain text body) of a user's daily e-mail listing ``items`` (kind, subject id, facts)."""
    with force_locale(OUTSIDE_LOCALE):
        subject = gettext("Renovation tracker: %(count)d new notifications", count=len(items))
        lines = [gettext("%(name)s, since the last digest:", name=user_name), ""]
        for kind, subject_id, facts in items:
            where = place(facts)
            lines.append(f"- {headline(kind, facts)}" + (f" — {where}" if where else ""))
            address = link(kind, subject_id, facts)
            if address:
                lines.append(f"  {address}")
        lines += ["", gettext("Choose what you receive on the notifications page of the tracker.")]
        return subject, "\n".join(lines)


def markdown_text(text: str) -> str:
    """Text to put into a robot's markdown: characters that would start markup are escaped, and a
    line break cannot start a heading or a quote of its own."""
    text = " ".join(str(text).split())
    for character in "\\`*_[]<>#":
        text = text.replace(character, "\\" + character)
    return text
