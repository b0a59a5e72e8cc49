"""Build cmdlet output objects that carry exactly the documented properties.

Every object the lab's cmdlets return is built here from the reference: a
property the reference does not document for that type is a lab bug and
raises at once (the lab must never teach a script to rely on something
Windows does not promise); a documented property the model does not track is
present with ``$null``; a property whose documented type is an enum becomes a
:class:`PSEnum` with the documented value, so ``ConvertTo-Json`` prints the
number and ``[string]`` the name, as on Windows.
"""

from __future__ import annotations

from typing import Any

from wsfc_lab.pwsh.objects import PSEnum, PSObject


class UndocumentedProperty(AssertionError):
    """The lab tried to return a property its reference does not document."""


class Documented:
    """Object and enum factory bound to one reference."""

    def __init__(self, reference: Any):
        self.reference = reference

    def enum(self, type_name: str, member: str) -> PSEnum:
        spec = self.reference.enum(type_name)
        if spec is None:
            raise UndocumentedProperty(f"enum {type_name} is not in the lab reference")
        values = spec.get("values") or {name: i for i, name in enumerate(spec.get("names", []))}
        for name, value in values.items():
            if name.lower() == str(member).lower():
                return PSEnum(type_name, name, int(value))
        raise UndocumentedProperty(f"{member!r} is not a documented member of {type_name}")

    def make(self, type_name: str, values: dict[str, Any], to_string: str | None = None) -> PSObject:
        spec = self.reference.type(type_name)
        if spec is None:
            raise UndocumentedProperty(f"type {type_name} is not in the lab reference")
        documented = spec.get("properties", {})
        lower = {name.lower(): name for name in documented}
        for key in values:
            if key.lower() not in lower:
                raise UndocumentedProperty(f"{type_name}.{key} is not documented in the lab reference")
        props: dict[str, Any] = {}
        given = {k.lower(): v for k, v in values.items()}
        for name, prop_type in documented.items():
            value = given.get(name.lower())
            if value is not None and isinstance(value, str) and self.reference.enum(str(prop_type)) is not None:
                value = self.enum(str(prop_type), value)
            props[name] = value
        return PSObject(type_name, props, to_string=to_string)
