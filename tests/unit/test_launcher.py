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


def test_redis_binary_is_real() -> None:
    assert os.access(redis_server_binary(), os.X_OK)
