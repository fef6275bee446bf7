"""Shared plumbing for every plot: Agg figures outside pyplot, safe file names, saving.

Figures are `matplotlib.figure.Figure` objects with their own Agg canvas, never pyplot's
current figure, so nothing leaks between plots or threads and the caller's pyplot state and
backend are left alone. The API:

- `new_figure(width, height)`: a figure and its one axes, ready for a Display's `ax=`.
- `plain_text(text)`: user text (labels, feature names) made safe to draw, secrets redacted.
- `safe_name(text)`: a file name stem built from user text, collision-free.
  `save_figure` applies it, secrets redacted first, to the name it is given.
- `save_figure(figure, out_dir, name)`: writes `out_dir/plots/<name>.png`, returns its path.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from functools import cache
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font

from modeldoc.atomic import write_atomically
from modeldoc.tools.secrets import redact_text

DPI = 110
PLOTS_DIR = "plots"
NAME_LIMIT = 80
_HASH_LENGTH = 10
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
# A stem ending like our hash suffix always gets its own hash, so an unchanged name can never
# equal the hashed form of another one.
_HASH_SUFFIX = re.compile(rf"-[0-9a-f]{{{_HASH_LENGTH}}}$")
# Device names Windows refuses as file names, whatever the extension.
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in range(10)]
)


def new_figure(width: float = 6.4, height: float = 4.8) -> tuple[Figure, Axes]:
    """A figure (inches) on its own Agg canvas with one axes; pyplot never sees it."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself: rendering needs no global backend
    return figure, figure.add_subplot()


def plain_text(text: str, limit: int | None = 40) -> str:
    """`text` as matplotlib should draw it: a character the font lacks as its escape
    (`\\u6e29`: no missing-glyph warning and blank box, and two such labels stay apart), cut
    to `limit` characters with an ellipsis in the middle, and `$` shown as itself rather than
    starting mathtext, where a stray label could fail the whole drawing. Secrets in it are
    redacted first (a picture is published like any page)."""
    glyphs = _font_glyphs()
    shown = "".join(
        ch if ord(ch) in glyphs or ch == "\n" else ch.encode("unicode_escape").decode("ascii")
        for ch in redact_text(text)
    )
    if limit is not None and len(shown) > limit:
        # Cut in the middle: names often share a prefix and differ at the end.
        tail = (limit - 1) // 2
        shown = f"{shown[: limit - 1 - tail]}…{shown[len(shown) - tail :] if tail else ''}"
    return shown.replace("$", r"\$")


def safe_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A file name stem for `text` (a plot name, a feature name from user data): only
    `[A-Za-z0-9_-]`, at most `limit` characters. When anything had to change (replaced or
    upper-case characters, length, an empty or reserved name) a hash of the original text is
    appended, so two different texts never share a file, also on case-insensitive disks.
    Being one-to-one, it cannot also leave its own hashed results unchanged: apply it once."""
    if limit < _HASH_LENGTH + 2:
        raise ValueError(f"limit must be at least {_HASH_LENGTH + 2}")
    # Accented letters keep their base letter (é -> e) so the name stays readable.
    decomposed = unicodedata.normalize("NFKD", text)
    stem = _UNSAFE.sub("_", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    changed = (
        stem != text
        or not stem
        or len(stem) > limit
        or stem != stem.lower()
        or stem.upper() in _RESERVED
        or _HASH_SUFFIX.search(stem) is not None
    )
    if not changed:
        return stem
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_LENGTH]
    return f"{stem[: limit - _HASH_LENGTH - 1]}-{digest}"


def save_figure(figure: Figure, out_dir: Path, name: str) -> str:
    """Write `figure` as `out_dir/plots/<safe_name(name)>.png` and return that path relative
    to `out_dir` (POSIX). Pass the raw name (e.g. `f"shap_scatter_{feature}"`), not one
    already made safe; secrets in it are redacted before it becomes a file name (so its hash
    is of the redacted name too: a short password could be found from its hash). The same
    figure gives the same bytes: no timestamp or software version is stored. The figure is
    cleared afterwards (and closed if pyplot holds it)."""
    folder = out_dir / PLOTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{safe_name(redact_text(name))}.png"
    buffer = io.BytesIO()
    try:
        figure.savefig(
            buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None}
        )
    finally:
        _free(figure)
    write_atomically(folder / file_name, buffer.getvalue())
    return f"{PLOTS_DIR}/{file_name}"


def _free(figure: Figure) -> None:
    """Drop the figure's artists; a figure pyplot created (e.g. by SHAP) is closed there too."""
    if figure.canvas.manager is not None:
        import matplotlib.pyplot as plt  # only pyplot-made figures have a manager

        plt.close(figure)
    figure.clear()


@cache
def _font_glyphs() -> frozenset[int]:
    """The code points the default font can draw."""
    return frozenset(FT2Font(findfont(FontProperties())).get_charmap())
