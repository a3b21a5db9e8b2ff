"""A Rasa ``GraphRunner`` that runs the prediction graph's nodes one after another.

Rasa 3.6 serves a model with ``DaskGraphRunner``, which on every run — twice or more per turn:
the NLU graph for the message, the policy graph before each action — computes the minimal
schema for the targets (a recursive walk that lists every path), builds a dask graph, orders it
(``dask.order``) and schedules it through ``dask.local.get_sync``'s queue. The graph is small
and fixed (a tokenizer, four NLU components, three policies and their ensemble) and its nodes
run in the calling thread anyway, so that work changes nothing but costs CPU on every turn:
profiling the Rasa server under load (``tests/bench/profile.py``) put the scheduler alone at
about a tenth of its busy time.

:class:`SequentialGraphRunner` computes each target set's order once and calls the same
``GraphNode`` objects Rasa's runner builds, in dependency order, with the same inputs: a node is
given each parent's ``(node name, output)`` pair, an input placeholder as ``(name, value)``, and
a parent that is neither as its bare name (``GraphNode`` logs it, as under dask). An input whose
value is a node's name, a target that is neither a node nor an input, and a ``RuntimeError``
raise ``GraphRunError``; a node's own error passes through. Training keeps Rasa's ``DaskGraphRunner``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphNode, GraphNodeHook, GraphSchema
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.storage import ModelStorage


class SequentialGraphRunner(GraphRunner):
    """Runs a ``GraphSchema``'s nodes in dependency order in the calling thread."""

    def __init__(
        self,
        graph_schema: GraphSchema,
        model_storage: ModelStorage,
        execution_context: ExecutionContext,
        hooks: Optional[List[GraphNodeHook]] = None,
    ) -> None:
        """Instantiate every node of ``graph_schema`` (eager nodes load their component now)."""
        self._graph_schema = graph_schema
        self._nodes: Dict[str, GraphNode] = {
            name: GraphNode.from_schema_node(name, node, model_storage, execution_context, hooks)
            for name, node in graph_schema.nodes.items()
        }
        self._orders: Dict[Tuple[str, ...], List[str]] = {}

    @classmethod
    def create(
        cls,
        graph_schema: GraphSchema,
        model_storage: ModelStorage,
        execution_context: ExecutionContext,
        hooks: Optional[List[GraphNodeHook]] = None,
    ) -> SequentialGraphRunner:
        """Creates the runner (see ``GraphRunner.create``)."""
        return cls(graph_schema, model_storage, execution_context, hooks)

    def order(self, targets: Tuple[str, ...]) -> List[str]:
        """The nodes ``targets`` depend on, themselves included, each after all of its parents.

        Names that are not nodes of the schema (input placeholders) are left out.
        """
        found = self._orders.get(targets)
        if found is not None:
            return found
        nodes = self._graph_schema.nodes
        ordered: List[str] = []
        done: set = set()

        def visit(name: str) -> None:
            if name in done or name not in nodes:
                return
            done.add(name)
            for parent in nodes[name].needs.values():
                visit(parent)
            ordered.append(name)

        for target in targets:
            visit(target)
        self._orders[targets] = ordered
        return ordered

    def run(
        self,
        inputs: Optional[Dict[str, Any]] = None,
        targets: Optional[List[str]] = None,
    ) -> Dict[str, Any]:
        """Runs the graph (see ``GraphRunner.run``): target node name → its output.

        Raises:
            GraphRunError: an input's value is a string naming a node (as with Rasa's runner),
                a target is neither a node nor an input, or a node raised ``RuntimeError``.

        """
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        values: Dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of the "
                    f"input names passed to the `run` method are the same as node names in the "
                    f"graph schema."
                )
            values[name] = (name, value)
        nodes = self._graph_schema.nodes
        try:
            for name in self.order(run_targets):
                parents = [values.get(parent, parent) for parent in nodes[name].needs.values()]
                values[name] = self._nodes[name](*parents)
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        unknown = [target for target in run_targets if target not in values]
        if unknown:
            raise GraphRunError(f"Unknown targets {unknown}: neither nodes of the graph nor inputs.")
        return {target: values[target][1] for target in run_targets}
