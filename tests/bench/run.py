"""``make bench``: our stack against the default Rasa deployment of the same model, in one run.

Both deployments run on this machine at once (each idle while the other is measured, the order
alternating per level, so a change in the machine's other load hits both alike):

- the **stack**, started as ``make run`` starts it (``tests/utils/stack.py``): api → our Rasa
  (secret channel, Redis tracker and lock store) → action server; citizens use ``/api/session``
  and ``/api/chat``;
- the **baseline** (``tests/bench/baseline.py``): ``rasa run`` with the REST channel and the
  in-memory tracker store, one worker, and ``rasa run actions``; citizens use
  ``/webhooks/rest/webhook``.

The same simulated citizens (``tests/bench/workload.py``: guide questions with aspects in context,
FAQ, a complete booking and its look-up, small talk) drive both at 1, 5 and 20 at once. Reported:
turns/s, p50/p95/p99 per turn, CPU seconds per turn and peak RSS per process, start-to-ready, turn
200 of one long conversation against turn 10 (the stack's; ``--long-baseline`` adds the
baseline's), the FAQ publish-to-live time, the full training time (from ``make eval``'s
``results/eval.json``) and, with ``--parse``, the in-process NLU parse latency. Written to
``results/bench.json``; one row per run appended to ``docs/benchmarks.md`` (``--label`` says what
the run measured). ``make bench BENCH_ARGS="--seconds 30 --label '...'"`` passes options.

Bookings never run out: both deployments read a copy of ``data/`` (``GXX_DATA_DIR``) whose
``capacity_per_staff`` is raised, and each booking uses a new 身份证号.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=UserWarning)

import httpx  # noqa: E402
import psutil  # noqa: E402
import yaml  # noqa: E402

from bot.settings import PROJECT_ROOT  # noqa: E402
from bot.training import MODEL_PATH  # noqa: E402
from tests.bench.baseline import Baseline  # noqa: E402
from tests.bench.workload import (  # noqa: E402
    ApiTransport,
    ChannelTransport,
    Citizen,
    Outcomes,
    Recorder,
    RestTransport,
    Say,
    Transport,
    VisitOverError,
    faq_questions,
    text_of,
)
from tests.utils import stack as stack_utils  # noqa: E402

RESULTS = PROJECT_ROOT / "results" / "bench.json"
EVAL_RESULTS = PROJECT_ROOT / "results" / "eval.json"
BENCHMARKS_MD = PROJECT_ROOT / "docs" / "benchmarks.md"
LEVELS = (1, 5, 20)
LONG_TURNS = 200
LONG_ROUNDS = 3
"""Probes sent in fresh conversations between the late ones (``long_conversation``): with the
long conversation's own early probe, ``LONG_ROUNDS + 1`` at each end."""
PARSE_MESSAGES = 200
FAQ_LIVE_TIMEOUT_S = 90.0
#: A booking window's places per time slot in the bench's copy of the data: never the limit.
BENCH_CAPACITY_PER_STAFF = 100_000
ROLES = {
    "-m actions": "actions",
    "rasa run": "rasa",
    "bot.rasa_server run": "rasa",
    "uvicorn": "api",
    "redis-server": "redis",
    "bot.launcher": "launcher",
}
Processes = Dict[str, List[psutil.Process]]


# --- numbers --------------------------------------------------------------------------------------


def percentile(values: List[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (inclusive method), 0 when there are none."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]


def latency_summary(seconds: List[float]) -> Dict[str, float]:
    """Median, p95, p99 and maximum, in milliseconds."""
    millis = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(millis, 0.50), 1),
        "p95_ms": round(percentile(millis, 0.95), 1),
        "p99_ms": round(percentile(millis, 0.99), 1),
        "max_ms": round(max(millis, default=0.0), 1),
    }


def _peak_rss_mb(proc: psutil.Process) -> float:
    """VmHWM (peak resident set size) of ``proc`` in MiB, from /proc."""
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def peak_memory(processes: Processes) -> Dict[str, float]:
    """Peak RSS of each role (its processes summed), and their sum as ``total``."""
    memory = {role: round(sum(_peak_rss_mb(p) for p in procs), 1) for role, procs in processes.items()}
    memory["total"] = round(sum(memory.values()), 1)
    return memory


