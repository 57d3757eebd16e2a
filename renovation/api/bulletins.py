"""API: the archive of issued bulletins (``GET /api/v1/bulletins``), newest first, and each one's
PDF for a bearer-token client (the same response as the page download)."""
from flask import abort, jsonify, url_for

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import token_required
from renovation.bulletins.files import pdf_response
from renovation.domain.bulletins.archive import bulletin_by_id, bulletin_json, issued_bulletins


@bp.get("/bulletins")
@token_required(permissions.can_view_projects)
def bulletins():
    return jsonify(items=[bulletin_json(bulletin, url_for("api.bulletin_pdf", bulletin_id=bulletin.id,
                                                          _external=True))
                          for bulletin in issued_bulletins()])


@bp.get("/bulletins/<int:bulletin_id>/pdf")
@token_required(permissions.can_view_projects)
def bulletin_pdf(bulletin_id):
    bulletin = bulletin_by_id(bulletin_id)
    return (pdf_response(bulletin) if bulletin else None) or abort(404)
