"""The documentation site: Markdown pages, `mkdocs.yml` and, when asked, the HTML built by
MkDocs in strict mode.

Everything lands in the output folder beside `facts.json` and `plots/`: `docs/` (pages,
plots, the site's own assets), `mkdocs.yml`, `hooks/` (a copy of `mkdocs_hooks`) and
`site/`. The site makes no network requests when viewed, and search works from `file://`.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from modeldoc.atomic import write_atomically
from modeldoc.errors import ModeldocError
from modeldoc.facts import FactSheet
from modeldoc.present.markdown import plain
from modeldoc.render import mkdocs_hooks
from modeldoc.render.hf_card import figure_path
from modeldoc.render.site_pages import PAGES, render_pages

CONFIG_FILE = "mkdocs.yml"
DOCS_DIR = "docs"
SITE_DIR = "site"
HOOK_FILE = "hooks/modeldoc_hooks.py"
_TEMPLATE = resources.files("modeldoc") / "site_template" / "site"


class SiteBuildError(ModeldocError):
    """MkDocs could not build the site, or warned while building it (strict mode)."""


@dataclass(frozen=True)
class SiteResult:
    """What `write_site` wrote."""

    pages: tuple[Path, ...]
    """The Markdown pages, in navigation order."""
    config_file: Path
    html_built: bool
    site_dir: Path | None
    """The built HTML, when built."""
    seconds: float | None
    """How long the MkDocs build took, when it ran."""


def write_site(
    facts: FactSheet, out_dir: Path, *, card_markdown: str | None = None, build_html: bool = True
) -> SiteResult:
    """Write the site's pages and `mkdocs.yml` into `out_dir` (which holds `facts.json` and
    `plots/`) and, with `build_html`, build the HTML into `out_dir/site/` strictly."""
    docs = out_dir / DOCS_DIR
    # docs/, hooks/ and site/ are this module's alone: rebuilt whole, so no page of an
    # earlier run (or a file someone dropped there) ends up in the site.
    for folder in (docs, out_dir / Path(HOOK_FILE).parent, out_dir / SITE_DIR):
        shutil.rmtree(folder, ignore_errors=True)
    _copy_tree(_TEMPLATE / DOCS_DIR, docs)
    present = _copy_plots(facts, out_dir, docs)
    pages = render_pages(facts, card_markdown=card_markdown, plots_present=present)
    for name, text in pages.items():
        write_atomically(docs / name, text)
    write_atomically(out_dir / HOOK_FILE, Path(mkdocs_hooks.__file__).read_bytes())
    config_file = out_dir / CONFIG_FILE
    write_atomically(config_file, site_config(facts))
    seconds = build_site(config_file) if build_html else None
    return SiteResult(
        pages=tuple(docs / name for name in pages),
        config_file=config_file,
        html_built=build_html,
        site_dir=out_dir / SITE_DIR if build_html else None,
        seconds=seconds,
    )


def site_config(facts: FactSheet) -> str:
    """The generated `mkdocs.yml`: the template's settings plus name, navigation and hook."""
    config: dict[str, Any] = {
        # The theme prints the site name unescaped into every page's header and title.
        "site_name": html.escape(plain(facts.repo.name) or "model"),
        **yaml.safe_load((_TEMPLATE / CONFIG_FILE).read_text(encoding="utf-8")),
        "docs_dir": DOCS_DIR,
        "site_dir": SITE_DIR,
        "nav": [{page.title: page.file} for page in PAGES],
        "hooks": [HOOK_FILE],
    }
    header = "# Written by modeldoc; rebuild the HTML with `mkdocs build --strict`.\n"
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def build_site(config_file: Path) -> float:
    """Build the site of `config_file` as `mkdocs build --strict` does; the seconds it took.

    MkDocs' log stays off the console except for errors; its warnings, which fail the build,
    are in the error raised.
    """
    warnings = _Collected(logging.WARNING)
    errors = logging.StreamHandler(sys.stderr)
    errors.setLevel(logging.ERROR)
    started = time.perf_counter()
    with (
        _only_handlers(logging.getLogger("mkdocs"), warnings, errors),
        _environ(NO_MKDOCS_2_WARNING="1"),
    ):
        try:
            build(load_config(config_file=str(config_file), strict=True))
        except MkDocsException as error:
            found = "; ".join(warnings.messages) or "no warnings"
            raise SiteBuildError(
                f"{config_file}: MkDocs build failed ({error.format_message()}): {found}"
            ) from error
    return time.perf_counter() - started


class _Collected(logging.Handler):
    """Keeps the messages it is given."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(plain(record.getMessage()))


@contextmanager
def _only_handlers(logger: logging.Logger, *handlers: logging.Handler) -> Iterator[None]:
    """`logger` with only `handlers`, not passing records up, at WARNING (strict mode counts
    warnings with its own handler on this logger, so they must reach it whatever the root
    logger's level)."""
    saved_handlers, saved_level, saved_propagate = (
        logger.handlers[:],
        logger.level,
        logger.propagate,
    )
    logger.handlers[:] = handlers
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.handlers[:] = saved_handlers
        logger.setLevel(saved_level)
        logger.propagate = saved_propagate


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _copy_tree(source: Traversable, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.is_dir():
            _copy_tree(item, target / item.name)
        else:
            write_atomically(target / item.name, item.read_bytes())


def _copy_plots(facts: FactSheet, out_dir: Path, docs: Path) -> set[str]:
    """Copy every plot file that exists into `docs/`; the `Plot.file` of those copied."""
    copied: set[str] = set()
    for plot in facts.plots:
        relative = figure_path(plot)
        source = out_dir / relative
        if source.is_file() and not source.is_symlink():
            write_atomically(docs / relative, source.read_bytes())
            copied.add(plot.file)
    return copied
