"""The values the model-code reader computes with.

Functions, classes and instances of the file, references to modules it never imports, positions in
the code, and small facts about statements.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from symcount.errors import SymcountError
from symcount.language.nodes import Pos

#: Statements and expressions evaluated before the reader gives up (a model file is small).
MAX_STEPS = 500_000
#: Calls of the file's own functions nested this deep are refused (recursion).
MAX_CALL_DEPTH = 50
#: The longest range, list or string the reader builds.
MAX_ITEMS = 100_000
#: Numbers larger than this many bits are refused (as in descriptions).
MAX_BITS = 13_000


def pos_of(node: ast.AST, lines: list[str] | None = None) -> Pos:
    """The place of an ast node as symcount counts it: 1-based lines and columns in characters."""
    line = getattr(node, "lineno", 0) or 0
    if not line:
        return Pos()
    col = getattr(node, "col_offset", 0) or 0
    end_line = getattr(node, "end_lineno", line) or line
    end_col = getattr(node, "end_col_offset", col) or col
    if lines is not None:
        col = _chars(lines, line, col)
        end_col = _chars(lines, end_line, end_col)
    return Pos(line, col + 1, end_line, end_col + 1)


def _chars(lines: list[str], line: int, offset: int) -> int:
    """ast's columns are UTF-8 byte offsets; the caret counts characters."""
    if 0 < line <= len(lines):
        return len(lines[line - 1].encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
    return offset


# ---- values ------------------------------------------------------------------------------------


@dataclass(eq=False)
class ModuleRef:
    """A module or a name inside a framework: ``torch.nn``, ``keras.layers.Dense``, ``F.relu``."""

    path: str


@dataclass(eq=False)
class Opaque:
    """A value only known when the code runs (a tensor, a function's result, an argument not given).

    Using it where a count needs a number is an error at ``node`` that says ``reason``; an error the
    code would have raised earlier is kept in ``error`` and raised instead.
    """

    reason: str
    node: ast.AST | None = None
    error: SymcountError | None = None
    #: the model's own tensors or modules, walked at run time (``self.named_parameters()``): a loop over
    #: them that builds nothing (it initialises weights) is skipped
    walk: bool = False


@dataclass(eq=False)
class PyFunction:
    """A ``def`` (or ``lambda``) of the file, with the scope it was defined in."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    scope: Scope
    name: str


@dataclass(eq=False)
class PyClass:
    """A ``class`` of the file: its bases (values) and its body's names (methods, constants)."""

    node: ast.ClassDef
    name: str
    bases: list[Any]
    body: dict[str, Any]

    def find(self, name: str) -> Any:
        """A class attribute, looked up through the file's own bases (None when missing)."""
        if name in self.body:
            return self.body[name]
        for base in self.bases:
            if isinstance(base, PyClass):
                found = base.find(name)
                if found is not None:
                    return found
        return None

    def framework_base(self) -> str | None:
        """The framework class this class derives from (``torch.nn.Module``, ``keras.Model``...)."""
        for base in self.bases:
            if isinstance(base, ModuleRef):
                return base.path
            if isinstance(base, PyClass):
                found = base.framework_base()
                if found is not None:
                    return found
        return None


@dataclass(eq=False)
class Instance:
    """An object of a class of the file; ``attrs`` in the order first assigned (torch's order)."""

    cls: PyClass
    node: ast.AST
    attrs: dict[str, Any] = field(default_factory=dict)
    buffers: dict[str, Any] = field(default_factory=dict)
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Bound:
    """A method with its object: ``self.make_layer``."""

    function: Any
    obj: Any


@dataclass(eq=False)
class BuiltinMethod:
    """A method of a value the reader models (``list.append``, ``ModuleList.extend``)."""

    name: str
    call: Callable[[list[Any], dict[str, Any], ast.AST], Any]


@dataclass(eq=False)
class Super:
    """``super()`` inside a method of ``cls``, for ``obj``."""

    cls: PyClass
    obj: Any


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Scope:
    """Names of one function call (or of the module), with the module's scope behind them."""

    def __init__(self, parent: Scope | None = None) -> None:
        self.names: dict[str, Any] = {}
        self.parent = parent

    def lookup(self, name: str) -> tuple[bool, Any]:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True, scope.names[name]
            scope = scope.parent
        return False, None
_PLAIN = (int, float, str, bool, type(None))


def is_plain(value: Any) -> bool:
    """A value the reader computes with: a number, a string, a flag, None, or a tuple/list of them."""
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (tuple, list)):
        return all(is_plain(item) for item in value)
    return False


