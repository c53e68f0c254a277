"""The CI skip guard (tests/conftest.py) fails a run in which any test was skipped.

A skipped test proves nothing, and in CI a skip means a missing service, tool or route. These tests
run pytest itself, on this project with its conftest, over one test that skips on demand, and read
the exit status: the guard is tested as CI meets it, not through its functions.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORCE = "IDEAPORTAL_FORCE_SKIP_FOR_THE_GUARD_TEST"


def test_a_test_that_skips_when_told_to():
    """The target of the runs below; in an ordinary run it passes."""
    if os.environ.get(FORCE):
        pytest.skip("forced by tests/test_ci_guard.py")


def run_pytest(**env_changes):
    env = {key: value for key, value in os.environ.items() if key not in ("CI", FORCE, "PYTEST_XDIST_WORKER")}
    env.update(env_changes)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            f"{Path(__file__).name}::test_a_test_that_skips_when_told_to",
            "-p",
            "no:xdist",
        ],
        cwd=ROOT / "tests",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_in_ci_a_skipped_test_fails_the_run():
    result = run_pytest(CI="true", **{FORCE: "1"})
    assert "1 skipped" in result.stdout, result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout + result.stderr
    assert "every test must run in CI" in result.stdout


def test_outside_ci_a_skip_is_reported_and_the_run_passes():
    result = run_pytest(**{FORCE: "1"})
    assert "1 skipped" in result.stdout, result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr


def test_in_ci_a_run_without_skips_passes():
    result = run_pytest(CI="true")
    assert "1 passed" in result.stdout, result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
