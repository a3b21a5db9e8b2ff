"""``python -m bot.rasa_server run …``: ``rasa run`` without importing TensorFlow up front.

Rasa 3.6 imports TensorFlow (about 10 s of start-up and 400 MiB of memory on the machines
measured in ``docs/benchmarks.md``) whenever its core is imported, although a served model
whose graph holds no TensorFlow component never calls it: ``rasa.utils.train_utils`` imports
the training callbacks and batch generator, and the recipe validator named in every model's
graph imports ``DIETClassifier``, ``ResponseSelector`` and ``TEDPolicy`` to compare classes;
and spaCy (the service linker's ``PhraseMatcher``) imports thinc, which imports TensorFlow if it
is installed, to offer its optional TensorFlow layers.

This entry point stands in for exactly those modules (``DEFERRED``) with placeholder classes
before Rasa is imported. A placeholder is the real class the moment anything uses it —
instantiating it, reading an attribute, ``isinstance``, ``issubclass``, a class defined on it,
any other name of its module — at which point every placeholder module is withdrawn and the
real modules (and TensorFlow) are imported, so a model that does need TensorFlow still loads,
only without the saving. Only ``run`` without ``--enable-api`` is served this way: Rasa's
training compares classes by identity, which a placeholder is not. thinc is imported once with
TensorFlow hidden, so it records that its TensorFlow layers are unavailable (spaCy's blank
Chinese pipeline and ``PhraseMatcher`` use none). Training (``bot.training``)
and the default deployment measured by ``make bench`` import Rasa unchanged.

The module names and class names are those of the pinned Rasa (``requirements.lock``);
``tests/integration/test_rasa_server.py`` fails if a Rasa upgrade moves them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any, Callable, Dict, Tuple

#: module → the names other modules import from it while Rasa starts
DEFERRED: Dict[str, Tuple[str, ...]] = {
    "rasa.utils.tensorflow.callback": ("RasaTrainingLogger", "RasaModelCheckpoint"),
    "rasa.utils.tensorflow.data_generator": (
        "RasaDataGenerator",
        "RasaBatchDataGenerator",
    ),
    "rasa.nlu.classifiers.diet_classifier": ("DIETClassifier",),
    "rasa.nlu.selectors.response_selector": ("ResponseSelector",),
    "rasa.core.policies.ted_policy": ("TEDPolicy",),
}

_placeholders: Dict[str, types.ModuleType] = {}


def _withdraw_placeholders() -> None:
    """Put the real modules back: no module imported from now on sees a placeholder."""
    for name, module in list(_placeholders.items()):
        if sys.modules.get(name) is module:
            del sys.modules[name]
    _placeholders.clear()


def _real_module(module_name: str) -> types.ModuleType:
    _withdraw_placeholders()
    return importlib.import_module(module_name)


def _attribute_of_real(module_name: str) -> Callable[[str], Any]:
    """A placeholder module's ``__getattr__`` (PEP 562): the attribute of the real module."""

    def attribute(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # e.g. ``__path__``, ``__file__``: it stays a placeholder
        return getattr(_real_module(module_name), name)

    return attribute


class _Deferred(type):
    """Metaclass of a placeholder: every use of the class is a use of the real one.

    A class defined on a placeholder (``class Mine(DIETClassifier)``) is built on the real class.
    Identity is the one thing not delegated (``placeholder is not real``), which matters only
    where Rasa compares classes: while training, which this entry point never does.
    """

    _module: str

    def __new__(mcs, name: str, bases: Tuple[type, ...], namespace: Dict[str, Any]) -> Any:
        if any(isinstance(base, _Deferred) for base in bases):
            real_bases = tuple(base.real() if isinstance(base, _Deferred) else base for base in bases)
            meta = type(real_bases[0])
            return meta(name, real_bases, namespace)
        return super().__new__(mcs, name, bases, namespace)

    def real(cls) -> type:
        real_class: type = getattr(_real_module(cls._module), cls.__name__)
        return real_class

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.real()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls.real(), name)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls.real())

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls.real())


def defer_tensorflow() -> None:
    """Install the placeholder modules and import thinc without TensorFlow.

    Call before anything imports Rasa or spaCy.
    """
    if "thinc.compat" not in sys.modules and "tensorflow" not in sys.modules:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]  # import → ImportError
        try:
            importlib.import_module("thinc.compat")
        finally:
            del sys.modules["tensorflow"]
    for module_name, class_names in DEFERRED.items():
        if module_name in sys.modules:
            continue  # already the real one: nothing to save
        module = types.ModuleType(module_name, "placeholder until first use (bot.rasa_server)")
        for class_name in class_names:
            namespace = {"_module": module_name, "__module__": module_name, "__qualname__": class_name}
            setattr(module, class_name, _Deferred(class_name, (), namespace))
        # any other name (``from rasa.core.policies.ted_policy import TED``) is the real module's
        module.__dict__["__getattr__"] = _attribute_of_real(module_name)
        sys.modules[module_name] = module
        _placeholders[module_name] = module


def main() -> None:
    """Run Rasa's command line (``sys.argv``) with TensorFlow deferred.

    Only for ``run`` without ``--enable-api`` (whose ``/model/train`` would train in this
    process); any other command runs as plain ``rasa``.
    """
    if sys.argv[1:2] == ["run"] and "--enable-api" not in sys.argv and "actions" not in sys.argv[2:3]:
        defer_tensorflow()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
