"""Which parameter set a cmdlet call binds to, decided as Windows PowerShell's parameter binder decides it.

Modelled on PowerShell's binder (``CmdletParameterBinderController`` and
``ParameterBinderController`` in PowerShell/PowerShell,
src/System.Management.Automation/engine; the open-source binder is the one
Windows PowerShell 5.1 ships, developed further). The rules the lab follows:

1. Named arguments bind first; every bound parameter that is not in all sets
   narrows the candidate sets to the sets it is in (``BindParameter``).
2. Positional arguments bind in position order, each to the parameter at that
   position in the candidate sets: first one of the default set whose type
   takes the value as it is, then one of the other sets, then the same two
   with type conversion (``BindPositionalParameters``). An argument no
   parameter takes is left over: ``PositionalParameterNotFound``.
3. The candidate sets are then validated (``ValidateParameterSets``): none
   left -> ``AmbiguousParameterSet``; several left -> the default set when it
   is among them; else, when pipeline input is expected and an unbound
   parameter of those sets takes it, the decision waits for the input; else
   the one set whose mandatory parameters are all bound, or
   ``AmbiguousParameterSet``.
4. With pipeline input expected, sets no unbound parameter can take input in
   are dropped (``FilterParameterSetsTakingNoPipelineInput``).
5. Mandatory parameters (``GetMissingMandatoryParameters``): without pipeline
   input, every unbound parameter mandatory in the chosen set is missing;
   with pipeline input, only those the input cannot supply (neither
   ByValue nor ByPropertyName) count, in the set the binder latches on to
   (the default set when no other set could be filled from the pipeline,
   else the one set whose mandatory parameters take pipeline input). A
   non-interactive host (powershell.exe -NonInteractive, as WinRM runs it)
   cannot prompt for them: ``MissingMandatoryParameter``.
6. Each pipeline object binds to the unbound ByValue parameters (as it is,
   then ByPropertyName, then ByValue with conversion, then ByPropertyName with
   conversion), default set first, narrowing the sets as it goes; then the
   sets are validated again. The errors at that stage are written per object
   and the command goes on with the next one: ``InputObjectNotBound``,
   ``AmbiguousParameterSet``, ``InputObjectMissingMandatory``.

Where the lab simplifies (it does not run the binder's every branch for
several sets that each take pipeline input), it says so below and refuses
rather than guesses.

The same binder runs before the script does (``static=True``): values are
then only kinds (a literal string, a script block, an unknown expression),
and where the outcome depends on a value the check cannot see it raises
:class:`Undetermined` and leaves the call to bind time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from wsfc_lab.pwsh.cmdlet import NotModelled
from wsfc_lab.reference import (AmbiguousParameter, CmdletRef, ParameterNotFound, ParameterRef, ParameterUnavailable,
                                resolve_parameter)

# Texts of Windows PowerShell 5.1's ParameterBinderStrings, as the open-source resource file has them
# (PowerShell/PowerShell, src/System.Management.Automation/resources/ParameterBinderStrings.resx).
# - AmbiguousParameterSet: the 5.1 wording; PowerShell 6 appended a sentence
#   (https://github.com/PowerShell/PowerShell/pull/5435 shows the old and new text), and 5.1's own output prints
#   the short one with "+ FullyQualifiedErrorId : AmbiguousParameterSet,Microsoft.PowerShell.Commands.
#   RemovePSSessionCommand" (https://github.com/PowershellFrameworkCollective/psframework/issues/402).
# - MissingMandatoryParameter: "...parameters:{1}." where {1} is every missing name after a space
#   (BuildMissingParamsString). A host that cannot prompt (powershell.exe -NonInteractive, as WinRM runs it)
#   makes PromptForMissingMandatoryParameters raise this record (CmdletParameterBinderController.cs).
# - InputObjectMissingMandatory / InputObjectNotBound: written per pipeline object by CommandProcessor.Read,
#   which then goes on with the next object (CommandProcessor.cs).
AMBIGUOUS_PARAMETER_SET = "Parameter set cannot be resolved using the specified named parameters."
MISSING_MANDATORY = "Cannot process command because of one or more missing mandatory parameters:{0}."
INPUT_MISSING_MANDATORY = ("The input object cannot be bound because it did not contain the information required to "
                           "bind all mandatory parameters: {0}")
INPUT_NOT_BOUND = ("The input object cannot be bound to any parameters for the command either because the command "
                   "does not take pipeline input or the input and its properties do not match any of the parameters "
                   "that take pipeline input.")
POSITIONAL_NOT_FOUND = "A positional parameter cannot be found that accepts argument '{0}'."
NAMED_NOT_FOUND = "A parameter cannot be found that matches parameter name '{0}'."
AMBIGUOUS_PARAMETER = ("Parameter cannot be processed because the parameter name '{0}' is ambiguous. Possible matches "
                       "include: {1}.")
ALREADY_BOUND = ("Cannot bind parameter because parameter '{0}' is specified more than once. To provide multiple "
                 "values to parameters that can accept multiple values, use the array syntax. For example, "
                 "\"-parameter value1,value2,value3\".")
MISSING_ARGUMENT = "Missing an argument for parameter '{0}'. Specify a parameter of type '{1}' and try again."


class BindingError(Exception):
    """A ParameterBindingException as the binder raises it: error id (before the comma), message, target."""

    def __init__(self, error_id: str, message: str, target: Any = None, node: Any = None):
        super().__init__(message)
        self.error_id = error_id
        self.message = message
        self.target = target
        self.node = node


class Undetermined(Exception):
    """Static binding only: the outcome depends on a value not known before the script runs."""


class _Unknown:
    """Static binding only: a value the check cannot see (a variable, an expression)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


