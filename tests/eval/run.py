"""``make eval``: train and score the project's NLU pipeline beside its baselines, in one run.

Candidates, all trained on ``data/nlu`` and scored on the same held-out files:

- ``project`` — ``config.yml``, the pipeline 高小新 runs;
- ``project_embedding`` — the same with a sentence embedding (multilingual-e5-small) beside the
  n-grams (``dense_weight`` 1; `bot.nlu.embeddings`), a candidate not chosen;
- ``tfidf_lr`` — the ten-line baseline: scikit-learn character 1–3-gram TF-IDF (``char_wb``,
  sublinear) + ``LogisticRegression(C=10)``;
- ``rasa_logreg`` — Rasa's ``LogisticRegressionClassifier`` on word and character counts;
- ``diet_tiny``, ``diet_small``, ``rasa_default`` — DIET without a transformer, DIET 1×128
  (the previous pipeline) and Rasa's default pipeline (DIET 2×256, 100 epochs) with jieba.

For each: intent accuracy and macro-F1 per held-out file, 5-fold cross-validation (the
candidates that train in seconds), ``service`` linking, entity F1 per entity, out-of-scope
messages answered as a service or FAQ, the most confused pairs, train time, load time, parse
p50/p95 and peak memory; FAQ retrieval accuracy on held-out paraphrases; and task success on the
held-out conversations (``tests/conversations``) through the running stack. Prints the table,
writes ``docs/evaluation.md`` and ``results/eval.json``.

Accuracy counts ``nlu_fallback`` as right only for a message whose gold intent is
``out_of_scope`` (both answers tell the citizen what 高小新 can do instead).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from rasa import __version__ as rasa_version  # noqa: E402

from bot import training  # noqa: E402
from bot.settings import PROJECT_ROOT  # noqa: E402
from bot.sources import files_and_imports, files_digest  # noqa: E402
from tests.eval import parsing  # noqa: E402
from tests.eval.data import HELDOUT_FILES, TRAINING_DATA, Example, examples  # noqa: E402
from tests.eval.grouping import unanswered_grouping  # noqa: E402
from tests.eval.metrics import (  # noqa: E402
    OUT_OF_SCOPE_ANSWERS,
    accuracy,
    confused_pairs,
    entity_f1,
    faq_retrieval,
    linking,
    macro_f1,
    out_of_scope_answered,
)

CONFIGS = PROJECT_ROOT / "tests" / "eval" / "configs"
GENERATED_CONFIGS = PROJECT_ROOT / "results" / "eval-configs"


def embedding_config() -> Path:
    """config.yml with the sentence embedding beside the intent classifier's n-grams (``dense_weight`` 1).

    Written to ``results/eval-configs`` on each run, so it never drifts from config.yml: the
    project's pipeline with and without the embedding (`bot.nlu.embeddings`), side by side in one
    table.
    """
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if str(component["name"]).endswith("NgramIntentClassifier"):
            component["dense_weight"] = 1.0
    GENERATED_CONFIGS.mkdir(parents=True, exist_ok=True)
    path = GENERATED_CONFIGS / "project_embedding.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# name -> (config, or what writes it; folds of cross-validation, 0 for none)
CANDIDATES: Dict[str, tuple[Path | Callable[[], Path], int]] = {
    "project": (PROJECT_ROOT / "config.yml", 5),
    "project_embedding": (embedding_config, 0),
    "rasa_logreg": (CONFIGS / "rasa_logreg.yml", 5),
    "diet_tiny": (CONFIGS / "diet_tiny.yml", 0),
    "diet_small": (CONFIGS / "diet_small.yml", 0),
    "rasa_default": (CONFIGS / "rasa_default.yml", 0),
}
QUICK = ("project", "rasa_logreg")
"""``--quick``: the project and Rasa's LR beside the baseline (the sentence embedding alone takes as
long to embed every training and held-out message as the rest of a quick run)."""
FULL_TRAINING = "project"
"""The candidate trained as ``make train`` trains (NLU and dialogue, `bot.training.train_command`)."""
# seconds each candidate's own process took on this machine (2 cores, December 2026), to start the
# longest first; a cross-validation fold takes about a quarter of it
EXPECTED_S = {
    "project": 110.0,
    "project_embedding": 330.0,
    "rasa_logreg": 120.0,
    "diet_tiny": 300.0,
    "diet_small": 600.0,
    "rasa_default": 1200.0,
}
REPORT = PROJECT_ROOT / "docs" / "evaluation.md"
CACHE = PROJECT_ROOT / "results" / "eval-cache"
# what every candidate's figures depend on: the NLU training data, the catalogue, the FAQ and the
# evaluation's own code, with the project modules their code imports (and its config and the
# held-out files)
FINGERPRINTED = (
    "data/nlu",
    "data/services",
    "data/faq",
    "data/generated",
    "bot/nlu",
    "bot/catalogue",
    "tests/eval",
)
# and the project's too, since its row is a full training: make train's other inputs and the
# policies config.yml names
FULL_TRAINING_INPUTS = (*training.INPUTS, "bot/choice_policy.py")
RESULTS = PROJECT_ROOT / "results" / "eval.json"


@functools.lru_cache(maxsize=2)
def _inputs_digest(paths: tuple[str, ...] = FINGERPRINTED) -> str:
    """A digest of Rasa's version, every file under ``paths`` and every project module their code
    imports (`bot.sources.files_and_imports`: `bot.guide` shapes the features too), once a run."""
    files = files_digest(files_and_imports(paths))
    return hashlib.sha256((rasa_version + files).encode()).hexdigest()


def fingerprint(config: Path, held: Dict[str, List[Example]], full_training: bool = False) -> str:
    """What a candidate's figures depend on: its config, the training data, the catalogue, the
    held-out messages, the NLU code and Rasa's version; with ``full_training``, also everything
    ``make train`` reads (a hex digest)."""
    digest = hashlib.sha256(_inputs_digest().encode())
    if full_training:
        digest.update(_inputs_digest(FULL_TRAINING_INPUTS).encode())
    digest.update(config.read_bytes())
    digest.update(json.dumps({f: [e.text for e in items] for f, items in held.items()}).encode())
    return digest.hexdigest()[:16]


@dataclass
class Job:
    """One process of the run: a candidate trained and scored, or one fold of its cross-validation."""

    label: str
    command: List[str]
    out: Path
    expected_s: float
    """A rough duration on this machine, to start the longest jobs first."""
    alone: bool = False
    """Run with nothing beside it (TensorFlow's DIET uses every core)."""
    quiet: bool = False
    """A timing of the model another job trained: run with nothing beside it, after every other job."""
    wall_s: float = 0.0


@dataclass
class Candidate:
    """A candidate's jobs, or its report reused from ``results/eval-cache``."""

    name: str
    cached: Path
    main: Optional[Job] = None
    folds: List[Job] = field(default_factory=list)
    latency: Optional[Job] = None
    reused: Optional[Dict[str, Any]] = None
    model: Optional[Path] = None
    """The archive its main job trains (none for the baseline or a reused report)."""

    def jobs(self) -> List[Job]:
        """Every job of the candidate, none for a reused report."""
        return [job for job in (self.main, *self.folds, self.latency) if job is not None]

    def report(self) -> Dict[str, Any]:
        """The candidate's report: its main job's output, its latency job's timings and its folds'
        predictions as ``cv``, kept in the cache for later runs.

        Raises ``SystemExit`` (and caches nothing) if the batched parses of the latency sample
        differ from its parses one at a time: the figures would not be the served model's.
        """
        if self.reused is not None:
            return self.reused
        assert self.main is not None
        report: Dict[str, Any] = json.loads(self.main.out.read_text(encoding="utf-8"))
        if self.latency is not None:
            report.update(json.loads(self.latency.out.read_text(encoding="utf-8")))
        disagreements = report.get("batch_disagreements")
        if disagreements:
            raise SystemExit(
                f"{self.name}: parsing in batches read {len(disagreements)} messages differently from "
                f"parsing one at a time, e.g. {disagreements[0]!r}"
            )
        if self.folds:
            report["cv"] = [c for job in self.folds for c in json.loads(job.out.read_text(encoding="utf-8"))]
        report["wall_s"] = sum(job.wall_s for job in self.jobs())
        report["trained_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        CACHE.mkdir(parents=True, exist_ok=True)
        written = self.cached.with_suffix(".partial")
        written.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        os.replace(written, self.cached)
        return report


def plan(
    name: str, config: Path, cv: int, held: Dict[str, List[Example]], folder: Path, reuse: bool
) -> Candidate:
    """The jobs that train and score one candidate (``tests.eval.candidate``, or
    ``tests.eval.baseline`` for ``tfidf_lr``), or its cached report.

    A report is kept in ``results/eval-cache``; a later run reuses it (and says so in the table)
    while nothing it depends on changed (`fingerprint`), unless ``reuse`` is False.
    """
    cached = CACHE / f"{name}-{fingerprint(config, held, full_training=name == FULL_TRAINING)}.json"
    candidate = Candidate(name, cached)
    if reuse and cached.exists():
        report: Dict[str, Any] = json.loads(cached.read_text(encoding="utf-8"))
        report["reused"] = True
        print(f"  {name}: 输入未变，沿用 {report['trained_at']} 的结果", flush=True)
        candidate.reused = report
        return candidate
    messages = str(folder / "messages.json")
    out = folder / f"{name}.json"
    if name == "tfidf_lr":
        # fits in seconds: its cross-validation runs in the same process
        command = [sys.executable, "-m", "tests.eval.baseline", messages, str(out), "--folds", str(cv)]
        candidate.main = Job(name, command, out, 90.0)
        return candidate
    command = [sys.executable, "-m", "tests.eval.candidate"]
    model = folder / f"{name}.tar.gz"
    candidate.model = model
    expected = EXPECTED_S.get(name, 600.0)
    alone = "DIETClassifier" in config.read_text(encoding="utf-8")
    main = ["score", str(config), messages, str(out), "--model-out", str(model)]
    candidate.main = Job(
        name, command + main + (["--full"] if name == FULL_TRAINING else []), out, expected, alone
    )
    timed = folder / f"{name}-latency.json"
    candidate.latency = Job(
        f"{name} latency", command + ["latency", str(model), messages, str(timed)], timed, 0.0, quiet=True
    )
    fold_command = command + ["fold", str(config)]
    for number in range(cv):
        fold_out = folder / f"{name}-fold{number}.json"
        candidate.folds.append(
            Job(
                f"{name} fold {number + 1}/{cv}",
                fold_command + [str(number), str(cv), str(fold_out)],
                fold_out,
                candidate.main.expected_s / 4,
                candidate.main.alone,
            )
        )
    return candidate


def serve(project: Candidate, inputs_at_start: str) -> None:
    """Make the project's model the one the stack serves (``models/gaoxiaoxin.tar.gz``, as
    `bot.training.ensure_model` keeps it) when that one is missing or older than its inputs.

    The project's job trains exactly as ``make train`` does (`bot.training.train_command`), so a run
    trains that model once, not once for the table and again for the conversations. The fingerprint
    written is that of the inputs when the run started (``inputs_at_start``): an input edited during
    the run leaves the model stale for the next ``make train``. A reused report trained nothing; the
    model is then trained if it is stale.
    """
    if not training.is_stale():
        return
    if project.model is None or not project.model.exists():
        training.ensure_model()
        return
    training.MODELS_DIR.mkdir(exist_ok=True)
    kept = training.MODEL_PATH.with_suffix(".partial")
    shutil.copyfile(project.model, kept)
    os.replace(kept, training.MODEL_PATH)
    training.FINGERPRINT_PATH.write_text(inputs_at_start + "\n")
    print(f"  服务模型已更新：{training.MODEL_PATH}", flush=True)


def faq_figures(
    held: Dict[str, List[Example]], predictions: Dict[str, List[Dict[str, Any]]]
) -> Dict[str, Dict[str, Any]]:
    """FAQ retrieval on each file's held-out paraphrases, from the project's predictions
    (`tests.eval.metrics.faq_retrieval`)."""
    return {f: faq_retrieval(items, predictions[f]) for f, items in held.items()}


def run_job(job: Job, folder: Path) -> None:
    """Run one job's process with a Rasa training cache of its own, empty.

    Otherwise a component trained by an earlier run or by `make train` is restored from the cache
    and the train time is not a training's; and two jobs training at once in one cache raced on its
    SQLite journal (``cache.db-journal`` vanished under the other process).
    """
    cache = folder / ("rasa-cache-" + job.out.stem)
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache)}
    start = time.perf_counter()
    try:
        subprocess.run(job.command, cwd=PROJECT_ROOT, check=True, env=env)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    job.wall_s = time.perf_counter() - start
    print(f"  {job.label}: {job.wall_s:.0f} s", flush=True)


