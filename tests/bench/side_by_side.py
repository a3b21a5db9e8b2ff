"""Two versions of the stack side by side, under the same load at the same time (a developer's tool).

    .venv/bin/python -m tests.bench.side_by_side ../before --citizens 5 --seconds 40 --runs 2

``make bench`` compares the stack with the default Rasa deployment within one run; comparing two
rows of ``docs/benchmarks.md`` compares two moments of a shared machine as much as two versions of
the code (on 2026-12-02 the same commit did 30.2 turns/s at 20 citizens at 08:04 and 46.3 at 19:25).
This tool starts this checkout's stack and another checkout's (``git worktree add ../before HEAD``,
with a trained model in its ``models/``; it runs with this checkout's Python environment and a copy
of this checkout's ``data/``) and drives both at once with the bench's citizens
(``tests/bench/workload.py``), so whatever else the machine does slows both alike. Each run prints
turns/s, p50/p95 and CPU ms per turn per process for both, and the ratio this/other of turns/s;
``--runs`` repeats it with fresh stacks, since one run's ratio still moves by several percent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import tempfile
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Dict, List

from bot.settings import PROJECT_ROOT
from tests.bench.run import (
    FAQ,
    Deployment,
    LevelResult,
    bench_data_dir,
    cpu_seconds,
    drive,
    stack_processes,
    warm_up,
)
from tests.bench.workload import ApiTransport, faq_questions
from tests.utils import stack as stack_utils


async def _both(deployments: Dict[str, Deployment], citizens: int, seconds: float) -> List[LevelResult]:
    return list(await asyncio.gather(*(drive(d, citizens, seconds) for d in deployments.values())))


def one_run(other: Path, citizens: int, seconds: float) -> Dict[str, LevelResult]:
    """Start both stacks, warm them up, drive them together; return each one's result."""
    folder = Path(tempfile.mkdtemp(prefix="gxx-side-"))
    data_dir = bench_data_dir(folder)
    FAQ[:] = faq_questions(data_dir)
    os.environ.update(GXX_DATA_DIR=str(data_dir), ADMIN_TOKEN=secrets.token_urlsafe(24))
    checkouts = {"this": PROJECT_ROOT, "other": other.resolve()}
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, folder, True)
        deployments: Dict[str, Deployment] = {}
        for name, checkout in checkouts.items():
            (folder / name).mkdir()
            stack = stack_utils.start_stack(folder / name, {"PYTHONPATH": str(checkout)}, checkout)
            cleanup.callback(stack.stop)
            processes = partial(stack_processes, stack)
            deployments[name] = Deployment(name, stack.api, ApiTransport, processes, 0.0)
        for deployment in deployments.values():
            asyncio.run(warm_up(deployment))
        before = {name: cpu_seconds(d.processes()) for name, d in deployments.items()}
        results = dict(zip(deployments, asyncio.run(_both(deployments, citizens, seconds)), strict=True))
        for name, deployment in deployments.items():
            after = cpu_seconds(deployment.processes())
            results[name].cpu_s = {role: after[role] - before[name].get(role, 0.0) for role in after}
        return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("other", type=Path, help="the other checkout (with a trained model)")
    parser.add_argument("--citizens", type=int, default=5, help="citizens on each stack at once")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for number in range(1, args.runs + 1):
        results = one_run(args.other, args.citizens, args.seconds)
        for name, result in results.items():
            summary = result.summary()
            print(
                f"run {number} {name:<5}: {summary['turns_per_s']} turns/s, p50 {summary['p50_ms']} ms,"
                f" p95 {summary['p95_ms']} ms, CPU ms per turn {summary['cpu_ms_per_turn']}"
                f" {summary['cpu_ms_per_turn_by_process']}, errors {summary['errors']}",
                flush=True,
            )
        this, other = (results[n].summary()["turns_per_s"] for n in ("this", "other"))
        print(f"run {number}: turns/s this/other {this / other:.3f}", flush=True)


if __name__ == "__main__":
    main()
