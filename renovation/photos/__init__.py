"""Photo evidence pages: upload, gallery, the photo page, its files and the city-wide photos."""
from flask import Blueprint

bp = Blueprint("photos", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.photos import views  # noqa: E402,F401
