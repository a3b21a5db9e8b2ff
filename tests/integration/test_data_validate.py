"""`rasa data validate` is part of the suite: errors in the training data or domain fail it."""

import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT


@pytest.mark.slow
def test_rasa_data_validate() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "data",
            "validate",
            "--domain",
            "domain.yml",
            "--data",
            "data/nlu",
            "data/rules",
            "data/stories",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
