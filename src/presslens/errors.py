"""Errors that reach a user as one clear line, never as a traceback."""

from __future__ import annotations

from typing import Any


def _rebuild(cls: type[PressLensError], args: tuple[Any, ...], state: dict[str, Any]) -> PressLensError:
    """Unpickle an error without calling its ``__init__`` (whose arguments need not be its ``args``)."""
    err = cls.__new__(cls, *args)
    err.args = args
    err.__dict__.update(state)
    return err


class PressLensError(Exception):
    """Base class: the message is written for the user.

    Every subclass pickles (a worker process sends its errors back to the parent), whatever its constructor takes.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class InputError(PressLensError):
    """An input that cannot be analysed; ``source`` names it (a path, ``-`` or ``file:line``)."""

    def __init__(self, source: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class ModelError(PressLensError):
    """A model that cannot be loaded."""
