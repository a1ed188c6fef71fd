"""The app factory: a Falcon WSGI app from the running CRM and its plugins' routes."""
import falcon
import orjson
from falcon import media

from core import __version__, converters, errors
from core.accounts import Accounts
from core.auth import AuthMiddleware
from core.client_ip import ClientAddressMiddleware
from core.csrf import SameOriginMiddleware
from core.headers import SecurityHeadersMiddleware
from core.openapi import build_spec
from core.ops_resources import OpenAPIResource
from core.plugins import call_each
from core.ratelimit import RateLimitMiddleware

OPENAPI_PATH = "/api/openapi.json"
RATE_LIMITS_FILE = "ratelimits.db"  # shared by the worker processes of `crm serve`


def collect_routes(crm) -> list[tuple[str, object]]:
    """Every enabled plugin's routes; two plugins claiming one path is a start-up error."""
    routes, owners = [], {}
    for plugin, answer in call_each(crm.pm, "register_routes", crm=crm):
        for template, resource in answer:
            if template in owners:
                raise ValueError(
                    f"route {template} registered by both {owners[template]} and {plugin}")
            owners[template] = plugin
            routes.append((template, resource))
    return routes


def _json_handlers():
    # orjson's bytes go out as they are (a str would be encoded again)
    handler = media.JSONHandler(dumps=lambda obj: orjson.dumps(obj, default=str),
                                loads=orjson.loads)
    return {falcon.MEDIA_JSON: handler, "application/json; charset=UTF-8": handler}


def create_app(crm) -> falcon.App:
    """Build the web app; `crm` comes from core.context.build_crm()."""
    settings = crm.settings
    crm.check_plugin_settings()
    # first: every other middleware sees the client's address, not a proxy's
    middleware = [ClientAddressMiddleware(settings.trusted_proxies)]
    if settings.cors_origin:
        origins = "*" if settings.cors_origin == ["*"] else settings.cors_origin
        middleware.append(falcon.CORSMiddleware(
            allow_origins=origins, allow_credentials=None if origins == "*" else origins))
    middleware += [
        SecurityHeadersMiddleware(),
        SameOriginMiddleware(settings.public_url, settings.cors_origin),
        RateLimitMiddleware(settings.login_rate_limit, settings.write_rate_limit,
                            shared=settings.data_dir / RATE_LIMITS_FILE
                            if settings.workers > 1 else None),
        AuthMiddleware(Accounts(crm)),
    ]
    app = falcon.App(middleware=middleware)
    app.req_options.media_handlers.update(_json_handlers())
    app.resp_options.media_handlers.update(_json_handlers())
    app.resp_options.secure_cookies_by_default = settings.base_url.startswith("https://")
    errors.install(app)
    converters.install(app)
    routes = collect_routes(crm)
    for template, resource in routes:
        app.add_route(template, resource)
    spec_resource = OpenAPIResource({})
    routes.append((OPENAPI_PATH, spec_resource))
    spec_resource.spec = build_spec(routes, version=__version__)
    app.add_route(OPENAPI_PATH, spec_resource)
    crm.pm.hook.startup(crm=crm)
    return app
