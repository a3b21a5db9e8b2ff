"""``make bench``: NLU parse latency, chat throughput at 1, 5 and 20 citizens, and peak memory.

The stack is started exactly as the test suite starts it (the ``stack`` fixture of
``tests/conftest.py``, driven by hand), on free loopback ports, and stopped at the end.
The numbers are printed as a table and written to ``results/bench.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import shutil
import signal
import statistics
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=UserWarning)

import httpx  # noqa: E402
import psutil  # noqa: E402

from bot.settings import PROJECT_ROOT  # noqa: E402
from bot.training import MODEL_PATH  # noqa: E402
from tests import conftest  # noqa: E402

RESULTS = PROJECT_ROOT / "results" / "bench.json"
LEVELS = (1, 5, 20)
# The api allows 30 messages a minute per session; a simulated citizen starts a new
# session (a new visit) before reaching it, so the limit is never what is measured.
TURNS_PER_SESSION = 25
PARSE_MESSAGES = 200

# What citizens send, in the proportions of a typical visit: greetings, guide questions, the hall.
GREETINGS = ["你好", "您好", "在吗", "/greet"]
GUIDE_QUESTIONS = [
    "开公司要带什么材料",
    "宝宝出生怎么上户口",
    "办退休需要多长时间",
    "营业执照办下来要几天",
    "个体户登记在哪个窗口办",
    "开饭店需要什么条件",
    "二手房过户要交多少钱",
    "企业注销能在网上办吗",
    "社保卡丢了怎么补办",
    "信用修复的流程是什么",
    "/ask_materials",
    "退伍军人要办哪些手续",
]
HALL_QUESTIONS = ["大厅几点上班", "/ask_office_hours", "政务服务中心在哪里", "周六上班吗", "中午休息吗"]
CLOSINGS = ["谢谢", "好的，知道了", "再见"]


def percentile(values: List[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (inclusive method), 0 when there are none."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]


def latency_summary(seconds: List[float]) -> Dict[str, float]:
    """Median, p95 and maximum, in milliseconds."""
    millis = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(millis, 0.50), 1),
        "p95_ms": round(percentile(millis, 0.95), 1),
        "max_ms": round(max(millis, default=0.0), 1),
    }


# --- the stack ------------------------------------------------------------------------------------


def _stop_launchers() -> None:
    """Stop a launcher this process started whose fixture was interrupted before it could stop it."""
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


@contextmanager
def running_stack() -> Iterator[conftest.Stack]:
    """Redis, Rasa, the action server and the api, started and stopped by the test fixture's code."""
    if not MODEL_PATH.exists():
        raise SystemExit(f"{MODEL_PATH} is missing: run `make train` first")
    root = Path(tempfile.mkdtemp(prefix="gxx-bench-"))
    try:
        stack = conftest.start_stack(root)
        try:
            yield stack
        finally:
            stack.stop()
    finally:
        _stop_launchers()  # only does something when start-up was interrupted
        shutil.rmtree(root, ignore_errors=True)


# --- NLU parse latency, in process ----------------------------------------------------------------


