"""Keep a command running: ``python -m renovation.supervisor COMMAND...`` starts it, starts it
again whenever it ends (a crash, ``kill -9``, the OOM killer), and stops it with itself.

``./scripts/run`` runs the background worker under it. SIGTERM or SIGINT (Ctrl-C) to the
supervisor is passed on to the command, which finishes its jobs in hand (the worker stops
gracefully on SIGTERM), and then the supervisor ends. A command that keeps dying at once is
restarted after a growing pause (1 s, 2 s, 4 s... at most 30 s), so a broken setting does not
spin the CPU; a run of a minute or more resets the pause.
"""
import signal
import subprocess
import sys
import time

FIRST_PAUSE, LONGEST_PAUSE, HEALTHY_RUN = 1.0, 30.0, 60.0


def supervise(command: list[str]) -> int:
    """Run ``command`` until this process is told to stop; its exit status then."""
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pause = FIRST_PAUSE
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        if stopping:  # told to stop while it was starting
            child.send_signal(signal.SIGTERM)
        status = child.wait()
        if stopping:
            return status
        ran = time.monotonic() - started
        pause = FIRST_PAUSE if ran >= HEALTHY_RUN else pause
        print(f"supervisor: {command[0]} ended with status {status} after {ran:.0f} s; "
              f"starting it again in {pause:.0f} s", file=sys.stderr, flush=True)
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
        if stopping:
            return status
        pause = min(pause * 2, LONGEST_PAUSE)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m renovation.supervisor COMMAND [ARG...]")
    sys.exit(supervise(sys.argv[1:]))