@dataclass
class CallArg:
    """One argument as the binder sees it (after splatting): "param" (name, explicit value) or "value"."""

    kind: str
    name: str = ""
    value: Any = None
    explicit: bool = False
    node: Any = None


# ---- types ----------------------------------------------------------------------------------------------

_NULLABLE = re.compile(r"^(?:system\.)?nullable`1\[\[?([^\],]+).*$", re.I)
COLLECTIONS = {"stringcollection": "string"}


def short_type(type_name: str) -> str:
    """``System.String[]`` -> ``string[]``; ``System.Nullable`1[[System.DateTime]]`` -> ``datetime``."""
    t = type_name.strip()
    m = _NULLABLE.match(t)
    if m:
        t = m.group(1)
    suffix = ""
    while t.endswith("[]"):
        suffix += "[]"
        t = t[:-2]
    return t.rsplit(".", 1)[-1].lower() + suffix


def element_type(type_name: str) -> str | None:
    """The element type of an array or collection parameter type, or None."""
    t = short_type(type_name)
    if t.endswith("[]"):
        return t[:-2]
    return COLLECTIONS.get(t)


def _value_types(value: Any) -> set[str]:
    from wsfc_lab.pwsh.values import type_names
    return {n.split("#", 1)[0].rsplit(".", 1)[-1].lower() for n in type_names(value)}


def _scalar_as_is(value: Any, t: str) -> bool:
    if t in ("object", "psobject") or value is None:
        return True
    if t in ("switchparameter", "boolean", "bool"):
        return isinstance(value, bool)
    return t in _value_types(value)


def binds_as_is(value: Any, p: ParameterRef) -> bool | None:
    """The value binds without type conversion (None: unknown before the script runs)."""
    if value is UNKNOWN:
        return None
    t = short_type(p.type)
    if p.is_switch:
        return isinstance(value, bool)
    if t in ("object", "psobject"):
        return True
    elem = element_type(p.type)
    if elem is not None:
        items = value if isinstance(value, list) else [value]
        return all(_scalar_as_is(v, elem) for v in items)
    if isinstance(value, list):
        return False
    return _scalar_as_is(value, t)


