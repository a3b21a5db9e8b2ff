"""One candidate NLU pipeline, trained, loaded and scored in its own process (for ``make eval``).

``python -m tests.eval.candidate CONFIG MESSAGES.json OUT.json [--cv K]`` trains the pipeline on
``data/nlu``, loads it, parses every held-out message (``MESSAGES.json``: file name → texts,
written by ``tests.eval.run`` so that every candidate scores exactly the same messages) and
writes the predictions, the timings and the process's peak memory to ``OUT.json``; with
``--cv K`` it also trains and scores K folds of the training data. A fresh process per
candidate keeps memory figures and TensorFlow state apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import random
import statistics
import tempfile
import time
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

from rasa.core.agent import Agent  # noqa: E402
from rasa.model_training import train_nlu  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from rasa.utils.log_utils import configure_structlog  # noqa: E402

from bot.settings import PROJECT_ROOT  # noqa: E402
from tests.eval.data import TRAINING_DATA  # noqa: E402
from tests.eval.metrics import prediction  # noqa: E402


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


def parse_all(agent: Agent, texts: Sequence[str]) -> tuple[List[Dict[str, Any]], List[float]]:
    """Parse each text; return the predictions and each parse's duration in ms."""

    async def run() -> tuple[List[Dict[str, Any]], List[float]]:
        predictions, durations = [], []
        for text in texts:
            start = time.perf_counter()
            parsed = await agent.parse_message(text)
            durations.append((time.perf_counter() - start) * 1000)
            predictions.append(prediction(parsed))
        return predictions, durations

    return asyncio.run(run())


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


def _quiet() -> None:
    configure_structlog(logging.WARNING)
    logging.disable(logging.WARNING)
    os.chdir(PROJECT_ROOT)


def _score_fold(config: Path, fold_file: Path, texts: List[str], out: Path) -> List[Any]:
    """Train on one fold's training part and return the intents predicted for its held-out part.

    Each fold trains with a Rasa training cache of its own: two folds training at once in one cache
    raced on its SQLite journal (``cache.db-journal`` vanished under the other process).
    """
    os.environ["RASA_CACHE_DIRECTORY"] = str(out.with_name(f"{out.name}-rasa-cache"))
    agent = Agent.load(str(train(config, fold_file, out)))
    predictions, _ = parse_all(agent, texts)
    return [p["intent"] for p in predictions]


def parallel_folds(
    data: TrainingData,
    k: int,
    job: Callable[..., List[str]],
    arguments: Callable[[int, TrainingData, List[Any]], tuple[Any, ...]],
    initializer: Optional[Callable[[], None]] = None,
) -> List[Dict[str, Any]]:
    """``k``-fold cross-validation with the folds in parallel, one spawned process per core.

    ``job(*arguments(number, training_part, tested_examples))`` runs in a worker and returns the
    intents predicted for the tested examples, in order. Returns ``[{"gold": intent, "intent":
    predicted}, …]``. Each fit is single-threaded, so two cores take about half the time.
    """
    jobs = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        min(k, os.cpu_count() or 1), mp_context=context, initializer=initializer
    ) as pool:
        for number, (subset, tested) in enumerate(folds(data, k)):
            jobs.append((tested, pool.submit(job, *arguments(number, subset, tested))))
        return [
            {"gold": example.get("intent"), "intent": intent}
            for tested, future in jobs
            for example, intent in zip(tested, future.result(), strict=True)
        ]


def cross_validate(config: Path, k: int, folder: Path) -> List[Dict[str, Any]]:
    """``k``-fold cross-validation of ``config`` (`parallel_folds`), after the candidate's own timings."""

    def arguments(number: int, subset: TrainingData, tested: List[Any]) -> tuple[Any, ...]:
        fold_file = folder / f"fold{number}.yml"
        fold_file.write_text(subset.nlu_as_yaml(), encoding="utf-8")
        return config, fold_file, [e.get("text") for e in tested], folder / f"fold{number}"

    data = load_data(str(PROJECT_ROOT / TRAINING_DATA))
    return parallel_folds(data, k, _score_fold, arguments, initializer=_quiet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("messages", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--cv", type=int, default=0)
    args = parser.parse_args()
    _quiet()
    report: Dict[str, Any] = {"config": str(args.config)}
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        model = train(args.config, PROJECT_ROOT / TRAINING_DATA, Path(folder))
        report["train_s"] = time.perf_counter() - start
        start = time.perf_counter()
        agent = Agent.load(str(model))
        report["load_s"] = time.perf_counter() - start
        report["heldout"] = {}
        all_durations: List[float] = []
        messages = json.loads(args.messages.read_text(encoding="utf-8"))
        for name, texts in messages.items():
            predictions, durations = parse_all(agent, texts)
            all_durations.extend(durations)
            report["heldout"][name] = predictions
        ordered = sorted(all_durations)
        report["parse_p50_ms"] = statistics.median(ordered)
        report["parse_p95_ms"] = ordered[int(0.95 * (len(ordered) - 1))]
        if args.cv:
            cv = cross_validate(args.config, args.cv, Path(folder))
            report["cv"] = cv
    report["peak_rss_mb"] = peak_rss_mb()
    args.out.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
