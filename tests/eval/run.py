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
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from rasa import __version__ as rasa_version  # noqa: E402

from bot.settings import PROJECT_ROOT  # noqa: E402
from bot.sources import files_and_imports, files_digest  # noqa: E402
from bot.training import train_command  # noqa: E402
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
QUICK = ("project", "project_embedding", "rasa_logreg")
REPORT = PROJECT_ROOT / "docs" / "evaluation.md"
CACHE = PROJECT_ROOT / "results" / "eval-cache"
# folders whose content a candidate's figures depend on, with the project modules their code imports
# (and its config and the held-out files)
FINGERPRINTED = (
    "data/nlu",
    "data/services",
    "data/faq",
    "data/generated",
    "bot/nlu",
    "bot/catalogue",
    "tests/eval",
)
RESULTS = PROJECT_ROOT / "results" / "eval.json"


def baseline(held: Dict[str, List[Example]]) -> Dict[str, Any]:
    """The scikit-learn TF-IDF + logistic-regression baseline, trained here in seconds."""
    from rasa.shared.nlu.training_data.loading import load_data

    from tests.eval.baseline import TfidfBaseline
    from tests.eval.candidate import parallel_folds

    data = load_data(str(PROJECT_ROOT / TRAINING_DATA))
    texts = [e.get("text") for e in data.intent_examples]
    labels = [e.get("intent") for e in data.intent_examples]
    start = time.perf_counter()
    model = TfidfBaseline().fit(texts, labels)
    report: Dict[str, Any] = {"train_s": time.perf_counter() - start, "heldout": {}}
    for name, items in held.items():
        predicted = model.predict([e.text for e in items])
        report["heldout"][name] = [{"intent": p, "confidence": 1.0, "entities": []} for p in predicted]
    report["cv"] = parallel_folds(
        data,
        5,
        _baseline_fold,
        lambda _, subset, tested: (
            [(e.get("text"), e.get("intent")) for e in subset.intent_examples],
            [e.get("text") for e in tested],
        ),
    )
    return report


def _baseline_fold(training: List[tuple[str, str]], texts: List[str]) -> List[str]:
    """One cross-validation fold of the baseline, in a process of its own: fit, then predict ``texts``."""
    from tests.eval.baseline import TfidfBaseline

    return TfidfBaseline().fit([t for t, _ in training], [i for _, i in training]).predict(texts)


@functools.lru_cache(maxsize=1)
def _inputs_digest() -> str:
    """A digest of Rasa's version, every file in ``FINGERPRINTED`` and every project module their
    code imports (`bot.sources.files_and_imports`: `bot.guide` shapes the features too), once a run."""
    files = files_digest(files_and_imports(FINGERPRINTED))
    return hashlib.sha256((rasa_version + files).encode()).hexdigest()


def fingerprint(config: Path, held: Dict[str, List[Example]]) -> str:
    """What a candidate's figures depend on: its config, the training data, the catalogue, the
    held-out messages, the NLU code and Rasa's version (a hex digest)."""
    digest = hashlib.sha256(_inputs_digest().encode())
    digest.update(config.read_bytes())
    digest.update(json.dumps({f: [e.text for e in items] for f, items in held.items()}).encode())
    return digest.hexdigest()[:16]


