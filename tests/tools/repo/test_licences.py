"""Tests for `modeldoc.tools.repo.licences`: repositories built in tmp_path, texts passed in."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repo import MIT, scan

from modeldoc.facts import License, RepoFacts

MIT_WITHOUT_HEADING = MIT.split("\n", 2)[2]

APACHE = """\

                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.

      "License" shall mean the terms and conditions for use, reproduction,
      and distribution as defined by Sections 1 through 9 of this document.
"""

BSD_2 = """\
Copyright (c) 2023, Example Labs
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.
"""

BSD_3 = (
    "BSD 3-Clause License\n\n"
    + BSD_2
    + """
3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
"""
)

GPL_3 = """\
                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

                     END OF TERMS AND CONDITIONS

            How to Apply These Terms to Your New Programs

    This program is free software: you can redistribute it and/or modify
    it under the terms of the GNU General Public License as published by
    the Free Software Foundation, either version 3 of the License, or
    (at your option) any later version.
"""

GPL_NOTICE = """\
This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.
"""


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def only_licence(facts: RepoFacts) -> License:
    assert len(facts.licenses) == 1, facts.licenses
    return facts.licenses[0]


@pytest.mark.parametrize(
    ("name", "text", "spdx", "evidence", "line"),
    [
        ("LICENSE", MIT, "MIT", "MIT License", 1),
        ("LICENSE.txt", MIT_WITHOUT_HEADING, "MIT", "Permission is hereby granted", 3),
        ("LICENSE", APACHE, "Apache-2.0", "Apache License Version 2.0", 2),
        ("LICENSE.md", BSD_3, "BSD-3-Clause", "Neither the name of", line_of(BSD_3, "Neither")),
        ("COPYING", BSD_2, "BSD-2-Clause", "Redistribution and use", 4),
        ("COPYING", GPL_3, "GPL-3.0-only", "GNU GENERAL PUBLIC LICENSE Version 3", 1),
        ("LICENCE.rst", GPL_NOTICE, "GPL-3.0-or-later", "GNU General Public License", 2),
    ],
)
def test_licence_text_is_recognised(
    tmp_path: Path, name: str, text: str, spdx: str, evidence: str, line: int
) -> None:
    facts, issues = scan(tmp_path, {name: text})
    licence = only_licence(facts)
    assert licence.spdx == spdx
    assert licence.method == "text"
    assert licence.evidence.startswith(evidence)
    assert (licence.source.file, licence.source.line) == (name, line)
    assert issues == []


def test_unknown_licence_text(tmp_path: Path) -> None:
    text = "Copyright 2024 Example Labs. All rights reserved.\nDo not redistribute.\n"
    licence = only_licence(scan(tmp_path, {"LICENSE": text})[0])
    assert licence.spdx is None
    assert licence.evidence == "unrecognised licence text"
    assert licence.source.line == 1


def test_only_root_licence_files_count(tmp_path: Path) -> None:
    facts, _ = scan(tmp_path, {"vendor/LICENSE": MIT, "LICENSE.html": MIT, "NOTICE": MIT})
    assert facts.licenses == []


def test_project_licence_wins_over_appended_third_party_texts(tmp_path: Path) -> None:
    text = MIT + "\n\nThird-party code in vendor/ is under:\n" + APACHE
    assert only_licence(scan(tmp_path, {"LICENSE": text})[0]).spdx == "MIT"


def test_declared_licences(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "m"\nlicense = "apache-2.0 OR mit"\n'
    setup_cfg = "[metadata]\nname = m\nlicense = BSD 3-Clause License\n"
    setup_py = 'from setuptools import setup\n\nsetup(\n    name="m",\n    license="MIT",\n)\n'
    files = {"pyproject.toml": pyproject, "setup.cfg": setup_cfg, "setup.py": setup_py}
    facts, issues = scan(tmp_path, files)
    found = {(lic.source.file, lic.source.line, lic.spdx, lic.method) for lic in facts.licenses}
    assert found == {
        ("pyproject.toml", 3, "Apache-2.0 OR MIT", "declared"),
        ("setup.cfg", 3, "BSD-3-Clause", "declared"),
        ("setup.py", 5, "MIT", "declared"),
    }
    assert issues == []


def test_declared_licence_table_and_files(tmp_path: Path) -> None:
    pyproject = (
        '[project]\nname = "m"\nlicense = {text = "Proprietary"}\n'
        'license-files = ["LICEN[CS]E*", "LICENSES/*.txt"]\n'
    )
    files = {"pyproject.toml": pyproject, "LICENSES/apache.txt": APACHE}
    facts, _ = scan(tmp_path, files)
    table, listed = facts.licenses
    assert (table.spdx, table.evidence, table.source.line) == (
        None,
        "project.license.text = Proprietary",
        3,
    )
    assert (listed.spdx, listed.evidence, listed.source.line) == (
        "Apache-2.0",
        "project.license-files: LICENSES/apache.txt",
        4,
    )


@pytest.mark.parametrize(
    ("declared", "spdx"),
    [("Apache 2.0 License", "Apache-2.0"), ("MIT Licence", "MIT"), ("Proprietary", None)],
)
def test_declared_names_with_the_word_licence(
    tmp_path: Path, declared: str, spdx: str | None
) -> None:
    setup_py = f'from setuptools import setup\n\nsetup(license="{declared}")\n'
    facts, _ = scan(tmp_path, {"setup.py": setup_py})
    assert only_licence(facts).spdx == spdx
