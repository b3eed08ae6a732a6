"""Shared test setup."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_user_data_folder(tmp_path_factory, monkeypatch):
    """Every test sees an empty user data folder of its own, never the real one."""
    monkeypatch.setenv("POLLS_DATA", str(tmp_path_factory.mktemp("polls-data")))
