"""The stage rules set aside with a written reason (越过规则), newest first: who, where, which rule, why."""
from renovation import permissions
from renovation.contents import bp
from renovation.domain.contents.hidden_works import projects_without_hidden_works_evidence, rule_overrides
from renovation.domain.stages.rules import EVIDENCE_RULE_LABELS
from renovation.templating import render

MISSING_SHOWN = 500  # of the projects without hidden-works photos; the rest are counted


@bp.route("/rule-overrides")
@permissions.require(permissions.can_view_projects)
def overrides():
    """The overrides, and the projects whose buried pipes have no hidden-works photo yet."""
    return render("contents/overrides.html", overrides=rule_overrides(), rule_labels=EVIDENCE_RULE_LABELS,
                  missing=projects_without_hidden_works_evidence(limit=MISSING_SHOWN))
