# -*- coding: utf-8 -*-
"""What every filter test checks of its filter's documentation: it parses, names the filter, and matches the code.

A filter's DOCUMENTATION is what ansible-doc shows and what a user writes a template from, but nothing runs it:
a renamed option or a wrong ``positional`` only shows when a template fails. So each filter test loads the
filter through ``FilterModule().filters()`` (as the template engine does) and checks the documentation against
the function it returns.
"""

from __future__ import annotations

import inspect

import yaml


def loaded(plugin, name):
    """The filter ``name`` as the template engine gets it from the plugin's FilterModule (the only filter there)."""
    filters = plugin.FilterModule().filters()
    assert list(filters) == [name], "the plugin registers %s, not only %s" % (sorted(filters), name)
    return filters[name]


def documentation(plugin, name):
    """The parsed DOCUMENTATION, EXAMPLES and RETURN, checked to name the filter and to parse."""
    doc = yaml.safe_load(plugin.DOCUMENTATION)
    assert doc["name"] == name and doc["short_description"]
    assert "_input" in doc["options"] and doc["options"]["_input"].get("required") is True
    assert isinstance(yaml.safe_load(plugin.EXAMPLES), list)
    assert "_value" in yaml.safe_load(plugin.RETURN)
    assert "wsfc.csv.%s" % name in plugin.EXAMPLES, "the examples do not use the filter by its full name"
    return doc


def parameters(function):
    """The names a call of ``function`` accepts after its input, and whether it takes any keyword (``**kwargs``)."""
    params = list(inspect.signature(function).parameters.values())[1:]
    names = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return names, any(p.kind is p.VAR_KEYWORD for p in params)


def check_options(doc, function, passes_to=None):
    """Every documented option is a parameter of the filter (or, for ``**kwargs``, of ``passes_to``), and the
    filter has no parameter the documentation leaves out; ``positional`` is the first one after the input."""
    documented = set(doc["options"]) - {"_input"}
    names, anything = parameters(function)
    if anything:
        assert passes_to is not None, "the filter takes **kwargs: say which function receives them"
        names = names + parameters(passes_to)[0]
    assert documented == set(names), "documented %s, accepted %s" % (sorted(documented), sorted(names))
    if doc.get("positional"):
        assert parameters(function)[0][0] == doc["positional"]
