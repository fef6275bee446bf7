"""List a repository's files: honour `.gitignore`, skip environments and secrets, stay inside."""

from __future__ import annotations

import heapq
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pathspec import GitIgnoreSpec

from modeldoc.errors import InputError
from modeldoc.facts import ScanIssue

# Directories that are never the repository's own code: VCS data, installed packages, caches.
SKIPPED_NAMES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "site-packages",
        "dist-packages",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
    }
)
# `.gitignore` files larger than this are ignored (with an issue) rather than read.
MAX_GITIGNORE_BYTES = 1_000_000

# A chain of (folder relative to the root, its compiled .gitignore), root first.
_Chain = tuple[tuple[str, GitIgnoreSpec], ...]
_Kind = Literal["symlink", "size", "unreadable"]


@dataclass(frozen=True)
class RepoFile:
    """A regular file of the repository."""

    path: str
    abspath: Path
    size: int


@dataclass
class WalkResult:
    """The files of a repository, sorted by path, and what could not be listed."""

    files: list[RepoFile]
    issues: list[ScanIssue]


def walk_repository(root: Path) -> WalkResult:
    """List the files of the repository at `root`, sorted by their relative POSIX path."""
    if not root.is_dir():
        raise InputError(f"{root} is not a directory")
    return _Walker(os.path.realpath(root)).run()


def _is_secret(name: str) -> bool:
    # `.env*` rather than only `.env`/`.env.*`: `.envrc` and `.envs/` hold secrets too.
    return name.startswith(".env")


def _ignored(chain: _Chain, rel: str, is_dir: bool) -> bool:
    # The deepest .gitignore with a matching pattern decides, as in git.
    for base, spec in reversed(chain):
        sub = rel[len(base) + 1 :] if base else rel
        result = spec.check_file(sub + "/" if is_dir else sub)
        if result.include is not None:
            return result.include
    return False


def _is_utf8(name: str) -> bool:
    # Python decodes the bytes of a name that is not UTF-8 to lone surrogates.
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(rel: str) -> str:
    """`rel` as valid UTF-8 text, its undecodable bytes shown as `\\xNN` escapes."""
    try:
        raw = rel.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte (Windows)
        return rel.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


