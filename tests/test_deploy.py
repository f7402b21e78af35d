import os
import secrets
import subprocess
import sys


def test_deploy_checks_pass_with_production_settings(tmp_path):
    """`samphan check --deploy` is clean when production sets its environment."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samphan.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SAMPHAN_HTTPS": "1",
        "ALLOWED_HOSTS": "crm.example.com",
        "DEBUG": "0",
        "SAMPHAN_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "-m", "samphan", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_bad_boolean_setting_fails_loudly(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samphan.settings", "DEBUG": "maybe",
           "SAMPHAN_VAR_DIR": str(tmp_path)}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "samphan", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
