"""``make eval``'s scheduling and report, on real processes and made-up figures (no training)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot import training
from tests.eval import run
from tests.eval.candidate import latency_sample


def _stamping(tmp_path: Path, label: str, seconds: float, **flags: bool) -> run.Job:
    """A job whose process marks its start, waits (up to 20 s) until another job has started too,
    sleeps ``seconds``, and writes when it started and ended."""
    out = tmp_path / f"{label}.json"
    code = (
        "import glob, json, pathlib, sys, time; start = time.time(); "
        "pathlib.Path(sys.argv[1] + '.started').touch(); "
        "deadline = start + 20\n"
        "while len(glob.glob(sys.argv[3] + '/*.started')) < 2 and time.time() < deadline: time.sleep(0.01)\n"
        "time.sleep(float(sys.argv[2])); "
        "json.dump({'start': start, 'end': time.time()}, open(sys.argv[1], 'w'))"
    )
    command = [sys.executable, "-c", code, str(out), str(seconds), str(tmp_path)]
    return run.Job(label, command, out, seconds, **flags)


def _span(job: run.Job) -> tuple[float, float]:
    stamps = json.loads(job.out.read_text())
    return stamps["start"], stamps["end"]


def test_jobs_run_two_at_a_time_and_timings_run_alone_after_them(tmp_path: Path) -> None:
    shared = [_stamping(tmp_path, f"shared{n}", 0.5) for n in range(4)]
    alone = _stamping(tmp_path, "alone", 0.3, alone=True)
    timing = _stamping(tmp_path, "timing", 0.3, quiet=True)
    run.run_jobs([timing, alone, *shared], tmp_path, workers=2)
    spans = [_span(job) for job in shared]
    # how many shared jobs ran at each job's start: two at a time, never three
    running = [sum(1 for s, e in spans if s <= start < e) for start, _ in spans]
    assert max(running) == 2
    last_shared = max(end for _, end in spans)
    assert _span(alone)[0] >= last_shared
    assert _span(timing)[0] >= _span(alone)[1]
    assert all(job.wall_s >= 0.3 for job in [*shared, alone, timing])


def test_a_failed_job_fails_the_run(tmp_path: Path) -> None:
    failing = run.Job("broken", [sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "x.json", 1.0)
    with pytest.raises(Exception, match="returned non-zero exit status 3"):
        run.run_jobs([failing], tmp_path, workers=2)


def _report(folder: Path, **extra: Any) -> run.Candidate:
    main = run.Job("c", [], folder / "c.json", 1.0)
    main.out.write_text(json.dumps({"train_s": 1.0, "heldout": {}}))
    timing = run.Job("c latency", [], folder / "c-latency.json", 0.0, quiet=True)
    timing.out.write_text(json.dumps({"load_s": 0.5, "parse_p50_ms": 2.0, "parse_p95_ms": 3.0, **extra}))
    fold = run.Job("c fold 1/1", [], folder / "c-fold0.json", 1.0)
    fold.out.write_text(json.dumps([{"gold": "greet", "intent": "greet"}]))
    return run.Candidate("c", folder / "cache" / "c-0.json", main=main, folds=[fold], latency=timing)


def test_a_report_joins_its_jobs_and_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "CACHE", tmp_path / "cache")
    report = _report(tmp_path, batch_disagreements=[]).report()
    assert report["load_s"] == 0.5 and report["train_s"] == 1.0
    assert report["cv"] == [{"gold": "greet", "intent": "greet"}]
    assert json.loads((tmp_path / "cache" / "c-0.json").read_text())["parse_p95_ms"] == 3.0


def test_batches_read_differently_from_one_at_a_time_stop_the_run_and_keep_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "CACHE", tmp_path / "cache")
    candidate = _report(tmp_path, batch_disagreements=["我想办营业执照"])
    with pytest.raises(SystemExit, match="1 messages differently"):
        candidate.report()
    assert not candidate.cached.exists()


@pytest.mark.parametrize("per_file", [300, 213, 21])
def test_the_latency_sample_spreads_evenly_over_every_file(per_file: int) -> None:
    messages = {f"file{n}": [f"file{n} message{m}" for m in range(per_file)] for n in range(5)}
    sample = latency_sample(messages, size=100)
    assert len(sample) == 100
    assert len(set(sample)) == len(sample)
    counts = Counter(text.split()[0] for text in sample)
    assert set(counts) == set(messages)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_a_latency_sample_of_fewer_messages_is_all_of_them() -> None:
    assert latency_sample({"one": ["a", "b"], "two": ["c"]}, size=100) == ["a", "b", "c"]


def _row(name: str, accuracies: List[float], linked: bool = True) -> Dict[str, Any]:
    files = {}
    for number, value in enumerate(accuracies):
        files[f"tests/nlu/f{number}.yml"] = {
            "n": 100,
            "accuracy": value,
            "macro_f1": value - 0.01,
            "linking": {"accuracy": 0.95 if linked else None},
            "out_of_scope_answered": {"n": 4, "answered": 1 if value < 0.9 else 0},
        }
    return {"name": name, "files": files, "train_s": 10.0, "cv_accuracy": 0.9}


def test_the_table_has_a_row_per_file_with_the_best_in_bold() -> None:
    rows = [_row("tfidf_lr", [0.96, 0.85], linked=False), _row("project", [0.98, 0.97])]
    text = run.table(rows, ["tests/nlu/f0.yml", "tests/nlu/f1.yml"])
    lines = text.splitlines()
    assert "| project | 195/200 (0.975) | 2/2 | 0.900 | 0/8 | 10 |" in text
    assert "| tfidf_lr | 181/200 (0.905) | 0/2 | 0.900 | 1/8 | 10 |" in text
    f1 = next(line for line in lines if line.startswith("| `f1` |"))
    assert f1 == "| `f1` | 100 | 0.850 (0.840) · OOS 1/4 | **0.970** (0.960) · 0.950 |"


def _served_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point `bot.training`'s served model at ``tmp_path/models``."""
    models = tmp_path / "models"
    monkeypatch.setattr(training, "MODELS_DIR", models)
    monkeypatch.setattr(training, "MODEL_PATH", models / "gaoxiaoxin.tar.gz")
    monkeypatch.setattr(training, "FINGERPRINT_PATH", models / "gaoxiaoxin.fingerprint")


