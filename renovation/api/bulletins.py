"""API: the archive of issued bulletins (``GET /api/v1/bulletins``), newest first."""
from flask import jsonify, url_for

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import token_required
from renovation.domain.bulletin_archive import bulletin_json, issued_bulletins


@bp.get("/bulletins")
@token_required(permissions.can_view_projects)
def bulletins():
    return jsonify(items=[bulletin_json(bulletin, url_for("bulletins.download", bulletin_id=bulletin.id,
                                                          _external=True))
                          for bulletin in issued_bulletins()])
