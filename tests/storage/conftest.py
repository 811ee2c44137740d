"""Fixtures of the storage tier: a small hash-encoder index that accepts writes, and its test client."""

from __future__ import annotations

import pytest

from qa import create_app
from qa.config import load_settings
from qa.service import QAService

from ..conftest import DATA

KEY = "s3cret-key"


@pytest.fixture
def write_service(tmp_path):
    settings = load_settings(
        {"index_dir": str(tmp_path / "index"), "encoder": "hash:64", "api_key": KEY, "vector_cache": ""}, environ={}
    )
    service = QAService(settings)
    service.build([DATA])
    yield service
    service.close()


@pytest.fixture
def write_client(write_service):
    app = create_app(write_service)
    app.config["TESTING"] = True
    return app.test_client()
