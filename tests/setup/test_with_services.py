"""tests/setup/with_services.sh, the wrapper `make test` runs the suite in: it fails with
the exact install command when Chromium or PostgreSQL are missing and cannot be installed,
and it starts a throwaway PostgreSQL cluster that is gone after the command, pass or fail."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess

import pytest

SCRIPT = pathlib.Path(__file__).with_name("with_services.sh")
BASIC = ["bash", "sh", "id", "ls", "sort", "tail", "dirname", "basename", "seq", "mktemp", "cat", "rm", "chown",
         "runuser", "sleep", "env"]


def _path_with(tmp_path: pathlib.Path, extra: dict[str, str] | None = None) -> str:
    """A PATH holding only basic tools (no apt-get, sudo, chromium, PostgreSQL), plus `extra` stubs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in BASIC:
        found = shutil.which(name)
        if found:
            (bin_dir / name).symlink_to(found)
    for name, body in (extra or {}).items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return str(bin_dir)


def _run(tmp_path, path, **env):
    base = {k: v for k, v in os.environ.items() if k != "TRAINLAB_TEST_POSTGRES_URL"}
    return subprocess.run([str(SCRIPT), "sh", "-c", 'echo "URL=$TRAINLAB_TEST_POSTGRES_URL"; exit 3'],
                          env={**base, "PATH": path, **env}, capture_output=True, text=True, timeout=120)


def test_missing_packages_that_cannot_be_installed_fail_with_the_command(tmp_path):
    proc = _run(tmp_path, _path_with(tmp_path), TRAINLAB_PG_BIN=str(tmp_path / "no-postgres"))
    assert proc.returncode == 1 and "URL=" not in proc.stdout  # the tests never ran
    assert "the tests need chromium postgresql, which are not installed" in proc.stderr
    assert "    sudo apt-get update && apt-get install -y chromium postgresql\n" in proc.stderr


def test_only_what_is_missing_is_named(tmp_path):
    proc = _run(tmp_path, _path_with(tmp_path), TRAINLAB_PG_BIN=str(tmp_path / "no-postgres"),
                TRAINLAB_TEST_POSTGRES_URL="postgresql://u:p@db/x")
    assert proc.returncode == 1
    assert "sudo apt-get update && apt-get install -y chromium\n" in proc.stderr


def _pg_bin() -> str | None:
    found = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return str(found[-1].parent) if found else (os.path.dirname(shutil.which("initdb") or "") or None)


def test_throwaway_cluster_is_started_and_removed_and_the_exit_code_kept(tmp_path):
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed: run the suite with `make test` (it installs it), or "
                    "apt-get install -y postgresql")
    proc = _run(tmp_path, _path_with(tmp_path, {"chromium": "exit 0"}), TRAINLAB_PG_BIN=bin_dir)
    assert proc.returncode == 3, proc.stderr  # the command's own exit code
    url = re.search(r"URL=(\S+)", proc.stdout).group(1)
    assert re.fullmatch(r"postgresql://trainlab:trainlab@127\.0\.0\.1:\d+/trainlab_test", url)
    folder = re.search(r"throwaway, in (\S+)\)", proc.stderr).group(1)
    assert not os.path.exists(folder)  # stopped and deleted although the command failed