def cpu_seconds(processes: Processes) -> Dict[str, float]:
    """User plus system CPU seconds used so far by each role."""
    used: Dict[str, float] = {}
    for role, procs in processes.items():
        total = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        used[role] = total
    return used


# --- deployments ----------------------------------------------------------------------------------


@dataclass
class Deployment:
    """One deployment under test: where to reach it, how citizens talk to it, its processes."""

    name: str
    base_url: str
    transport: Callable[[], Transport]
    processes: Callable[[], Processes]
    ready_s: float
    long_url: str = ""
    long_transport: Optional[Callable[[], Transport]] = None


def stack_processes(stack: stack_utils.Stack) -> Processes:
    """The launcher and every process it started, by role (shell wrappers count with their command)."""
    launcher = psutil.Process(stack.proc.pid)
    found: Processes = {"launcher": [launcher]}
    for child in launcher.children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        role = next((name for key, name in ROLES.items() if key in command), "other")
        found.setdefault(role, []).append(child)
    return found


def bench_data_dir(folder: Path) -> Path:
    """A copy of ``data/`` whose booking windows never run out of places."""
    target = folder / "data"
    shutil.copytree(PROJECT_ROOT / "data", target)
    windows_file = target / "appointments" / "windows.yml"
    windows = yaml.safe_load(windows_file.read_text(encoding="utf-8"))
    windows["capacity_per_staff"] = BENCH_CAPACITY_PER_STAFF
    windows_file.write_text(yaml.safe_dump(windows, allow_unicode=True), encoding="utf-8")
    return target


def _stop_launchers() -> None:
    """Stop a launcher this process started whose start was interrupted before it could be stopped."""
    for child in psutil.Process().children():
        try:
            if "bot.launcher" not in " ".join(child.cmdline()):
                continue
            child.send_signal(signal.SIGINT)
            try:
                child.wait(30)
            except psutil.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        except (psutil.Error, ProcessLookupError):
            pass


# --- load -----------------------------------------------------------------------------------------


@dataclass
class LevelResult:
    """What ``citizens`` simultaneous citizens got from one deployment in ``seconds`` seconds."""

    deployment: str
    citizens: int
    seconds: float
    visits: int = 0
    recorder: Recorder = field(default_factory=Recorder)
    outcomes: Outcomes = field(default_factory=Outcomes)
    cpu_s: Dict[str, float] = field(default_factory=dict)

    def summary(self) -> Dict[str, Any]:
        """The numbers of this level, as written to ``results/bench.json``."""
        turns = len(self.recorder.latencies)
        cpu_total = sum(self.cpu_s.values())
        return {
            "deployment": self.deployment,
            "citizens": self.citizens,
            "seconds": round(self.seconds, 1),
            "turns": turns,
            "visits": self.visits,
            "errors": self.recorder.errors,
            "turns_per_s": round(turns / self.seconds, 1) if self.seconds else 0.0,
            **latency_summary(self.recorder.latencies),
            "cpu_ms_per_turn": round(1000 * cpu_total / max(turns, 1), 1),
            "cpu_ms_per_turn_by_process": {
                r: round(1000 * s / max(turns, 1), 1) for r, s in self.cpu_s.items()
            },
            **asdict(self.outcomes),
        }


async def one_citizen(
    deployment: Deployment, client: httpx.AsyncClient, seed: int, deadline: float, result: LevelResult
) -> None:
    """One citizen visiting again and again until ``deadline``; each visit is a new conversation."""
    transport = deployment.transport()
    citizen = Citizen(random.Random(seed), FAQ)
    while time.perf_counter() < deadline:
        sender = await transport.open(client)
        try:
            await citizen.visit(result.recorder.say_for(transport, client, sender))
        except VisitOverError:
            break
        result.visits += 1
    result.outcomes.add(citizen.outcomes)


