"""Settings come from the environment; production refuses to start without what it needs."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.templatetags.portal import markdown_filter

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.example.com",
    "SITE_URL": "https://portal.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ideaportal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION and not key.startswith("SECURE_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "REDIS_URL"])
def test_production_start_fails_naming_the_missing_variable(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    # Without REDIS_URL, the first Redis setting that falls back to it is named.
    named = "CACHE_REDIS_URL" if missing == "REDIS_URL" else missing
    assert f"Set the environment variable {named}" in result.stderr


@pytest.mark.parametrize(
    ("site_url", "refusal"),
    [
        ("portal.example.com", "http or https, and a host"),
        ("https://portal.example.com/ideas/", "names the site only"),
        ("https://other.example.com", "is not in ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_a_site_url_emails_cannot_use(site_url, refusal):
    """Issue 17: every link a worker writes into an email is built from SITE_URL, never from a request."""
    result = manage("check", env={**PRODUCTION, "SITE_URL": site_url})
    assert result.returncode != 0
    assert f"SITE_URL {site_url!r} cannot be the portal's address" in result.stderr and refusal in result.stderr


def test_a_site_url_with_a_port_and_a_trailing_slash_is_kept_without_the_slash():
    code = "from django.conf import settings; print(settings.SITE_URL)"
    env = {**PRODUCTION, "SITE_URL": "https://portal.example.com:8443/"}
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("https://portal.example.com:8443")


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_bad_boolean_is_named():
    result = manage("check", env={**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be 1 or 0" in result.stderr


def test_development_defaults_to_sqlite_and_inline_tasks():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "ideaportal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ], result.stderr


@pytest.mark.parametrize(
    "source,forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="#" onclick="steal()">x</a>', "onclick"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ('<p style="position:fixed">x</p>', "style="),
    ],
)
def test_markdown_is_sanitised(source, forbidden):
    assert forbidden not in markdown_filter(source)


def test_markdown_keeps_formatting_and_safe_links():
    html = markdown_filter("**bold** and [docs](https://example.com)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer ugc">docs</a>' in html
    assert "<li>one</li>" in html


# --- SECRET_KEY: a published one is refused in production ---------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "change-me-compose-only-insecure-default-secret-key-0123456789",  # the compose file's old default
        "django-insecure-development-only-key-never-use-in-production",  # the development default
        "django-insecure-q8v#z2!m4kd0x7c9w1r5t3y6u8i0o2p4a6s8d0f2g4h6j8k0l",  # startproject's prefix
        "short-secret",
        "a" * 60,
    ],
)
def test_production_refuses_a_known_or_weak_secret_key(key):
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY to a secret of your own" in result.stderr


def test_development_still_starts_with_the_development_key():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = manage("check", env={**env, "DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_the_compose_file_requires_a_secret_key():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "SECRET_KEY: ${SECRET_KEY:?" in compose
    assert "change-me-compose-only" not in compose


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_config_needs_the_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    run = {"cwd": ROOT, "capture_output": True, "text": True, "timeout": 60}
    missing = subprocess.run(["docker-compose", "config", "-q"], env=env, **run)
    assert missing.returncode != 0 and "SECRET_KEY" in missing.stderr
    given = subprocess.run(
        ["docker-compose", "config", "-q"], env={**env, "SECRET_KEY": secrets.token_urlsafe(50)}, **run
    )
    assert given.returncode == 0, given.stderr


# --- Headers ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_a_permissions_policy(client):
    response = client.get("/")
    policy = dict((directive.split(" ", 1) + [""])[:2] for directive in response["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


@pytest.mark.django_db
def test_the_admin_and_refusals_carry_them_too(client):
    for response in (client.get("/admin/", follow=True), client.get("/ideas/?q=%00")):
        assert "Content-Security-Policy" in response
        assert "Permissions-Policy" in response


def test_no_template_needs_an_inline_script_or_style():
    """The CSP allows neither: scripts and styles are static files (emails are not pages)."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "email" in path.parts:
            continue
        text = re.sub(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", path.read_text(), flags=re.DOTALL)
        inline_scripts = [
            tag for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag and "json" not in tag
        ]
        if inline_scripts or re.search(r"\sstyle=|<style\b|\son[a-z]+=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
