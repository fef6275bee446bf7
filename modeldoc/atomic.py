"""Write a file in one step: a reader sees the old file or the new one, never half of one.

Every file modeldoc writes goes through `write_atomically`: outputs (card, facts, pages, plots,
the diff) and cache entries alike. The temporary file beside the target is created with the
mode the target should have, so outputs get the usual permissions from the umask (a web server
can serve the site) and private files (cache entries, which can hold LLM answers about a
private repository) are readable by the user only, whatever the umask.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

# What the kernel starts from before the umask: rw for everyone, like `open(path, "w")`.
_SHARED_MODE = 0o666
_PRIVATE_MODE = 0o600
# A long target name is cut in the temporary name, which must stay within NAME_MAX (255).
_NAME_PART = 100


def write_atomically(
    path: Path, content: str | bytes, *, private: bool = False, durable: bool = True
) -> None:
    """Write `content` (text as UTF-8) to `path` in one step: a temporary file beside it,
    then a rename. Its mode comes from the umask, or is 0600 when `private`. `durable` waits
    for the disk before the rename, so a crash cannot leave an empty file behind; a cache
    entry, which is only a miss when it cannot be read, skips that wait."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name[:_NAME_PART]}.{uuid.uuid4().hex}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(temporary, flags, _PRIVATE_MODE if private else _SHARED_MODE)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename in (None, str(temporary)):
            # A full disk fails the write, which names no file, and the temporary file's name
            # means nothing to the user: name the file being written.
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
