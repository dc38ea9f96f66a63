"""How a task process joins a Ray cluster that uses token authentication."""

from __future__ import annotations

import os

from tfgraph.distributed import runtime


def _mode_after(monkeypatch, tmp_path, **env):
    for key in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # (no ~/.ray/auth_token)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runtime._use_token_if_present()
    return os.environ.get("RAY_AUTH_MODE")


def test_a_token_file_selects_token_mode(monkeypatch, tmp_path):
    token = tmp_path / "token"
    token.write_text("x" * 64)
    assert _mode_after(monkeypatch, tmp_path, RAY_AUTH_TOKEN_PATH=str(token)) == "token"


def test_the_default_token_file_selects_token_mode(monkeypatch, tmp_path):
    (tmp_path / ".ray").mkdir()
    (tmp_path / ".ray" / "auth_token").write_text("x" * 64)
    assert _mode_after(monkeypatch, tmp_path) == "token"


def test_a_token_in_the_environment_selects_token_mode(monkeypatch, tmp_path):
    assert _mode_after(monkeypatch, tmp_path, RAY_AUTH_TOKEN="x" * 64) == "token"


def test_no_token_leaves_authentication_alone(monkeypatch, tmp_path):
    assert _mode_after(monkeypatch, tmp_path) is None


def test_a_chosen_mode_is_kept(monkeypatch, tmp_path):
    token = tmp_path / "token"
    token.write_text("x" * 64)
    mode = _mode_after(
        monkeypatch, tmp_path, RAY_AUTH_MODE="disabled", RAY_AUTH_TOKEN_PATH=str(token)
    )
    assert mode == "disabled"
