"""Trains the Rasa model only when its inputs changed (``make train``).

The fingerprint is a hash of every file the model is built from: the training data, the
configuration, and the code of the custom NLU components with every project module they import
(`bot.guide`'s reading of typed nouns shapes the features as much as `bot.nlu` does). The catalogue
itself is not among them: the entity linker and the intent model's masking of item names read the
live catalogue (files and staff edits) at parse time, so a name staff add works without a retrain;
the lookup generated from its files (`data/generated`) is an input.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

from bot.settings import PROJECT_ROOT
from bot.sources import files_and_imports, files_digest

MODELS_DIR = PROJECT_ROOT / "models"
MODEL_NAME = "gaoxiaoxin"
MODEL_PATH = MODELS_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODELS_DIR / f"{MODEL_NAME}.fingerprint"
TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")
INPUTS = ("config.yml", "domain.yml", *TRAINING_DATA, "data/generated", "bot/nlu")


def training_inputs() -> List[Path]:
    """Every file the model is built from (`INPUTS` and the project modules their code imports)."""
    return files_and_imports(INPUTS)


def fingerprint() -> str:
    """A hash of the names and contents of every training input (`training_inputs`)."""
    return files_digest(training_inputs())


def is_stale() -> bool:
    """Whether the model is missing or older than its inputs."""
    if not MODEL_PATH.exists() or not FINGERPRINT_PATH.exists():
        return True
    return FINGERPRINT_PATH.read_text().strip() != fingerprint()


def generate() -> None:
    """Regenerate what is generated from data (jieba dictionary, lookup table, synonyms)."""
    subprocess.run([sys.executable, "-m", "bot.generate"], cwd=PROJECT_ROOT, check=True)


def train_command(out: Path, *options: str) -> List[str]:
    """The ``rasa train`` command line (NLU and dialogue) writing the model into ``out``.

    Rasa's data validation is left out (``--skip-validation``, 15 s of a 130 s training here):
    ``make validate`` and ``tests/integration/test_data_validate.py`` run it, failing on warnings,
    which ``rasa train`` only prints. ``options`` are further ``rasa train`` flags.
    """
    return [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--skip-validation",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        *TRAINING_DATA,
        "--out",
        str(out),
        *options,
    ]


def ensure_model(force: bool = False) -> Path:
    """Generate data, then train unless an up-to-date model exists; return the model's path."""
    generate()
    if not force and not is_stale():
        print(f"模型已是最新，无需重新训练：{MODEL_PATH.relative_to(PROJECT_ROOT)}", flush=True)
        return MODEL_PATH
    current = fingerprint()
    MODELS_DIR.mkdir(exist_ok=True)
    command = train_command(MODELS_DIR, "--fixed-model-name", MODEL_NAME)
    subprocess.run(command, cwd=PROJECT_ROOT, check=True)
    FINGERPRINT_PATH.write_text(current + "\n")
    return MODEL_PATH


if __name__ == "__main__":
    ensure_model(force="--force" in sys.argv)
