"""One error body for every failure: {"error": {"code", "message", "field"?, ...}}."""
import logging
import re
import sqlite3

import falcon
import orjson

log = logging.getLogger(__name__)


class APIError(falcon.HTTPError):
    """An error the client can act on; `extra` keys are added to the error body."""

    def __init__(self, status, code, message, field=None, headers=None, **extra):
        super().__init__(status, title=code, description=message, headers=headers)
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def to_dict(self, obj_type=dict):
        error = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        error.update(self.extra)
        return {"error": error}


def bad_request(message, field=None, code="bad_request"):
    return APIError(falcon.HTTP_400, code, message, field)


def unprocessable(message, field=None, code="invalid", **extra):
    return APIError(falcon.HTTP_422, code, message, field, **extra)


def not_found(message="Not found", code="not_found"):
    return APIError(falcon.HTTP_404, code, message)


def forbidden(message="You do not have permission to do this", code="forbidden"):
    return APIError(falcon.HTTP_403, code, message)


def conflict(message, code="conflict", **extra):
    return APIError(falcon.HTTP_409, code, message, **extra)


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "_", (text or "error").lower()).strip("_") or "error"


def error_body(exception: falcon.HTTPError) -> dict:
    if isinstance(exception, APIError):
        return exception.to_dict()
    status_text = exception.status if isinstance(exception.status, str) else str(exception.status)
    code = _slug(exception.title or status_text.split(" ", 1)[-1])
    message = exception.description or exception.title or status_text
    return {"error": {"code": code, "message": message}}


def serialize_error(req, resp, exception):
    resp.content_type = falcon.MEDIA_JSON
    resp.data = orjson.dumps(error_body(exception))


def handle_media_error(req, resp, ex, params):
    raise bad_request("The request body is not valid JSON", code="malformed_json")


def handle_overflow(req, resp, ex, params):
    # SQLite integers are 64-bit; a larger number in a body or query is the caller's error
    raise unprocessable("A number in the request is too large", code="number_too_large")


def handle_unexpected(req, resp, ex, params):
    if isinstance(ex, falcon.HTTPError):
        raise ex
    if isinstance(ex, sqlite3.OperationalError) and "locked" in str(ex):
        log.warning("database busy on %s %s", req.method, req.path)
        raise APIError(falcon.HTTP_503, "busy", "The database is busy; try again",
                       headers={"Retry-After": "1"})
    log.exception("unhandled error on %s %s", req.method, req.path)
    raise APIError(falcon.HTTP_500, "internal_error", "An unexpected error occurred")


def install(app: falcon.App):
    app.set_error_serializer(serialize_error)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.MediaMalformedError, handle_media_error)
    app.add_error_handler(OverflowError, handle_overflow)
