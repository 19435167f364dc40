"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "DEBUG", "REDIS_URL"}}
    clean.update(VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", tmp_path=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_embedded_mode_generates_and_keeps_a_secret_key(tmp_path):
    assert manage("check", tmp_path=tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert manage("check", tmp_path=tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_a_malformed_value_fails_loudly(tmp_path):
    result = manage("check", tmp_path=tmp_path, PROXY_COUNT="two")
    assert result.returncode != 0
    assert "invalid literal" in result.stderr or "PROXY_COUNT" in result.stderr


def test_check_deploy_reports_only_the_documented_warnings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "ERROR",
        tmp_path=tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        SECRET_KEY="k" * 20 + "-production-like-secret-key-with-enough-entropy-7f3a9c",
        ALLOWED_HOSTS="zs.example.cn",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
    )
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    reported = sorted(set(__import__("re").findall(r"\((\w+\.[WE]\d+)\)", output)))
    assert reported == ["security.W005", "security.W021"], output
    documented = (ROOT / "docs" / "deploy.md").read_text()
    assert all(code in documented for code in reported)