async def drive(deployment: Deployment, citizens: int, seconds: float, counting: bool = True) -> LevelResult:
    """``citizens`` concurrent citizens for ``seconds`` seconds, over pooled loopback connections."""
    limits = httpx.Limits(max_connections=citizens + 2, max_keepalive_connections=citizens + 2)
    async with httpx.AsyncClient(base_url=deployment.base_url, timeout=60, limits=limits) as client:
        result = LevelResult(deployment.name, citizens, seconds)
        result.recorder.counting = counting
        started = time.perf_counter()
        deadline = result.recorder.deadline = started + seconds
        await asyncio.gather(
            *(one_citizen(deployment, client, 1000 * citizens + n, deadline, result) for n in range(citizens))
        )
        result.seconds = time.perf_counter() - started  # the last visits finish after the deadline
        return result


def measure_level(deployment: Deployment, citizens: int, seconds: float) -> LevelResult:
    """One level on one deployment, with the CPU each of its processes used meanwhile."""
    processes = deployment.processes()
    before = cpu_seconds(processes)
    result = asyncio.run(drive(deployment, citizens, seconds))
    after = cpu_seconds(processes)
    result.cpu_s = {role: after[role] - before[role] for role in after}
    return result


async def warm_up(deployment: Deployment) -> None:
    """Every topic once, uncounted: the first FAQ question, booking and guide answer build caches."""
    transport = deployment.transport()
    citizen = Citizen(random.Random(5), FAQ)
    async with httpx.AsyncClient(base_url=deployment.base_url, timeout=120) as client:
        say = Recorder(counting=False).say_for(transport, client, await transport.open(client))
        for topic in (citizen.small_talk, citizen.guide, citizen.faq_questions, citizen.booking):
            await topic(say)


async def long_conversation(
    deployment: Deployment, turns: int = LONG_TURNS, rounds: int = LONG_ROUNDS
) -> Dict[str, Any]:
    """One conversation of about ``turns`` turns; the same probe (`probe_turns`) early and late in it.

    The citizens' visits fill the turns in between (guide questions, FAQ, bookings and their
    look-ups, small talk). The probe is sent at turns 2–12 of the long conversation, then, past
    turn 200, alternately in the long conversation and at turns 2–12 of a fresh one, ``rounds``
    times each, and once more in the long one: ``rounds + 1`` probes at each end. Each figure is
    the median of its probes' turns: the same messages, in the same order, so the two compare the
    same work at two lengths of history, and alternating them puts most of both under the same
    load of the shared machine. (Until 2026-12-03 one probe at each end, about ten seconds apart,
    was compared: the same code gave 1.38 and 1.8.)
    """
    assert deployment.long_transport is not None
    transport = deployment.long_transport()
    recorder, fresh_recorder = Recorder(), Recorder()
    citizen = Citizen(random.Random(77), FAQ)
    probe = probe_turns(FAQ)
    async with httpx.AsyncClient(base_url=deployment.long_url, timeout=60) as client:
        say = recorder.say_for(transport, client, await transport.open(client))

        async def timed_probe(speak: Say, heard: Recorder) -> List[float]:
            before = len(heard.latencies)
            for text in probe:
                await speak(text)
            return [s * 1000 for s in heard.latencies[before:]]

        await say("你好")
        early = await timed_probe(say, recorder)
        while len(recorder.latencies) + recorder.errors < turns - 1:
            await citizen.visit(say, min_turns=12)
        late_from = len(recorder.latencies) + recorder.errors + 1
        late: List[float] = []
        for _ in range(rounds):
            late += await timed_probe(say, recorder)
            fresh = fresh_recorder.say_for(transport, client, await transport.open(client))
            await fresh("你好")
            early += await timed_probe(fresh, fresh_recorder)
        late += await timed_probe(say, recorder)  # as many probes at each end
    early_ms, late_ms = statistics.median(early), statistics.median(late)
    return {
        "turns": len(recorder.latencies),
        "errors": recorder.errors + fresh_recorder.errors,
        "turn10_ms": round(early_ms, 1),
        "turn200_ms": round(late_ms, 1),
        "late_turns": f"{late_from}–{late_from + (rounds + 1) * len(probe) - 1}",
        "probes": {"early": len(early), "late": len(late)},
        "ratio": round(late_ms / early_ms, 2) if early_ms else 0.0,
        "via": transport.path if isinstance(transport, RestTransport) else "api",
    }


