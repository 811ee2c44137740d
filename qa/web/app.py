"""The Flask application factory: one QAService per process, blueprints, the one error mapping."""

from __future__ import annotations

from flask import Flask

from qa.config import Settings, configure_logging, load_settings
from qa.service import QAService
from qa.web import api, documents, hardening, page
from qa.web.errors import register_error_handlers


def create_app(config: Settings | QAService | None = None) -> Flask:
    """The app for `config`: a running service, settings to open one with, or None for the environment's."""
    if isinstance(config, QAService):
        service = config
    else:
        service = QAService(config if isinstance(config, Settings) else load_settings())
    configure_logging("INFO", service.settings)  # a no-op when the server (or a test) configured it
    app = Flask(__name__)
    hardening.install(app, service.settings)
    app.extensions["qa"] = service
    service.warm_up()
    register_error_handlers(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(page.bp)
    app.register_blueprint(documents.bp)
    return app