@dataclass
class _Walker:
    root: str
    issues: list[ScanIssue] = field(default_factory=list)
    files: dict[object, RepoFile] = field(default_factory=dict)
    visited: set[tuple[int, int]] = field(default_factory=set)
    specs: dict[str, GitIgnoreSpec | None] = field(default_factory=dict)
    # Symlinks are handled after the real tree so that a file is listed under its real path;
    # a heap by link path keeps the order deterministic as following links finds more links.
    links: list[tuple[str, str, _Chain]] = field(default_factory=list)

    def run(self) -> WalkResult:
        st = os.stat(self.root)
        self.visited.add((st.st_dev, st.st_ino))
        self._walk(self.root, "", ())
        while self.links:
            rel, link, chain = heapq.heappop(self.links)
            self._follow(link, rel, chain)
        files = sorted(self.files.values(), key=lambda f: f.path)
        self.issues.sort(key=lambda i: (i.file, i.kind, i.message))
        return WalkResult(files=files, issues=self.issues)

    def _issue(self, kind: _Kind, rel: str, message: str) -> None:
        self.issues.append(ScanIssue(kind=kind, file=rel, message=message))

    def _bad_name(self, rel: str) -> None:
        self._issue("unreadable", _printable(rel), "File name is not valid UTF-8; skipped.")

    def _add_file(self, rel: str, real: str, st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            self._issue("unreadable", rel, "Not a regular file; skipped.")
            return
        # Hard links and symlinks reach one real file by several paths: keep one.
        key: object = (st.st_dev, st.st_ino) if st.st_ino else real
        if key not in self.files:
            self.files[key] = RepoFile(rel, Path(real), st.st_size)

    def _walk(self, real_dir: str, rel_dir: str, chain: _Chain) -> None:
        stack = [(real_dir, rel_dir, chain)]
        while stack:
            real_dir, rel_dir, chain = stack.pop()
            try:
                with os.scandir(real_dir) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                self._issue("unreadable", rel_dir or ".", "Folder could not be listed; skipped.")
                continue
            names = {e.name for e in entries}
            if rel_dir and "pyvenv.cfg" in names:
                continue  # a virtual environment, whatever its name
            if ".gitignore" in names:
                spec = self._gitignore(real_dir, rel_dir)
                if spec is not None:
                    chain = (*chain, (rel_dir, spec))
            subdirs = []
            for entry in entries:
                name = entry.name
                if name in SKIPPED_NAMES or _is_secret(name):
                    continue
                rel = _join(rel_dir, name)
                if entry.is_symlink():
                    # git matches a symlink as a file, never as a folder.
                    if _ignored(chain, rel, False):
                        continue
                    if not _is_utf8(name):
                        self._bad_name(rel)
                    else:
                        # Logical paths are unique, so the heap never compares chains.
                        heapq.heappush(self.links, (rel, entry.path, chain))
                    continue
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    if _ignored(chain, rel, is_dir):
                        continue
                    if not _is_utf8(name):
                        # Its path could not be written as JSON: neither listed nor entered.
                        self._bad_name(rel)
                        continue
                    if is_dir:
                        st = entry.stat(follow_symlinks=False)
                        if (st.st_dev, st.st_ino) not in self.visited:
                            self.visited.add((st.st_dev, st.st_ino))
                            subdirs.append((entry.path, rel, chain))
                    else:
                        self._add_file(rel, entry.path, entry.stat(follow_symlinks=False))
                except OSError:
                    self._issue("unreadable", rel, "File could not be read; skipped.")
            stack.extend(reversed(subdirs))

    def _follow(self, link: str, rel: str, chain: _Chain) -> None:
        real = os.path.realpath(link)
        if not (real == self.root or real.startswith(self.root.rstrip(os.sep) + os.sep)):
            self._issue("symlink", rel, "Link points outside the repository; not followed.")
            return
        try:
            st = os.stat(real)
        except OSError:
            self._issue("symlink", rel, "Link is broken or loops; not followed.")
            return
        is_dir = stat.S_ISDIR(st.st_mode)
        if self._real_path_excluded(real, is_dir):
            # Otherwise a link could expose .git/, a .env file or a virtualenv.
            self._issue("symlink", rel, "Link points to a skipped path; not followed.")
            return
        if not is_dir:
            self._add_file(rel, real, st)
        elif (st.st_dev, st.st_ino) not in self.visited:
            self.visited.add((st.st_dev, st.st_ino))
            self._walk(real, rel, chain)

    def _real_path_excluded(self, real: str, is_dir: bool) -> bool:
        """Whether the walk skips `real` (inside the root) when reached by its real path."""
        if real == self.root:
            return False
        parts = os.path.relpath(real, self.root).split(os.sep)
        chain: _Chain = ()
        here, rel = self.root, ""
        for i, name in enumerate(parts):
            spec = self._gitignore(here, rel)
            if spec is not None:
                chain = (*chain, (rel, spec))
            here, rel = os.path.join(here, name), _join(rel, name)
            last_is_dir = is_dir or i < len(parts) - 1
            if name in SKIPPED_NAMES or _is_secret(name) or _ignored(chain, rel, last_is_dir):
                return True
            if last_is_dir and os.path.lexists(os.path.join(here, "pyvenv.cfg")):
                return True
        return False

    def _gitignore(self, real_dir: str, rel_dir: str) -> GitIgnoreSpec | None:
        if real_dir in self.specs:
            return self.specs[real_dir]
        spec = None
        path = os.path.join(real_dir, ".gitignore")
        try:
            st = os.lstat(path)
            # git does not follow a symlinked .gitignore either.
            if not stat.S_ISREG(st.st_mode):
                pass
            elif st.st_size > MAX_GITIGNORE_BYTES:
                self._issue("size", _join(rel_dir, ".gitignore"), "Too large; rules not used.")
            else:
                with open(path, "rb") as f:
                    text = f.read(MAX_GITIGNORE_BYTES).decode("utf-8", errors="replace")
                spec = GitIgnoreSpec.from_lines(text.splitlines())
        except FileNotFoundError:
            pass
        except OSError:
            self._issue("unreadable", _join(rel_dir, ".gitignore"), "Could not be read.")
        self.specs[real_dir] = spec
        return spec