def run_jobs(jobs: Sequence[Job], folder: Path, workers: int) -> None:
    """Every job, longest expected first, ``workers`` processes at a time; then those that run
    alone, one by one; then the timings (`Job.quiet`), one by one. A failed job fails the run."""
    shared = sorted((j for j in jobs if not (j.alone or j.quiet)), key=lambda j: -j.expected_s)
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(run_job, job, folder) for job in shared]
        try:
            for future in futures:
                future.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # the jobs running finish; no new one starts
            raise
    for job in sorted((j for j in jobs if j.alone or j.quiet), key=lambda j: j.quiet):
        run_job(job, folder)


def score(name: str, report: Dict[str, Any], held: Dict[str, List[Example]]) -> Dict[str, Any]:
    """Every figure of one candidate."""
    row: Dict[str, Any] = {"name": name, "files": {}}
    for file, items in held.items():
        predictions = report["heldout"].get(file)
        if predictions is None:
            continue
        gold = [e.intent for e in items]
        guessed = [p["intent"] for p in predictions]
        row["files"][file] = {
            "n": len(items),
            "accuracy": accuracy(gold, guessed),
            "macro_f1": macro_f1(gold, guessed),
            "linking": linking(items, predictions),
            "entity_f1": entity_f1(items, predictions),
            "out_of_scope_answered": out_of_scope_answered(items, predictions),
            "confused": confused_pairs(gold, guessed),
        }
    if report.get("cv"):
        row["cv_accuracy"] = accuracy([c["gold"] for c in report["cv"]], [c["intent"] for c in report["cv"]])
    for key in (
        "train_s",
        "full_training",
        "load_s",
        "parse_p50_ms",
        "parse_p95_ms",
        "peak_rss_mb",
        "trained_at",
        "reused",
    ):
        row[key] = report.get(key)
    return row


