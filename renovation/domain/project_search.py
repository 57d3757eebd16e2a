"""What the project list searches and sorts by, kept with each project.

The list's search box looks for every word typed in the project's code, compound, street,
community, responsible engineer, contractor and supervisor (the SEARCHED fields). Joining four
tables and lower-casing seven columns of every row does not scale to a province's 200,000
projects, so each project keeps:

- ``search_text``: those seven fields, lower-cased by the database (as ILIKE compares), joined
  by a line break. A word never holds a line break (:func:`renovation.domain.text_search.search_words` splits on
  it), so a match never spans two fields: one ``LIKE '%word%'`` on this column means what one
  ``ILIKE`` per field meant.
- ``compound_name``, ``community_name``, ``street_name``: its place's names, so that the list
  filters and sorts on the project table alone, each order served by an index.

On PostgreSQL a GIN index holds the characters and character pairs of every ``search_text``
(:data:`renovation.models.list_order.GRAMS_FUNCTION`): a word is looked up by its character
pairs (九龙 by 九龙, 粮食局 by 粮食 and 食局) or its one character, which serves one- and
two-character Chinese words where trigrams cannot, and the ``LIKE`` then checks the rows found:
the results are exactly those of the ``LIKE`` alone. SQLite (a city's 141 projects) runs the
``LIKE`` alone.

The copies are kept by the session: whatever flushes a new project, a project's searched field
or compound, or a renamed compound, community or street refreshes the projects concerned in the
same transaction (:func:`keep_current`). Rows written with Core ``insert``/``update`` (the demo's
bulk seed) call :func:`rebuild_search_index` themselves.
"""
from sqlalchemy import and_, event, func, inspect, literal, or_, true, update
from sqlalchemy.orm import Session

from renovation.domain.text_search import ESCAPE, all_words, literal_like_pattern
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Street

SEPARATOR = "\n"
CHUNK = 500  # ids per statement: well under SQLite's and PostgreSQL's parameter limits


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def word_matches(word: str):
    """SQL for "``word`` appears in one of the project's searched fields", case-insensitively,
    with LIKE's wildcards taken literally."""
    pattern = func.lower(literal(literal_like_pattern(word)))
    found = Project.search_text.like(pattern, escape=ESCAPE)
    if not _on_postgresql():
        return found
    # The index finds the rows holding every pair of the word (or its one character); LIKE keeps
    # those where they stand together, in one field.
    grams = func.project_search_grams(Project.search_text)
    return and_(grams.op("@>")(func.project_search_word_grams(func.lower(literal(word)))), found)


def matches_all_words(text: str):
    """SQL for "every word of ``text`` appears in one of the project's searched fields"; None when
    ``text`` has no words."""
    return all_words(text, word_matches)


# --- keeping the copies ------------------------------------------------------------------------

def _refresh_statement(where):
    """UPDATE the copies of the projects matching ``where`` from their place, skipping those
    already current."""
    search_text = func.lower(
        Project.code + SEPARATOR + Compound.name + SEPARATOR + Street.name + SEPARATOR + Community.name
        + SEPARATOR + Project.responsible_engineer + SEPARATOR + Project.contractor + SEPARATOR
        + Project.supervisor)
    return (update(Project)
            .where(Project.compound_id == Compound.id, Compound.community_id == Community.id,
                   Community.street_id == Street.id, where,
                   or_(Project.search_text != search_text, Project.compound_name != Compound.name,
                       Project.community_name != Community.name, Project.street_name != Street.name))
            .values(search_text=search_text, compound_name=Compound.name, community_name=Community.name,
                    street_name=Street.name)
            .execution_options(synchronize_session=False))


def _chunks(ids) -> list[list[int]]:
    ids = sorted(ids)
    return [ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK)]


def refresh(session: Session, project_ids=(), compound_ids=(), community_ids=(), street_ids=()) -> None:
    """Bring the copies of these projects, and of every project in these compounds, communities
    and streets, up to date."""
    for column, ids in ((Project.id, project_ids), (Project.compound_id, compound_ids),
                        (Compound.community_id, community_ids), (Community.street_id, street_ids)):
        for chunk in _chunks(ids):
            session.execute(_refresh_statement(column.in_(chunk)))


def rebuild_search_index(project_ids=None) -> None:
    """Refresh the copies of these projects (all when None) in a few statements: for rows
    written without the ORM, such as the demo's bulk seed. Caller commits."""
    if project_ids is None:
        db.session.execute(_refresh_statement(true()))
    else:
        refresh(db.session, project_ids=project_ids)


_SEARCHED = {
    Project: ("code", "compound", "compound_id", "responsible_engineer", "contractor", "supervisor"),
    Compound: ("name", "community", "community_id"),
    Community: ("name", "street", "street_id"),
    Street: ("name",),
}
_PENDING = "project_search_pending"


def _changed(instance, names) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _note_changes(session: Session, _flush_context) -> None:
    """After a flush's SQL: which projects, compounds, communities and streets it wrote that
    change what the copies hold (the attribute histories are still there to say so)."""
    noted = [(Project, instance.id) for instance in session.new if type(instance) is Project]
    noted += [(type(instance), instance.id) for instance in session.dirty
              if type(instance) in _SEARCHED and _changed(instance, _SEARCHED[type(instance)])]
    if noted:
        pending = session.info.setdefault(_PENDING, {model: set() for model in _SEARCHED})
        for model, instance_id in noted:
            pending[model].add(instance_id)


def _refresh_noted(session: Session, _flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    refresh(session, project_ids=pending[Project], compound_ids=pending[Compound],
            community_ids=pending[Community], street_ids=pending[Street])
    copied = ("search_text", "compound_name", "community_name", "street_name")
    for instance in list(session.identity_map.values()):
        if type(instance) is Project:
            session.expire(instance, copied)


def keep_current() -> None:
    """Refresh the copies on every flush that needs it (idempotent; called by ``create_app``)."""
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "after_flush_postexec", _refresh_noted)
