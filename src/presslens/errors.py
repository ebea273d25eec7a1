"""Errors that reach a user as one clear line, never as a traceback."""


class PressLensError(Exception):
    """Base class: the message is written for the user."""


class InputError(PressLensError):
    """An input that cannot be analysed; ``source`` names it (a path, ``-`` or ``file:line``)."""

    def __init__(self, source: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class ModelError(PressLensError):
    """A model that cannot be loaded."""