def probe_turns(faq: List[str]) -> List[str]:
    """The eleven turns sent at both ends of the long conversation (turns 2–12, and past turn 200).

    An item with four of its aspects in context, two FAQ questions, small talk, and a booking
    started and stopped: the kinds of turn the citizens' visits are made of.
    """
    return [
        "开公司要怎么办",
        "那要带什么材料",
        "多久能办好",
        "要交钱吗",
        "能在网上办吗",
        *faq[:2],
        "你是机器人吗",
        "大厅几点上班",
        "我想预约办退休",
        "算了不约了",
    ]


async def faq_publish_to_live(api: str, admin_token: str) -> Dict[str, Any]:
    """Publish a new FAQ entry through the staff API; time until a citizen gets its answer."""
    marker = f"基准{secrets.randbelow(10**6):06d}"
    questions = ["政务大厅能给电动车充电吗", "大厅有没有电动车充电的地方", "电动车没电了在中心能充不"]
    body = {"questions": questions, "answer": f"可以。大厅东侧停车场设有电动车充电区，免费使用（{marker}）。"}
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        try:
            response = await client.post(
                "/api/admin/faq", json=body, headers={"Authorization": f"Bearer {admin_token}"}
            )
        except httpx.HTTPError as exc:
            return {"status": "not available", "reason": str(exc)}
        if response.status_code != 201:
            return {
                "status": "not available",
                "reason": f"POST /api/admin/faq answered {response.status_code}",
            }
        published = time.perf_counter()
        transport = ApiTransport()
        while time.perf_counter() - published < FAQ_LIVE_TIMEOUT_S:
            sender = await transport.open(client)
            for question in questions:
                try:
                    replies = await transport.turn(client, sender, question)
                except Exception:  # noqa: BLE001 - keep polling until the timeout
                    continue
                if marker in text_of(replies):
                    return {"status": "live", "seconds": round(time.perf_counter() - published, 1)}
            await asyncio.sleep(0.5)
        return {"status": f"not live within {FAQ_LIVE_TIMEOUT_S:.0f} s"}


# --- NLU parse latency, in process ----------------------------------------------------------------


def nlu_parse() -> Dict[str, Any]:
    """Load the model in this process and time ``parse_message`` over messages of the NLU data."""
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    texts = sorted({m.get("text") for m in data.intent_examples if m.get("text")})
    random.Random(20231).shuffle(texts)
    messages = texts[:PARSE_MESSAGES]
    started = time.perf_counter()
    agent = Agent.load(str(MODEL_PATH))
    load_s = round(time.perf_counter() - started, 1)

    async def parse_all() -> List[float]:
        for text in messages[:5]:
            await agent.parse_message(text)
        timings = []
        for text in messages:
            began = time.perf_counter()
            await agent.parse_message(text)
            timings.append(time.perf_counter() - began)
        return timings

    return {"model_load_s": load_s, "messages": len(messages), **latency_summary(asyncio.run(parse_all()))}


# --- report ---------------------------------------------------------------------------------------


def training_time() -> Dict[str, Any]:
    """The full training time measured by ``make eval`` (``results/eval.json``), if present."""
    try:
        seconds = json.loads(EVAL_RESULTS.read_text(encoding="utf-8"))["full_training_s"]
    except (OSError, KeyError, ValueError):
        return {"seconds": None, "source": "not available (run `make eval`)"}
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(EVAL_RESULTS.stat().st_mtime))
    return {"seconds": round(float(seconds), 1), "source": f"results/eval.json full_training_s ({when} UTC)"}


