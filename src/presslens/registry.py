"""The component registry, in the spirit of spaCy's factories.

A component is one capability that reads and adds to an :class:`~presslens.model.Analysis`. It is registered
once, with its name, the components it requires (run before it) and the analysis fields it assigns::

    @register("events", requires=("quotes",), assigns=("events",), help="who did what to whom")
    class Events:
        def __init__(self, options: Options):   # loads its models: once per process and options
            ...
        def __call__(self, analysis: Analysis, doc: spacy.tokens.Doc) -> None:
            analysis.extensions["events"] = [...]

The pipeline, the worker warm-up, the CLI's ``--only`` and the Python API all read this registry, so a new
component is one module plus one registration. Optional hooks on the class:

- ``finish(self, analyses)``: after every article of a batch (e.g. one encoder batch for a chunk's claims);
- ``check(options)`` (a static or class method): fails early and once in the parent process before workers
  start; it must not start torch (workers fork after it).

Built-in components register on first use of the registry; other packages can add theirs through the
``presslens.components`` entry-point group (each entry point names a module that registers on import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

from presslens.errors import PressLensError

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.model import Analysis
    from presslens.options import Options

# The built-in components, in run order.
BUILTIN_MODULES = (
    "presslens.quotes.component",
    "presslens.persuasion.component",
    "presslens.genre.component",
    "presslens.claims.component",
    "presslens.factchecks.component",
)
ENTRY_POINT_GROUP = "presslens.components"


class Component(Protocol):
    def __call__(self, analysis: Analysis, doc: Doc) -> None: ...


ComponentFactory = Callable[["Options"], Component]


@dataclass(frozen=True, slots=True)
class ComponentInfo:
    """A registered component: how to build it and what it reads and writes."""

    name: str
    factory: ComponentFactory
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    help: str = ""
    default: bool = True  # runs when no components are named
    implied: bool = False  # runs whenever everything it requires runs (fact-check matching after claims)
    schema: dict[str, Any] | None = None  # JSON Schema of each top-level key it adds outside the core contract

    def check(self, options: Options) -> None:
        check = getattr(self.factory, "check", None)
        if check is not None:
            check(options)


class UnknownComponent(PressLensError, ValueError):
    pass


_registry: dict[str, ComponentInfo] = {}
_loaded = False


def register(
    name: str,
    *,
    requires: tuple[str, ...] = (),
    assigns: tuple[str, ...] = (),
    help: str = "",
    default: bool = True,
    implied: bool = False,
    schema: dict[str, Any] | None = None,
) -> Callable[[Any], Any]:
    """Register a component factory (a class taking ``Options``, or a function returning the callable).

    ``schema``: for a component that writes to ``Analysis.extensions``, the JSON Schema of each key it adds
    (``{"events": {"type": "array", ...}}``); ``presslens.schema.load_schema()`` includes it."""

    def decorate(factory: Any) -> Any:
        if name in _registry and _registry[name].factory is not factory:
            raise ValueError(f"a component named {name!r} is already registered")
        for req in requires:
            if req not in _registry:
                raise ValueError(f"component {name!r} requires {req!r}, which is not registered (register it first)")
        for other in _registry.values():
            taken = set(other.assigns) & set(assigns)
            if taken and other.name != name:
                raise ValueError(f"component {name!r} assigns {sorted(taken)}, already assigned by {other.name!r}")
        _registry[name] = ComponentInfo(
            name, factory, tuple(requires), tuple(assigns), help, default, implied, dict(schema) if schema else None
        )
        return factory

    return decorate


def unregister(name: str) -> None:
    """Remove a component (for tests and plugins that replace one); components requiring it go too."""
    _registry.pop(name, None)
    for other in [c for c in _registry.values() if name in c.requires]:
        unregister(other.name)


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_MODULES:
        import_module(module)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        import_module(ep.value)


def components() -> list[ComponentInfo]:
    """Every registered component, in run order."""
    _ensure_loaded()
    return list(_registry.values())


def names() -> list[str]:
    return [c.name for c in components()]


def get(name: str) -> ComponentInfo:
    _ensure_loaded()
    try:
        return _registry[name]
    except KeyError:
        raise UnknownComponent(f"unknown component {name!r}; known: {', '.join(_registry)}") from None


def resolve(chosen: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The components to run, in run order: ``chosen`` (or every default one), what they require, and the
    implied components whose requirements all run."""
    infos = components()
    wanted = {get(n).name for n in chosen} if chosen else {c.name for c in infos if c.default}
    changed = True
    while changed:
        changed = False
        for c in infos:
            add = set(c.requires) - wanted if c.name in wanted else set()
            if c.implied and c.name not in wanted and c.requires and set(c.requires) <= wanted:
                add.add(c.name)
            if add:
                wanted |= add
                changed = True
    return tuple(c.name for c in infos if c.name in wanted)