def _trained(tmp_path: Path, content: bytes) -> run.Candidate:
    model = tmp_path / f"project-{len(content)}.tar.gz"
    model.write_bytes(content)
    return run.Candidate("project", tmp_path / "cache" / "project-0.json", model=model)


def test_the_project_model_becomes_the_served_one_when_that_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _served_in(tmp_path, monkeypatch)
    current = training.fingerprint()
    run.serve(_trained(tmp_path, b"trained by the run"), current)
    assert training.MODEL_PATH.read_bytes() == b"trained by the run"
    assert training.FINGERPRINT_PATH.read_text().strip() == current
    assert not training.is_stale()


def test_a_stale_served_model_is_replaced_and_a_current_one_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _served_in(tmp_path, monkeypatch)
    training.MODELS_DIR.mkdir()
    training.MODEL_PATH.write_bytes(b"old")
    training.FINGERPRINT_PATH.write_text("inputs of last week\n")
    current = training.fingerprint()
    run.serve(_trained(tmp_path, b"new model"), current)
    assert training.MODEL_PATH.read_bytes() == b"new model"
    # now current: a later run's model does not replace it
    run.serve(_trained(tmp_path, b"another run's model"), current)
    assert training.MODEL_PATH.read_bytes() == b"new model"
    assert sorted(p.name for p in training.MODELS_DIR.iterdir()) == [
        "gaoxiaoxin.fingerprint",
        "gaoxiaoxin.tar.gz",
    ]
