"""Profile the stack's three Python processes under load with py-spy (a developer's tool).

    .venv/bin/uv pip install py-spy          # not in the lock: only this script uses it
    .venv/bin/python -m tests.bench.profile --citizens 5 --seconds 30

Starts the stack as ``make bench`` does, drives it with the bench's citizens, records the rasa,
action server and api processes with ``py-spy record --format raw`` (collapsed stacks) meanwhile,
and prints each process's heaviest functions, inclusive and self, as shares of its samples. The
collapsed stacks are kept in ``results/profile-<role>.txt`` for a flame graph.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

import httpx

from bot.settings import PROJECT_ROOT
from tests.bench import run as bench
from tests.bench.workload import (
    ApiTransport,
    ChannelTransport,
    Citizen,
    Recorder,
    VisitOverError,
    faq_questions,
)
from tests.utils import stack as stack_utils

PY_SPY = Path(sys.executable).with_name("py-spy")


def summarise(collapsed: Path, top: int) -> List[str]:
    """The ``top`` functions by inclusive and by self share of the samples."""
    inclusive: Dict[str, int] = collections.Counter()
    own: Dict[str, int] = collections.Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = [f.split(" (")[0] + " " + f.split("/")[-1].rstrip(")") for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    lines = [f"  {total} samples; inclusive:"]
    for frame, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"    {100 * count / total:5.1f}%  {frame}")
    lines.append("  self:")
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"    {100 * count / total:5.1f}%  {frame}")
    return lines


class LongConversation:
    """One citizen's conversation over the Rasa channel, continued in steps."""

    def __init__(self, stack: stack_utils.Stack) -> None:
        self.stack = stack
        self.transport = ChannelTransport({"X-Channel-Secret": stack.env["CHANNEL_SECRET"]})
        self.sender = uuid.uuid4().hex
        self.citizen = Citizen(random.Random(77), bench.FAQ)

    async def go_on(self, turns: int = 10**9, seconds: float = float("inf")) -> float:
        """Continue for ``turns`` turns or ``seconds`` seconds; return the median turn in ms."""
        recorder = Recorder(deadline=time.perf_counter() + seconds)
        async with httpx.AsyncClient(base_url=self.stack.rasa, timeout=120) as client:
            say = recorder.say_for(self.transport, client, self.sender)
            try:
                while len(recorder.latencies) + recorder.errors < turns:
                    await self.citizen.visit(say, min_turns=12)
            except VisitOverError:
                pass
        return round(1000 * statistics.median(recorder.latencies or [0.0]), 1)


def main() -> None:
    """Start the stack, load it, record it, print the summaries."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--citizens", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--rate", type=int, default=50, help="py-spy samples per second")
    parser.add_argument(
        "--long",
        type=int,
        default=0,
        help="one conversation over the channel, recorded after this many turns",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gxx-profile-"))
    out_dir = PROJECT_ROOT / "results"
    out_dir.mkdir(exist_ok=True)
    try:
        data_dir = bench.bench_data_dir(folder)
        bench.FAQ[:] = faq_questions(data_dir)
        os.environ["GXX_DATA_DIR"] = str(data_dir)
        (folder / "stack").mkdir()
        stack = stack_utils.start_stack(folder / "stack")
        try:
            processes = bench.stack_processes(stack)
            deployment = bench.Deployment(
                "stack", stack.api, ApiTransport, lambda: bench.stack_processes(stack), 0.0
            )
            asyncio.run(bench.warm_up(deployment))
            conversation = LongConversation(stack) if args.long else None
            if conversation is not None:
                asyncio.run(conversation.go_on(turns=args.long))
            recorders = {}
            for role in ("rasa", "actions", "api"):
                pid = max(processes[role], key=lambda p: p.memory_info().rss).pid  # not the shell
                target = out_dir / f"profile-{role}.txt"
                recorders[role] = (
                    subprocess.Popen(
                        [str(PY_SPY), "record", "--pid", str(pid), "--duration", str(int(args.seconds)),
                         "--rate", str(args.rate), "--format", "raw", "--output", str(target),
                         "--nonblocking"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    ),
                    target,
                )  # fmt: skip
            if conversation is not None:
                took = asyncio.run(conversation.go_on(seconds=args.seconds))
                print(f"turns {args.long} on: median {took} ms")
            else:
                result = asyncio.run(bench.drive(deployment, args.citizens, args.seconds)).summary()
                print(f"{args.citizens} citizens: {result['turns_per_s']} turns/s, p50 {result['p50_ms']} ms")
            for proc, _ in recorders.values():
                proc.wait(60)
            for role, (_, target) in recorders.items():
                print(f"\n== {role} ==")
                print("\n".join(summarise(target, args.top)))
        finally:
            stack.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
