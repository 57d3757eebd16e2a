"""SQL the project list sorts and searches with, and the PostgreSQL functions its indexes use.

Two orders of the list are expressions rather than columns: the stage in the order of the work
(:class:`stage_position`) and the schedule with "nothing pending" last (:class:`deadline_or_never`).
Each compiles on PostgreSQL to the very expression an index is built on (an index serves only
an identical expression), and elsewhere to plain SQL of the same meaning.
"""
from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from renovation.domain.stages.keys import DONE, STAGE_ORDER

# The stages in the order of the work (survey first, all done last), as numbers to sort by.
STAGE_POSITIONS = {str(key): position for position, key in enumerate((*STAGE_ORDER, DONE))}
_STAGE_CASE = "CASE {stage} " + " ".join(
    f"WHEN '{key}' THEN {position}" for key, position in STAGE_POSITIONS.items()) + f" ELSE {len(STAGE_POSITIONS)} END"
# A project with nothing pending sorts after every deadline (ascending) when sorted by schedule.
NO_DEADLINE = "9999-12-31"

# The migrations hold their own copies of these functions (a migration keeps meaning what it meant
# when it was written); these are for a database made with ``create_all``.
STAGE_POSITION_FUNCTION = f"""
CREATE OR REPLACE FUNCTION project_stage_position(stage varchar) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {_STAGE_CASE.format(stage="stage")} $$
"""
# The characters and character pairs of a text, less those holding a line break (the separator of
# the fields in ``project.search_text``). In PL/pgSQL: six times faster than the same in SQL, which
# counts where a list reads rows in its order and checks each match against it.
GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION project_search_grams(content text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    chars text[] := string_to_array(content, NULL);
    grams text[] := array_remove(chars, E'\n');
BEGIN
    FOR position IN 1 .. coalesce(array_length(chars, 1), 0) - 1 LOOP
        IF chars[position] <> E'\n' AND chars[position + 1] <> E'\n' THEN
            grams := grams || (chars[position] || chars[position + 1]);
        END IF;
    END LOOP;
    RETURN grams;
END
$$
"""

# The characters and character pairs that a word's occurrences must all hold: its pairs, or the
# character itself (a pair holds its characters, so a longer word's are not asked again: the fewer
# elements asked, the better the planner guesses how many rows hold them).
WORD_GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION project_search_word_grams(word text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN length(word) < 2 THEN ARRAY[word]
                ELSE ARRAY(SELECT substr(word, position, 2) FROM generate_series(1, length(word) - 1) AS position)
           END
$$
"""


class stage_position(FunctionElement):
    """The position of a ``current_stage`` in the order of the work."""

    type = Integer()
    inherit_cache = True


@compiles(stage_position, "postgresql")
def _stage_position_postgresql(element, compiler, **kw):
    return f"project_stage_position({compiler.process(element.clauses, **kw)})"


@compiles(stage_position)
def _stage_position_elsewhere(element, compiler, **kw):
    return "(" + _STAGE_CASE.format(stage=compiler.process(element.clauses, **kw)) + ")"


class deadline_or_never(FunctionElement):
    """``next_deadline``, or a day after every deadline when there is none: the schedule's order
    with no NULL in it."""

    type = Date()
    inherit_cache = True


@compiles(deadline_or_never, "postgresql")
def _deadline_postgresql(element, compiler, **kw):
    return f"coalesce({compiler.process(element.clauses, **kw)}, '{NO_DEADLINE}'::date)"


@compiles(deadline_or_never)
def _deadline_elsewhere(element, compiler, **kw):
    return f"coalesce({compiler.process(element.clauses, **kw)}, '{NO_DEADLINE}')"
