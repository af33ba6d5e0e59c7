"""Settings for the OCOP platform.

One module, driven by environment variables through the strict helpers in
`ocop.lib.env`. Straight after checkout it runs on SQLite under `data/` with no
variable set; a server sets `OCOP_PRODUCTION=true` and the variables listed in
the README (secret key file, allowed hosts, database URL).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from ocop.lib.env import ImproperEnv, envbool, envint, envlist, envstr, secret_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(envstr("OCOP_DATA_DIR", str(BASE_DIR / "data")))

PRODUCTION = envbool("OCOP_PRODUCTION", False)
DEBUG = envbool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperEnv("DEBUG=true is refused when OCOP_PRODUCTION=true")


def _local_secret_key() -> str:
    # Outside production a key is generated once and kept in the data folder,
    # so sessions survive restarts without anybody committing a key.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


_secret = secret_from_file("SECRET_KEY_FILE", None)
if _secret is None:
    if PRODUCTION:
        raise ImproperEnv("OCOP_PRODUCTION=true needs SECRET_KEY_FILE")
    _secret = _local_secret_key()
SECRET_KEY = _secret

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperEnv("OCOP_PRODUCTION=true needs ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    # Serves the API docs page with the Swagger UI files it ships (never from a CDN).
    "ninja",
    "ocop.geo",
    "ocop.accounts",
    "ocop.audit",
    "ocop.registry",
    "ocop.rules",
    "ocop.api",
    "ocop.certificates",
    "ocop.notifications",
    "ocop.evaluation",
    "ocop.councils",
    "ocop.traceability",
    "ocop.stamps",
    "ocop.scans",
    "ocop.imports",
    "ocop.search",
    "ocop.catalogue",
    "ocop.trade",
    "ocop.opendata",
    "ocop.stats",
    "ocop.demo",
    "ocop.front",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ocop.front.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ocop.accounts.middleware.SessionTimeoutMiddleware",
    "ocop.accounts.middleware.RequireSecondFactorMiddleware",
    "ocop.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ocop.urls"
WSGI_APPLICATION = "ocop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ocop.front.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ocop.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so two
        # writers queue on busy_timeout instead of failing with "database is
        # locked" halfway through; WAL lets readers go on while one writes.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # cache_size: each connection keeps up to 32 MB of pages (SQLite's default is 2 MB, less than a broad
        # search reads: "hop tac xa nong san" over 100,000 products took 27 ms instead of 29-31, "vai thieu"
        # 6.7 instead of 8.1, as bench/bench_search.py runs it). The scan page, which writes, was unchanged
        # (bench_scan.py --quick).
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
            f"PRAGMA cache_size=-{envint('SQLITE_CACHE_MB', 32) * 1024};"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No parallel workers for a query unless asked: the platform's statements read pages of 20 rows and
    # searches of a few thousand matches, for which starting workers costs more than it saves on a server
    # that answers other requests meanwhile. With them, PostgreSQL read a search narrowed to a province
    # through a parallel nested loop that computed every product's words (36.5 ms instead of 6.4).
    DATABASES["default"]["OPTIONS"] = {
        "options": f"-c max_parallel_workers_per_gather={envint('PG_PARALLEL_WORKERS_PER_GATHER', 0)}"
    }
# The generation number the scan pages' per-process caches are checked against (ocop/scans/pagecache.py): in a
# file next to the SQLite database (all its server processes are on its host), else in the default cache.
SCAN_GENERATION_FILE = envstr(
    "SCAN_GENERATION_FILE",
    f"{DATABASES['default']['NAME']}-scan-pages" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "",
)
# Web server processes (ocop/wsgi.py) leave SQLite's WAL checkpoints to a background thread that runs one this
# often, so that no request pays for one (ocop/lib/sqlite.py); 0 keeps SQLite's automatic checkpoints.
SQLITE_CHECKPOINT_INTERVAL = envint("SQLITE_CHECKPOINT_MS", 100) / 1000
if envstr("TEST_DATABASE_NAME", ""):
    # Lets two test runs share one PostgreSQL server without clashing.
    DATABASES["default"]["TEST"] = {"NAME": envstr("TEST_DATABASE_NAME", "")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "front:dashboard"
LOGOUT_REDIRECT_URL = "front:home"

# Login throttling (see ocop.accounts.throttle): failures counted per account
# and per IP in a sliding window; a cool-off, never a permanent lock-out.
LOGIN_WINDOW_SECONDS = envint("LOGIN_WINDOW_SECONDS", 15 * 60)
LOGIN_MAX_FAILURES_PER_ACCOUNT = envint("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
LOGIN_MAX_FAILURES_PER_IP = envint("LOGIN_MAX_FAILURES_PER_IP", 50)

# Sessions: idle and absolute timeouts, enforced by SessionTimeoutMiddleware.
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = envint("SESSION_ABSOLUTE_TIMEOUT", 10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = "OCOP"
# django-otp's own back-off doubles with every failure and never expires while
# failures continue (up to a hundred years): a permanent lock-out. Failed codes
# are throttled by ocop.accounts.throttle instead, with the same sliding window
# as passwords.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Demo only: enables `manage.py totp_code` so a presenter can log in as the
# demo officers. Never set on a real server.
DEMO_MODE = envbool("OCOP_DEMO", False)
# Demo only: moves the platform's clock (ocop.lib.clock) this many days, to show
# expiring and expired certificates and their reminders. Refused in production.
OCOP_CLOCK_OFFSET_DAYS = envint("OCOP_CLOCK_OFFSET_DAYS", 0)
if PRODUCTION and OCOP_CLOCK_OFFSET_DAYS:
    raise ImproperEnv("OCOP_CLOCK_OFFSET_DAYS is refused when OCOP_PRODUCTION=true")

# --- Security headers (production) ------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Each app keeps its translations in its own locale/ folder.
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files are never served from a public URL: every download goes
# through a view that checks the user's scope (evidence documents are private).
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/files/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_PHOTO_BYTES = envint("MAX_PHOTO_BYTES", 8 * 1024 * 1024)
MAX_EVIDENCE_BYTES = envint("MAX_EVIDENCE_BYTES", 20 * 1024 * 1024)
MAX_IMPORT_BYTES = envint("MAX_IMPORT_BYTES", 20 * 1024 * 1024)

# --- Background tasks ------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Cache ------------------------------------------------------------------------------
# Files under the data folder: shared by the web and worker processes without a
# server to run. Import progress lives here because on SQLite the import
# transaction holds the write lock, so progress written to the database inside
# it would stay invisible to the page that polls it.
CACHES = {
    "default": {
        "BACKEND": envstr("CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"),
        "LOCATION": envstr("CACHE_LOCATION", str(DATA_DIR / "cache")),
    }
}

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "ocop@localhost")
# The platform's public address (e.g. https://ocop.example.gov.vn), put before the
# links in e-mails sent by background tasks, which have no request to take it from.
SITE_URL = envstr("SITE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Days ahead at which an evidence document counts as expiring.
EVIDENCE_EXPIRY_WARNING_DAYS = envint("EVIDENCE_EXPIRY_WARNING_DAYS", 60)
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# --- Stamps (ocop.stamps) -----------------------------------------------------------------
# Stamps a lot may get above its quantity (misprints, damaged labels), in percent.
STAMP_SPARE_PERCENT = envint("STAMP_SPARE_PERCENT", 5)
# Stamps in one batch, whatever the lot quantity: bounds one background task.
STAMP_MAX_PER_BATCH = envint("STAMP_MAX_PER_BATCH", 2_000_000)
# Stamps in one PDF download: a million labels are printed in parts.
STAMP_PDF_MAX_PER_FILE = envint("STAMP_PDF_MAX_PER_FILE", 10_000)
# Error correction of the printed QR codes (L, M, Q or H); M survives a scratched label.
STAMP_QR_ERROR = envstr("STAMP_QR_ERROR", "M")
# Encrypts the provinces' private signing keys at rest (see ocop/stamps/keys.py);
# falls back to SECRET_KEY. Keep this file when rotating SECRET_KEY.
STAMP_KEY_SECRET = secret_from_file("STAMP_KEY_SECRET_FILE", None) or ""

# --- Scans of stamps (ocop.scans) -----------------------------------------------------------
# Failed look-ups (unknown or malformed codes: guessing) are counted per network — the address truncated to
# /24 (IPv4) or /48 (IPv6) — in a sliding window; over the limit the network gets 429 for failed look-ups
# only. Genuine scans are never limited: thousands of phones share one mobile carrier address.
SCAN_FAILURE_WINDOW_SECONDS = envint("SCAN_FAILURE_WINDOW_SECONDS", 10 * 60)
SCAN_FAILURE_LIMIT = envint("SCAN_FAILURE_LIMIT", 30)
SCAN_IPV4_PREFIX = envint("SCAN_IPV4_PREFIX", 24)
SCAN_IPV6_PREFIX = envint("SCAN_IPV6_PREFIX", 48)
# Consumers' reports of a suspected fake, per network.
SCAN_REPORT_WINDOW_SECONDS = envint("SCAN_REPORT_WINDOW_SECONDS", 60 * 60)
SCAN_REPORT_LIMIT = envint("SCAN_REPORT_LIMIT", 5)
# A reload of the same stamp's page by the same browser within this time is not a new scan.
SCAN_REPEAT_SECONDS = envint("SCAN_REPEAT_SECONDS", 30 * 60)
# How long after a scan the consumer may still tell its province.
SCAN_PLACE_SECONDS = envint("SCAN_PLACE_SECONDS", 60 * 60)
# A shared position farther than this from every reference point gives no province (abroad, at sea).
SCAN_PLACE_MAX_KM = envint("SCAN_PLACE_MAX_KM", 120)
# Clone detection (ocop.scans.rules): more scans, or scans on more distinct days, than one package plausibly
# gets; two located scans of one stamp whose provinces lie at least SCAN_TRAVEL_MIN_KM apart, reached faster
# than SCAN_TRAVEL_MAX_KMH (a flight with the trips to and from the airports).
SCAN_MAX_SCANS = envint("SCAN_MAX_SCANS", 50)
SCAN_MAX_DAYS = envint("SCAN_MAX_DAYS", 20)
SCAN_TRAVEL_MIN_KM = envint("SCAN_TRAVEL_MIN_KM", 150)
SCAN_TRAVEL_MAX_KMH = envint("SCAN_TRAVEL_MAX_KMH", 250)
