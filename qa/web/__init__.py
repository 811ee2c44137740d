"""HTTP layer: translates requests to QAService calls and results back; no retrieval logic here."""

from flask import current_app


def get_service():
    """The QAService created once in create_app."""
    return current_app.extensions["qa"]
