"""The framework's floor for ``./scripts/bench``: bare Flask + SQLAlchemy pages that read the same rows
from the same database as the app's pages and render them with plain Jinja templates of comparable
markup (``scripts/bench_floor_templates/``: the same columns and forms, a page layout with a header
and navigation, escaped text). What the floor leaves out is the app's own machinery: no login or session, no CSRF, no
Babel (labels are fixed Chinese strings), no WTForms, no ORM objects (SQLAlchemy Core ``select()`` of
the columns shown; rows are tuples), hand-written links instead of ``url_for``.

    create_floor_app(database_url) -> Flask

Pages (GET unless said):
    /hello                          hello world
    /projects                       every project on one page (141 rows in the demo)
    /projects/<code>                one project: place, stages, photos and pairs, consultations,
                                    demands, renovation content, difficult problems, site visits,
                                    after-care, acceptances and rectifications, history
    /projects/<code>/gallery        the project's photos grouped by stage and phase (metadata only)
    /dashboard                      the dashboard's figures: streets, stages, behind, demands,
                                    bulletins, activity, difficult problems, outputs, projects
                                    without hidden-works photos, after-care coverage
    /demands?page=N                 the demands list, 50 a page, with the total
    PATCH /api/stages/<code>/<key>  a stage change from JSON {"note", "version"}: version-checked
                                    UPDATE, a history row, the project's updated_at, an audit row
    POST /projects/<code>/stages/<key>   the same from a form, answered with the stage card
"""
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, abort, jsonify, render_template, request
from jinja2 import FileSystemLoader

from renovation.models import (
    AcceptanceRecord,
    Aftercare,
    AuditEntry,
    Bulletin,
    Community,
    Compound,
    Consultation,
    ContentItem,
    Demand,
    MonthlySnapshot,
    Photo,
    PhotoPair,
    Problem,
    Project,
    ProjectContent,
    ProjectMonth,
    Rectification,
    SiteVisit,
    Stage,
    StageEvent,
    Street,
    User,
)

P, C, CM, S = Project.__table__, Compound.__table__, Community.__table__, Street.__table__
STG, PH, PP, CONS = Stage.__table__, Photo.__table__, PhotoPair.__table__, Consultation.__table__
MS, PM = MonthlySnapshot.__table__, ProjectMonth.__table__
DEM, EV, U, AU, BU = Demand.__table__, StageEvent.__table__, User.__table__, AuditEntry.__table__, Bulletin.__table__
PC, CI, PR, SV = ProjectContent.__table__, ContentItem.__table__, Problem.__table__, SiteVisit.__table__
AC, AR, RE = Aftercare.__table__, AcceptanceRecord.__table__, Rectification.__table__

STAGES = {"survey": "前期调查", "rain_sewage": "雨污分流", "facade": "立面改造", "paving": "道路硬化",
          "acceptance": "竣工验收", "done": "全部完成"}
STATUSES = {"not_started": "未开始", "in_progress": "进行中", "completed": "已完成", "suspended": "暂停",
            "not_applicable": "不涉及"}
PHASES = {"before": "改造前", "during": "施工中", "after": "改造后"}
DEMAND_STATUSES = {"pending": "待处理", "in_progress": "处理中", "resolved": "已解决", "declined": "不予采纳"}
DEMANDS_PER_PAGE = 50

