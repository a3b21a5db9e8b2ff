"""One candidate NLU pipeline's jobs for ``make eval``, each in a process of its own.

- ``python -m tests.eval.candidate score CONFIG MESSAGES.json OUT.json --model-out MODEL [--full]``
  trains the pipeline on ``data/nlu`` (with ``--full``, ``rasa train`` for NLU and dialogue, as
  ``make train`` does), keeps the model at ``MODEL``, parses every held-out message
  (``MESSAGES.json``: file name → texts, written by ``tests.eval.run`` so that every candidate
  scores exactly the same messages) in batches (`tests.eval.parsing`) and writes the predictions,
  the train time and the peak memory to ``OUT.json``.
- ``python -m tests.eval.candidate fold CONFIG I K OUT.json`` trains on every fold of the training
  data but the I-th (of K, stratified by intent, `folds`) and writes the intents predicted for it.
- ``python -m tests.eval.candidate latency MODEL MESSAGES.json OUT.json`` times loading the model
  and parsing a sample of the held-out messages one at a time, as the server does, and checks that
  the batched parses read the sample the same way. ``make eval`` runs it with nothing beside it.

A fresh process per job keeps memory figures and TensorFlow state apart.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

from rasa.core.agent import Agent  # noqa: E402
from rasa.model_training import train_nlu  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from rasa.utils.log_utils import configure_structlog  # noqa: E402

from bot import rasa_tuning  # noqa: E402
from bot.nlu import embeddings  # noqa: E402
from bot.settings import PROJECT_ROOT  # noqa: E402
from bot.training import train_command  # noqa: E402
from tests.eval import parsing  # noqa: E402
from tests.eval.data import TRAINING_DATA  # noqa: E402


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MB (Linux ``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def train(config: Path, data: Path, out: Path) -> Path:
    """Train an NLU model; return the path of the archive."""
    result = train_nlu(str(config), str(data), str(out), fixed_model_name="nlu")
    if not result:
        raise RuntimeError(f"training {config} produced no model")
    return Path(result)


def folds(data: TrainingData, k: int, seed: int = 42) -> List[tuple[TrainingData, List[Any]]]:
    """Stratified folds of the intent examples; regexes, lookups and synonyms stay in every fold."""
    by_intent: Dict[str, List[Any]] = defaultdict(list)
    for example in data.intent_examples:
        by_intent[example.get("intent")].append(example)
    assignment: Dict[int, List[Any]] = defaultdict(list)
    rng = random.Random(seed)
    for examples in by_intent.values():
        shuffled = list(examples)
        rng.shuffle(shuffled)
        for number, example in enumerate(shuffled):
            assignment[number % k].append(example)
    result = []
    for fold in range(k):
        train_examples = [e for f, ex in assignment.items() if f != fold for e in ex]
        subset = TrainingData(
            training_examples=train_examples,
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )
        result.append((subset, assignment[fold]))
    return result


def _prepare() -> None:
    """Set a job's process up: quiet logs, the project's folder, and the Rasa server's own setup
    (`bot.rasa_tuning.apply`: the sequential graph runner the served model parses with)."""
    configure_structlog(logging.WARNING)
    logging.disable(logging.WARNING)
    os.chdir(PROJECT_ROOT)
    rasa_tuning.apply()


def latency_sample(messages: Dict[str, List[str]], size: int = parsing.LATENCY_SAMPLE) -> List[str]:
    """``size`` held-out messages evenly spaced over all of them (every file, in file order), or all
    of them if there are fewer."""
    texts = [text for texts in messages.values() for text in texts]
    return [texts[i * len(texts) // size] for i in range(size)] if len(texts) > size else texts


def score(config: Path, messages_file: Path, model_out: Path, full: bool) -> Dict[str, Any]:
    """Train the candidate on ``data/nlu`` (with ``full``, ``rasa train`` for NLU and dialogue),
    keep the model at ``model_out`` for `latency`, and parse every held-out message in batches.

    Returns ``{"train_s", "full_training", "heldout": {file: [prediction, …]}, "peak_rss_mb"}``;
    the peak is that of this process or of the training's, whichever is higher.
    """
    report: Dict[str, Any] = {"config": str(config), "full_training": full}
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        model = (
            full_train(Path(folder)) if full else train(config, PROJECT_ROOT / TRAINING_DATA, Path(folder))
        )
        report["train_s"] = time.perf_counter() - start
        shutil.copyfile(model, model_out)
    agent = Agent.load(str(model_out))
    messages: Dict[str, List[str]] = json.loads(messages_file.read_text(encoding="utf-8"))
    report["heldout"] = {name: parsing.in_batches(agent, texts) for name, texts in messages.items()}
    report["peak_rss_mb"] = max(peak_rss_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return report


def latency(model: Path, messages_file: Path) -> Dict[str, Any]:
    """Load ``model`` in this fresh process (the imports done, the model's components set up from
    it) and parse the latency sample (`latency_sample`) one message at a time, as the server does;
    then the same sample in batches, with any kept sentence embedding forgotten first
    (`bot.nlu.embeddings.forget`), to check that the batched figures are the served model's.

    Returns ``{"load_s", "parse_p50_ms", "parse_p95_ms", "latency_sample", "batch_disagreements"}``:
    seconds, milliseconds, a count and the texts read differently.
    """
    start = time.perf_counter()
    agent = Agent.load(str(model))
    report: Dict[str, Any] = {"load_s": time.perf_counter() - start}
    sample = latency_sample(json.loads(messages_file.read_text(encoding="utf-8")))
    one_by_one, durations = parsing.one_at_a_time(agent, sample)
    ordered = sorted(durations)
    report["parse_p50_ms"] = statistics.median(ordered)
    report["parse_p95_ms"] = ordered[int(0.95 * (len(ordered) - 1))]
    report["latency_sample"] = len(sample)
    embeddings.forget()
    batched = parsing.in_batches(agent, sample)
    report["batch_disagreements"] = [
        text for text, alone, many in zip(sample, one_by_one, batched, strict=True) if alone != many
    ]
    return report


def full_train(out: Path) -> Path:
    """``make train``'s ``rasa train`` (NLU and dialogue) into ``out``; return the archive."""
    subprocess.run(train_command(out, "--quiet"), cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL)
    archives = sorted(out.glob("*.tar.gz"))
    if not archives:
        raise RuntimeError("rasa train produced no model")
    return archives[-1]


