"""Request/response models on resource methods, and the OpenAPI 3 document built from them.

`@operation(body=Model, query=Model, response=Model)` validates the request with pydantic
before the method runs (results in `req.context.body` / `req.context.query`) and records
the models; `build_spec(routes)` turns the recorded models into OpenAPI with pydantic's own
JSON Schema generator.
"""
import functools
import re
from dataclasses import dataclass, field
from typing import ClassVar

import falcon
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic.json_schema import models_json_schema
from pydantic_core import PydanticCustomError

from core.converters import ID_PATTERN
from core.errors import APIError, bad_request, unprocessable

METHODS = ("get", "post", "put", "patch", "delete")
MAX_BODY_BYTES = 50 * 1024 * 1024


class Body(BaseModel):
    """Base for request bodies: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Patch(Body):
    """Base for PATCH bodies: a field left out keeps its value, and an explicit null is a 422
    except for the fields in `nullable`, where it clears the value."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_it_clears(cls, value, info):
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError("null_not_allowed", "null is not a value here; leave the "
                                      "field out to keep what it holds")
        return value


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


@dataclass
class Operation:
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    public: bool = False
    admin: bool = False
    errors: tuple[int, ...] = ()
    content_type: str | tuple[str, ...] | None = None
    parse_body: bool = True  # False: the method reads the body itself (other content types)
    extra: dict = field(default_factory=dict)


def _field_name(loc) -> str:
    return ".".join(str(part) for part in loc) or "body"


def validation_error(exc: ValidationError, prefix=""):
    """Turn a pydantic error into a 422 naming the first field (400 for broken JSON)."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    first = errors[0]
    if first["type"] == "json_invalid":
        return bad_request("The request body is not valid JSON", code="malformed_json")
    field_name = _field_name(prefix and [prefix, *first["loc"]] or first["loc"])
    details = [{"field": _field_name(e["loc"]), "message": e["msg"]} for e in errors]
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = f"Unknown field '{field_name}'"
    elif first["type"] == "missing":
        message = f"Field '{field_name}' is required"
    else:
        message = f"{field_name}: {message}"
    return unprocessable(message, field=field_name, details=details)


def has_body(req) -> bool:
    return bool(req.content_length) or "chunked" in (req.get_header("Transfer-Encoding") or "")


def require_json(req):
    """A body must be declared JSON (415 otherwise): a form or text/plain post from another
    site is never read as JSON."""
    media = (req.content_type or "").split(";", 1)[0].strip().lower()
    if has_body(req) and media != "application/json":
        raise APIError(falcon.HTTP_415, "unsupported_media_type",
                       "Send the body as JSON with Content-Type: application/json",
                       field="Content-Type")


def parse_body(req, model: type[BaseModel]):
    """Validate the JSON body against `model`; an empty body counts as {}."""
    length = req.content_length or 0
    if length > MAX_BODY_BYTES:
        raise bad_request("The request body is too large", code="body_too_large")
    raw = req.bounded_stream.read() or b"{}"
    if not raw.strip():
        raw = b"{}"
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise validation_error(exc) from None


def parse_query(req, model: type[BaseModel]):
    try:
        return model.model_validate(dict(req.params))
    except ValidationError as exc:
        raise validation_error(exc) from None


def operation(summary, **options):
    """Declare a resource method's models; validates body and query before the call."""
    op = Operation(summary=summary, **options)

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, req, resp, **params):
            if op.parse_body and req.method != "GET":
                require_json(req)
            if op.query is not None:
                req.context.query = parse_query(req, op.query)
            if op.body is not None and op.parse_body:
                req.context.body = parse_body(req, op.body)
            if op.status != 200:
                resp.status = op.status
            return method(self, req, resp, **params)

        wrapper.operation = op
        return wrapper

    return decorate


_PARAM = re.compile(r"{(\w+)(?::[^}]*)?}")
_TYPED_PARAM = re.compile(r"{(\w+)(?::(\w+))?[^}]*}")


def _path_parameters(template):
    return [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "pattern": ID_PATTERN} if converter == "id"
         else {"type": "string"}}
        for name, converter in _TYPED_PARAM.findall(template)
    ]


def _query_parameters(model, defs):
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", []))
    for sub_name, sub in schema.pop("$defs", {}).items():
        defs.setdefault(sub_name, sub)
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _json(ref):
    return {"application/json": {"schema": ref}}


def build_spec(routes, title="Venture CRM", version="0") -> dict:
    """OpenAPI 3.1 document for `routes`, a list of (uri_template, resource)."""
    ops = []
    for template, resource in routes:
        for method in METHODS:
            op = getattr(getattr(resource, f"on_{method}", None), "operation", None)
            if op is not None:
                ops.append((template, method, op))
    models = {ErrorBody}
    for _t, _m, op in ops:
        models.update(m for m in (op.body, op.response) if m is not None)
    keyed = [(m, "validation") for m in models]
    _, top = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    schemas = dict(top.get("$defs", {}))
    error_ref = {"$ref": f"#/components/schemas/{ErrorBody.__name__}"}
    paths: dict = {}
    for template, method, op in ops:
        path = _PARAM.sub(r"{\1}", template)
        entry = {"summary": op.summary, "operationId": f"{method}_{path}".replace("/", "_")}
        parameters = _path_parameters(template)
        if op.query is not None:
            parameters += _query_parameters(op.query, schemas)
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {
                "required": False,
                "content": _json({"$ref": f"#/components/schemas/{op.body.__name__}"}),
            }
        ok = {"description": "OK"}
        if op.response is not None:
            ok["content"] = _json({"$ref": f"#/components/schemas/{op.response.__name__}"})
        elif op.content_type:
            types = (op.content_type,) if isinstance(op.content_type, str) else op.content_type
            ok["content"] = {t: {} for t in types}
        responses = {str(op.status): ok}
        codes = set(op.errors) | {429}
        if _PARAM.search(template):
            codes |= {404}
        if op.body is not None or op.query is not None:
            codes |= {400, 422}
        if op.parse_body and method != "get":
            codes |= {415}
        if not op.public:
            codes |= {401}
        if op.admin or not (op.public or op.extra.get("before_enrolment")):
            codes |= {403}  # two_factor_enrolment_required, for any signed-in route
        for code in sorted(codes):
            responses[str(code)] = {"description": "Error", "content": _json(error_ref)}
        entry["responses"] = responses
        if op.public:
            entry["security"] = []
        paths.setdefault(path, {})[method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "crm_session"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }
