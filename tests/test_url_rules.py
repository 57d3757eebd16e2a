"""Every address the app builds is the one Werkzeug's own rules build, though the app's builders
are compiled when first used (renovation/url_rules.py)."""
from werkzeug.routing import AnyConverter, IntegerConverter, Map, PathConverter, Rule

from renovation.url_rules import LazilyBuiltRule

SAMPLE_VALUES = {"int": 7, "default": "ZP-2026-001", "path": "a/b.jpg"}


def sample_values(rule: Rule) -> dict:
    return {name: sample_value(converter) for name, converter in rule._converters.items()}


def sample_value(converter):
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[-1]
    return SAMPLE_VALUES[{IntegerConverter: "int", PathConverter: "path"}.get(type(converter), "default")]


def test_every_rule_builds_the_address_werkzeugs_own_rule_builds(app):
    app_rules = [rule for rule in app.url_map.iter_rules() if isinstance(rule, LazilyBuiltRule)]
    assert len(app_rules) > 100  # the blueprints' rules are the lazy ones
    own_map = Map([Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods, defaults=rule.defaults)
                   for rule in app_rules])
    app_adapter = app.url_map.bind("intranet.example")
    own_adapter = own_map.bind("intranet.example")
    for rule in app_rules:
        values = sample_values(rule)
        for extra in ({}, {"page": "2", "q": "九龙 50%"}):
            for _ in range(2):  # the first call compiles and keeps the builder, the second uses it
                assert (app_adapter.build(rule.endpoint, {**values, **extra}, method=sorted(rule.methods)[0])
                        == own_adapter.build(rule.endpoint, {**values, **extra}, method=sorted(rule.methods)[0])), \
                    rule.rule
