"""The plugin manager: built-in plugins, outside plugins by entry point, chosen by CRM_PLUGINS."""
import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points

import pluggy

from core import hookspecs

ENTRY_POINT_GROUP = "venture_crm"
CORE_MODULES = ("core.builtin",)  # always on: accounts, health, activity, admin
DEFAULT_PLUGINS = {
    # name -> module; each uses only the public hooks, as an outside plugin would.
    "fundraising": "plugins.fundraising.plugin",
    "backups": "plugins.backups.plugin",
    "smtp": "plugins.smtp.plugin",
    "automation": "plugins.automation.plugin",
    "gmail": "plugins.gmail.plugin",
    "spark": "plugins.spark.plugin",
    "digest": "plugins.digest.plugin",
    "dashboard": "plugins.dashboard.plugin",
    "notes": "plugins.notes.plugin",
    "webapp": "plugins.webapp.plugin",
}


@dataclass
class PluginInfo:
    name: str
    version: str
    source: str  # "built-in", "entry point" or "extra"
    enabled: bool
    hooks: list[str]


def _version(obj, fallback):
    return getattr(obj, "__version__", None) or fallback


def _discover(extra_plugins):
    """Every plugin that could be enabled: name -> (loader, version, source)."""
    from core import __version__

    found = {}
    for name, module in DEFAULT_PLUGINS.items():
        found[name] = (lambda module=module: importlib.import_module(module), __version__, "built-in")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        version = ep.dist.version if ep.dist else "?"
        found[ep.name] = (ep.load, version, "entry point")
    for name, obj in (extra_plugins or {}).items():
        found[name] = (lambda obj=obj: obj, _version(obj, "0"), "extra")
    return found


def _hook_names(pm, plugin):
    return sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])


def call_each(pm, hook: str, **kwargs) -> list[tuple[str, object]]:
    """(plugin name, answer) of each implementation of `hook`, in loading order; None answers
    are left out. Each is called through pluggy, so it may take fewer arguments than the spec,
    and the caller learns which plugin gave what (routes, migrations, settings)."""
    caller = getattr(pm.hook, hook, None)
    if caller is None:
        return []
    impls = caller.get_hookimpls()
    answers = []
    for impl in impls:
        if impl.hookwrapper or impl.wrapper:  # a wrapper has no answer of its own
            continue
        others = [other.plugin for other in impls if other.plugin is not impl.plugin]
        for answer in pm.subset_hook_caller(hook, others)(**kwargs):
            answers.append((impl.plugin_name, answer))
    return answers


def settings_models(pm) -> dict:
    """plugin name -> the settings class its register_settings returns."""
    return dict(call_each(pm, "register_settings"))


def make_plugin_manager(enabled=None, extra_plugins=None) -> pluggy.PluginManager:
    """Build a plugin manager with the core and the enabled plugins registered.

    `enabled` is a list of plugin names (None: every available plugin); `extra_plugins`
    maps names to plugin objects given directly (tests, embedding).
    """
    pm = pluggy.PluginManager("venture_crm")
    pm.add_hookspecs(hookspecs)
    for module in CORE_MODULES:
        pm.register(importlib.import_module(module), name="core")
    available = _discover(extra_plugins)
    if enabled is not None:
        unknown = sorted(set(enabled) - set(available))
        if unknown:
            raise ValueError(
                f"CRM_PLUGINS names unknown plugins: {', '.join(unknown)} "
                f"(available: {', '.join(sorted(available))})"
            )
    for name, (load, _version, _source) in available.items():
        if enabled is None or name in enabled:
            pm.register(load(), name=name)
    for modules in pm.hook.register_hookspecs():
        for module in modules or []:
            pm.add_hookspecs(module)  # a plugin's own hooks, for other plugins to implement
    for name, plugin in pm.list_name_plugin():
        missing = [n for n in getattr(plugin, "requires", ()) if pm.get_plugin(n) is None]
        if missing:
            raise ValueError(f"plugin {name} needs {', '.join(missing)}: add it to CRM_PLUGINS")
    return pm


def list_plugins(pm, extra_plugins=None) -> list[PluginInfo]:
    """The core, then every available plugin with whether it is enabled and its hooks."""
    from core import __version__

    infos = [PluginInfo("core", __version__, "built-in", True, _hook_names(pm, pm.get_plugin("core")))]
    for name, (load, version, source) in sorted(_discover(extra_plugins).items()):
        plugin = pm.get_plugin(name)
        enabled = plugin is not None
        if not enabled:  # register it on a scratch manager just to read its hooks
            scratch = pluggy.PluginManager("venture_crm")
            scratch.add_hookspecs(hookspecs)
            scratch.register(load(), name=name)
            pm_for_hooks, plugin = scratch, scratch.get_plugin(name)
        else:
            pm_for_hooks = pm
        infos.append(PluginInfo(name, version, source, enabled, _hook_names(pm_for_hooks, plugin)))
    return infos


def collect_named(groups, what: str) -> dict:
    """name -> item from a hook's list results (each item has .name); a duplicate is an error."""
    found = {}
    for group in groups:
        for item in group or []:
            if item.name in found:
                raise ValueError(f"two {what} are named {item.name!r}")
            found[item.name] = item
    return found
