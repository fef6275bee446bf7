"""One exception tree: the CLI turns a `ModeldocError` into a one-line message, exit 2."""


class ModeldocError(Exception):
    """Base of every error modeldoc raises on purpose."""


class InputError(ModeldocError):
    """The user gave modeldoc something it cannot work with (a missing path, a bad option)."""
