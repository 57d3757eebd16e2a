"""After the works (长效管理): the project page's section saying who looks after the compound (party
branch, owners' committee, property management), and its form."""
from flask import Blueprint

bp = Blueprint("aftercare", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.aftercare import views  # noqa: E402,F401
