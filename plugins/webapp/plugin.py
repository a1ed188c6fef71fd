"""Hook implementations of the web app plugin: the browser UI over the JSON API."""
from core import hookimpl
from plugins.webapp import resources as r
from plugins.webapp.demo import register_demo_commands


@hookimpl
def register_routes(crm):
    return [
        ("/", r.ShellPage(crm)),
        ("/favicon.ico", r.Favicon()),
        ("/assets/pages.js", r.PagesScript(crm)),
        ("/assets/plugins/{plugin}/{file}", r.PluginAssetResource(crm)),
        ("/assets/{path:path}", r.AssetResource()),
    ]


@hookimpl
def register_commands(cli):
    register_demo_commands(cli)
