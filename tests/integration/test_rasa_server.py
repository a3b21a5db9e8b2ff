"""Rasa serves the model without TensorFlow, and a model that needs TensorFlow still gets it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import httpx
import psutil
import pytest

from tests.conftest import Stack

pytestmark = pytest.mark.integration


def command_line(process: psutil.Process) -> str:
    """``process``'s command line, or "" for one that has ended (a zombie not yet reaped, or gone)."""
    try:
        return " ".join(process.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return ""


def rasa_process(stack: Stack) -> psutil.Process:
    children = psutil.Process(stack.proc.pid).children(recursive=True)
    served = [p for p in children if "bot.rasa_server" in command_line(p)]
    assert len(served) == 1, [command_line(p) for p in children]
    return served[0]


def test_the_running_rasa_never_loads_tensorflow(stack: Stack) -> None:
    sender = httpx.post(f"{stack.api}/api/session", json={}).json()["sender"]
    replies = httpx.post(
        f"{stack.api}/api/chat", json={"sender": sender, "message": "俺想开个小饭馆 材料都有哪些"}, timeout=30
    ).json()
    assert "餐饮" in replies[0]["text"] and "材料" in replies[0]["text"]
    mapped = {m.path for m in rasa_process(stack).memory_maps()}
    assert mapped, "the Rasa process maps no file"
    assert not [path for path in mapped if "tensorflow" in path.lower()]


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_deferred_class_becomes_the_real_one_on_first_use() -> None:
    out = run_python(
        """
        import sys
        from bot.rasa_server import defer_tensorflow
        defer_tensorflow()
        import rasa.core.run  # the whole serving import path
        from rasa.engine.graph import GraphComponent
        from rasa.nlu.classifiers.diet_classifier import DIETClassifier
        assert "tensorflow" not in sys.modules
        config = DIETClassifier.get_default_config()  # first use: the real class, with TensorFlow
        assert "tensorflow" in sys.modules
        class Mine(DIETClassifier):  # a custom component on the placeholder is built on the real class
            pass
        assert issubclass(Mine, GraphComponent) and Mine.__mro__[1].__module__.startswith("rasa.nlu")
        from rasa.nlu.selectors.response_selector import ResponseSelector
        assert issubclass(ResponseSelector, DIETClassifier) and isinstance(Mine, type(ResponseSelector))
        from rasa.utils.tensorflow.callback import RasaTrainingLogger
        print(config["epochs"], type(RasaTrainingLogger).__name__)
        """
    )
    assert out.split() == ["300", "type"]


def test_other_names_of_a_deferred_module_come_from_the_real_module() -> None:
    out = run_python(
        """
        import sys
        from bot.rasa_server import defer_tensorflow
        defer_tensorflow()
        import rasa.core.run
        assert "tensorflow" not in sys.modules
        from rasa.core.policies.unexpected_intent_policy import UnexpecTEDIntentPolicy  # imports TED
        from rasa.core.policies.ted_policy import TED, TEDPolicy
        assert issubclass(UnexpecTEDIntentPolicy, TEDPolicy)
        print(TED.__name__)
        """
    )
    assert out.split() == ["TED"]
