"""The shared figure plumbing: Agg figures outside pyplot, safe names, deterministic PNGs."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from modeldoc.tools.plots.figures import NAME_LIMIT, new_figure, plain_text, safe_name, save_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _figure(label: str = "value") -> Figure:
    figure, ax = new_figure(4, 3)
    ax.plot([0, 1, 2], [2, 0, 1], label=plain_text(label))
    ax.set_title(plain_text(label))
    ax.legend()
    return figure


def test_save_figure_writes_a_png_and_returns_its_relative_path(tmp_path: Path) -> None:
    figure = _figure()
    assert isinstance(figure.canvas, FigureCanvasAgg)
    file = save_figure(figure, tmp_path, "line")
    assert file == "plots/line.png"
    data = (tmp_path / file).read_bytes()
    assert data[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(tmp_path / file)
    height, width, channels = image.shape
    assert 250 < width < 500 and 200 < height < 400 and channels in (3, 4)  # 4x3 in at 110 dpi
    assert not figure.axes  # cleared: the artists are freed
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["line.png"]  # no temp left
    plain = tmp_path / "plain.png"
    plain.write_bytes(data)
    assert (tmp_path / file).stat().st_mode == plain.stat().st_mode  # readable as usual


def test_same_figure_gives_the_same_bytes(tmp_path: Path) -> None:
    first = save_figure(_figure(), tmp_path / "a", "line")
    second = save_figure(_figure(), tmp_path / "b", "line")
    assert (tmp_path / "a" / first).read_bytes() == (tmp_path / "b" / second).read_bytes()
    assert b"Software" not in (tmp_path / "a" / first).read_bytes()


def test_figures_in_threads_do_not_leak_into_each_other_or_pyplot(tmp_path: Path) -> None:
    before = plt.get_fignums()

    def draw(index: int) -> bytes:
        folder = tmp_path / str(index)
        return (folder / save_figure(_figure(f"label {index % 2}"), folder, "line")).read_bytes()

    with ThreadPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(draw, range(4)))
    assert drawn[2] == drawn[0] and drawn[3] == drawn[1]
    assert drawn[0] != drawn[1]
    assert plt.get_fignums() == before


def test_a_pyplot_figure_is_closed_once_saved(tmp_path: Path) -> None:
    figure = plt.figure()  # what SHAP's plotting functions draw on
    figure.add_subplot().plot([0, 1])
    assert figure.number in plt.get_fignums()
    save_figure(figure, tmp_path, "pyplot")
    assert figure.number not in plt.get_fignums()
    assert (tmp_path / "plots" / "pyplot.png").read_bytes()[:8] == PNG_SIGNATURE


def test_a_hostile_name_stays_inside_the_plots_folder(tmp_path: Path) -> None:
    file = save_figure(_figure(), tmp_path / "out", "../../etc/passwd")
    assert re.fullmatch(r"plots/[A-Za-z0-9_-]+\.png", file)
    written = (tmp_path / "out" / file).resolve()
    assert written.parent == (tmp_path / "out" / "plots").resolve()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "age in years",
        "größe",
        "温度",
        "x" * 500,
        "",
        ".",
        "CON",
        "nul",
        "income-0123456789",
        "a\x00b",
        "\ud800",  # a lone surrogate, as os.fsdecode gives for undecodable bytes
    ],
)
def test_safe_name_keeps_only_safe_characters(name: str) -> None:
    stem = safe_name(name)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,80}", stem)
    assert stem.upper() not in {"CON", "NUL"}
    assert re.search(r"-[0-9a-f]{10}$", stem)  # changed, so it carries the original's hash
    assert safe_name(name) == stem  # the same name always gives the same file


def test_safe_name_leaves_plain_names_alone_and_reads_like_the_original() -> None:
    assert safe_name("confusion_matrix") == "confusion_matrix"
    assert safe_name("shap-scatter-age") == "shap-scatter-age"
    assert safe_name("age in years").startswith("age_in_years-")
    assert safe_name("Age").startswith("Age-")  # case kept; the hash tells it from "age"
    assert safe_name("größe").startswith("gro")
    assert len(safe_name("x" * 500)) == NAME_LIMIT
    assert len(safe_name("x" * 500, limit=20)) == 20


def test_safe_name_never_maps_two_names_to_one_file() -> None:
    names = [
        "a b",
        "a_b",
        "a/b",
        "a.b",
        "a\tb",
        "Age",
        "age",
        "AGE",
        "x" * 200,
        "x" * 201,
        "x" * 199 + "y",
        "温度",
        "湿度",
        "",
        "_",
    ]
    # Also when the disk ignores case (macOS, Windows).
    stems = [safe_name(name).lower() for name in names]
    assert len(set(stems)) == len(names)
    # A name shaped like another's hashed form gets a hash of its own, not that file.
    hashed = safe_name("a b")
    assert safe_name(hashed) != hashed


def test_safe_name_rejects_a_limit_too_short_for_the_hash() -> None:
    with pytest.raises(ValueError, match="limit"):
        safe_name("a b", limit=5)


def test_plain_text_draws_user_text_literally(tmp_path: Path) -> None:
    hostile = r"$\frac{x$"  # bad mathtext: drawn raw, matplotlib would fail the whole figure
    assert plain_text(hostile) == r"\$\frac{x\$"
    assert plain_text("温度") == r"\u6e29\u5ea6"  # not in the font: no warning, stays distinct
    assert plain_text("abcdefghijklmnop", 10) == "abcde…mnop"
    assert plain_text("x" * 100, 1) == "…"
    # Cut in the middle, names that share a long prefix stay apart.
    assert plain_text("feature_" * 10 + "a", 24) != plain_text("feature_" * 10 + "b", 24)
    assert plain_text("x" * 100, None) == "x" * 100
    assert plain_text("größe 10 µm") == "größe 10 µm"  # the font has these

    figure, ax = new_figure(4, 3)
    ax.set_title(hostile)
    with pytest.raises(ValueError):
        save_figure(figure, tmp_path, "raw")
    save_figure(_figure(hostile + " 温度"), tmp_path, "escaped")  # warnings are errors here
    assert (tmp_path / "plots" / "escaped.png").read_bytes()[:8] == PNG_SIGNATURE
