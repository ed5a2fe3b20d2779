"""Production settings, tried the way a server starts them: in a fresh process with a realistic environment.

The tests that talk to PostgreSQL and Redis fail (never skip) when those are not reachable; the URLs
are those CI provides, overridable with SHANGJU_PRODUCTION_DATABASE_URL / SHANGJU_PRODUCTION_REDIS_URL.
"""

import gzip
import importlib.util
import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import dj_database_url
import psycopg
import pytest

# Every test here starts a fresh interpreter with the production settings.
pytestmark = pytest.mark.subprocess

REPO = Path(__file__).resolve().parents[2]
HOST = "shangju.example.cn"


def postgres_url():
    if url := os.environ.get("SHANGJU_PRODUCTION_DATABASE_URL"):
        return url
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return os.environ["DATABASE_URL"]
    return "postgres://postgres@127.0.0.1:5432/shangju"


REDIS_URL = os.environ.get("SHANGJU_PRODUCTION_REDIS_URL", "redis://127.0.0.1:6379/1")

# Whatever the developer's shell or CI has set must not leak into the "server" under test.
LEAKY = re.compile(r"^(AWS_|SECURE_|EMAIL_|DJANGO_|WAGTAIL)")
LEAKY_NAMES = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "SQLITE_PATH",
    "CACHE_KEY_PREFIX",
    "REDIS_TIMEOUT",
    "LOG_LEVEL",
}


