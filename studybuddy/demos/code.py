"""The engine code behind a demo: the real source of the functions and classes it runs.

A demo names them in its registration (`code=("studybuddy.engine.attention:CausalAttention",)`,
a method as `Class.method`); one that names none shows the engine objects its function imports,
and one that uses no engine object shows its own function, which then holds the torch lines.
The source comes from `inspect`, so what the reader sees is what ran.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studybuddy.demos.base import Demo

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CodeExcerpt:
    target: str  # "module:qualname", as a demo names it
    source: str  # dedented, exactly the lines inspect returns
    path: str  # relative to the package's parent, e.g. "studybuddy/engine/attention.py"
    first_line: int


def resolve(target: str) -> Any:
    """The object a "module:Qualified.name" string names (imports its module)."""
    module_name, _, qualname = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        if not hasattr(obj, part) and inspect.ismodule(obj):
            # `from studybuddy.engine import smollm2` names a submodule, an attribute of its
            # package only once something has imported it
            obj = importlib.import_module(f"{obj.__name__}.{part}")
            continue
        obj = getattr(obj, part)
    return obj


def engine_imports(fn: Any) -> tuple[str, ...]:
    """The engine functions and classes a demo function imports, as targets, in source order."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return ()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("studybuddy.engine"):
            for alias in node.names:
                target = f"{node.module}:{alias.name}"
                if _is_code(resolve(target)) and target not in found:
                    found.append(target)
    return tuple(found)


def _is_code(obj: Any) -> bool:
    if inspect.isclass(obj):
        # an error type or a settings record is not what computed the numbers
        return not issubclass(obj, BaseException) and not dataclasses.is_dataclass(obj)
    return inspect.isfunction(obj)


def code_targets(demo: Demo) -> tuple[str, ...]:
    if demo.code:
        return demo.code
    derived = engine_imports(demo.run_fn)
    if derived:
        return derived
    return (f"{demo.run_fn.__module__}:{demo.run_fn.__qualname__}",)


def code_excerpts(demo: Demo) -> list[CodeExcerpt]:
    excerpts = []
    for target in code_targets(demo):
        obj = inspect.unwrap(resolve(target))
        lines, first_line = inspect.getsourcelines(obj)
        path = Path(inspect.getsourcefile(obj) or "")
        try:
            shown = str(path.resolve().relative_to(_PACKAGE_ROOT.parent))
        except ValueError:
            shown = path.name
        excerpts.append(CodeExcerpt(target, textwrap.dedent("".join(lines)), shown, first_line))
    return excerpts
