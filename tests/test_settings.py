"""Settings from the environment: production refuses to start half-configured, and
`check --deploy` is clean when it is configured.

Cross-cutting: cto/settings.py is read by the whole app, and these start it as production
would; it stays at the top of tests/, beside the module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-0123456789abcdef",
    "ALLOWED_HOSTS": "cto.example.com",
    "DATABASE_URL": "postgres://cto:secret@db.internal:5432/cto",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "REDIS_URL": "redis://redis.internal:6379/1",
}


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "REDIS_URL", "EMAIL_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production_mode() -> None:
    result = _manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    # One check is silenced on purpose: django-ratelimit's W001, which does not know Django's
    # own Redis cache backend (it increments atomically, all the limiter needs).
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert result.stderr == ""


def test_production_without_a_shared_cache_fails_the_check() -> None:
    """Rate limits must hold across processes: an in-process cache is refused."""
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = _manage(env, "check", "--deploy")
    assert result.returncode != 0
    assert "django_ratelimit.E003" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage(env, "check")
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_an_empty_database_url_means_the_default(tmp_path: Path) -> None:
    """A blank ``DATABASE_URL=`` line in .env: the embedded database, as when it is unset."""
    result = _manage(
        {"VAR_DIR": str(tmp_path), "DATABASE_URL": ""},
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "db.sqlite3")


def test_a_database_url_that_is_not_one_is_named(tmp_path: Path) -> None:
    result = _manage({"VAR_DIR": str(tmp_path), "DATABASE_URL": "localhost"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL is not a database URL" in result.stderr


def test_development_defaults_need_no_server(tmp_path: Path) -> None:
    result = _manage(
        {"VAR_DIR": str(tmp_path)},
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://localhost/",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_the_client_address_header_is_read_from_the_environment(tmp_path: Path) -> None:
    """RATELIMIT_IP_META_KEY names the header for allauth's limits too (its adapter)."""
    result = _manage(
        {"VAR_DIR": str(tmp_path), "RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP"},
        "shell",
        "-v",
        "0",
        "-c",
        "from allauth.account.adapter import get_adapter; from django.test import RequestFactory; "
        "r = RequestFactory().get('/', REMOTE_ADDR='127.0.0.1', HTTP_X_REAL_IP='203.0.113.5'); "
        "print(get_adapter().get_client_ip(r))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "203.0.113.5"


def test_a_client_address_header_in_the_wrong_spelling_is_named(tmp_path: Path) -> None:
    result = _manage({"VAR_DIR": str(tmp_path), "RATELIMIT_IP_META_KEY": "X-Real-IP"}, "check")
    assert result.returncode != 0
    assert "for that header write HTTP_X_REAL_IP" in result.stderr
