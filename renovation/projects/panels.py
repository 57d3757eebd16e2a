"""The project page, section by section: each function builds what one section shows from the
project (and the signed-in user), so a section can be tested alone, re-rendered by the view that
changed it, and sent on its own to htmx (``?fragment=``). The areas' own sections come from their
packages' ``panels`` modules; this module puts the page together."""
from flask_login import current_user

from renovation import permissions
from renovation.acceptance.panels import acceptance_panel
from renovation.aftercare.panels import aftercare_panel
from renovation.consultations.panels import consultations_panel
from renovation.contents.panels import contents_panel
from renovation.demands.panels import demands_panel
from renovation.domain import clock
from renovation.domain.aftercare.records import Blank
from renovation.domain.clock import today
from renovation.domain.contents.operations import contents_of
from renovation.domain.photos import gallery as photo_gallery
from renovation.domain.problems import listing as problem_listing
from renovation.domain.problems.flow import days_overdue as problem_days_overdue
from renovation.domain.project_records import records_present
from renovation.domain.stages.history import stage_history
from renovation.domain.stages.schedule import lag_may_be_asked, stage_days_behind
from renovation.leaders.panels import visits_panel
from renovation.photos.panels import gallery_panel, photos_panel
from renovation.problems.panels import problems_panel


def stage_actions(project) -> dict:
    """What the user may do on the project's stage cards: update a stage (``can_edit``), add photos
    (``can_upload``: the card's 添加照片 asks for the upload form when opened)."""
    return {"can_edit": permissions.can_edit_stage(current_user, project),
            "can_upload": permissions.can_add_photo(current_user, project)}


def stage_card(project, stage, actions: dict | None = None, blocking: dict | None = None) -> dict:
    """One stage card: the stage, the days it is behind, whether to ask why, what the user may do
    there (:func:`stage_actions`; ``actions`` when the caller has them: a page asks once for its five
    cards), and the unsolved problems that block it (``blocking``: by stage, when the caller has them)."""
    on = today()
    blocked_by = (problem_listing.problems_blocking(project.id, stage.key) if blocking is None
                  else blocking.get(stage.key, []))
    problems = [(problem, problem_days_overdue(problem, clock.today())) for problem in blocked_by]
    return {"stage": stage, "today": on, "late": stage_days_behind(stage, on),
            "lag_asked": lag_may_be_asked(stage, on), "problems": problems,
            **(actions or stage_actions(project))}


def stages_panel(project, actions: dict | None = None, blocking: dict | None = None) -> dict:
    """The stage cards, in the order of the work."""
    actions = actions or stage_actions(project)
    if blocking is None:
        blocking = problem_listing.blocking_by_stage(problem_listing.project_problems(project.id))
    return {"cards": [stage_card(project, stage, actions, blocking) for stage in project.stages]}


def history_panel(project, gallery: photo_gallery.ProjectGallery | None = None) -> dict:
    """The project's changes, newest first; a photo's name links to it while the photo is live
    (``gallery``, when the caller has it, saves looking the photos up again)."""
    gallery = gallery if gallery is not None else photo_gallery.project_gallery(project.id)
    return {"events": stage_history(project.id), "live_photo_ids": gallery.live_ids}


def project_page(project) -> dict:
    """Everything the project page shows, one entry per section. The sections most projects have no
    records in (problems, acceptance, visits, after-care) read them only when there are some."""
    actions = stage_actions(project)
    contents = contents_of(project.id, with_evidence=True)  # the contents section's and the upload form's, read once
    photos = photos_panel(project, contents=contents)
    consultations = consultations_panel(project)
    present = records_present(project.id)
    problems = problem_listing.project_problems(project.id) if present.problems else []
    return {"project": project, "today": today(), "photos": photos,
            "stages": stages_panel(project, actions, problem_listing.blocking_by_stage(problems)),
            "consultations": consultations,
            "contents": contents_panel(project, contents=contents),
            "problems": problems_panel(project, problems),
            "acceptance": acceptance_panel(project, found=None if present.acceptances else [],
                                           items=None if present.rectifications else []),
            "visits": visits_panel(project, rows=None if present.visits else []),
            "demands": demands_panel(project),
            "aftercare": aftercare_panel(project, record=None if present.aftercare else Blank(project.id)),
            "history": history_panel(project, photos["gallery"])}


# The parts of the project page that htmx refreshes on their own (blocks of project.html), and what
# each needs besides the project.
PROJECT_FRAGMENTS = {
    "summary": lambda project: {"today": today()},
    "history": lambda project: {"history": history_panel(project)},
    "gallery": lambda project: {"photos": gallery_panel(project)},
    "contents": lambda project: {"contents": contents_panel(project)},
    "aftercare": lambda project: {"aftercare": aftercare_panel(project)},
}
