"""Settings: one table, documented, validated."""

import pytest

from qa.config import SETTINGS, load_settings
from qa.errors import InvalidRequest

from ..conftest import ROOT


def test_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name, _default, _help in SETTINGS if f"`QA_{name.upper()}`" not in readme]
    assert not missing


def test_environment_then_overrides():
    settings = load_settings({"max_top_k": 20}, environ={"QA_MAX_TOP_K": "30", "QA_ENCODER": "hash:8"})
    assert settings.max_top_k == 20 and settings.encoder == "hash:8"


def test_bad_values_are_refused_in_words():
    with pytest.raises(InvalidRequest, match="QA_|max_top_k must be a int|must be"):
        load_settings(environ={"QA_MAX_TOP_K": "many"})
    with pytest.raises(InvalidRequest, match="dense_weight"):
        load_settings({"dense_weight": 2.0}, environ={})