def machine() -> Dict[str, Any]:
    """The machine's facts, and its load when the run ended."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    # Tracked files changed (docs/benchmarks.md aside, which the run itself appends to).
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/benchmarks.md"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu_model": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),  # fmt: skip
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit.stdout.strip() + (" (work tree)" if changed.stdout.strip() else ""),
    }


def ratio(a: float, b: float) -> float:
    """``a / b`` rounded, 0 when ``b`` is 0."""
    return round(a / b, 2) if b else 0.0


def print_report(report: Dict[str, Any]) -> None:
    """The tables of one run."""
    print(
        f"\nmachine: {report['machine']['cpus']} cpus, load {report['load_before']} → {report['load_after']}"
    )
    print(f"start to ready: stack {report['ready_s']['stack']} s, baseline {report['ready_s']['baseline']} s")
    print("\nChat turns (stack: /api/chat; baseline: /webhooks/rest/webhook)")
    head = f"  {'citizens':>8} {'deployment':<9} {'turns':>6} {'turns/s':>8} {'p50':>7} {'p95':>7} {'p99':>7}"
    print(head + f" {'cpu ms/turn':>11} {'errors':>6} {'booked':>6} {'failed':>6}")
    for row in report["levels"]:
        print(
            f"  {row['citizens']:>8} {row['deployment']:<9} {row['turns']:>6} {row['turns_per_s']:>8}"
            f" {row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7} {row['cpu_ms_per_turn']:>11}"
            f" {row['errors']:>6} {row['bookings']:>6} {row['booking_failures']:>6}"
        )
    print("\nstack / baseline")
    print(f"  {'citizens':>8} {'turns/s':>8} {'p50':>6} {'p95':>6} {'cpu/turn':>8}")
    for citizens, r in report["ratios"].items():
        print(f"  {citizens:>8} {r['turns_per_s']:>8} {r['p50']:>6} {r['p95']:>6} {r['cpu_per_turn']:>8}")
    print("\nCPU ms per turn by process, at 20 citizens")
    for row in report["levels"]:
        if row["citizens"] == LEVELS[-1]:
            print(f"  {row['deployment']:<9} {row['cpu_ms_per_turn_by_process']}")
    print("\nPeak resident memory (VmHWM, MiB)")
    for name, memory in report["peak_rss_mb"].items():
        print(f"  {name:<9} {memory}")
    for name, long in report["long_conversation"].items():
        print(
            f"\nlong conversation, {name} ({long['via']}): turn 10 {long['turn10_ms']} ms,"
            f" turn 200 {long['turn200_ms']} ms, ratio {long['ratio']}"
        )
    print(f"FAQ publish to live: {report['faq_publish_to_live']}")
    print(f"full training: {report['training']['seconds']} s ({report['training']['source']})")
    if report.get("nlu_parse"):
        p = report["nlu_parse"]
        print(f"NLU parse in process: load {p['model_load_s']} s, p50 {p['p50_ms']} ms, p95 {p['p95_ms']} ms")
    print(f"\nWritten to results/bench.json and docs/benchmarks.md; the run took {report['total_s']} s.")


BENCHMARKS_HEADER = """# Benchmarks

One row per `make bench` run (`tests/bench/run.py`), appended by the run itself. Each run starts
both deployments of the same trained model on the same machine at the same time and drives them
with the same simulated citizens (guide question then aspects in context, FAQ, a complete booking
through the form and its look-up, small talk; `tests/bench/workload.py`):

- **stack**: `make run`'s processes — api (`/api/session`, `/api/chat`) → Rasa with the secret
  channel, Redis tracker and lock store → action server;
- **base**: the default Rasa deployment — `rasa run` with the REST channel
  (`/webhooks/rest/webhook`), in-memory tracker store, one worker, and `rasa run actions`.

Absolute numbers move with the machine's other load (2 shared cores here; `load` is the 1-minute
load average before → after the run): compare the ratios within a row, not rows with each other.

