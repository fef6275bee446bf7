import ast
import json
from typing import Any

import pytest

from modeldoc.errors import ModeldocError
from modeldoc.tools.notebook import NotebookCode, NotebookError, notebook_code


def nb4(*cells: tuple[str, Any], **metadata: Any) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": metadata,
            "cells": [{"cell_type": kind, "metadata": {}, "source": src} for kind, src in cells],
        }
    )


def test_code_cells_joined_with_cell_map() -> None:
    text = nb4(
        ("markdown", "# Title\nSome text\n"),
        ("code", ["import torch\n", "x = 1"]),  # list source, no final newline
        ("code", "y = 2\nz = 3\n"),  # string source
        ("raw", "not code"),
        ("code", ""),  # an empty cell still takes a line
        ("code", "w = 4"),
    )
    code = notebook_code(text)
    assert code.source == "import torch\nx = 1\ny = 2\nz = 3\n\nw = 4\n"
    assert code.cells == [(1, 1), (2, 3), (4, 5), (5, 6)]
    assert code.locate(1) == (1, 1)
    assert code.locate(2) == (1, 2)
    assert code.locate(3) == (2, 1)
    assert code.locate(4) == (2, 2)
    assert code.locate(5) == (4, 1)
    assert code.locate(6) == (5, 1)
    assert code.locate(7) == (5, 2)  # a parser's end-of-file line belongs to the last cell


def test_locate_rejects_bad_lines() -> None:
    with pytest.raises(ValueError):
        notebook_code(nb4(("code", "x = 1"))).locate(0)
    with pytest.raises(ValueError):
        NotebookCode("", []).locate(1)


def test_magics_and_shell_lines_become_blank() -> None:
    cell = (
        "%matplotlib inline\n"
        "!pip install torch\n"
        "files = !ls data\n"
        "t = %timeit -o f()\n"
        "model?\n"
        "?model\n"
        "model.fit??\n"
        "x = 1  # why?\n"
        "s = 'what?'\n"
        "y = (10\n"
        "     % 3)\n"
        "z = x != 1\n"
        "for i in range(2):\n"
        "    %time f(i)\n"
        "doc = '''\n"
        "!not a shell line\n"
        "'''\n"
        "q = [1,\n"
        "     2] \\\n"
        "    + [3]\n"
    )
    code = notebook_code(nb4(("code", cell)))
    original = cell.split("\n")
    expected = ["", "", "", "", "", "", "", *original[7:13], "", *original[14:]]
    assert code.source.split("\n") == expected
    assert code.source.count("\n") == cell.count("\n")


def test_blanked_notebook_parses() -> None:
    code = notebook_code(nb4(("code", "%load_ext autoreload\nimport os\n!ls\nprint(os.sep)\n")))
    ast.parse(code.source)
    assert code.source == "\nimport os\n\nprint(os.sep)\n"


def test_cell_magic_blanks_whole_cell() -> None:
    code = notebook_code(
        nb4(
            ("code", "%%bash\necho hi\nls -l\n"),
            ("code", "\n%%writefile train.py\nimport torch\n"),
            ("code", "x = 1\n"),
        )
    )
    assert code.source == "\n\n\n\n\n\nx = 1\n"
    assert code.cells == [(0, 1), (1, 4), (2, 7)]


def test_python_cell_magic_keeps_its_body() -> None:
    # `%%time` wraps ordinary Python, often the training call itself.
    code = notebook_code(nb4(("code", "%%time\nmodel.fit(X, y)\n!nvidia-smi\n")))
    assert code.source == "\nmodel.fit(X, y)\n\n"


def test_crlf_in_cells() -> None:
    code = notebook_code(nb4(("code", ["a = 1\r\n", "b = 2\r\n"])))
    assert code.source == "a = 1\nb = 2\n"


def test_nbformat3_worksheets() -> None:
    text = json.dumps(
        {
            "nbformat": 3,
            "metadata": {},
            "worksheets": [
                {
                    "cells": [
                        {"cell_type": "heading", "level": 1, "source": ["Title"]},
                        {"cell_type": "code", "language": "python", "input": ["a = 1\n", "b"]},
                    ]
                },
                {"cells": [{"cell_type": "code", "input": "!ls\nc = 3"}]},
            ],
        }
    )
    code = notebook_code(text)
    assert code.source == "a = 1\nb\n\nc = 3\n"
    assert code.cells == [(1, 1), (2, 3)]
    assert code.locate(4) == (2, 2)


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"metadata": {}}),
        json.dumps({"cells": "nope"}),
        json.dumps({"cells": [{"cell_type": "code", "source": 3}]}),
        "[" * 100_000,
    ],
)
def test_invalid_notebooks_raise(text: str) -> None:
    with pytest.raises(NotebookError):
        notebook_code(text)
    assert issubclass(NotebookError, ModeldocError)


def test_non_python_notebook_raises() -> None:
    text = nb4(("code", "library(ggplot2)"), kernelspec={"language": "R", "name": "ir"})
    with pytest.raises(NotebookError, match="not a Python notebook"):
        notebook_code(text)


def test_python_kernel_metadata_accepted() -> None:
    text = nb4(("code", "x = 1"), kernelspec={"language": "python", "name": "python3"})
    assert notebook_code(text).source == "x = 1\n"