def fmt(value: Optional[float], pattern: str = "{:.3f}") -> str:
    return "—" if value is None else pattern.format(value)


def _pooled(row: Dict[str, Any], files: Sequence[str]) -> tuple[int, int]:
    """Held-out messages a candidate read right, and all of them, over ``files``."""
    figures = [row["files"][f] for f in files if f in row["files"]]
    return round(sum(f["accuracy"] * f["n"] for f in figures)), sum(f["n"] for f in figures)


def table(rows: Sequence[Dict[str, Any]], files: Sequence[str]) -> str:
    """The comparison as Markdown: a summary row per candidate, then a row per held-out file with
    each candidate's intent accuracy and macro-F1, its ``service`` linking and the out-of-scope
    messages it answered as a service, a booking or an FAQ (the best accuracy of a file in bold)."""
    names = [row["name"] + (" (reused)" if row.get("reused") else "") for row in rows]
    summary = [
        "| candidate | messages right | files ≥ 0.97 | 5-fold CV acc | OOS answered | train s | load s "
        "| parse p50/p95 ms | peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in zip(names, rows, strict=True):
        right, total = _pooled(row, files)
        figures = [row["files"][f] for f in files if f in row["files"]]
        oos = [f["out_of_scope_answered"] for f in figures]
        cells = [
            name,
            f"{right:,}/{total:,} ({right / total:.3f})" if total else "—",
            f"{sum(f['accuracy'] >= 0.97 for f in figures)}/{len(figures)}",
            fmt(row.get("cv_accuracy")),
            f"{sum(o['answered'] for o in oos)}/{sum(o['n'] for o in oos)}",
            fmt(row.get("train_s"), "{:.0f}") + (" (full training)" if row.get("full_training") else ""),
            fmt(row.get("load_s"), "{:.1f}"),
            "—"
            if row.get("parse_p50_ms") is None
            else f"{row['parse_p50_ms']:.1f}/{row['parse_p95_ms']:.1f}",
            fmt(row.get("peak_rss_mb"), "{:.0f}"),
        ]
        summary.append("| " + " | ".join(cells) + " |")
    per_file = [
        "| held-out file | messages | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for file in files:
        found = [row["files"].get(file) for row in rows]
        best = max((f["accuracy"] for f in found if f), default=None)
        cells = [f"`{Path(file).stem}`", str(next((f["n"] for f in found if f), 0))]
        for figures in found:
            if figures is None:
                cells.append("—")
                continue
            accuracy_cell = fmt(figures["accuracy"])
            if figures["accuracy"] == best:
                accuracy_cell = f"**{accuracy_cell}**"
            link = figures["linking"]["accuracy"]
            oos = figures["out_of_scope_answered"]
            cells.append(
                f"{accuracy_cell} ({fmt(figures['macro_f1'])})"
                + ("" if link is None else f" · {link:.3f}")
                + (f" · OOS {oos['answered']}/{oos['n']}" if oos["answered"] else "")
            )
        per_file.append("| " + " | ".join(cells) + " |")
    return (
        "\n".join(summary)
        + '\n\n"files ≥ 0.97": held-out files whose intent accuracy reaches the bar the suite holds the '
        "chosen pipeline to. Per held-out file: intent accuracy (macro-F1) · `service` linking, and the "
        "out-of-scope messages answered as a service, a booking or an FAQ where there were any.\n\n"
        + "\n".join(per_file)
    )


def details(rows: Sequence[Dict[str, Any]], files: Sequence[str]) -> str:
    """Entity F1 and the most confused pairs of each candidate."""
    parts = []
    for row in rows:
        for file in files:
            figures = row["files"].get(file)
            if not figures:
                continue
            entities = ", ".join(f"{k} {v:.3f}" for k, v in sorted(figures["entity_f1"].items())) or "—"
            confused = "; ".join(f"{g} → {p} ×{n}" for (g, p), n in figures["confused"]) or "—"
            link = figures["linking"]
            parts.append(
                f"- **{row['name']}**, `{file}` ({figures['n']} messages): entity F1 {entities}; "
                f"items invented on {link['invented']}/{link['plain']} messages naming none; "
                f"most confused: {confused}"
            )
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="only the project, Rasa's LR and the baseline")
    parser.add_argument("--no-conversations", action="store_true", help="skip the held-out conversations")
    parser.add_argument(
        "--retrain", action="store_true", help="train every candidate again even if its inputs are unchanged"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    training.generate()  # the jieba dictionary and lookups every candidate trains with
    inputs_at_start = training.fingerprint()
    held = {f: examples(PROJECT_ROOT / f) for f in HELDOUT_FILES if (PROJECT_ROOT / f).exists()}
    print("评测开始：" + "、".join(f"{Path(f).name} {len(v)} 条" for f, v in held.items()), flush=True)
    phases: Dict[str, float] = {}
    mark = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[phase] = now - mark
        mark = now
        print(f"  [{phase}: {phases[phase]:.0f} s]", flush=True)

    workers = max(1, len(os.sched_getaffinity(0)))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "messages.json").write_text(
            json.dumps({f: [e.text for e in items] for f, items in held.items()}, ensure_ascii=False),
            encoding="utf-8",
        )
        candidates = [
            plan(
                "tfidf_lr", PROJECT_ROOT / "tests" / "eval" / "baseline.py", 5, held, folder, not args.retrain
            )
        ]
        for name, (config, cv) in CANDIDATES.items():
            if args.quick and name not in QUICK:
                continue
            path = config() if callable(config) else config
            candidates.append(plan(name, path, cv, held, folder, not args.retrain))
        jobs = [job for c in candidates for job in c.jobs()]
        print(f"  {len(jobs)} 个训练与评分进程，{workers} 个同时运行", flush=True)
        run_jobs(jobs, folder, workers)
        reports = {c.name: c.report() for c in candidates}
        serve(next(c for c in candidates if c.name == FULL_TRAINING), inputs_at_start)
    lap(f"candidates, {workers} processes at a time")
    rows = [score(name, report, held) for name, report in reports.items()]
    files = list(held)
    extra: Dict[str, Any] = {"full_training_s": reports["project"]["train_s"], "workers": workers}
    predictions = reports["project"]["heldout"]
    if args.no_conversations:
        extra["faq"] = faq_figures(held, predictions)
        extra["grouping"] = unanswered_grouping(held)
        lap("faq and grouping")
    else:
        from tests.utils.conversations import run_all

        # the FAQ figures and the grouping (single-threaded, no timings of their own) run in a process
        # of their own while the conversations, which mostly wait on the stack, are played
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            faq = pool.submit(faq_figures, held, predictions)
            grouping = pool.submit(unanswered_grouping, held)
            extra["conversations"] = run_all()
            lap("conversations")
            extra["faq"] = faq.result()
            extra["grouping"] = grouping.result()
            lap("faq and grouping, after the conversations")
    elapsed = time.perf_counter() - started
    extra["phases"] = phases
    skipped = [name for name in CANDIDATES if name not in reports]
    if skipped:
        extra["skipped"] = skipped
    text = render(rows, files, extra, elapsed)
    print(text)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps({"rows": rows, **extra}, ensure_ascii=False, default=str, indent=1), encoding="utf-8"
    )