TEMPLATES = Path(__file__).resolve().parent / "bench_floor_templates"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _thumb(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, 320 / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def create_floor_app(database_url: str) -> Flask:
    """The floor: one Flask app, one SQLAlchemy engine on ``database_url``, the templates above."""
    app = Flask("bench_floor")
    app.jinja_loader = FileSystemLoader(TEMPLATES)
    engine = sa.create_engine(database_url)
    app.extensions["floor_engine"] = engine
    labels = {"stages": STAGES, "statuses": STATUSES, "phases": PHASES, "demand_statuses": DEMAND_STATUSES}

    def place():
        return (sa.select(P, C.c.name.label("compound"), CM.c.name.label("community"), S.c.name.label("street"))
                .join(C, C.c.id == P.c.compound_id).join(CM, CM.c.id == C.c.community_id)
                .join(S, S.c.id == CM.c.street_id))

    def gallery(connection, project_id):
        photos = connection.execute(
            sa.select(PH.c.id, PH.c.stage_key, PH.c.phase, PH.c.caption, PH.c.original_filename, PH.c.width,
                      PH.c.height, PH.c.taken_at, U.c.display_name.label("uploader"))
            .outerjoin(U, U.c.id == PH.c.uploaded_by_id)
            .where(PH.c.project_id == project_id, PH.c.deleted_at.is_(None))
            .order_by(PH.c.taken_at.desc(), PH.c.id.desc())).all()
        groups: dict[tuple, list] = {}
        for photo in photos:
            tw, th = _thumb(photo.width, photo.height)
            groups.setdefault((photo.stage_key, photo.phase), []).append(
                dict(photo._mapping, tw=tw, th=th))
        ordered = [{"stage": stage, "phase": phase, "photos": groups[(stage, phase)]}
                   for stage in (*list(STAGES)[:5], None) for phase in PHASES if (stage, phase) in groups]
        before, after = PH.alias("before"), PH.alias("after")
        pairs = connection.execute(
            sa.select(PP.c.id, PP.c.before_id, PP.c.after_id, before.c.caption.label("before_caption"),
                      after.c.caption.label("after_caption"))
            .join(before, before.c.id == PP.c.before_id).join(after, after.c.id == PP.c.after_id)
            .where(PP.c.project_id == project_id).order_by(PP.c.created_at.desc(), PP.c.id.desc())).all()
        return {"groups": ordered, "pairs": pairs}

    @app.get("/hello")
    def hello():
        return render_template("hello.html")

    @app.get("/projects")
    def projects():
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(P.c.code, C.c.name.label("compound"), S.c.name.label("street"),
                          CM.c.name.label("community"), P.c.households, P.c.current_stage, P.c.progress,
                          P.c.next_deadline, P.c.updated_at)
                .join(C, C.c.id == P.c.compound_id).join(CM, CM.c.id == C.c.community_id)
                .join(S, S.c.id == CM.c.street_id).order_by(P.c.code)).all()
            streets = connection.execute(sa.select(S.c.id, S.c.name).order_by(S.c.name)).all()
        return render_template("list.html", rows=rows, streets=streets, today=date.today(), **labels)

    @app.get("/projects/<code>")
    def project(code):
        with engine.connect() as connection:
            p = connection.execute(place().where(P.c.code == code)).first()
            if p is None:
                abort(404)
            stage_rows = connection.execute(
                sa.select(STG).where(STG.c.project_id == p.id).order_by(STG.c.position)).all()
            consultations = connection.execute(
                sa.select(CONS).where(CONS.c.project_id == p.id, CONS.c.deleted_at.is_(None))
                .order_by(CONS.c.date.desc(), CONS.c.id.desc())).all()
            demands = connection.execute(
                sa.select(DEM.c.id, DEM.c.status, DEM.c.category, DEM.c.text, DEM.c.raised_on, DEM.c.raised_by,
                          DEM.c.assignee, DEM.c.response)
                .where(DEM.c.project_id == p.id).order_by(DEM.c.raised_on.desc(), DEM.c.id.desc())).all()
            history = connection.execute(
                sa.select(EV.c.at, EV.c.stage_key, EV.c.changes, U.c.display_name.label("user"))
                .outerjoin(U, U.c.id == EV.c.user_id).where(EV.c.project_id == p.id)
                .order_by(EV.c.at.desc(), EV.c.id.desc())).all()
            photos = gallery(connection, p.id)
            contents = connection.execute(
                sa.select(PC.c.id, CI.c.name, CI.c.unit, PC.c.planned_quantity, PC.c.completed_quantity,
                          PC.c.investment, PC.c.stage_key)
                .join(CI, CI.c.id == PC.c.item_id).where(PC.c.project_id == p.id)
                .order_by(CI.c.category, CI.c.position)).all()
            problems = connection.execute(
                sa.select(PR.c.id, PR.c.title, PR.c.status, PR.c.category, PR.c.deadline, PR.c.stage_key,
                          U.c.display_name.label("leader"))
                .outerjoin(U, U.c.id == PR.c.leader_id).where(PR.c.project_id == p.id)
                .order_by(PR.c.deadline)).all()
            visits = connection.execute(
                sa.select(SV.c.visited_on, SV.c.others, SV.c.seen, SV.c.decided).where(SV.c.project_id == p.id)
                .order_by(SV.c.visited_on.desc())).all()
            aftercare = connection.execute(sa.select(AC).where(AC.c.project_id == p.id)).first()
            acceptances = connection.execute(
                sa.select(AR.c.id, AR.c.accepted_on, AR.c.units, AR.c.summary).where(AR.c.project_id == p.id)
                .order_by(AR.c.accepted_on.desc())).all()
            rectifications = connection.execute(
                sa.select(RE.c.id, RE.c.description, RE.c.deadline, RE.c.status, RE.c.responsible_unit)
                .where(RE.c.project_id == p.id).order_by(RE.c.status.desc(), RE.c.deadline)).all()
        total = sum(value or 0 for value in (p.budget_central, p.budget_provincial, p.budget_city,
                                             p.budget_residents, p.budget_social))
        return render_template("project.html", p=p, code=p.code, stage_rows=stage_rows, consultations=consultations,
                               demands=demands, history=history, total=total, today=date.today(), **photos,
                               contents=contents, problems=problems, visits=visits, aftercare=aftercare,
                               acceptances=acceptances, rectifications=rectifications, **labels)

    @app.get("/projects/<code>/gallery")
    def project_gallery(code):
        with engine.connect() as connection:
            project_id = connection.scalar(sa.select(P.c.id).where(P.c.code == code))
            if project_id is None:
                abort(404)
            photos = gallery(connection, project_id)
        return render_template("gallery_page.html", **photos, **labels)

    @app.get("/dashboard")
    def dashboard():
        today = date.today()
        started = sa.func.sum(sa.case((P.c.progress > 0, 1), else_=0))
        with engine.connect() as connection:
            streets = connection.execute(
                sa.select(S.c.id, S.c.name, sa.func.count(P.c.id).label("projects"),
                          sa.func.sum(P.c.households).label("households"), started.label("started"),
                          sa.func.sum(sa.case((P.c.current_stage == "done", 1), else_=0)).label("completed"),
                          sa.func.sum(sa.case((P.c.next_deadline < today, 1), else_=0)).label("behind"),
                          sa.func.sum(P.c.investment_completed).label("investment"),
                          sa.func.avg(P.c.progress).label("progress"))
                .select_from(S).join(CM, CM.c.street_id == S.c.id).join(C, C.c.community_id == CM.c.id)
                .join(P, P.c.compound_id == C.c.id).group_by(S.c.id, S.c.name).order_by(S.c.name)).all()
            stage_counts = {(row.key, row.status): row.n for row in connection.execute(
                sa.select(STG.c.key, STG.c.status, sa.func.count().label("n")).group_by(STG.c.key, STG.c.status))}
            current = dict(connection.execute(
                sa.select(P.c.current_stage, sa.func.count()).group_by(P.c.current_stage)).all())
            behind_rows = connection.execute(
                place().where(P.c.next_deadline < today).order_by(P.c.next_deadline, P.c.code).limit(10)).all()
            demand_counts = connection.execute(
                sa.select(DEM.c.status, sa.func.count()).group_by(DEM.c.status).order_by(DEM.c.status)).all()
            overdue = connection.execute(
                sa.select(DEM.c.id, DEM.c.text, DEM.c.raised_on, C.c.name.label("compound"))
                .join(P, P.c.id == DEM.c.project_id).join(C, C.c.id == P.c.compound_id)
                .where(DEM.c.status.in_(("pending", "in_progress"))).order_by(DEM.c.raised_on).limit(8)).all()
            bulletins = connection.execute(
                sa.select(BU.c.id, BU.c.title, BU.c.year, BU.c.number).order_by(BU.c.issued_at.desc()).limit(5)).all()
            activity = connection.execute(
                sa.select(EV.c.at, EV.c.stage_key, U.c.display_name.label("user"), P.c.code,
                          C.c.name.label("compound"))
                .join(P, P.c.id == EV.c.project_id).join(C, C.c.id == P.c.compound_id)
                .outerjoin(U, U.c.id == EV.c.user_id).order_by(EV.c.at.desc()).limit(12)).all()
            months = connection.execute(
                sa.select(MS.c.month, CM.c.street_id, sa.func.avg(PM.c.progress).label("progress"))
                .join(PM, PM.c.snapshot_id == MS.c.id).join(P, P.c.id == PM.c.project_id)
                .join(C, C.c.id == P.c.compound_id).join(CM, CM.c.id == C.c.community_id)
                .group_by(MS.c.month, CM.c.street_id).order_by(MS.c.month)).all()
            last = connection.scalar(sa.select(sa.func.max(MS.c.id)))
            movers = connection.execute(
                sa.select(P.c.code, C.c.name.label("compound"), P.c.progress,
                          (P.c.progress - PM.c.progress).label("delta"))
                .join(PM, sa.and_(PM.c.project_id == P.c.id, PM.c.snapshot_id == last))
                .join(C, C.c.id == P.c.compound_id).order_by((P.c.progress - PM.c.progress).desc(), P.c.code)
                .limit(8)).all()
            # The sections added with difficult problems, contents, hidden works and after-care.
            problem_counts = connection.execute(
                sa.select(sa.func.count(sa.case((PR.c.status == "solved", 1))),
                          sa.func.count(sa.case((PR.c.status.in_(("open", "in_hand")), 1))),
                          sa.func.count(sa.case((sa.and_(PR.c.status.in_(("open", "in_hand")),
                                                         PR.c.deadline < today), 1))))).first()
            outputs = connection.execute(
                sa.select(CI.c.name, CI.c.unit, sa.func.sum(PC.c.planned_quantity).label("planned"),
                          sa.func.sum(PC.c.completed_quantity).label("done"))
                .join(PC, PC.c.item_id == CI.c.id).group_by(CI.c.id, CI.c.name, CI.c.unit)
                .order_by(CI.c.position)).all()
            pipes = STG.alias("pipes")
            photographed = sa.exists().where(PH.c.project_id == P.c.id, PH.c.hidden_works.is_(True),
                                             PH.c.deleted_at.is_(None), PH.c.stage_key == "rain_sewage")
            without_photos = sa.and_(pipes.c.status.in_(("in_progress", "completed", "suspended")), ~photographed)
            missing_total = connection.scalar(
                sa.select(sa.func.count()).select_from(P)
                .join(pipes, sa.and_(pipes.c.project_id == P.c.id, pipes.c.key == "rain_sewage"))
                .where(without_photos))
            missing = connection.execute(
                place().join(pipes, sa.and_(pipes.c.project_id == P.c.id, pipes.c.key == "rain_sewage"))
                .where(without_photos).order_by(S.c.name, P.c.code).limit(8)).all()
            completed = P.c.current_stage == "done"
            care = connection.execute(
                sa.select(S.c.name, sa.func.count(P.c.id).label("compounds"),
                          sa.func.sum(sa.case((AC.c.party_branch.is_(True), 1), else_=0)).label("branches"),
                          sa.func.sum(sa.func.coalesce(AC.c.building_party_groups, 0)).label("groups"),
                          sa.func.sum(sa.case((AC.c.owners_committee.is_(True), 1), else_=0)).label("committees"),
                          sa.func.sum(sa.case((AC.c.property_management != "none", 1), else_=0)).label("managed"))
                .select_from(P).join(C, C.c.id == P.c.compound_id).join(CM, CM.c.id == C.c.community_id)
                .join(S, S.c.id == CM.c.street_id).outerjoin(AC, AC.c.project_id == P.c.id)
                .where(completed).group_by(S.c.id, S.c.name).order_by(S.c.name)).all()
            uncared = connection.execute(
                sa.select(P.c.code, C.c.name.label("compound")).join(C, C.c.id == P.c.compound_id)
                .outerjoin(AC, AC.c.project_id == P.c.id)
                .where(completed, sa.or_(AC.c.id.is_(None), sa.and_(AC.c.party_branch.is_(False),
                                                                     AC.c.owners_committee.is_(False),
                                                                     AC.c.property_management == "none")))
                .order_by(P.c.code).limit(20)).all()
        month_names = sorted({row.month for row in months})
        trend = {street.id: [0.0] * len(month_names) + [float(street.progress or 0)] for street in streets}
        for row in months:
            if row.street_id in trend:
                trend[row.street_id][month_names.index(row.month)] = float(row.progress or 0)
        width = max(1, len(month_names))
        lines = [{"name": street.name, "id": street.id, "points": " ".join(
            f"{40 + 560 * index / width:.1f},{220 - 2 * value:.1f}" for index, value in enumerate(trend[street.id]))}
            for street in streets]
        total = {key: sum(getattr(row, key) or 0 for row in streets)
                 for key in ("projects", "households", "started", "completed", "behind", "investment")}
        overview = [("项目", total["projects"]), ("户数", f"{total['households']:,}"), ("已开工", total["started"]),
                    ("已完工", total["completed"]), ("滞后", total["behind"]), ("完成投资(万元)", total["investment"])]
        return render_template("dashboard.html", today=today, overview=overview, total=total, streets=streets,
                               stage_counts=stage_counts, current=current, behind_rows=behind_rows,
                               demand_counts=demand_counts, overdue=overdue, bulletins=bulletins,
                               activity=activity, lines=lines, months=[*month_names, "现在"], movers=movers,
                               problem_counts=problem_counts, outputs=outputs, missing=missing,
                               missing_total=missing_total, care=care, uncared=uncared, **labels)

    @app.get("/demands")
    def demands():
        page = max(1, request.args.get("page", 1, type=int))
        with engine.connect() as connection:
            total = connection.scalar(sa.select(sa.func.count()).select_from(DEM))
            figures = connection.execute(sa.select(DEM.c.status, DEM.c.category, sa.func.count().label("n"))
                                         .group_by(DEM.c.status, DEM.c.category)).all()
            by_community = connection.execute(
                sa.select(CM.c.name, sa.func.count().label("n")).select_from(DEM)
                .join(P, P.c.id == DEM.c.project_id).join(C, C.c.id == P.c.compound_id)
                .join(CM, CM.c.id == C.c.community_id).group_by(CM.c.name).order_by(CM.c.name)).all()
            pages = max(1, -(-total // DEMANDS_PER_PAGE))
            page = min(page, pages)
            rows = connection.execute(
                sa.select(DEM.c.id, DEM.c.status, DEM.c.category, DEM.c.text, DEM.c.raised_on, DEM.c.raised_by,
                          DEM.c.assignee, DEM.c.resolved_on, DEM.c.response, P.c.code, C.c.name.label("compound"),
                          CM.c.name.label("community"))
                .join(P, P.c.id == DEM.c.project_id).join(C, C.c.id == P.c.compound_id)
                .join(CM, CM.c.id == C.c.community_id)
                .order_by(DEM.c.raised_on, DEM.c.id).limit(DEMANDS_PER_PAGE)
                .offset((page - 1) * DEMANDS_PER_PAGE)).all()
        return render_template("demands.html", rows=rows, total=total, page=page, pages=pages, figures=figures,
                               by_community=by_community, **labels)

    def change_stage(code, key, note, version):
        """The write: version-checked UPDATE, history row, project touched, audit row; one transaction."""
        now = _now()
        with engine.begin() as connection:
            project_id = connection.scalar(sa.select(P.c.id).where(P.c.code == code))
            row = connection.execute(sa.select(STG).where(STG.c.project_id == project_id, STG.c.key == key)).first()
            if row is None:
                abort(404)
            updated = connection.execute(
                STG.update().where(STG.c.id == row.id, STG.c.version == version)
                .values(note=note, version=version + 1, updated_at=now))
            if updated.rowcount != 1:
                return None, row
            connection.execute(EV.insert().values(project_id=project_id, stage_key=key, at=now, note="",
                                                  changes=[{"field": "note", "old": row.note, "new": note}]))
            connection.execute(P.update().where(P.c.id == project_id).values(updated_at=now))
            connection.execute(AU.insert().values(at=now, action="stage.update", target_type="stage",
                                                  target_id=str(row.id), details={"note": note}))
            stage = connection.execute(sa.select(STG).where(STG.c.id == row.id)).first()
        return stage, None

    @app.patch("/api/stages/<code>/<key>")
    def api_stage(code, key):
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("version"), int) or not isinstance(body.get("note"), str):
            return jsonify(errors={"version": "required"}), 422
        stage, stale = change_stage(code, key, body["note"], body["version"])
        if stage is None:
            return jsonify(error="conflict", version=stale.version), 409
        return jsonify({name: (value.isoformat() if isinstance(value, date) else value)
                        for name, value in stage._mapping.items()})

    @app.post("/projects/<code>/stages/<key>")
    def form_stage(code, key):
        version = request.form.get("version", type=int)
        if version is None:
            abort(422)
        stage, stale = change_stage(code, key, request.form.get("note", ""), version)
        if stage is None:
            return render_template("stage_card.html", s=stale, code=code, **labels), 409
        return render_template("stage_card.html", s=stage, code=code, **labels)

    return app