def _is_scriptblock_type(t: str) -> bool:
    return t in ("scriptblock", "scriptblock[]")


# ---- the binder -----------------------------------------------------------------------------------------

Converter = Callable[[ParameterRef, Any], Any]


@dataclass
class Binder:
    """The binder's state for one command invocation.

    ``convert(p, value)`` converts a value to the parameter's type (raising
    :class:`BindingError` when it cannot); ``property_of(obj, p)`` gives
    ``(found, value)`` for ByPropertyName binding.
    """

    ref: CmdletRef
    convert: Converter = lambda p, v: v
    property_of: Callable[[Any, ParameterRef], tuple[bool, Any]] = lambda obj, p: (False, None)
    static: bool = False
    valid: set[str] | None = None              # None: no parameter narrowed the sets (PowerShell's "all sets")
    bound: dict[str, Any] = field(default_factory=dict)
    pipeline_expected: bool = False
    prioritized: str | None = None              # the set pipeline binding tries first (step 5)
    _pre_pipeline: tuple[set[str] | None, dict[str, Any]] | None = None

    # ---- the parameters and sets -------------------------------------------------------------------
    @property
    def declared(self) -> list[str]:
        return list(self.ref.parameter_sets)

    @property
    def default(self) -> str | None:
        d = self.ref.default_set
        return d if d in self.ref.parameter_sets else None

    def _in_all_sets(self, p: ParameterRef) -> bool:
        return p.sets is None or set(p.sets) >= set(self.declared)

    def _sets_of(self, p: ParameterRef) -> set[str]:
        return set(self.declared) if p.sets is None else set(p.sets)

    def _current(self) -> set[str]:
        return set(self.declared) if self.valid is None else set(self.valid)

    def _unbound(self) -> list[ParameterRef]:
        """Documented parameters not bound yet, in documented order (PowerShell's order of its unbound list)."""
        return [p for p in self.ref.parameters.values() if not p.common and p.name not in self.bound]

    def _narrow(self, p: ParameterRef) -> None:
        if self._in_all_sets(p):
            return
        self.valid = self._current() & self._sets_of(p)

    def _bind(self, p: ParameterRef, value: Any, node: Any = None) -> None:
        if p.name in self.bound:
            raise BindingError("ParameterAlreadyBound", ALREADY_BOUND.format(p.name), node=node)
        self.bound[p.name] = value
        self._narrow(p)

    # ---- 1. named ------------------------------------------------------------------------------------
    def resolve(self, given: str, node: Any = None) -> ParameterRef:
        try:
            name = resolve_parameter(self.ref, given)
        except ParameterNotFound:
            raise BindingError("NamedParameterNotFound", NAMED_NOT_FOUND.format(given), node=node) from None
        except AmbiguousParameter as amb:
            raise BindingError("AmbiguousParameter", AMBIGUOUS_PARAMETER.format(
                given, " ".join("-" + c for c in amb.candidates)), node=node) from None
        except ParameterUnavailable as un:
            raise NotModelled(f"the parameter -{un.name} of {self.ref.name} ({un.reason})") from None
        p = self.ref.parameter(name)
        assert p is not None
        return p

    def bind_named(self, args: list[CallArg]) -> list[CallArg]:
        """Bind ``-Name value``, ``-Switch`` and ``-Name:value``; return the positional arguments in order."""
        positional: list[CallArg] = []
        i = 0
        while i < len(args):
            a = args[i]
            if a.kind != "param":
                positional.append(a)
                i += 1
                continue
            p = self.resolve(a.name, a.node)
            if a.explicit:
                value = a.value
            elif p.is_switch:
                value = True
            elif i + 1 < len(args) and args[i + 1].kind == "value":
                value = args[i + 1].value
                i += 1
            else:
                raise BindingError("MissingArgument", MISSING_ARGUMENT.format(p.name, _type_display(p.type)),
                                   node=a.node)
            if p.name in self.bound:
                raise BindingError("ParameterAlreadyBound", ALREADY_BOUND.format(p.name), node=a.node)
            self._bind(p, value if self.static else self.convert(p, value), a.node)
            i += 1
        return positional

    # ---- 2. positional -------------------------------------------------------------------------------
    def _positions(self) -> tuple[dict[int, list[tuple[ParameterRef, set[str]]]], dict[int, str]]:
        """position -> [(parameter, the candidate sets in which it has that position)], and the positions the
        page gives two parameters of one set (PowerShell's AmbiguousPositionalParameterNoName: a real cmdlet
        cannot declare that, so the page contradicts itself; refused when a value needs that position)."""
        current = self._current()
        out: dict[int, list[tuple[ParameterRef, set[str]]]] = {}
        clashes: dict[int, str] = {}
        for p in self._unbound():
            for s in sorted(self._sets_of(p) & current, key=self.declared.index):
                pos = p.position_in(s)
                if pos is None:
                    continue
                slot = out.setdefault(pos, [])
                for other, other_sets in slot:
                    if other is not p and s in other_sets and pos not in clashes:
                        clashes[pos] = (f"positional binding for {self.ref.name}: its page gives -{other.name} and "
                                        f"-{p.name} the same position {pos} in the parameter set {s}")
                entry = next((e for e in slot if e[0] is p), None)
                if entry is None:
                    slot.append((p, {s}))
                else:
                    entry[1].add(s)
        return dict(sorted(out.items())), clashes

    def bind_positional(self, positional: list[CallArg]) -> list[CallArg]:
        """Bind positional arguments; return the ones no parameter took."""
        if not positional:
            return []
        left: list[CallArg] = []
        queue = list(positional)
        positions, clashes = self._positions()
        for pos, slot in positions.items():
            current = self._current()
            candidates = [(p, sets & current) for p, sets in slot if p.name not in self.bound and sets & current]
            if not candidates:
                continue
            if not queue:
                break
            if pos in clashes:
                raise NotModelled(clashes[pos])
            arg = queue.pop(0)
            if not self._bind_at(candidates, arg):
                left.append(arg)
        return left + queue

    def _bind_at(self, candidates: list[tuple[ParameterRef, set[str]]], arg: CallArg) -> bool:
        default = self.default
        in_default = [(p, s) for p, s in candidates if default is not None and default in s]
        if self.static:
            verdicts = [binds_as_is(arg.value, p) for p, _ in candidates]
            if any(v is None for v in verdicts) and len(candidates) > 1:
                raise Undetermined()
        for convert in (False, True):
            for group in (in_default, candidates):
                for p, _sets in group:
                    ok, value = self._accepts(p, arg.value, convert)
                    if ok:
                        self._bind(p, value, arg.node)
                        return True
        return False

    def _accepts(self, p: ParameterRef, value: Any, convert: bool) -> tuple[bool, Any]:
        """Whether ``p`` takes ``value`` (as it is, or converted), and the value it would hold."""
        verdict = binds_as_is(value, p)
        if verdict is None:          # static, one candidate: assume it binds, as the script was written for it
            return True, value
        if verdict:
            return True, value if self.static else self.convert(p, value)
        if not convert:
            return False, None
        if _is_scriptblock_type(short_type(p.type)):
            return False, None       # nothing converts to a script block
        if self.static:
            return True, value
        try:
            return True, self.convert(p, value)
        except BindingError:
            return False, None

    # ---- 3. validating the sets -----------------------------------------------------------------------
    def _pipeline_param_unbound(self, sets: set[str]) -> bool:
        return any(p.takes_pipeline_input and (self._in_all_sets(p) or self._sets_of(p) & sets)
                   for p in self._unbound())

    def _ambiguous(self, target: Any = None) -> BindingError:
        return BindingError("AmbiguousParameterSet", AMBIGUOUS_PARAMETER_SET, target)

    def _resolve_by_mandatory(self) -> int:
        remaining = self._current()
        for p in self._unbound():
            remaining -= {s for s in self._sets_of(p) if p.mandatory_in(s)}
        if len(remaining) == 1:
            self.valid = remaining
            return 1
        raise self._ambiguous()

    def validate(self, pre_pipeline: bool, set_default: bool) -> int:
        """PowerShell's ValidateParameterSets: the number of sets still possible (1 when one is chosen)."""
        declared = self.declared
        if len(declared) <= 1:
            return 1
        default = self.default
        if self.valid is None:
            if pre_pipeline and self._pipeline_param_unbound(set(declared)):
                return len(declared)
            if default is not None:
                if set_default:
                    self.valid = {default}
                    return 1
                return len(declared)
            return self._resolve_by_mandatory()
        n = len(self.valid)
        if n == 0:
            raise self._ambiguous()
        if n == 1:
            return 1
        if default is not None and default in self.valid:
            if set_default:
                self.valid = {default}
                return 1
            return n
        if pre_pipeline and self._pipeline_param_unbound(self.valid):
            return n
        return self._resolve_by_mandatory()

    def _filter_sets_taking_no_input(self) -> None:
        taking: set[str] = set()
        for p in self._unbound():
            if not p.takes_pipeline_input:
                continue
            if self._in_all_sets(p):
                return
            taking |= self._sets_of(p)
        if taking and self._current() & taking != self._current():
            self.valid = self._current() & taking

    # ---- 5. mandatory parameters ----------------------------------------------------------------------
    def _missing_in(self, s: str, pipeline: bool) -> list[ParameterRef]:
        return [p for p in self._unbound() if p.in_set(s) and p.mandatory_in(s)
                and not (pipeline and p.takes_pipeline_input)]

    def missing_mandatory(self, pipeline: bool) -> list[ParameterRef]:
        current = self._current()
        if not pipeline:
            return [p for p in self._unbound() if any(p.mandatory_in(s) for s in self._sets_of(p) & current)]
        with_missing = [s for s in self.declared if s in current
                        and any(p.in_set(s) and p.mandatory_in(s) for p in self._unbound())]
        if not with_missing:
            return []
        default = self.default
        pipe_sets = [s for s in with_missing if any(p.in_set(s) and p.mandatory_in(s) and p.takes_pipeline_input
                                                    for p in self._unbound())]
        if len(current) > 1 and default in current and default not in with_missing \
                and not [s for s in pipe_sets if s != default]:
            # the default set needs nothing more: drop the sets that do, keep the default first
            self.valid = current - set(with_missing)
            if self.valid != {default}:
                self.prioritized = default
            return []
        if len(with_missing) == 1:
            return self._missing_in(with_missing[0], True)
        if default in with_missing:
            others_fill = [s for s in pipe_sets if s != default and not self._missing_in(s, True)]
            if not others_fill:
                self.valid = {default}
                return self._missing_in(default, True)
        if len(pipe_sets) == 1:
            chosen = pipe_sets[0]
            missing = self._missing_in(chosen, True)
            if missing:
                self.valid = {chosen}
            else:
                self.prioritized = chosen
            return missing
        # Several sets each take pipeline input (or none does): PowerShell drops the sets that need a parameter
        # the pipeline cannot give. The lab follows that rule and stops there.
        needing = {s for s in with_missing if self._missing_in(s, True)}
        if not needing:
            return []
        rest = current - needing
        if not rest:
            if len(pipe_sets) <= 1:
                raise self._ambiguous()
            return self._missing_in(sorted(needing, key=self.declared.index)[0], True)
        self.valid = rest
        return []

    # ---- the command line -----------------------------------------------------------------------------
    def bind_command_line(self, args: list[CallArg], pipeline_expected: bool) -> dict[str, Any]:
        """Steps 1-5 (PowerShell's BindCommandLineParameters); returns the bound parameters."""
        self.pipeline_expected = pipeline_expected
        positional = self.bind_named(args)
        left = self.bind_positional(positional)
        self.validate(True, False)
        if left:
            a = left[0]
            if self.static:
                raise Undetermined()
            from wsfc_lab.pwsh.values import to_string
            raise BindingError("PositionalParameterNotFound", POSITIONAL_NOT_FOUND.format(to_string(a.value)),
                               a.value, a.node)
        count = self.validate(pipeline_expected, not pipeline_expected)
        if count > 1 and pipeline_expected:
            before = self.valid
            self._filter_sets_taking_no_input()
            if self.valid != before:
                count = self.validate(True, False)
        missing = self.missing_mandatory(pipeline_expected)
        if missing:
            raise BindingError("MissingMandatoryParameter",
                               MISSING_MANDATORY.format("".join(" " + p.name for p in missing)))
        if not pipeline_expected and len(self.declared) > 1 and self.valid is None:
            if self.default is None:
                raise self._ambiguous()
            self.valid = {self.default}
        self._pre_pipeline = (None if self.valid is None else set(self.valid), dict(self.bound))
        return dict(self.bound)

    # ---- 6. one pipeline object -------------------------------------------------------------------------
    def bind_input(self, obj: Any) -> dict[str, Any]:
        """The parameters for one pipeline object (command-line ones included), or a per-object BindingError."""
        assert self._pre_pipeline is not None, "bind_command_line first"
        valid, bound = self._pre_pipeline
        self.valid = None if valid is None else set(valid)
        self.bound = dict(bound)
        try:
            first = self.prioritized
            rounds = [{first}, None] if first else [self._current()]
            any_bound = False
            for i, restrict in enumerate(rounds):
                if restrict is None:
                    restrict = self._current() - {first}
                for by_value, convert in ((True, False), (False, False), (True, True), (False, True)):
                    if self._bind_stage(obj, by_value, convert, restrict):
                        any_bound = True
                        if not first or i == 1:
                            self.validate(True, True)
                            restrict = self._current()
                if first and i == 0 and self._current() == {first}:
                    break
            self.validate(False, True)
            if len(self.declared) > 1 and self.valid is None:
                if self.default is None:
                    raise self._ambiguous()
                self.valid = {self.default}
            if not any_bound:
                raise BindingError("InputObjectNotBound", INPUT_NOT_BOUND, obj)
            missing = self.missing_mandatory(False)
            if missing:
                raise BindingError("InputObjectMissingMandatory",
                                   INPUT_MISSING_MANDATORY.format("".join(" " + p.name for p in missing)), obj)
        except BindingError as err:
            err.target = obj
            raise
        return dict(self.bound)

    def _bind_stage(self, obj: Any, by_value: bool, convert: bool, restrict: set[str]) -> bool:
        default = self.default
        if default is not None and default in restrict:
            if self._bind_in(obj, by_value, convert, {default}):
                return True
            restrict = restrict - {default}
        return self._bind_in(obj, by_value, convert, restrict)

    def _bind_in(self, obj: Any, by_value: bool, convert: bool, sets: set[str]) -> bool:
        bound_any = False
        for p in reversed(self._unbound()):
            if not p.takes_pipeline_input:
                continue
            if not self._in_all_sets(p) and not self._sets_of(p) & sets:
                continue
            if by_value and p.by_value:
                value = obj
            elif not by_value and p.by_property_name and obj is not None:
                found, value = self.property_of(obj, p)
                if not found:
                    continue
            else:
                continue
            ok, converted = self._accepts(p, value, convert)
            if ok:
                self.bound[p.name] = converted
                self._narrow(p)
                bound_any = True
        return bound_any

    @property
    def chosen_set(self) -> str | None:
        current = self._current()
        return next(iter(current)) if len(current) == 1 else None


def _type_display(t: str) -> str:
    return t if "." in t else {"String": "System.String", "Int32": "System.Int32", "String[]": "System.String[]",
                               "StringCollection": "System.Collections.Specialized.StringCollection",
                               "Object": "System.Object", "PSObject": "System.Management.Automation.PSObject",
                               "ScriptBlock": "System.Management.Automation.ScriptBlock"}.get(t, t)