def run_candidate(
    name: str, config: Path, cv: int, held: Dict[str, List[Example]], reuse: bool = True
) -> Dict[str, Any]:
    """Train and score one Rasa pipeline in a fresh process.

    The report is kept in ``results/eval-cache``; a later run reuses it (and says so in the
    table) while nothing it depends on changed (`fingerprint`), unless ``reuse`` is False.
    """
    cached = CACHE / f"{name}-{fingerprint(config, held)}.json"
    if reuse and cached.exists():
        report: Dict[str, Any] = json.loads(cached.read_text(encoding="utf-8"))
        report["reused"] = True
        print(f"  {name}: 输入未变，沿用 {report['trained_at']} 的结果", flush=True)
        return report
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        messages = Path(folder) / "messages.json"
        messages.write_text(
            json.dumps({f: [e.text for e in items] for f, items in held.items()}, ensure_ascii=False),
            encoding="utf-8",
        )
        command = [sys.executable, "-m", "tests.eval.candidate", str(config), str(messages), str(out)]
        if cv:
            command += ["--cv", str(cv)]
        # Rasa's training cache of its own, empty: otherwise a component trained by an earlier run
        # or by `make train` is restored from the cache and the train time is not a training's
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(folder) / "rasa-cache")}
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, check=True, env=env)
        report = json.loads(out.read_text(encoding="utf-8"))
        report["wall_s"] = time.perf_counter() - start
        report["trained_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        print(f"  {name}: {report['wall_s']:.0f} s", flush=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        return report


def full_training_seconds() -> float:
    """Time ``make train``'s ``rasa train`` (NLU and dialogue) from scratch, without Rasa's cache."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(folder) / "cache")}
        start = time.perf_counter()
        subprocess.run(
            train_command(Path(folder), "--quiet"),
            cwd=PROJECT_ROOT,
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


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
    for key in ("train_s", "load_s", "parse_p50_ms", "parse_p95_ms", "peak_rss_mb", "trained_at", "reused"):
        row[key] = report.get(key)
    return row


def fmt(value: Optional[float], pattern: str = "{:.3f}") -> str:
    return "—" if value is None else pattern.format(value)


def table(rows: Sequence[Dict[str, Any]], files: Sequence[str]) -> str:
    """The comparison as a Markdown table."""
    head = ["candidate"]
    for file in files:
        short = Path(file).stem
        head += [f"{short} acc", f"{short} F1", f"{short} linking"]
    head += ["5-fold CV acc", "OOS answered", "train s", "load s", "parse p50/p95 ms", "peak MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [row["name"] + (" (reused)" if row.get("reused") else "")]
        oos = []
        for file in files:
            figures = row["files"].get(file)
            if figures is None:
                cells += ["—", "—", "—"]
                continue
            cells += [fmt(figures["accuracy"]), fmt(figures["macro_f1"]), fmt(figures["linking"]["accuracy"])]
            oos.append(
                f"{figures['out_of_scope_answered']['answered']}/{figures['out_of_scope_answered']['n']}"
            )
        cells += [
            fmt(row.get("cv_accuracy")),
            " ".join(oos) or "—",
            fmt(row.get("train_s"), "{:.0f}"),
            fmt(row.get("load_s"), "{:.1f}"),
            "—"
            if row.get("parse_p50_ms") is None
            else f"{row['parse_p50_ms']:.1f}/{row['parse_p95_ms']:.1f}",
            fmt(row.get("peak_rss_mb"), "{:.0f}"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


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

    reports: Dict[str, Dict[str, Any]] = {"tfidf_lr": baseline(held)}
    lap("tfidf_lr")
    for name, (config, cv) in CANDIDATES.items():
        if args.quick and name not in QUICK:
            continue
        path = config() if callable(config) else config
        reports[name] = run_candidate(name, path, cv, held, reuse=not args.retrain)
        lap(name)
    rows = [score(name, report, held) for name, report in reports.items()]
    files = list(held)
    extra: Dict[str, Any] = {"full_training_s": full_training_seconds()}
    lap("full training")
    extra["faq"] = {f: faq_retrieval(items, reports["project"]["heldout"][f]) for f, items in held.items()}
    lap("faq")
    if args.no_conversations:
        extra["grouping"] = unanswered_grouping(held)
        lap("grouping")
    else:
        from tests.utils.conversations import run_all

        # the grouping (single-threaded, no timing of its own) runs in a process of its own while
        # the conversations, which mostly wait on the stack, are played
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            grouping = pool.submit(unanswered_grouping, held)
            extra["conversations"] = run_all()
            lap("conversations")
            extra["grouping"] = grouping.result()
            lap("grouping, after the conversations")
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

{table(rows, files)}

Full training of the project's model (`rasa train`, NLU and dialogue, empty cache):
{extra["full_training_s"]:.0f} s.

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
