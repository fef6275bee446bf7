"""One exception tree: the CLI turns a `ModeldocError` into a one-line message, exit 2."""


class ModeldocError(Exception):
    """Base of every error modeldoc raises on purpose."""


class InputError(ModeldocError):
    """The user gave modeldoc something it cannot work with (a missing path, a bad option)."""


def first_line(error: BaseException) -> str:
    """An error's message cut to its first line (its type's name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
