"""The app's Jinja environment: Flask's, with template globals Jinja can compare quickly.

Every ``{% from "macros.html" import field %}`` asks which of the importing template's globals the
imported one lacks (``Template._get_default_module``: a set less the globals' keys). Jinja keeps a
template's globals as a ``ChainMap`` over the environment's, whose keys view answers each key
through a Python loop over the maps: some 20 µs an import, and a project page imports macros some
thirty times (five stage cards, three imports each). Here the keys are a set, made at the time, so
the subtraction is the interpreter's own; the globals are still the live chain (a global added to
the environment later is seen, as with Jinja's own).
"""
from collections import ChainMap

from flask.templating import Environment


class TemplateGlobals(ChainMap):
    def keys(self):
        return set().union(*self.maps)


class AppEnvironment(Environment):
    def make_globals(self, d):
        return TemplateGlobals({} if d is None else d, self.globals)
