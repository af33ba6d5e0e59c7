"""Strict parsing of settings from environment variables.

A typo in a production setting must stop the process at start-up, not silently
fall back to a default: `DEBUG=flase` is an error, not "false".
"""

from __future__ import annotations

import os
from pathlib import Path


class ImproperEnv(ValueError):
    pass


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise ImproperEnv(f"{name} must be exactly 'true' or 'false', got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperEnv(f"{name} must be an integer, got {raw!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_from_file(name: str, fallback_path: Path | None) -> str | None:
    """Read a secret from the file named by `name`, or from `fallback_path`.

    Secrets live in files (mounted by the service manager) rather than in the
    environment, where they would leak into process listings and crash reports.
    """
    path = os.environ.get(name)
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperEnv(f"{name} points to an unreadable file: {path}") from exc
        if len(value) < 50:
            raise ImproperEnv(f"the secret in {path} is shorter than 50 characters")
        return value
    if fallback_path is not None:
        return fallback_path.read_text(encoding="utf-8").strip() if fallback_path.exists() else None
    return None
