"""``flask --app renovation worker`` whose renders take ``SLOW_RENDER_SECONDS`` longer, and which
writes its pid to ``WORKER_PID_FILE``: a test kills it with SIGKILL in the middle of a render."""
import os
import sys
import time
from pathlib import Path

from flask.cli import main

from renovation.domain.bulletins import issue as bulletins

_render_pdf = bulletins.render_pdf


def _slow_render_pdf(snapshot):
    time.sleep(float(os.environ.get("SLOW_RENDER_SECONDS", "3")))
    return _render_pdf(snapshot)


if __name__ == "__main__":
    bulletins.render_pdf = _slow_render_pdf
    Path(os.environ["WORKER_PID_FILE"]).write_text(str(os.getpid()))
    sys.argv = ["flask", "--app", "renovation", "worker"]
    main()
