"""Models built at module level, as notebooks and short scripts do:
`model = nn.Sequential(nn.Linear(784, 128), ...)`, `model = keras.Sequential()` followed by
`model.add(layers.Dense(10))`, or a Keras functional `keras.Model(inputs, outputs)`.

Works on byte ranges and `Call` facts, so any language's extractor can feed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from modeldoc.facts import Call, ModelDefinition
from modeldoc.tools.code import catalog

_FUNCTIONAL = {"keras.Model", "keras.models.Model"}


@dataclass
class _Container:
    name: str
    call: Call
    start: int
    end: int
    layers: list[Call] = field(default_factory=list)
    adds: list[tuple[int, int]] = field(default_factory=list)

    def holds(self, position: int) -> bool:
        """The position is inside the constructor call or inside one of its `.add(...)`."""
        return self.start <= position < self.end or any(a <= position < b for a, b in self.adds)


@dataclass
class ModuleModels:
    """Collects module-level containers and layers in reading order."""

    containers: list[_Container] = field(default_factory=list)
    pending: list[Call] = field(default_factory=list)

    def container(self, name: str, call: Call, start: int, end: int) -> None:
        """`name = <container call>` spanning bytes [start, end)."""
        found = _Container(name=name, call=call, start=start, end=end)
        if catalog.canonical(call.qualified) in _FUNCTIONAL:
            # Functional API: the layers were called before the model that ties them up.
            found.layers.extend(self.pending)
        self.pending.clear()
        self.containers.append(found)

    def add(self, receiver: str, start: int, end: int) -> None:
        """`receiver.add(...)` spanning bytes [start, end)."""
        for found in reversed(self.containers):
            if found.name == receiver:
                found.adds.append((start, end))
                return

    def layer(self, call: Call, start: int) -> None:
        """A layer call at module level, starting at byte `start`."""
        for found in reversed(self.containers):
            if found.holds(start):
                found.layers.append(call)
                return
        self.pending.append(call)

    def models(self) -> list[ModelDefinition]:
        """One model per container."""
        return [
            ModelDefinition(
                name=found.name,
                kind="variable",
                bases=[found.call.callee],
                framework=catalog.container_framework(found.call.qualified),
                layers=found.layers,
                source=found.call.source,
            )
            for found in self.containers
        ]