def nlu_messages(count: int) -> List[str]:
    """``count`` different user messages from the NLU data, in a fixed pseudo-random order."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    texts = sorted({m.get("text") for m in data.intent_examples if m.get("text")})
    random.Random(20231).shuffle(texts)
    return texts[:count]


def load_agent(box: Dict[str, Any]) -> None:
    """Load the trained model into ``box['agent']`` (runs in a thread while the stack starts)."""
    from rasa.core.agent import Agent

    started = time.perf_counter()
    try:
        box["agent"] = Agent.load(str(MODEL_PATH))
    except Exception as exc:  # reported by the main thread
        box["error"] = exc
    box["load_s"] = round(time.perf_counter() - started, 1)


async def measure_parse(agent: Any, messages: List[str]) -> Dict[str, Any]:
    """Time ``agent.parse_message`` over ``messages`` one after another."""
    for text in messages[:5]:
        await agent.parse_message(text)  # warm-up: the first calls build TensorFlow graphs
    timings = []
    for text in messages:
        started = time.perf_counter()
        await agent.parse_message(text)
        timings.append(time.perf_counter() - started)
    return {"messages": len(messages), **latency_summary(timings)}


# --- end-to-end chat through the api --------------------------------------------------------------


@dataclass
class LevelResult:
    """What ``citizens`` simultaneous citizens got from the api in ``seconds`` seconds."""

    citizens: int
    seconds: float
    turns: int = 0
    sessions: int = 0
    errors: int = 0
    rate_limited: int = 0
    latencies: List[float] = field(default_factory=list, repr=False)

    def summary(self) -> Dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "latencies"}
        out["seconds"] = round(self.seconds, 1)
        out["turns_per_s"] = round(self.turns / self.seconds, 1) if self.seconds else 0.0
        return {**out, **latency_summary(self.latencies)}


def conversation(rng: random.Random) -> Iterator[str]:
    """An endless visit: a greeting, guide questions, a question about the hall, thanks, again."""
    while True:
        yield rng.choice(GREETINGS)
        for _ in range(rng.randint(1, 3)):
            yield rng.choice(GUIDE_QUESTIONS)
        yield rng.choice(HALL_QUESTIONS)
        yield rng.choice(CLOSINGS)


async def new_session(client: httpx.AsyncClient, result: LevelResult, counted: bool) -> str:
    """A session from the api; waits and tries again when the api limits new sessions."""
    while True:
        response = await client.post("/api/session", json={})
        if response.status_code != 429:
            response.raise_for_status()
            if counted:
                result.sessions += 1
            return str(response.json()["sender"])
        if counted:
            result.rate_limited += 1
        await asyncio.sleep(1)


async def citizen(
    client: httpx.AsyncClient, number: int, deadline: float, result: LevelResult, counted: bool = True
) -> None:
    """One citizen chatting until ``deadline``, starting a new session every ``TURNS_PER_SESSION`` turns."""
    messages = conversation(random.Random(number))
    sender: Optional[str] = None
    used = 0
    while time.perf_counter() < deadline:
        if sender is None or used >= TURNS_PER_SESSION:
            sender, used = await new_session(client, result, counted), 0
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat", json={"sender": sender, "message": next(messages)})
        except httpx.HTTPError:
            if counted:
                result.errors += 1
            continue
        elapsed = time.perf_counter() - started
        used += 1
        if not counted:
            continue
        if response.status_code == 429:
            result.rate_limited += 1
        elif response.status_code != 200 or not response.json():
            result.errors += 1
        else:
            result.turns += 1
            result.latencies.append(elapsed)


async def measure_level(api: str, citizens: int, seconds: float) -> LevelResult:
    """``citizens`` concurrent citizens for ``seconds`` seconds, over pooled loopback connections."""
    limits = httpx.Limits(max_connections=citizens + 2, max_keepalive_connections=citizens + 2)
    async with httpx.AsyncClient(base_url=api, timeout=30, limits=limits) as client:
        result = LevelResult(citizens=citizens, seconds=seconds)
        started = time.perf_counter()
        deadline = started + seconds
        crowd = [citizen(client, 1000 * citizens + n, deadline, result) for n in range(citizens)]
        await asyncio.gather(*crowd)
        result.seconds = time.perf_counter() - started  # the last turns finish after the deadline
        return result


async def warm_up(api: str, seconds: float = 3.0) -> None:
    """A few uncounted turns, so the first level does not pay for cold caches."""
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        scratch = LevelResult(citizens=1, seconds=seconds)
        await citizen(client, 1, time.perf_counter() + seconds, scratch, counted=False)


# --- processes: memory and CPU -------------------------------------------------------------------

ROLES = {
    "rasa_sdk": "actions",
    "rasa run": "rasa",
    "uvicorn": "api",
    "redis-server": "redis",
    "bot.launcher": "launcher",
}
Processes = Dict[str, List[psutil.Process]]


def stack_processes(stack: conftest.Stack) -> Processes:
    """The launcher and every process it started, by role (shell wrappers count with their command)."""
    launcher = psutil.Process(stack.proc.pid)
    found: Processes = {"launcher": [launcher]}
    for child in launcher.children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        role = next((name for key, name in ROLES.items() if key in command), None)
        if role:
            found.setdefault(role, []).append(child)
    return found


def _peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set size) of ``pid`` in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def peak_memory(processes: Processes) -> Dict[str, float]:
    """Peak RSS of the largest process of each role."""
    return {role: max(_peak_rss_mb(p.pid) for p in procs) for role, procs in processes.items()}


def cpu_seconds(processes: Processes) -> Dict[str, float]:
    """User plus system CPU time used so far by each role."""
    used: Dict[str, float] = {}
    for role, procs in processes.items():
        times = [p.cpu_times() for p in procs]
        used[role] = sum(t.user + t.system for t in times)
    return used


# --- report ---------------------------------------------------------------------------------------


def print_report(report: Dict[str, Any]) -> None:
    parse = report["nlu_parse"]
    print(f"\nNLU parse, in process ({parse['messages']} messages)")
    print(f"  model loaded in {report['model_load_s']} s")
    print(f"  median {parse['p50_ms']} ms   p95 {parse['p95_ms']} ms   max {parse['max_ms']} ms")
    print("\nEnd-to-end chat through /api/chat (each citizen with its own sessions)")
    header = f"  {'citizens':>8} {'turns':>6} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(header + f" {'429s':>5} {'errors':>6}")
    for level in report["chat"]:
        print(
            f"  {level['citizens']:>8} {level['turns']:>6} {level['turns_per_s']:>8} {level['p50_ms']:>8}"
            f" {level['p95_ms']:>8} {level['max_ms']:>8} {level['rate_limited']:>5} {level['errors']:>6}"
        )
    roles = list(report["chat"][0]["cpu_ms_per_turn"])
    print("\nCPU time per turn by process, in ms (where the cores go)")
    print(f"  {'citizens':>8}" + "".join(f" {role:>9}" for role in roles))
    for level in report["chat"]:
        print(f"  {level['citizens']:>8}" + "".join(f" {level['cpu_ms_per_turn'][r]:>9}" for r in roles))
    print("\nPeak resident memory (VmHWM)")
    for role, megabytes in report["peak_rss_mb"].items():
        print(f"  {role:<24} {megabytes:>8.1f} MiB")
    print(f"\nWritten to {RESULTS.relative_to(PROJECT_ROOT)}; the whole run took {report['total_s']} s.")


def run(seconds: float) -> Dict[str, Any]:
    """Start the stack, measure everything, stop the stack; return the report."""
    began = time.perf_counter()
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no debug line for every parsed message
    messages = nlu_messages(PARSE_MESSAGES)
    box: Dict[str, Any] = {}
    loader = threading.Thread(target=load_agent, args=(box,), daemon=True)
    loader.start()  # TensorFlow starts in this process while the stack starts in its own
    with running_stack() as stack:
        print(f"stack ready at {stack.api} after {time.perf_counter() - began:.0f} s", flush=True)
        loader.join()
        if "error" in box:
            raise box["error"]
        parse = asyncio.run(measure_parse(box["agent"], messages))
        asyncio.run(warm_up(stack.api))
        processes = stack_processes(stack)
        processes["bench"] = [psutil.Process()]  # the simulated citizens, and the in-process NLU model
        levels = []
        for citizens in LEVELS:
            before = cpu_seconds(processes)
            result = asyncio.run(measure_level(stack.api, citizens, seconds))
            after = cpu_seconds(processes)
            summary = result.summary()
            summary["cpu_ms_per_turn"] = {
                role: round(1000 * (after[role] - before[role]) / max(result.turns, 1), 1) for role in after
            }
            levels.append(summary)
            print(f"  {citizens} citizens: {summary['turns_per_s']} turns/s", flush=True)
        memory = peak_memory(processes)
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "model": str(MODEL_PATH.relative_to(PROJECT_ROOT)),
        "model_load_s": box["load_s"],
        "nlu_parse": parse,
        "chat": levels,
        "peak_rss_mb": memory,
        "total_s": round(time.perf_counter() - began, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each concurrency level")
    args = parser.parse_args()
    report = run(args.seconds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_report(report)


if __name__ == "__main__":
    main()
