"""Resolve names written in a Python file to the modules they come from, using its imports."""

from __future__ import annotations

from dataclasses import dataclass, field

# Aliases so common that a notebook cell or a snippet uses them without showing the import.
CONVENTIONAL_ALIASES = {
    "nn": "torch.nn",
    "F": "torch.nn.functional",
    "optim": "torch.optim",
    "tf": "tensorflow",
    "pl": "pytorch_lightning",
    "np": "numpy",
    "pd": "pandas",
    "eqx": "equinox",
    "jnp": "jax.numpy",
    "xgb": "xgboost",
    "lgb": "lightgbm",
}


@dataclass
class ImportMap:
    """Local name -> fully qualified name, e.g. `nn` -> `torch.nn`, `F` -> `torch.nn.functional`."""

    names: dict[str, str] = field(default_factory=dict)

    def add_import(self, module: str, alias: str | None) -> None:
        """Record `import module [as alias]`."""
        if alias:
            self.names[alias] = module
        else:
            top = module.split(".", 1)[0]
            self.names.setdefault(top, top)

    def add_from(self, module: str, name: str, alias: str | None) -> None:
        """Record `from module import name [as alias]`."""
        # `from . import x` is `.x`, not `..x`: a relative module already ends in a dot.
        separator = "" if not module or module.endswith(".") else "."
        self.names[alias or name] = f"{module}{separator}{name}"

    def resolve(self, dotted: str) -> str:
        """The qualified form of a dotted name as written in this file."""
        head, _, rest = dotted.partition(".")
        base = self.names.get(head) or CONVENTIONAL_ALIASES.get(head)
        if base is None:
            return dotted
        return f"{base}.{rest}" if rest else base