def production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_NAMES and not LEAKY.match(k)}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),  # 67 characters
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=postgres_url(),
        REDIS_URL=REDIS_URL,
        PYTHONDONTWRITEBYTECODE="1",
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args, env, timeout=300):
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_python(code, env, setup=True):
    """Run code (after django.setup() unless told not to) under the given environment; it prints one JSON line."""
    script = "import django, json\n" + ("django.setup()\n" if setup else "") + textwrap.dedent(code)
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def require_postgres():
    """Make sure the production database named in the URL exists; fail clearly if the server is not there."""

    config = dj_database_url.parse(postgres_url())
    try:
        with psycopg.connect(
            host=config["HOST"],
            port=config["PORT"] or 5432,
            user=config["USER"],
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
            if not exists:
                try:
                    conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
                except psycopg.errors.DuplicateDatabase:
                    pass  # another run made it meanwhile
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL at {config['HOST']}:{config['PORT']} is not reachable: {error}")


# --- Starting up --------------------------------------------------------------------------------


def test_check_deploy_reports_nothing_with_a_realistic_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("secret_key", [None, "", "   "])
def test_refuses_to_start_without_a_secret_key(secret_key):
    result = run(["manage.py", "check"], production_env(SECRET_KEY=secret_key))

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_refuses_to_start_without_allowed_hosts():
    result = run(["manage.py", "check"], production_env(ALLOWED_HOSTS=None))

    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS is not set" in result.stderr


def test_settings_read_from_the_environment():
    settings = run_python(
        """
        from django.conf import settings
        from django.core.files.storage import storages
        print(json.dumps({
            "debug": settings.DEBUG,
            "allowed_hosts": settings.ALLOWED_HOSTS,
            "csrf_trusted_origins": settings.CSRF_TRUSTED_ORIGINS,
            "admin_base_url": settings.WAGTAILADMIN_BASE_URL,
            "static_backend": settings.STORAGES["staticfiles"]["BACKEND"],
            "static_class": type(storages["staticfiles"]).__module__ + "." + type(storages["staticfiles"]).__name__,
            "media_backend": settings.STORAGES["default"]["BACKEND"],
            "media_root": str(settings.MEDIA_ROOT),
            "tasks": settings.TASKS["default"]["BACKEND"],
            "middleware": settings.MIDDLEWARE[:2],
            "csp_middleware": "portal.security.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE,
            "hsts": [
                settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD,
            ],
            "cookies": [
                settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_PATH,
                settings.SESSION_COOKIE_DOMAIN, settings.CSRF_COOKIE_NAME, settings.CSRF_COOKIE_SECURE,
                settings.CSRF_COOKIE_PATH, settings.CSRF_COOKIE_DOMAIN,
            ],
            "script_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"],
            "frame_ancestors": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"],
            "login_form": settings.WAGTAILADMIN_USER_LOGIN_FORM,
            "from_email": [settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL],
        }))
        """,
        production_env(MEDIA_ROOT="/srv/shangju/media"),
    )

    assert settings["debug"] is False
    assert settings["allowed_hosts"] == [HOST]
    assert settings["csrf_trusted_origins"] == [f"https://{HOST}"]
    assert settings["admin_base_url"] == f"https://{HOST}"
    assert settings["static_backend"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert settings["static_class"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert settings["media_backend"] == "portal.uploads.SafeNameStorage"  # file names any disk accepts
    assert settings["media_root"] == "/srv/shangju/media"
    assert settings["tasks"] == "django_tasks_db.DatabaseBackend"
    assert settings["middleware"] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    # Security (tests/security/ checks the headers and cookies these produce).
    assert settings["csp_middleware"] is True
    assert settings["hsts"] == [31536000, True, True]
    assert settings["cookies"] == ["__Host-sessionid", True, "/", None, "__Host-csrftoken", True, "/", None]
    assert settings["script_src"] == ["'self'"]
    assert settings["frame_ancestors"] == ["'none'"]
    assert settings["login_form"] == "portal.security.ThrottledLoginForm"
    assert settings["from_email"] == [f"noreply@{HOST}", f"noreply@{HOST}"]  # the site's domain, not localhost


S3_ENV = {
    "AWS_STORAGE_BUCKET_NAME": "shangju-media",
    "AWS_S3_ENDPOINT_URL": "https://oss-cn-hangzhou.example.cn",
    "AWS_S3_REGION_NAME": "cn-hangzhou",
}


def test_media_goes_to_s3_compatible_storage_when_a_bucket_is_named():
    # Settings only (no app loading), so this holds whether or not boto3 is installed.
    storages = run_python(
        """
        from django.conf import settings
        print(json.dumps(settings.STORAGES, default=str))
        """,
        production_env(**S3_ENV),
        setup=False,
    )

    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storages["default"]["OPTIONS"]
    assert options["bucket_name"] == "shangju-media"
    assert options["endpoint_url"] == "https://oss-cn-hangzhou.example.cn"
    assert options["region_name"] == "cn-hangzhou"
    assert options["file_overwrite"] is False
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_site_starts_with_s3_media_storage():
    # Wagtail's image and document models open the default storage when they load, so this is
    # the difference between a site that starts and one that does not. No network is touched.
    storage = run_python(
        """
        from django.core.files.storage import default_storage, storages
        storage = storages["default"]
        print(json.dumps({
            "class": type(storage).__module__ + "." + type(storage).__name__,
            "bucket": storage.bucket_name,
            "default_storage": default_storage.bucket_name,
        }))
        """,
        production_env(**S3_ENV),
    )

    assert storage == {
        "class": "storages.backends.s3.S3Storage",
        "bucket": "shangju-media",
        "default_storage": "shangju-media",
    }


# --- Services -----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_uses_postgresql_from_database_url():
    require_postgres()
    expected = dj_database_url.parse(postgres_url())

    database = run_python(
        """
        from django.db import connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            name = cursor.fetchone()[0]
        print(json.dumps({"vendor": connection.vendor, "engine": connection.settings_dict["ENGINE"], "name": name}))
        """,
        production_env(),
    )

    assert database == {"vendor": "postgresql", "engine": "django.db.backends.postgresql", "name": expected["NAME"]}


def test_cache_is_redis_from_redis_url():
    key = f"settings-test-{secrets.token_hex(4)}"

    cache = run_python(
        f"""
        from django.core.cache import caches
        from django_redis import get_redis_connection
        cache = caches["default"]
        cache.set({key!r}, "商居联盟", 30)
        value = cache.get({key!r})
        raw_keys = [k.decode() for k in get_redis_connection("default").keys("*{key}")]
        cache.delete({key!r})
        from django.conf import settings
        counters = caches["counters"]
        counters.add({key!r} + "-count", 0, 30)
        counted = counters.incr({key!r} + "-count")
        counters.delete({key!r} + "-count")
        print(json.dumps({{
            "backend": type(cache).__module__ + "." + type(cache).__name__,
            "value": value,
            "raw_keys": raw_keys,
            "after_delete": cache.get({key!r}),
            "counters_strict": counters._strict,
            "default_strict": cache._strict,
            "counted": counted,
            "session_engine": settings.SESSION_ENGINE,
        }}))
        """,
        production_env(),
    )

    # django-redis behind our breaker (portal/sharedcache.py): a failing Redis never fails a page.
    assert cache["backend"] == "portal.sharedcache.SharedRedisCache"
    assert cache["value"] == "商居联盟"
    assert cache["raw_keys"] == [f"shangju:1:{key}"]  # really in Redis, under our prefix
    assert cache["after_delete"] is None
    assert cache["counters_strict"] is True and cache["default_strict"] is False and cache["counted"] == 1
    # Sessions in the database only: no stale copy in Redis can outlive a logout.
    assert cache["session_engine"] == "django.contrib.sessions.backends.db"


# --- Static files -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    result = run(["manage.py", "collectstatic", "--noinput"], production_env(STATIC_ROOT=str(static_root)))
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root


def test_collectstatic_writes_hashed_and_compressed_files(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]

    hashed = manifest["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    assert (collected / hashed).exists()
    assert gzip.decompress((collected / f"{hashed}.gz").read_bytes()) == (collected / hashed).read_bytes()
    assert any(name.startswith("wagtailadmin/") for name in manifest)  # the admin's own assets too
    if importlib.util.find_spec("brotli") or importlib.util.find_spec("brotlicffi"):
        assert (collected / f"{hashed}.br").exists()


def test_hashed_static_files_are_served_for_ever_through_the_wsgi_app(collected):
    hashed = json.loads((collected / "staticfiles.json").read_text())["paths"]["css/site.css"]

    responses = run_python(
        f"""
        from wsgiref.util import setup_testing_defaults
        from portal.wsgi import application

        def get(path, **headers):
            environ = {{"PATH_INFO": path, "HTTP_HOST": {HOST!r}, "HTTP_X_FORWARDED_PROTO": "https", **headers}}
            setup_testing_defaults(environ)
            seen = {{}}
            def start_response(status, response_headers, exc_info=None):
                seen["status"] = int(status.split()[0])
                seen["headers"] = dict(response_headers)
            body = b"".join(application(environ, start_response))
            return {{**seen, "length": len(body)}}

        print(json.dumps({{
            "hashed": get("/static/{hashed}"),
            "gzip": get("/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip"),
            "plain": get("/static/css/site.css"),
        }}))
        """,
        production_env(STATIC_ROOT=str(collected)),
    )

    hashed_response = responses["hashed"]
    assert hashed_response["status"] == 200
    assert hashed_response["headers"]["Cache-Control"] == "max-age=315360000, public, immutable"
    assert hashed_response["headers"]["Content-Type"].startswith("text/css")
    assert hashed_response["length"] == (collected / hashed).stat().st_size
    assert responses["gzip"]["headers"].get("Content-Encoding") == "gzip"
    # The unhashed name may change under the same URL, so it is cached briefly only.
    assert "immutable" not in responses["plain"]["headers"]["Cache-Control"]
