"""Settings read from the environment fail loudly, with one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxcenter.settings import ConfigError, env_bool, env_int, env_list, env_url, mailer_from_url

ROOT = Path(__file__).resolve().parents[2]


# --- The helpers -------------------------------------------------------------------


def test_config_error_is_a_system_exit_with_a_line_naming_the_variable() -> None:
    error = ConfigError("SOME_VAR", "is broken")
    assert isinstance(error, SystemExit)
    assert error.code == "cxcenter: environment variable SOME_VAR is broken"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("CX_FLAG", raw)
    assert env_bool("CX_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", [None, ""])
def test_env_bool_falls_back_to_the_default_when_unset_or_empty(
    monkeypatch: pytest.MonkeyPatch, raw: str | None
) -> None:
    if raw is None:
        monkeypatch.delenv("CX_FLAG", raising=False)
    else:
        monkeypatch.setenv("CX_FLAG", raw)
    assert env_bool("CX_FLAG", True) is True
    assert env_bool("CX_FLAG", False) is False


def test_env_bool_rejects_anything_else_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CX_FLAG", "maybe")
    with pytest.raises(ConfigError) as excinfo:
        env_bool("CX_FLAG", False)
    assert "CX_FLAG" in str(excinfo.value.code)
    assert "'maybe'" in str(excinfo.value.code)


def test_env_int_reads_a_whole_number_or_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CX_NUMBER", "42")
    assert env_int("CX_NUMBER", 7) == 42
    monkeypatch.setenv("CX_NUMBER", "")
    assert env_int("CX_NUMBER", 7) == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", "5m"])
def test_env_int_rejects_what_is_not_a_whole_number(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("CX_NUMBER", raw)
    with pytest.raises(ConfigError) as excinfo:
        env_int("CX_NUMBER", 7)
    assert str(excinfo.value.code).startswith("cxcenter: environment variable CX_NUMBER ")


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CX_HOSTS", " a.example , ,b.example,")
    assert env_list("CX_HOSTS", ["default"]) == ["a.example", "b.example"]
    monkeypatch.delenv("CX_HOSTS")
    assert env_list("CX_HOSTS", ["default"]) == ["default"]


def test_env_url_accepts_a_listed_scheme_and_its_driver_variant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CX_DB", "postgres+psycopg://u:p@db/cx")
    assert env_url("CX_DB", "sqlite:///x", {"sqlite", "postgres"}) == "postgres+psycopg://u:p@db/cx"
    monkeypatch.delenv("CX_DB")
    assert env_url("CX_DB", "sqlite:///x", {"sqlite", "postgres"}) == "sqlite:///x"


@pytest.mark.parametrize("raw", ["mysql://x", "not a url", "localhost:5432"])
def test_env_url_rejects_another_scheme_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("CX_DB", raw)
    with pytest.raises(ConfigError) as excinfo:
        env_url("CX_DB", "sqlite:///x", {"sqlite", "postgres"})
    assert "CX_DB" in str(excinfo.value.code)
    assert "postgres, sqlite" in str(excinfo.value.code)


def test_mailer_from_url_reads_an_smtp_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CX_MAIL", "smtp://mailer%40cx:p%40ss@mail.example:587?tls=1")
    assert mailer_from_url("CX_MAIL", "console://") == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "mail.example",
            "port": 587,
            "username": "mailer@cx",
            "password": "p@ss",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 10,
        },
    }


def test_mailer_from_url_defaults_smtp_to_port_25(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CX_MAIL", raising=False)
    config = mailer_from_url("CX_MAIL", "smtp://localhost")
    assert config["OPTIONS"]["port"] == 25
    assert config["OPTIONS"]["use_tls"] is False


@pytest.mark.parametrize(
    ("scheme", "backend"),
    [
        ("console://", "django.core.mail.backends.console.EmailBackend"),
        ("locmem://", "django.core.mail.backends.locmem.EmailBackend"),
    ],
)
def test_mailer_from_url_reads_the_local_backends(
    monkeypatch: pytest.MonkeyPatch, scheme: str, backend: str
) -> None:
    monkeypatch.setenv("CX_MAIL", scheme)
    assert mailer_from_url("CX_MAIL", "smtp://localhost") == {"BACKEND": backend}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("smtp://mail.example:twentyfive", "port that is not a number"),
        ("smtp://mail.example:465?tls=1&ssl=1", "both tls=1 and ssl=1"),
        ("sendmail://local", "must be a URL with one of the schemes"),
    ],
)
def test_mailer_from_url_rejects_bad_urls_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str, problem: str
) -> None:
    monkeypatch.setenv("CX_MAIL", raw)
    with pytest.raises(ConfigError) as excinfo:
        mailer_from_url("CX_MAIL", "console://")
    message = str(excinfo.value.code)
    assert message.startswith("cxcenter: environment variable CX_MAIL ")
    assert problem in message


# --- Start-up in a fresh process -------------------------------------------------------


def _clean_env(tmp_path: Path, **env: str) -> dict[str, str]:
    """The environment of a process that is not a test run, with ``env`` on top."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "CELERY_", "EMAIL_"))
        and key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SITE_URL", "REDIS_URL"}
    }
    clean["CXCENTER_VAR_DIR"] = str(tmp_path)
    clean.update(env)
    return clean


def _manage_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py check`` in a process that is not a test run, with a clean environment."""
    clean = _clean_env(tmp_path, **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_start_up_without_a_secret_key_and_without_debug_stops_with_one_line(
    tmp_path: Path,
) -> None:
    result = _manage_check(tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == ["cxcenter: environment variable SECRET_KEY is required when DEBUG is off"]


def test_start_up_with_a_secret_key_passes_the_checks(tmp_path: Path) -> None:
    # The control for the test above: the same process starts once the key is set.
    result = _manage_check(tmp_path, SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_start_up_with_debug_on_needs_no_secret_key(tmp_path: Path) -> None:
    result = _manage_check(tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("DEBUG", "perhaps"),
        ("AXES_FAILURE_LIMIT", "five"),
        ("EMAIL_URL", "smtp://mail.example:587?tls=1&ssl=1"),
    ],
)
def test_a_malformed_variable_stops_start_up_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    result = _manage_check(tmp_path, SECRET_KEY="x" * 50, **{name: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"cxcenter: environment variable {name} ")


def _session_engine(tmp_path: Path, **env: str) -> str:
    """The session engine a process that is not a test run ends up with."""
    clean = _clean_env(tmp_path, DJANGO_SETTINGS_MODULE="cxcenter.settings", **env)
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().rsplit(".", 1)[-1]


@pytest.mark.parametrize(
    ("env", "engine"),
    [
        ({"SECRET_KEY": "x" * 50, "REDIS_URL": "redis://127.0.0.1:6379/1"}, "cached_db"),
        # One cache per process: a signed-out session would live on in the other processes.
        ({"SECRET_KEY": "x" * 50}, "db"),
        ({"DEBUG": "1"}, "cached_db"),
    ],
)
def test_sessions_come_from_the_cache_only_when_it_is_shared_or_in_development(
    tmp_path: Path, env: dict[str, str], engine: str
) -> None:
    assert _session_engine(tmp_path, **env) == engine