| column | meaning |
|---|---|
| when, commit, change | UTC time, the commit the work tree was on, what this run measured |
| load | 1-minute load average before → after the run (`uptime`), cpus |
| t/s @1, @5, @20 | answered turns per second at 1, 5, 20 concurrent citizens: stack / base (ratio) |
| p50 @1 | median turn latency of one citizen, ms: stack / base |
| p95 @20, p99 @20 | 95th / 99th percentile turn latency at 20 citizens, ms: stack / base |
| cpu/turn @20 | CPU ms per turn summed over every process of the deployment: stack / base |
| t200/t10 | stack: median of the same eleven turns at turns 2–12 and about 195–205 of one conversation |
| ready | start to ready, s: stack (`/readyz` 200) / base (action server and REST channel answer) |
| RSS | sum of the processes' peak resident memory, MiB: stack / base |
| FAQ live | seconds from `POST /api/admin/faq` (201) to a citizen getting the new answer |
| train | full training time, s, from `make eval`'s `results/eval.json` |

"""
COLUMNS = [
    "when", "commit", "change", "load", "t/s @1", "t/s @5", "t/s @20", "p50 @1", "p95 @20", "p99 @20",
    "cpu/turn @20", "t200/t10", "ready", "RSS", "FAQ live", "train",
]  # fmt: skip


def append_row(report: Dict[str, Any], label: str) -> None:
    """Append this run's row to ``docs/benchmarks.md`` (created with its header when missing)."""
    if not BENCHMARKS_MD.exists():
        BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
        table_head = "| " + " | ".join(COLUMNS) + " |\n" + "|---" * len(COLUMNS) + "|\n"
        BENCHMARKS_MD.write_text(BENCHMARKS_HEADER + table_head, encoding="utf-8")
    rows = {(r["deployment"], r["citizens"]): r for r in report["levels"]}

    def pair(key: str, citizens: int, with_ratio: bool = False) -> str:
        s, b = rows[("stack", citizens)][key], rows[("baseline", citizens)][key]
        return f"{s} / {b}" + (f" ({ratio(s, b)}×)" if with_ratio else "")

    faq = report["faq_publish_to_live"]
    cells = [
        report["when"],
        report["machine"]["commit"],
        label.replace("|", "/"),
        f"{report['load_before']} → {report['load_after']}, {report['machine']['cpus']} cpus",
        *(pair("turns_per_s", c, with_ratio=True) for c in LEVELS),
        pair("p50_ms", LEVELS[0]),
        pair("p95_ms", LEVELS[-1]),
        pair("p99_ms", LEVELS[-1]),
        pair("cpu_ms_per_turn", LEVELS[-1]),
        str(report["long_conversation"]["stack"]["ratio"]),
        f"{report['ready_s']['stack']} / {report['ready_s']['baseline']}",
        f"{report['peak_rss_mb']['stack']['total']:.0f} / {report['peak_rss_mb']['baseline']['total']:.0f}",
        f"{faq['seconds']}" if faq.get("status") == "live" else str(faq.get("status")),
        str(report["training"]["seconds"]),
    ]
    with BENCHMARKS_MD.open("a", encoding="utf-8") as out:
        out.write("| " + " | ".join(str(c) for c in cells) + " |\n")


# --- the run --------------------------------------------------------------------------------------

FAQ: List[str] = []


def load_average() -> float:
    """The 1-minute load average."""
    return round(os.getloadavg()[0], 2)


