"""The rules a construction engineer expects of a stage change.

``stage_errors`` looks at one proposed stage together with the project's other stages and
returns ``{field: message}``; an empty dict means the change may be saved. The rules are
checked on the whole project as it would be after the change, so undoing the survey while
facade work is under way is refused just like starting the facade before the survey.

``EVIDENCE_RULES`` are rules about the proof of work, not the stages' values: a stage may not start
before another stage's buried work has been photographed (隐蔽工程). Each is switched on or off by a
setting, and someone with the right may set it aside with a written reason (an override, recorded
and listed); ``broken_evidence_rules`` says which a change breaks.
"""
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import lazy_gettext as _l

from renovation.domain.date_range import implausible_date_message
from renovation.domain.messages import lazy_text, with_values
from renovation.domain.stages.keys import (
    CONSTRUCTION_STAGES,
    MAY_BE_NOT_APPLICABLE,
    STAGE_ORDER,
    STARTED_STATUSES,
    LagReason,
    StageKey,
    Status,
    stage_label,
)
from renovation.domain.stages.schedule import stage_days_behind


@dataclass(frozen=True)
class StageState:
    """The values of one stage, detached from the database."""

    key: str
    status: str = Status.NOT_STARTED
    percent: int = 0
    actual_start: date | None = None
    actual_end: date | None = None
    note: str = ""
    planned_start: date | None = None
    planned_end: date | None = None
    lag_reason: str = ""
    lag_note: str = ""
    catch_up_date: date | None = None

    def with_changes(self, **changes) -> "StageState":
        return replace(self, **changes)


@dataclass(frozen=True)
class EvidenceRule:
    """``stage`` may not start while ``evidence_of`` (when it applies) has no hidden-works photo."""

    key: str
    stage: StageKey
    evidence_of: StageKey
    setting: str  # the configuration key that switches it on (on by default)
    message: object


EVIDENCE_RULES = (
    EvidenceRule(
        key="hidden_works", stage=StageKey.PAVING, evidence_of=StageKey.RAIN_SEWAGE, setting="HIDDEN_WORKS_RULE",
        message=_l("Paving cannot start before the buried rain/sewage pipes are photographed: upload "
                   "hidden-works (隐蔽工程) photos of rain/sewage separation first."),
    ),
)
EVIDENCE_RULE_LABELS = {"hidden_works": _l("Hidden-works photos before paving")}


@dataclass(frozen=True)
class CompletionFacts:
    """What the acceptance with the residents (竣工验收) has found, as the completion rules read it:
    the project's open rectification items, and the residents' representatives at its latest
    acceptance (0 when there is none)."""

    open_rectifications: int = 0
    representatives: int = 0


@dataclass(frozen=True)
class CompletionRule:
    """``stage`` may not be marked completed while the fact named ``fact`` (a field of
    :class:`CompletionFacts`) is ``refused_when`` (``"any"``: above 0; ``"none"``: 0). ``message``
    may use ``%(count)d``, the fact's value. These rules are not overridden."""

    key: str
    stage: StageKey
    fact: str
    refused_when: str
    message: object


COMPLETION_RULES = (
    CompletionRule(
        key="open_rectifications", stage=StageKey.ACCEPTANCE, fact="open_rectifications", refused_when="any",
        message=_l("Acceptance still has open rectification items (%(count)d): close them before completing "
                   "it."),
    ),
    CompletionRule(
        key="residents_present", stage=StageKey.ACCEPTANCE, fact="representatives", refused_when="none",
        message=_l("Acceptance needs residents' representatives: record an acceptance at which at least "
                   "one took part."),
    ),
)


def completion_rules_apply(current: StageState, proposed: StageState) -> bool:
    """Whether the change marks a stage with completion rules as completed (the facts are read only
    then). A stage completed before stays editable: the rules refuse the step, not the state."""
    return (proposed.status == Status.COMPLETED and current.status != Status.COMPLETED
            and any(rule.stage == proposed.key for rule in COMPLETION_RULES))


