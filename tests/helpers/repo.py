"""Build a repository in a folder and read its repository facts."""

from __future__ import annotations

from pathlib import Path

from modeldoc.facts import RepoFacts, ScanIssue
from modeldoc.tools.repo import repo_facts

# The opening of the MIT licence, as LICENSE files hold it.
MIT = """\
MIT License

Copyright (c) 2024 Example Labs

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY.
"""


def build(root: Path, files: dict[str, str]) -> dict[str, str]:
    """Write `files` under `root` and return them as the scan's texts."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return files


def scan(root: Path, files: dict[str, str]) -> tuple[RepoFacts, list[ScanIssue]]:
    return repo_facts(root, build(root, files))
