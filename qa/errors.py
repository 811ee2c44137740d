"""One exception tree for problems a user caused; the web layer and the CLI map it to 4xx / exit 2."""


class QAError(Exception):
    """A problem the user can fix; `status` and `code` tell the web layer how to answer."""

    status = 400
    code = "invalid_request"
    # Seconds after which sending the same request again may succeed (the Retry-After header), if known.
    retry_after: int | None = None

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidRequest(QAError):
    status = 400
    code = "invalid_request"


class Forbidden(QAError):
    status = 403
    code = "forbidden"


class Unauthorized(QAError):
    status = 401
    code = "unauthorized"


class NotFound(QAError):
    status = 404
    code = "not_found"


class TooManyRequests(QAError):
    """A client sent too many wrong write keys; it may try again after `retry_after` seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLarge(QAError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(QAError):
    status = 415
    code = "unsupported_media_type"


class Busy(QAError):
    """Another write held the index longer than a request may wait; sending it again is safe."""

    status = 503
    code = "busy"
    retry_after = 1


class IndexNotWritable(QAError):
    """The record cannot be written (read-only files, a full disk, a primary database that is down
    until a standby is promoted): reads go on, writes are refused and may be sent again later."""

    status = 503
    code = "index_not_writable"
    retry_after = 5


class DatabaseUnreachable(QAError):
    """This process cannot read its database within the health check's time: a load balancer should
    send questions elsewhere."""

    status = 503
    code = "database_unreachable"
    retry_after = 5


class ReplicaBehind(QAError):
    """This process has stayed behind the record's change log too long (its catch-up fails or is
    stuck): a load balancer should send questions elsewhere until it has caught up."""

    status = 503
    code = "replica_behind"
    retry_after = 5


class IndexNotReady(QAError):
    status = 503
    code = "index_not_ready"


class IndexMismatch(QAError):
    """The index on disk was built differently (encoder, dimension, format) from what is asked for."""

    status = 500
    code = "index_mismatch"