def score_fold(config: Path, number: int, k: int) -> List[Dict[str, Any]]:
    """Train on every fold of the training data but ``number`` (of ``k``, `folds`) and predict the
    intents of the examples of fold ``number``: ``[{"gold": intent, "intent": predicted}, …]``."""
    data = load_data(str(PROJECT_ROOT / TRAINING_DATA))
    subset, tested = folds(data, k)[number]
    with tempfile.TemporaryDirectory() as folder:
        fold_file = Path(folder) / "fold.yml"
        fold_file.write_text(subset.nlu_as_yaml(), encoding="utf-8")
        agent = Agent.load(str(train(config, fold_file, Path(folder))))
        predicted = parsing.in_batches(agent, [e.get("text") for e in tested])
    return [
        {"gold": example.get("intent"), "intent": p["intent"]}
        for example, p in zip(tested, predicted, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    jobs = parser.add_subparsers(dest="job", required=True)
    scoring = jobs.add_parser("score", help="train, keep the model and score the held-out messages")
    scoring.add_argument("config", type=Path)
    scoring.add_argument("messages", type=Path)
    scoring.add_argument("out", type=Path)
    scoring.add_argument("--model-out", type=Path, required=True)
    scoring.add_argument("--full", action="store_true", help="train NLU and dialogue with rasa train")
    fold = jobs.add_parser("fold", help="train on all folds but one and predict that one")
    fold.add_argument("config", type=Path)
    fold.add_argument("number", type=int)
    fold.add_argument("folds", type=int)
    fold.add_argument("out", type=Path)
    timing = jobs.add_parser("latency", help="time the load and parses one at a time")
    timing.add_argument("model", type=Path)
    timing.add_argument("messages", type=Path)
    timing.add_argument("out", type=Path)
    args = parser.parse_args()
    _prepare()
    result: Any
    if args.job == "score":
        result = score(args.config, args.messages, args.model_out, args.full)
    elif args.job == "fold":
        result = score_fold(args.config, args.number, args.folds)
    else:
        result = latency(args.model, args.messages)
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