#: Python's own functions the reader evaluates (on plain values).
_BUILTINS: dict[str, Callable[..., Any]] = {
    "range": range, "len": len, "int": int, "float": float, "str": str, "bool": bool, "abs": abs,
    "min": min, "max": max, "sum": sum, "round": round, "tuple": tuple, "list": list, "dict": dict,
    "enumerate": lambda *a, **k: list(enumerate(*a, **k)), "zip": lambda *a: list(zip(*a, strict=False)),
    "reversed": lambda a: list(reversed(a)), "sorted": sorted, "divmod": divmod, "pow": pow,
    "isinstance": lambda *a: False, "print": lambda *a, **k: None, "any": any, "all": all,
}
_MATH: dict[str, Callable[..., Any]] = {
    "ceil": math.ceil, "floor": math.floor, "sqrt": math.sqrt, "log2": math.log2, "prod": math.prod}


#: Calls that add to a model: a loop that makes one is not skipped.
_BUILDING_CALLS = ("register_buffer", "register_parameter", "add_module", "register_module", "append", "extend",
                   "insert", "setattr", "update", "add")


def _builds_nothing(loop: ast.For) -> bool:
    """A loop body that assigns no attribute or item and calls nothing that adds to a model."""
    for node in ast.walk(ast.Module(body=[*loop.body, *loop.orelse], type_ignores=[])):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(not isinstance(t, ast.Name) for t in targets):
                return False
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in _BUILDING_CALLS:
                return False
    return True


def _is_dataclass(cls: PyClass) -> bool:
    """``@dataclass`` or ``@dataclasses.dataclass(...)`` on the class (or on a base of the file)."""
    for decorator in cls.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
        if name == "dataclass":
            return True
    return any(isinstance(base, PyClass) and _is_dataclass(base) for base in cls.bases)


def _dataclass_fields(cls: PyClass) -> list[str]:
    """The annotated names of a dataclass, its bases' first, in the order written."""
    fields: list[str] = []
    for base in cls.bases:
        if isinstance(base, PyClass) and _is_dataclass(base):
            fields += [f for f in _dataclass_fields(base) if f not in fields]
    for statement in cls.node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
                and statement.target.id not in fields and "ClassVar" not in ast.unparse(statement.annotation):
            fields.append(statement.target.id)
    return fields


def _class_values(cls: PyClass) -> dict[str, Any]:
    """The values the class body (and its bases in the file) gives its names."""
    values: dict[str, Any] = {}
    for base in reversed(cls.bases):
        if isinstance(base, PyClass):
            values.update(_class_values(base))
    values.update(cls.body)
    return values


def _as_load(target: ast.expr) -> ast.expr:
    """The target of ``x += 1`` read as an expression."""
    copy = ast.parse(ast.unparse(target), mode="eval").body
    return ast.copy_location(copy, target) if hasattr(target, "lineno") else copy


def _is_main_guard(statement: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (what runs the training, not what builds the model)."""
    if not isinstance(statement, ast.If) or not isinstance(statement.test, ast.Compare):
        return False
    parts = [statement.test.left, *statement.test.comparators]
    return any(isinstance(p, ast.Name) and p.id == "__name__" for p in parts)


def _is_property(function: PyFunction) -> bool:
    node = function.node
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
        isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)


def _bound_names(statement: ast.stmt) -> Iterator[str]:
    """The names a top-level statement binds (left unknown when it cannot be read)."""
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    elif isinstance(statement, ast.For):
        targets = [statement.target]
    elif isinstance(statement, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
        yield statement.name
        return
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                yield node.id


def describe_value(value: Any) -> str:
    """A value in words, for error messages."""
    if isinstance(value, ModuleRef):
        return value.path
    if isinstance(value, Instance):
        return f"a {value.cls.name} object"
    if isinstance(value, PyClass):
        return f"class {value.name}"
    if isinstance(value, PyFunction):
        return f"function {value.name}"
    if isinstance(value, Opaque):
        return "a value known only at run time"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float, str)):
        return repr(value) if len(repr(value)) < 40 else type(value).__name__
    label = getattr(value, "label", None)
    if callable(label):
        return str(label())
    return type(value).__name__


@dataclass(eq=False)
class Layer:
    """A layer object the code creates: ``nn.Conv2d(1, 32, 3)``, ``layers.Dense(64)``.

    ``tied`` is the layer whose weight this one's weight is (``self.head.weight = self.wte.weight``).
    """

    framework: str
    name: str
    args: list[Any]
    kwargs: dict[str, Any]
    node: ast.Call
    tied: Layer | None = None

    def label(self) -> str:
        return f"{self.name}(...)"


class Traced(Protocol):
    """A tensor the readers trace through a model's code: what it was made from."""

    @property
    def inputs(self) -> Sequence[Any]: ...


TracedT = TypeVar("TracedT", bound=Traced)


def ancestors(tensor: TracedT, start: TracedT | None) -> list[TracedT]:
    """``tensor`` and every tensor it comes from back to ``start``, nearest first (breadth first): where
    branches meet again is the nearest tensor every branch's list holds (Keras's functional API and
    PyTorch's forward are read the same way)."""
    order: list[TracedT] = []
    queue = [tensor]
    while queue:
        current = queue.pop(0)
        if current in order:
            continue
        order.append(current)
        if current is not start:
            queue.extend(current.inputs)
    return order
