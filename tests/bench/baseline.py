"""The baseline of ``make bench``: the same trained model, deployed the default Rasa way.

``rasa run`` with the REST channel (``credentials.yml`` holding only ``rest:``), the in-memory
tracker and lock stores (an endpoints file with only the ``action_endpoint``), one Sanic worker,
no HTTP API; and ``rasa run actions`` with our actions. The action server needs what it needs in
any deployment: an SQL database (a temporary SQLite file, migrated and seeded with the FAQ as the
api does at start-up) and a Redis for the personal-data vault of the booking form.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import psutil

from bot.launcher import redis_server_binary
from bot.settings import PROJECT_ROOT
from bot.training import MODEL_PATH
from tests.utils.stack import STACK_START_TIMEOUT, free_port, wait_for


class Baseline:
    """The running processes of the default deployment."""

    def __init__(self, folder: Path, data_dir: Path) -> None:
        self.folder = folder
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.redis_port = free_port()
        self.rasa = f"http://127.0.0.1:{self.rasa_port}"
        self.procs: Dict[str, subprocess.Popen] = {}
        self.database_url = f"sqlite:///{folder / 'baseline.db'}"
        self.env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
        self.env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            GXX_DATA_DIR=str(data_dir),
            GXX_VAR_DIR=str(folder),
            TF_CPP_MIN_LOG_LEVEL="3",
            PYTHONUNBUFFERED="1",
        )
        self.ready_s = 0.0

    def _files(self) -> tuple[Path, Path]:
        credentials = self.folder / "credentials.yml"
        credentials.write_text("rest:\n", encoding="utf-8")
        endpoints = self.folder / "endpoints.yml"
        endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.action_port}/webhook\n", encoding="utf-8"
        )
        return credentials, endpoints

    def _spawn(self, name: str, command: List[str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self) -> Baseline:
        """Start Redis, the action server and Rasa; return once both answer (``ready_s`` from here)."""
        from bot.db import make_engine, run_migrations
        from bot.faq_db import seed_from_folder

        credentials, endpoints = self._files()
        began = time.perf_counter()
        self._spawn(
            "redis",
            [redis_server_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""],
        )
        engine = make_engine(self.database_url)
        run_migrations(self.database_url, engine)
        seed_from_folder(engine, Path(self.env["GXX_DATA_DIR"]) / "faq")
        engine.dispose()
        py = sys.executable
        self._spawn(
            "actions",
            [py, "-m", "rasa", "run", "actions", "--actions", "actions", "-p", str(self.action_port)],
        )
        self._spawn(
            "rasa",
            [py, "-m", "rasa", "run", "--model", str(MODEL_PATH), "-i", "127.0.0.1",
             "-p", str(self.rasa_port), "--credentials", str(credentials), "--endpoints", str(endpoints)],
        )  # fmt: skip
        try:
            wait_for(f"http://127.0.0.1:{self.action_port}/health", STACK_START_TIMEOUT)
            wait_for(f"{self.rasa}/webhooks/rest/", STACK_START_TIMEOUT)
        except BaseException:
            self.stop()
            logs = "\n".join(
                (self.folder / f"{n}.log").read_text(errors="replace")[-3000:] for n in self.procs
            )
            raise RuntimeError(f"the baseline did not become ready:\n{logs}") from None
        self.ready_s = time.perf_counter() - began
        return self

    def processes(self) -> Dict[str, List[psutil.Process]]:
        """The processes by role, as ``run.stack_processes`` names them."""
        return {name: [psutil.Process(p.pid)] for name, p in self.procs.items()}

    def stop(self) -> None:
        """Stop every process this baseline started."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
