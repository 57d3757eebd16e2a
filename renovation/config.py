"""Configuration: defaults, then the environment (``RENOVATION_*``), then the caller's overrides."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def instance_path_from_env() -> Path:
    """The instance folder: ``RENOVATION_INSTANCE_PATH`` or ``./instance`` beside the package."""
    configured = os.environ.get("RENOVATION_INSTANCE_PATH")
    return Path(configured).resolve() if configured else PROJECT_ROOT / "instance"


def load_or_create_secret_key(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, creating it (mode 0600) the first time.

    Workers starting together on a new instance folder must agree on one key: the key is
    written to a private temporary file and linked into place, which only one of them wins,
    so nobody ever reads a half-written file.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        temporary = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(8)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(temporary, key_file)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            temporary.unlink()
    return key_file.read_text().strip()


def default_config(instance_path: Path) -> dict:
    """Every setting with its default, environment variables applied."""
    env = os.environ
    database_url = env.get("RENOVATION_DATABASE_URL") or f"sqlite:///{instance_path / 'renovation.db'}"
    secure_cookies = env.get("RENOVATION_SECURE_COOKIES", "").lower() in ("1", "true", "yes")
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": env.get("RENOVATION_SECRET_KEY") or load_or_create_secret_key(instance_path),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Proxies in front of the app whose X-Forwarded-For / -Proto it believes (nginx: 1). The
        # client address decides the login throttle, so 0 (the default) ignores those headers:
        # anyone could send them.
        "TRUSTED_PROXIES": int(env.get("RENOVATION_TRUSTED_PROXIES", "0")),
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=int(env.get("RENOVATION_SESSION_HOURS", "8"))
        ),
        # Forms are small; uploads of later issues raise this per route.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the session lifetime bounds the token instead
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ["zh_CN", "en"],
        "PROJECTS_PER_PAGE": 50,
        # The project list counts its matches this far, then says "more than" (a page past the
        # first 500 is reached from the one before it; see renovation/domain/project_list.py).
        "PROJECTS_COUNT_LIMIT": 500,
        "DEMANDS_PER_PAGE": 50,
        "PHOTO_MAX_BYTES": int(env.get("RENOVATION_PHOTO_MAX_MB", "25")) * 1024 * 1024,
        "PHOTO_MAX_PIXELS": int(env.get("RENOVATION_PHOTO_MAX_MEGAPIXELS", "50")) * 1_000_000,
        "PHOTO_MAX_FILES_PER_UPLOAD": 20,
        # The most one upload request (several photos or files) may send; refused from its
        # declared length, before it is read. Keep nginx's client_max_body_size in step.
        "UPLOAD_MAX_BYTES": int(env.get("RENOVATION_UPLOAD_MAX_MB", "50")) * 1024 * 1024,
        # Days an open resident demand may wait before it counts as overdue.
        "DEMAND_OVERDUE_DAYS": int(env.get("RENOVATION_DEMAND_OVERDUE_DAYS", "15")),
        # The departments a difficult problem may concern (empty: the leading group's member
        # departments and the utilities, renovation/domain/problems/flow.py); comma-separated.
        "PROBLEM_DEPARTMENTS": [name.strip() for name in env.get("RENOVATION_PROBLEM_DEPARTMENTS", "").split(",")
                                if name.strip()],
        "PROBLEMS_PER_PAGE": 50,
        # 道路硬化 may not start while 雨污分流 has no hidden-works (隐蔽工程) photo (renovation/domain/stages/
        # rules.py: EVIDENCE_RULES); someone allowed may override it with a reason. 0/false/off: not checked.
        "HIDDEN_WORKS_RULE": env.get("RENOVATION_HIDDEN_WORKS_RULE", "1").strip().lower() not in ("0", "false", "no",
                                                                                                "off"),
        "PHOTO_STORAGE_PATH": env.get("RENOVATION_PHOTO_PATH") or str(instance_path / "photos"),
        "API_MAX_PER_PAGE": 200,
        # Background jobs: empty → SQLite queue in the instance folder; redis://… → Redis;
        # "immediate" → run in the caller (see renovation/tasks.py).
        "QUEUE_URL": env.get("RENOVATION_QUEUE_URL", ""),
        "BULLETIN_RENDER_TIMEOUT": timedelta(minutes=int(env.get("RENOVATION_BULLETIN_RENDER_TIMEOUT_MINUTES", "10"))),
        # Ledger import (.xlsx): bounds checked before the workbook is parsed, so a hostile file is
        # refused with a message instead of exhausting a worker; a 20,000-row ledger is well inside.
        "LEDGER_MAX_BYTES": int(env.get("RENOVATION_LEDGER_MAX_MB", "20")) * 1024 * 1024,
        "LEDGER_MAX_UNCOMPRESSED_BYTES": int(env.get("RENOVATION_LEDGER_MAX_UNCOMPRESSED_MB", "256")) * 1024 * 1024,
        "LEDGER_MAX_ZIP_RATIO": int(env.get("RENOVATION_LEDGER_MAX_ZIP_RATIO", "100")),
        "LEDGER_MAX_ROWS": int(env.get("RENOVATION_LEDGER_MAX_ROWS", "50000")),
        "LEDGER_MAX_MERGED_RANGES": int(env.get("RENOVATION_LEDGER_MAX_MERGED_RANGES", "10000")),
        "LEDGER_MAX_MERGED_CELLS": int(env.get("RENOVATION_LEDGER_MAX_MERGED_CELLS", "500000")),
        "LEDGER_PREVIEW_SECONDS": int(env.get("RENOVATION_LEDGER_PREVIEW_SECONDS", "300")),
        # Ledgers with more rows than this are previewed by the background worker, with a progress bar.
        "LEDGER_BACKGROUND_ROWS": int(env.get("RENOVATION_LEDGER_BACKGROUND_ROWS", "2000")),
        # A render renews its lease every third of this; one not renewed for this long is claimed
        # again by the running worker (its worker died: see renovation/domain/bulletins/render_lease.py).
        "BULLETIN_RENDER_LEASE": timedelta(seconds=int(env.get("RENOVATION_BULLETIN_RENDER_LEASE_SECONDS", "60"))),
        # The 抄送 line a new bulletin starts with (empty: the city's offices and every street and town).
        "BULLETIN_COPY_TO": env.get("RENOVATION_BULLETIN_COPY_TO", ""),
        # The bulletins' fonts (renovation/domain/bulletins/fonts.py): family names, first choice first.
        **{f"BULLETIN_FONT_{role}": env.get(f"RENOVATION_BULLETIN_FONT_{role}", "")
           for role in ("BODY", "HEADING", "SUBHEADING", "TITLE")},
        # The steps between a bulletin's draft and its issue (renovation/domain/bulletins/workflow.py).
        "BULLETIN_STEPS": env.get("RENOVATION_BULLETIN_STEPS", "check,sign"),
        # The kinds of bulletin that print their signer as 签发人 beside the 发文字号 (city, street, project).
        "BULLETIN_PRINT_SIGNER": env.get("RENOVATION_BULLETIN_PRINT_SIGNER", "city"),
        # The city bulletins' 发文字号 ({year} and {number} filled in; empty: none is printed).
        "BULLETIN_CITY_DOCUMENT_NUMBER": env.get("RENOVATION_BULLETIN_CITY_DOCUMENT_NUMBER",
                                                 "漳住建〔{year}〕{number}号"),
        # Login throttle (renovation/domain/login_throttle.py): free attempts per (username,
        # client address) and per address, then a refusal for a delay that doubles with every
        # further failure, up to the maximum; counters are forgotten after a quiet spell.
        "LOGIN_FREE_FAILURES": int(env.get("RENOVATION_LOGIN_FREE_FAILURES", "5")),
        "LOGIN_FREE_FAILURES_PER_ADDRESS": int(env.get("RENOVATION_LOGIN_FREE_FAILURES_PER_ADDRESS", "30")),
        "LOGIN_FIRST_DELAY_SECONDS": int(env.get("RENOVATION_LOGIN_FIRST_DELAY_SECONDS", "30")),
        "LOGIN_MAX_DELAY_SECONDS": int(env.get("RENOVATION_LOGIN_MAX_DELAY_SECONDS", "900")),
        "LOGIN_FORGET_MINUTES": 60,
        "PASSWORD_HASH_METHOD": env.get("RENOVATION_PASSWORD_HASH", "scrypt"),
        **notification_config(env),
    }


def notification_config(env) -> dict:
    """Notifications (renovation/domain/notifications/): the time-based scan, deliveries outside
    the app (SMTP for the daily digest; none configured, none sent) and the chat robots' hosts."""
    return {
        # The app's address as people open it, for the links in e-mails and robot messages (empty: none).
        "BASE_URL": env.get("RENOVATION_BASE_URL", "").rstrip("/"),
        "NOTIFY_SCAN_MINUTES": int(env.get("RENOVATION_NOTIFY_SCAN_MINUTES", "15")),
        "NOTIFY_PROBLEM_DUE_DAYS": int(env.get("RENOVATION_NOTIFY_PROBLEM_DUE_DAYS", "3")),
        "NOTIFY_STAGE_BEHIND_DAYS": int(env.get("RENOVATION_NOTIFY_STAGE_BEHIND_DAYS", "7")),
        "NOTIFY_DIGEST_HOUR": int(env.get("RENOVATION_NOTIFY_DIGEST_HOUR", "8")),
        "NOTIFY_MAX_ATTEMPTS": int(env.get("RENOVATION_NOTIFY_MAX_ATTEMPTS", "6")),
        "NOTIFY_RETRY_SECONDS": int(env.get("RENOVATION_NOTIFY_RETRY_SECONDS", "60")),
        "NOTIFY_TIMEOUT_SECONDS": int(env.get("RENOVATION_NOTIFY_TIMEOUT_SECONDS", "10")),
        "ROBOT_HOSTS": [host.strip().lower() for host in env.get(
            "RENOVATION_ROBOT_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com").split(",") if host.strip()],
        "SMTP_HOST": env.get("RENOVATION_SMTP_HOST", ""),
        "SMTP_PORT": int(env.get("RENOVATION_SMTP_PORT", "587")),
        "SMTP_USER": env.get("RENOVATION_SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("RENOVATION_SMTP_PASSWORD", ""),
        "SMTP_TLS": env.get("RENOVATION_SMTP_TLS", "starttls").lower(),  # starttls, ssl or none
        "SMTP_FROM": env.get("RENOVATION_SMTP_FROM", ""),
    }
