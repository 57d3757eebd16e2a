"""A consultation's attached files (sign-in sheets, minutes) through the API, served like photos."""

from flask import abort

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import token_required
from renovation.domain.residents.attachments import live_attachment
from renovation.photos.files import send_content


@bp.get("/attachments/<int:attachment_id>/<any(original, display, thumbnail):kind>")
@token_required(permissions.can_view_projects)
def attachment_file(attachment_id, kind):
    """The original file (a PDF inline, an image as a download) or an image's derived JPEG."""
    attachment = live_attachment(attachment_id)
    if attachment is None or (attachment.is_pdf and kind != "original"):
        abort(404)
    return send_content(attachment.sha256, kind, attachment.content_type, attachment.original_filename,
                        inline=attachment.is_pdf)
