"""The Flask application factory: one QAService per process, blueprints, the one error mapping."""

from __future__ import annotations

from flask import Flask
from flask_openapi3 import OpenAPI

from qa.config import Settings, configure_logging, load_settings
from qa.service import QAService
from qa.web import api, documents, hardening, openapi, page
from qa.web.errors import register_error_handlers
from qa.web.metrics import register_metrics
from qa.web.validation import raise_invalid, refuse_unknown_query


def create_app(config: Settings | QAService | None = None) -> Flask:
    """The app for `config`: a running service, settings to open one with, or None for the environment's."""
    if isinstance(config, QAService):
        service = config
    else:
        service = QAService(config if isinstance(config, Settings) else load_settings())
    configure_logging("INFO", service.settings)  # a no-op when the server (or a test) configured it
    # OpenAPI is a Flask app that validates the views' models and writes /openapi.json from them.
    app = OpenAPI(
        __name__,
        doc_ui=False,
        security_schemes=openapi.SECURITY_SCHEMES,
        validation_error_status=400,
        validation_error_callback=raise_invalid,
    )
    hardening.install(app, service.settings)
    app.extensions["qa"] = service
    service.warm_up()
    register_error_handlers(app)
    app.before_request(refuse_unknown_query)
    register_metrics(app)
    app.register_api(api.blueprint(service.settings))
    app.register_blueprint(page.bp)
    app.register_api(documents.bp)
    app.register_blueprint(openapi.bp)
    return app
