"""Values that flow through the simulated PowerShell pipeline.

The lab answers with the shapes Windows answers with, so the objects that the
model-backed cmdlets return carry their .NET type names, their documented
properties (and nothing else), and enum values that behave like .NET enums:
``[string]`` gives the name, ``ConvertTo-Json`` in Windows PowerShell 5.1 gives
the integer, ``-eq 'Up'`` compares by name. A script that relies on a property
Windows does not have fails here the way it fails under
``Set-StrictMode -Version Latest`` on a real node.

Plain PowerShell values map to Python values:

==========================  ==========================================
PowerShell                  Python
==========================  ==========================================
``$null``                   ``None``
``[bool]``                  ``bool``
``[int]``/``[long]``        ``int``
``[double]``                ``float``
``[string]``                ``str``
``[object[]]`` / ``@()``    ``list``
``@{}`` / ``[ordered]@{}``  :class:`PSHashtable`
``[datetime]``              ``datetime.datetime`` (timezone-aware)
``[byte[]]``                ``bytes``
``[pscustomobject]``        :class:`PSObject` (type ``System.Management.Automation.PSCustomObject``)
==========================  ==========================================
"""

from __future__ import annotations

from typing import Any, Iterator

PSCUSTOMOBJECT = "System.Management.Automation.PSCustomObject"


class PropertyNotFound(LookupError):
    """Raised when a script reads a property the object does not have."""

    def __init__(self, obj: Any, name: str):
        super().__init__(name)
        self.obj = obj
        self.name = name


class _CaseInsensitiveBag:
    """Ordered mapping with case-insensitive keys that keeps the first spelling."""

    def __init__(self, items: Any = None):
        self._keys: dict[str, str] = {}
        self._values: dict[str, Any] = {}
        if items:
            for key, value in (items.items() if hasattr(items, "items") else items):
                self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        low = str(key).lower()
        if low not in self._keys:
            self._keys[low] = str(key)
        self._values[low] = value

    def __getitem__(self, key: str) -> Any:
        return self._values[str(key).lower()]

    def __delitem__(self, key: str) -> None:
        low = str(key).lower()
        del self._keys[low]
        del self._values[low]

    def __contains__(self, key: object) -> bool:
        return str(key).lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys.values()))

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(str(key).lower(), default)

    def keys(self) -> list[str]:
        return list(self._keys.values())

    def values(self) -> list[Any]:
        return [self._values[k] for k in self._keys]

    def items(self) -> list[tuple[str, Any]]:
        return [(self._keys[k], self._values[k]) for k in self._keys]


class PSHashtable(_CaseInsensitiveBag):
    """``@{}`` (unordered in PowerShell, kept in insertion order here) or ``[ordered]@{}``."""

    def __init__(self, items: Any = None, ordered: bool = False):
        super().__init__(items)
        self.ordered = ordered

    def __repr__(self) -> str:
        return f"PSHashtable({self.items()!r})"


class PSObject:
    """An object with .NET type names and a fixed set of properties.

    ``type_names`` is most-derived first, as ``$obj.PSObject.TypeNames`` is.
    ``to_string`` is what ``[string]$obj`` / ``"$obj"`` gives; Windows gives
    the type name for most objects and the name for cluster objects.
    """

    def __init__(self, type_name: str, props: Any = None, *, type_names: list[str] | None = None,
                 to_string: str | None = None):
        self.type_names = list(type_names) if type_names else [type_name, "System.Object"]
        self.props = _CaseInsensitiveBag(props or {})
        self._to_string = to_string

    @property
    def type_name(self) -> str:
        return self.type_names[0]

    def has(self, name: str) -> bool:
        return name in self.props

    def get(self, name: str) -> Any:
        if name not in self.props:
            raise PropertyNotFound(self, name)
        return self.props[name]

    def set(self, name: str, value: Any) -> None:
        """Set an existing property (PSCustomObject may also gain new ones)."""
        if name not in self.props and self.type_name != PSCUSTOMOBJECT:
            raise PropertyNotFound(self, name)
        self.props[name] = value

    def __str__(self) -> str:
        if self._to_string is not None:
            return self._to_string
        if self.type_name == PSCUSTOMOBJECT:
            return "@{" + "; ".join(f"{k}={v}" for k, v in self.props.items()) + "}"
        return self.type_name

    def __repr__(self) -> str:
        return f"PSObject({self.type_name!r}, {self.props.items()!r})"


class CimInstance(PSObject):
    """A CIM instance as ``Get-CimInstance`` returns it (``root/cimv2`` by default).

    Windows adds the system properties ``CimClass``, ``CimInstanceProperties``
    and ``CimSystemProperties``; the lab exposes only the class's documented
    properties, which is what our scripts may read.
    """

    def __init__(self, class_name: str, props: Any = None, namespace: str = "root/cimv2"):
        ns = namespace.replace("\\", "/")
        super().__init__(
            f"Microsoft.Management.Infrastructure.CimInstance#{ns}/{class_name}",
            props,
            type_names=[
                f"Microsoft.Management.Infrastructure.CimInstance#{ns}/{class_name}",
                "Microsoft.Management.Infrastructure.CimInstance#" + class_name,
                "Microsoft.Management.Infrastructure.CimInstance",
                "System.Object",
            ],
        )
        self.class_name = class_name
        self.namespace = ns

    def __str__(self) -> str:
        return self.class_name


class PSEnum:
    """A .NET enum value.

    ``str()`` is the member name; ``ConvertTo-Json`` (5.1) emits ``value``;
    comparison with a string compares names case-insensitively, with a number
    compares values.
    """

    __slots__ = ("type_name", "name", "value")

    def __init__(self, type_name: str, name: str, value: int):
        self.type_name = type_name
        self.name = name
        self.value = value

    def __str__(self) -> str:
        return self.name

    def __int__(self) -> int:
        return self.value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PSEnum):
            return self.type_name == other.type_name and self.value == other.value
        if isinstance(other, str):
            return self.name.lower() == other.lower()
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return self.value == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.type_name, self.value))

    def __repr__(self) -> str:
        return f"PSEnum({self.type_name!r}, {self.name!r}, {self.value})"
