"""The automation plugin's own hook, for other plugins' rule types."""
from core.hookspecs import hookspec


@hookspec
def register_rule_types(crm):
    """Return a list of RuleType (plugins/automation/rules.py) the rules may use"""
