import os

from bot.launcher import build_environment, commands, redis_env, redis_server_binary


def test_redis_url_is_split_for_endpoints() -> None:
    env = redis_env("redis://:s3cret@10.0.0.5:6380/2")
    assert env == {
        "REDIS_URL": "redis://:s3cret@10.0.0.5:6380/2",
        "REDIS_HOST": "10.0.0.5",
        "REDIS_PORT": "6380",
        "REDIS_DB": "2",
        "REDIS_PASSWORD": "s3cret",
    }


def test_private_redis_when_no_url() -> None:
    env = build_environment({"PRIVATE_REDIS_PORT": "7001"})
    assert env["REDIS_URL"] == "redis://127.0.0.1:7001/0"
    assert "redis" in commands(env)
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5055/webhook"


def test_external_redis_is_not_started() -> None:
    env = build_environment({"REDIS_URL": "redis://cache.internal:6379/1"})
    assert "redis" not in commands(env)
    assert env["REDIS_HOST"] == "cache.internal" and env["REDIS_DB"] == "1"


def test_rasa_listens_on_loopback_by_default() -> None:
    rasa = commands(build_environment({}))["rasa"]
    assert "-i 127.0.0.1" in rasa and "--enable-api" not in rasa


def test_the_action_server_listens_on_loopback_by_default() -> None:
    assert build_environment({})["SANIC_HOST"] == "127.0.0.1"  # rasa_sdk's own default is 0.0.0.0
    assert build_environment({"ACTION_INTERFACE": "0.0.0.0"})["SANIC_HOST"] == "0.0.0.0"  # a container


def test_redis_binary_is_real() -> None:
    assert os.access(redis_server_binary(), os.X_OK)


def test_restart_delay_doubles_and_resets_when_stable() -> None:
    from bot.launcher import BACKOFF_MAX_SECONDS, restart_delay

    delay, backoff = restart_delay(1.0, 0.5)
    assert (delay, backoff) == (1.0, 2.0)
    delay, backoff = restart_delay(16.0, 3)
    assert delay == 16.0 and backoff == BACKOFF_MAX_SECONDS
    assert restart_delay(30.0, 120.0)[0] == 1.0


def test_supervisor_restarts_a_killed_child_and_stops_all(tmp_path) -> None:
    import io
    import signal
    import sys
    import time

    from bot.launcher import Supervisor

    sleeper = f"{sys.executable} -c 'import time; print(\"up\", flush=True); time.sleep(600)'"
    out = io.StringIO()
    supervisor = Supervisor(
        {"one": sleeper, "two": sleeper}, dict(os.environ), tmp_path, out, tmp_path / "run"
    )
    # run() = start each child, then check() until a signal, then stop(): driven here step by step
    for child in supervisor.children:
        supervisor.start(child)
    first = int((tmp_path / "run" / "one.pid").read_text())
    os.kill(first, signal.SIGKILL)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        supervisor.check()
        pid = int((tmp_path / "run" / "one.pid").read_text())
        if pid != first:
            break
        time.sleep(0.05)
    assert pid != first
    assert "one (pid" in out.getvalue() and "died" in out.getvalue() and "restarting in 1s" in out.getvalue()
    pids = [c.proc.pid for c in supervisor.children if c.proc]
    supervisor.stop()
    for p in pids:
        try:
            os.kill(p, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"process {p} is still running")
    assert not list((tmp_path / "run").glob("*.pid"))


def test_rasa_sends_no_usage_reports() -> None:
    """Rasa's telemetry is on by default; the processes the launcher starts have it off."""
    import subprocess
    import sys

    env = build_environment({k: v for k, v in os.environ.items() if k != "RASA_TELEMETRY_ENABLED"})
    probe = "import rasa.telemetry as t; print(t.is_telemetry_enabled())"
    shown = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
    assert build_environment({"RASA_TELEMETRY_ENABLED": "true"})["RASA_TELEMETRY_ENABLED"] == "true"
