"""Which of the repository's classes a base names, across files, the way Python finds it."""

from __future__ import annotations

import textwrap

from modeldoc.facts import ModelDefinition
from modeldoc.tools.code.base import FileFacts
from modeldoc.tools.code.models import module_names, resolve_models
from modeldoc.tools.code.python import PythonExtractor

TORCH_BLOCK = "import torch.nn as nn\nclass Block(nn.Module):\n    pass\n"
PLAIN_BLOCK = "class Block:\n    pass\n"


def extract_all(files: dict[str, str]) -> list[FileFacts]:
    return [
        PythonExtractor().extract(path, textwrap.dedent(text).lstrip("\n"))
        for path, text in files.items()
    ]


def models(files: dict[str, str]) -> dict[tuple[str, str], ModelDefinition]:
    """The models found, by (file, class name)."""
    return {(m.source.file, m.name): m for m in resolve_models(extract_all(files))}


def test_module_names() -> None:
    assert module_names("nets/base.py") == ["nets.base"]
    assert module_names("pkg/__init__.py") == ["pkg"]
    assert module_names("model.py") == ["model"]
    assert module_names("src/pkg/mod.py") == ["src.pkg.mod", "pkg.mod"]
    assert module_names("__init__.py") == []
    assert module_names("notebooks/explore.ipynb") == []


def test_an_imported_base_is_the_class_of_the_module_it_names() -> None:
    found = models(
        {
            "utils/registry.py": PLAIN_BLOCK,
            "models/a.py": TORCH_BLOCK,
            "models/b.py": """
                from utils.registry import Block
                class PluginEntry(Block):
                    pass
            """,
        }
    )
    assert list(found) == [("models/a.py", "Block")]


def test_an_imported_base_reaches_the_model_through_its_module() -> None:
    found = models(
        {
            "utils/registry.py": PLAIN_BLOCK,
            "models/a.py": TORCH_BLOCK,
            "models/b.py": "import models.a\nclass Net(models.a.Block):\n    pass\n",
        }
    )
    assert found["models/b.py", "Net"].via == ["Block"]


def test_relative_imports_across_a_package() -> None:
    found = models(
        {
            "other/base.py": "class Base:\n    pass\n",
            "nets/base.py": "import torch.nn as nn\nclass Base(nn.Module):\n    pass\n",
            "nets/deep/top.py": """
                from ..base import Base
                from . import mid
                class Top(Base):
                    pass
                class Higher(mid.Mid):
                    pass
            """,
            "nets/deep/mid.py": "from .top import Top\nclass Mid(Top):\n    pass\n",
        }
    )
    assert found["nets/deep/top.py", "Top"].via == ["Base"]
    assert found["nets/deep/mid.py", "Mid"].via == ["Top", "Base"]
    assert found["nets/deep/top.py", "Higher"].via == ["Mid", "Top", "Base"]
    assert ("other/base.py", "Base") not in found


def test_a_base_the_file_defines_shadows_same_named_classes_elsewhere() -> None:
    found = models(
        {
            "models/a.py": TORCH_BLOCK,
            "plugins/entry.py": PLAIN_BLOCK + "class PluginEntry(Block):\n    pass\n",
            "models/net.py": TORCH_BLOCK.replace("Block", "Layer")
            + "class Net(Layer):\n    pass\n",
        }
    )
    assert ("plugins/entry.py", "PluginEntry") not in found
    assert found["models/net.py", "Net"].via == ["Layer"]


def test_src_layout() -> None:
    found = models(
        {
            "src/pkg/layers.py": TORCH_BLOCK,
            "src/pkg/other.py": PLAIN_BLOCK,
            "src/pkg/net.py": "from pkg.layers import Block\nclass Net(Block):\n    pass\n",
        }
    )
    assert found["src/pkg/net.py", "Net"].via == ["Block"]


def test_a_package_reexporting_a_class_from_its_submodule() -> None:
    found = models(
        {
            "pkg/__init__.py": "from .layers import Block\n",
            "pkg/layers.py": TORCH_BLOCK,
            "other/plain.py": PLAIN_BLOCK,
            "train.py": "from pkg import Block\nclass Net(Block):\n    pass\n",
        }
    )
    assert found["train.py", "Net"].via == ["Block"]


def test_a_module_outside_the_repository_falls_back_to_the_one_class_of_that_name() -> None:
    found = models(
        {
            "lib/layers.py": TORCH_BLOCK,
            "scripts/star.py": "from layers import *\nclass Net(Block):\n    pass\n",
            "scripts/path.py": """
                import sys
                sys.path.insert(0, "../lib")
                from layers import Block
                class Net(Block):
                    pass
            """,
        }
    )
    assert found["scripts/star.py", "Net"].via == ["Block"]
    assert found["scripts/path.py", "Net"].via == ["Block"]


def test_a_script_imports_the_module_beside_it() -> None:
    found = models(
        {
            "other/base.py": "class Base:\n    pass\n",
            "nets/base.py": "import torch.nn as nn\nclass Base(nn.Module):\n    pass\n",
            "nets/train.py": "from base import Base\nclass Net(Base):\n    pass\n",
        }
    )
    assert found["nets/train.py", "Net"].via == ["Base"]


def test_same_named_classes_without_an_import_are_ambiguous() -> None:
    found = models(
        {
            "models/a.py": TORCH_BLOCK,
            "utils/registry.py": PLAIN_BLOCK,
            "models/b.py": "from helpers import *\nclass PluginEntry(Block):\n    pass\n",
        }
    )
    assert list(found) == [("models/a.py", "Block")]


def test_a_nested_class_named_by_its_qualified_name() -> None:
    found = models(
        {
            "nets/blocks.py": """
                import torch.nn as nn
                class Outer:
                    class Inner(nn.Module):
                        pass
                class Inner:
                    pass
            """,
            "nets/net.py": "from nets import blocks\nclass Net(blocks.Outer.Inner):\n    pass\n",
            "nets/plain.py": "from nets.blocks import Inner\nclass Plain(Inner):\n    pass\n",
        }
    )
    assert found["nets/net.py", "Net"].via == ["Inner"]
    assert ("nets/plain.py", "Plain") not in found


def test_cycles_across_files_are_not_models() -> None:
    found = models(
        {
            "a.py": "from b import B\nclass A(B):\n    pass\n",
            "b.py": "from a import A\nclass B(A):\n    pass\n",
        }
    )
    assert found == {}