def _phases_line(extra: Dict[str, Any]) -> str:
    """Where the run's time went: each phase's wall-clock seconds."""
    return ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in extra.get("phases", {}).items())


def _timing_line(extra: Dict[str, Any]) -> str:
    """How the timings were taken."""
    return (
        "Each candidate's training and each cross-validation fold is a process of its own; "
        f"{extra['workers']} ran at a time, one per core (DIET's, which use every core, alone). The other "
        "candidates train on one thread, so a train time is that of a process with a core to itself while "
        "the other core is busy; the project's is a whole `rasa train` (NLU and dialogue, as `make train` "
        "runs it), the others' the NLU pipeline's training alone. Load time and parse p50/p95 were taken "
        "afterwards with nothing else running: a fresh process loading the trained model (imports done), "
        f"then parsing {parsing.LATENCY_SAMPLE} held-out messages evenly spaced over every file one at a "
        "time, with the Rasa server's graph runner (`bot.rasa_tuning`), as the server parses them. The "
        "accuracy figures come from the same model parsing every held-out message "
        f"{parsing.BATCH} at a time (every run checks that this reads the sample as the parses one at a "
        "time do). Peak memory: the training's process or the scoring's, whichever is higher."
    )


def _skipped_line(extra: Dict[str, Any], rows: Sequence[Dict[str, Any]]) -> str:
    lines = []
    skipped = extra.get("skipped")
    if skipped:
        lines.append(f"Quick run (`--quick`): {', '.join(skipped)} not trained this time.")
    reused = [f"{r['name']} (trained {r['trained_at']})" for r in rows if r.get("reused")]
    if reused:
        lines.append(
            "Reused, since their config, the training data, the catalogue, the held-out files and the NLU "
            f"code are unchanged (`make eval EVAL_ARGS=--retrain` trains them again): {', '.join(reused)}."
        )
    return "\n".join(lines) + "\n" if lines else ""


