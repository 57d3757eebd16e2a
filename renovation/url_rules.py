"""The app's URL rules: their builders (what ``url_for`` runs) are compiled when first used.

Werkzeug compiles two small functions for every rule as the rule is added (one with and one
without unknown values appended as a query), generating and compiling Python source for each:
for the app's 150 rules that is a tenth of a second of every start — the command line's
included — spent on addresses most processes never build. Here each builder is compiled the first
time it is called and then kept on the rule, so a process builds the ones it uses, once; the
addresses are the same (``tests/test_url_rules.py`` compares every rule's with Werkzeug's own).
"""
from werkzeug.routing import Rule


class LazilyBuiltRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        kept_as = "_build_unknown" if append_unknown else "_build"

        def compile_then_build(rule: Rule, **values):
            builder = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, kept_as, builder)  # two threads racing here keep the same builder
            return builder(**values)

        return compile_then_build