def broken_completion_rules(current: StageState, proposed: StageState, facts: CompletionFacts) -> list:
    """The messages of the completion rules that marking ``proposed`` completed breaks, in order."""
    if not completion_rules_apply(current, proposed):
        return []
    messages = []
    for rule in COMPLETION_RULES:
        value = getattr(facts, rule.fact)
        if rule.stage == proposed.key and (value > 0 if rule.refused_when == "any" else value <= 0):
            messages.append(with_values(rule.message, count=value))
    return messages


def broken_evidence_rules(current: StageState, proposed: StageState, project_stages: Mapping[str, StageState],
                          evidenced: set[str], enabled: set[str]) -> list[EvidenceRule]:
    """The evidence rules (of those ``enabled``) that starting ``proposed`` breaks: the stage moves
    from not started to started while the stage whose buried work it covers applies and has no
    hidden-works photo (``evidenced``: the stages that have one). A stage already under way is not
    stopped by a rule switched on later."""
    if current.status in STARTED_STATUSES or proposed.status not in STARTED_STATUSES:
        return []
    broken = []
    for rule in EVIDENCE_RULES:
        covered = project_stages.get(rule.evidence_of)
        if (rule.key in enabled and proposed.key == rule.stage and rule.evidence_of not in evidenced
                and (covered is None or covered.status != Status.NOT_APPLICABLE)):
            broken.append(rule)
    return broken


def stage_errors(
    proposed: StageState, project_stages: Mapping[str, StageState], today: date
) -> dict[str, str]:
    """Every rule the proposed stage breaks, as ``{field: message}``."""
    errors = _own_errors(proposed, today)
    stages = {**project_stages, proposed.key: proposed}
    for message in _order_errors(proposed.key, stages):
        errors.setdefault("status", message)
    return errors


