"""Fixtures for the `modeldoc.tools.config_files` tests."""

from collections.abc import Iterator

import pytest

from modeldoc.tools.config_files import yaml_reader


@pytest.fixture(params=["libyaml", "pure-python"], autouse=True)
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs with and without libyaml: both must give the same answers."""
    if request.param == "pure-python":
        monkeypatch.setattr(yaml_reader, "_FAST_LOADER", None)
    else:
        # The pinned PyYAML wheels bundle libyaml; without it this run would test one path.
        assert yaml_reader._FAST_LOADER is not None, "PyYAML was installed without libyaml"
    yield
