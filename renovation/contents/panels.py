"""What the content pages show, from the records and the signed-in user: the project page's 改造内容
section (each row, the add form) and the forms, blank or as the user typed them."""
from flask_login import current_user

from renovation import permissions
from renovation.contents.forms import ContentFiguresForm, NewContentForm
from renovation.domain.contents import catalogue, operations
from renovation.domain.contents.quantities import decimal_text


def figures_form(content, formdata=None) -> ContentFiguresForm:
    """A content's figures form: its values (and version), or as the user sent them."""
    return ContentFiguresForm(formdata=formdata, data={
        "planned_quantity": decimal_text(content.planned_quantity),
        "completed_quantity": decimal_text(content.completed_quantity),
        "investment": decimal_text(content.investment), "stage": content.stage_key or "",
        "reason": content.reason, "version": content.version})


def new_content_form(project, formdata=None, contents=None) -> NewContentForm:
    """The add form, offering the catalogue's live items the project does not include yet (``contents``:
    the project's, when the caller has them)."""
    contents = contents if contents is not None else operations.contents_of(project.id)
    taken = {content.item_id for content in contents}
    form = NewContentForm(formdata=formdata)
    form.set_items([item for item in catalogue.catalogue(include_retired=False) if item.id not in taken])
    return form


def content_row(content, can_edit: bool | None = None, **extra) -> dict:
    """One row: the content, its share done, its hidden-works photos (loaded with it: see
    ``contents_of``), whether the user may edit it."""
    planned = content.planned_quantity or 0
    share = int(min(content.completed_quantity / planned * 100, 100)) if planned else 0
    if can_edit is None:
        can_edit = permissions.can_edit_contents(current_user, content.project)
    return {"content": content, "share": share, "evidence": content.hidden_works_photos, "can_edit": can_edit,
            **extra}


def contents_panel(project, add_form: NewContentForm | None = None, contents=None, **extra) -> dict:
    """The section: a row per content, whether the user may edit, and the add form as the user sent
    it after a refusal (``add_form``; otherwise the section asks for a blank one when it is opened);
    ``contents``: the project's, when the caller has them, read ``with_evidence``."""
    can_edit = permissions.can_edit_contents(current_user, project)
    contents = contents if contents is not None else operations.contents_of(project.id, with_evidence=True)
    rows = [content_row(content, can_edit) for content in contents]
    return {"rows": rows, "can_edit": can_edit, "add_form": add_form if can_edit else None, **extra}
