"""Documentation site speed.

1. `write_site` on the cancer example: pages, plots, `mkdocs.yml` and the strict MkDocs
   build (the example's `modeldoc build` runs first, untimed).
2. A strict MkDocs build of a generated docs tree of 200 pages (the example's seven and
   generated ones, each with prose and a 40-row table) with the generated site's
   configuration, sanitising hook included.

Prints the seconds of each, best of `--repeat` runs.

    python benchmarks/site.py [--pages 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from modeldoc.facts import FactSheet
from modeldoc.present.numbers import number
from modeldoc.render.site import CONFIG_FILE, DOCS_DIR, build_site, write_site

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200, help="pages of the generated tree")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, best kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        build = Path(folder) / "cancer"
        command = [sys.executable, "-m", "modeldoc", "build", str(ROOT / "examples/cancer-xgboost"),
                   "--llm", "offline"]  # fmt: skip
        subprocess.run([*command, "--out", str(build)], check=True, capture_output=True)
        facts = FactSheet.model_validate_json((build / "facts.json").read_text(encoding="utf-8"))

        site = Path(folder) / "site"
        shutil.copytree(build, site)
        seconds = best(args.repeat, lambda: write_site(facts, site))
        print(f"write_site, cancer example (7 pages, {len(facts.plots)} plots): {seconds:.2f} s")

        tree = Path(folder) / "tree"
        shutil.copytree(build, tree)
        write_site(facts, tree, build_html=False)
        generate_pages(tree, args.pages)
        seconds = best(args.repeat, lambda: build_site(tree / CONFIG_FILE))
        print(f"mkdocs build --strict, generated tree of {args.pages} pages: {seconds:.2f} s")


def best(repeat: int, run: Callable[[], object]) -> float:
    """The shortest wall time of `repeat` calls of `run`."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def generate_pages(out: Path, pages: int) -> None:
    """Add pages to the site in `out` until it has `pages`, each in the navigation."""
    config_file = out / CONFIG_FILE
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for index in range(pages - len(config["nav"])):
        name = f"generated/page-{index:03d}.md"
        path = out / DOCS_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(index), encoding="utf-8")
        config["nav"].append({f"Page {index}": name})
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def page(index: int) -> str:
    """A page like the generated ones: headings, prose, a table of numbers."""
    rows = "\n".join(
        f"| `feature {row}` | {number(row * 0.137 + index)} | {number(row * 1_000 + index)} |"
        for row in range(40)
    )
    prose = "The model's output rises with this feature on most rows. " * 20
    return (
        f"# Page {index}\n\n## Summary\n\n{prose}\n\n## Values\n\n"
        f"| Feature | Mean | Rows |\n| --- | ---: | ---: |\n{rows}\n"
    )


if __name__ == "__main__":
    main()