def _own_errors(stage: StageState, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    status = stage.status
    if status not in Status.__members__.values():
        errors["status"] = _l("Choose a status from the list.")
        return errors
    if status == Status.NOT_APPLICABLE and stage.key not in MAY_BE_NOT_APPLICABLE:
        errors["status"] = _l("Every project has this stage; it cannot be marked not applicable.")
    if not 0 <= stage.percent <= 100:
        errors["percent"] = _l("Percent complete must be a whole number from 0 to 100.")
    elif status == Status.COMPLETED and stage.percent != 100:
        errors["percent"] = _l("A completed stage must be at 100%.")
    elif status != Status.COMPLETED and stage.percent == 100:
        errors["percent"] = _l("100% means completed: set the status to completed.")
    elif status in (Status.NOT_STARTED, Status.NOT_APPLICABLE) and stage.percent != 0:
        errors["percent"] = _l("A stage that has not started must be at 0%.")

    if status in (Status.NOT_STARTED, Status.NOT_APPLICABLE):
        if stage.actual_start:
            errors["actual_start"] = _l("A stage that has not started has no actual start date.")
        if stage.actual_end:
            errors["actual_end"] = _l("Only a completed stage has an actual end date.")
    else:
        if not stage.actual_start:
            errors["actual_start"] = _l("Enter the date work on this stage actually started.")
        if status == Status.COMPLETED and not stage.actual_end:
            errors["actual_end"] = _l("Enter the date this stage was completed.")
        if status != Status.COMPLETED and stage.actual_end:
            errors["actual_end"] = _l("Only a completed stage has an actual end date.")

    for field in ("actual_start", "actual_end", "planned_start", "planned_end"):
        message = implausible_date_message(getattr(stage, field))
        if message is not None and field not in errors:
            errors[field] = message
    for field in ("actual_start", "actual_end"):
        value = getattr(stage, field)
        if value and value > today and field not in errors:
            errors[field] = _l("An actual date cannot be in the future.")
    if (
        stage.actual_start
        and stage.actual_end
        and stage.actual_end < stage.actual_start
        and "actual_end" not in errors
    ):
        errors["actual_end"] = _l("The actual end cannot be before the actual start.")
    if status == Status.SUSPENDED and not stage.note.strip():
        errors["note"] = _l("Give the reason for the suspension in the note.")
    return errors


def lag_errors(stage: StageState, today: date) -> dict[str, str]:
    """What a change of a stage that is (or stays) behind schedule must also say.

    A stage left behind needs the reason (one of :class:`LagReason`; "other" with a few
    words) and the date it should be back on track, not in the past. A stage on track may
    keep or clear them. The ledger import does not ask: its sheet has no such columns.
    """
    errors: dict[str, str] = {}
    if stage.lag_reason and stage.lag_reason not in LagReason.__members__.values():
        errors["lag_reason"] = _l("Choose a reason from the list.")
    message = implausible_date_message(stage.catch_up_date)
    if message is not None:
        errors["catch_up_date"] = message
    elif stage.catch_up_date and stage.catch_up_date < today:
        errors["catch_up_date"] = _l("The catch-up date cannot be in the past.")
    if stage_days_behind(stage, today) <= 0:
        return errors
    if not stage.lag_reason:
        errors.setdefault(
            "lag_reason", _l("This stage is behind schedule: choose the reason for the delay.")
        )
    elif stage.lag_reason == LagReason.OTHER and not stage.lag_note.strip():
        errors.setdefault("lag_note", _l("Describe the reason for the delay."))
    if not stage.catch_up_date:
        errors.setdefault(
            "catch_up_date", _l("This stage is behind schedule: enter the date it will be back on track.")
        )
    return errors


def _order_errors(changed: str, stages: Mapping[str, StageState]) -> list[str]:
    """Violations of the order rules that involve the changed stage."""
    messages = []
    survey = stages.get(StageKey.SURVEY)
    survey_done = survey is not None and survey.status == Status.COMPLETED
    started_construction = [
        key for key in CONSTRUCTION_STAGES if key in stages and stages[key].status in STARTED_STATUSES
    ]
    if not survey_done and started_construction:
        if changed in CONSTRUCTION_STAGES and changed in started_construction:
            messages.append(
                _l("Construction cannot start before the survey is completed.")
            )
        elif changed == StageKey.SURVEY:
            messages.append(
                with_values(
                    _l("The survey must stay completed: %(stage)s has already started."),
                    stage=stage_label(started_construction[0]),
                )
            )

    paving = stages.get(StageKey.PAVING)
    pipes = stages.get(StageKey.RAIN_SEWAGE)
    if (
        paving is not None
        and paving.status == Status.COMPLETED
        and pipes is not None
        and pipes.status not in (Status.COMPLETED, Status.NOT_APPLICABLE)
    ):
        if changed == StageKey.PAVING:
            messages.append(
                _l(
                    "Paving cannot be completed before rain/sewage separation is completed: "
                    "the pipes lie under the road."
                )
            )
        elif changed == StageKey.RAIN_SEWAGE:
            messages.append(
                _l("Paving is already completed, so rain/sewage separation must stay completed.")
            )

    acceptance = stages.get(StageKey.ACCEPTANCE)
    if acceptance is not None and acceptance.status in STARTED_STATUSES:
        unfinished = [
            key
            for key in STAGE_ORDER[:-1]
            if key in stages and stages[key].status not in (Status.COMPLETED, Status.NOT_APPLICABLE)
        ]
        if unfinished:
            # Lazy like the message itself: labels are translated when the message is shown,
            # so the rules also run where there is no request to choose a language.
            names = lazy_text(lambda: "、".join(str(stage_label(key)) for key in unfinished))
            if changed == StageKey.ACCEPTANCE:
                messages.append(
                    with_values(
                        _l("Acceptance starts only when every other stage is completed "
                           "(not yet: %(stages)s)."),
                        stages=names,
                    )
                )
            elif changed in unfinished:
                messages.append(
                    _l("Acceptance has already started, so this stage must stay completed.")
                )
    return messages