def run(seconds: float, parse: bool, long_baseline: bool) -> Dict[str, Any]:
    """Start both deployments, measure everything, stop them; return the report."""
    began = time.perf_counter()
    load_before = load_average()
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="gxx-bench-"))
    data_dir = bench_data_dir(folder)
    FAQ[:] = faq_questions(data_dir)
    admin_token = secrets.token_urlsafe(24)
    os.environ.update(GXX_DATA_DIR=str(data_dir), ADMIN_TOKEN=admin_token)
    report: Dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "load_before": load_before,
    }
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, folder, True)
        cleanup.callback(_stop_launchers)  # only does something when a start was interrupted
        (folder / "baseline").mkdir()
        baseline = Baseline(folder / "baseline", data_dir).start()
        cleanup.callback(baseline.stop)
        print(f"baseline ready after {baseline.ready_s:.1f} s (load {load_average()})", flush=True)
        (folder / "stack").mkdir()
        started = time.perf_counter()
        stack = stack_utils.start_stack(folder / "stack")
        cleanup.callback(stack.stop)
        stack_ready_s = time.perf_counter() - started
        print(f"stack ready after {stack_ready_s:.1f} s (load {load_average()})", flush=True)
        secret_header = {"X-Channel-Secret": stack.env["CHANNEL_SECRET"]}
        deployments = {
            "stack": Deployment(
                "stack", stack.api, ApiTransport, lambda: stack_processes(stack), stack_ready_s,
                stack.rasa, lambda: ChannelTransport(secret_header),
            ),
            "baseline": Deployment(
                "baseline", baseline.rasa, RestTransport, baseline.processes, baseline.ready_s,
                baseline.rasa, RestTransport,
            ),
        }  # fmt: skip
        for deployment in deployments.values():
            asyncio.run(warm_up(deployment))
            print(f"  {deployment.name} warmed up (load {load_average()})", flush=True)
        levels = []
        for index, citizens in enumerate(LEVELS):
            order = ["baseline", "stack"] if index % 2 == 0 else ["stack", "baseline"]
            for name in order:
                summary = measure_level(deployments[name], citizens, seconds).summary()
                levels.append(summary)
                print(
                    f"  {citizens:>2} citizens, {name:<8}: {summary['turns_per_s']} turns/s,"
                    f" p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms (load {load_average()})",
                    flush=True,
                )
        long = {}
        for name, deployment in deployments.items():
            if name == "baseline" and not long_baseline:
                continue
            long[name] = asyncio.run(long_conversation(deployment))
            print(f"  long conversation, {name}: {long[name]} (load {load_average()})", flush=True)
        faq_live = asyncio.run(faq_publish_to_live(stack.api, admin_token))
        print(f"  FAQ publish to live: {faq_live}", flush=True)
        memory = {name: peak_memory(d.processes()) for name, d in deployments.items()}
    report.update(
        machine=machine(),
        model=str(MODEL_PATH.relative_to(PROJECT_ROOT)),
        ready_s={"stack": round(stack_ready_s, 1), "baseline": round(baseline.ready_s, 1)},
        levels=levels,
        long_conversation=long,
        faq_publish_to_live=faq_live,
        peak_rss_mb=memory,
        training=training_time(),
    )
    rows = {(r["deployment"], r["citizens"]): r for r in levels}
    report["ratios"] = {
        c: {
            "turns_per_s": ratio(rows[("stack", c)]["turns_per_s"], rows[("baseline", c)]["turns_per_s"]),
            "p50": ratio(rows[("stack", c)]["p50_ms"], rows[("baseline", c)]["p50_ms"]),
            "p95": ratio(rows[("stack", c)]["p95_ms"], rows[("baseline", c)]["p95_ms"]),
            "cpu_per_turn": ratio(
                rows[("stack", c)]["cpu_ms_per_turn"], rows[("baseline", c)]["cpu_ms_per_turn"]
            ),
        }
        for c in LEVELS
    }
    report["load_after"] = load_average()
    report["nlu_parse"] = nlu_parse() if parse else None
    report["total_s"] = round(time.perf_counter() - began, 1)
    return report


def main() -> None:
    """Run the bench, write ``results/bench.json``, append the row, print the tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="duration of each level on each deployment"
    )
    parser.add_argument("--label", default="", help="what this run measures, for docs/benchmarks.md")
    parser.add_argument("--parse", action="store_true", help="also time NLU parsing in this process")
    parser.add_argument("--long-baseline", action="store_true", help="the 200-turn conversation on both")
    parser.add_argument("--no-record", action="store_true", help="do not append a row to docs/benchmarks.md")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `timeout` or a kill: stop both deployments
    report = run(args.seconds, parse=args.parse, long_baseline=args.long_baseline)
    report["label"] = args.label
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not args.no_record:
        append_row(report, args.label or os.environ.get("BENCH_LABEL", ""))
    print_report(report)


if __name__ == "__main__":
    main()