def render(
    rows: Sequence[Dict[str, Any]], files: Sequence[str], extra: Dict[str, Any], elapsed: float
) -> str:
    """The whole report as Markdown."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    faq_lines = []
    for file, figures in extra["faq"].items():
        if figures["n"]:
            faq_lines.append(
                f"- `{file}`: {figures['right']}/{figures['n']} FAQ paraphrases answered with the right "
                f"entry ({figures['accuracy']:.3f}), {figures['wrong']} with a wrong one, "
                f"{figures['choices']} offered choices; out-of-scope messages answered with an FAQ entry: "
                f"{figures['oos_answered']}/{figures['oos']}"
            )
    grouping = extra.get("grouping")
    grouping_line = (
        f"{grouping['questions']} held-out FAQ paraphrases ({grouping['topics']} topics) recorded as "
        f"unanswered: {grouping['rows']} rows with resemblance (purity {grouping['purity']:.3f}), "
        f"{grouping['exact_rows']} by exact wording (purity {grouping['exact_purity']:.3f})"
        if grouping
        else "not run"
    )
    conversation = extra.get("conversations")
    conversation_line = (
        f"{conversation['succeeded']}/{conversation['total']} conversations succeed "
        f"({conversation['rate']:.3f}); turns {conversation['turns_ok']}/{conversation['turns']}; by file: "
        + ", ".join(f"{name} {ok}/{n}" for name, (ok, n) in conversation.get("by_file", {}).items())
        if conversation
        else "not run (`--no-conversations`)"
    )
    return f"""# NLU evaluation

