"""The app's Jinja environment (renovation/template_environment.py) keeps Jinja's meaning of a
template's globals: the environment's, overlaid by the template's own, seen live."""
from renovation.template_environment import AppEnvironment, TemplateGlobals


def test_the_app_renders_with_its_own_environment(app):
    assert isinstance(app.jinja_env, AppEnvironment)
    assert isinstance(app.jinja_env.get_template("macros.html").globals, TemplateGlobals)


def test_template_globals_overlay_the_environment_s_and_see_later_ones(app):
    env = app.jinja_env
    template = env.from_string("{{ greeting }} {{ later }}", globals={"greeting": "您好"})
    env.globals["later"] = "稍后"
    try:
        assert template.render() == "您好 稍后"
        assert template.globals.keys() == set(template.globals) >= {"greeting", "later", "url_for"}
    finally:
        del env.globals["later"]


def test_a_macro_imported_in_a_loop_renders_as_jinja_s_own_environment_would(app):
    source = ('{% for n in range(3) %}{% from "macros.html" import progress_bar %}'
              '{{ progress_bar(n * 40) }}{% endfor %}')
    with app.test_request_context("/"):
        ours = app.jinja_env.from_string(source).render()
        plain = app.jinja_env.overlay()  # the same loader, filters and globals
        plain.make_globals = lambda d: super(AppEnvironment, plain).make_globals(d)
        assert ours == plain.from_string(source).render() and ours.count("<progress") == 3