Generated by `make eval` (`python -m tests.eval.run`) on {stamp}, {machine};
the run took {elapsed / 60:.1f} minutes ({_phases_line(extra)}).
Do not edit by hand: run `make eval` again.

{_skipped_line(extra, rows)}
Every candidate is trained on `{TRAINING_DATA}` and scored on the same held-out files, written by people
who never saw the training data. Accuracy counts `nlu_fallback` as right only where the gold intent is
`out_of_scope`; "OOS answered" counts out-of-scope messages given a {", ".join(sorted(OUT_OF_SCOPE_ANSWERS))}
intent (answered as a service item, a booking or an FAQ). 5-fold cross-validation runs only for candidates
that train in seconds (DIET would take 5× its train time).

{_timing_line(extra)}

{table(rows, files)}

Full training of the project's model (`rasa train`, NLU and dialogue, empty cache; the `project`
row is scored on the model it writes): {extra["full_training_s"]:.0f} s.

## FAQ retrieval (project pipeline, then `bot.faq`)
{chr(10).join(faq_lines) or "- no held-out FAQ paraphrases"}

## The staff's unanswered list (`tests/eval/grouping.py`)
{grouping_line}

## Held-out conversations through the running stack
{conversation_line}

## Details
{details(rows, files)}
"""


if __name__ == "__main__":
    main()
