"""YAML for files written by strangers: bounded, with no aliases and no duplicate keys.

Banks, imported CSV/Markdown fields and front matter are data anyone may hand a reading group.
PyYAML's safe loader builds no objects, but it still expands anchors and aliases (a few hundred
bytes of nested `*a` references expand to gigabytes), recurses once per nesting level, quietly
lets a second `answer:` replace the first, and turns a 5,000-digit integer into a traceback.
Every parse here first walks the event stream, which is flat and costs no memory, and refuses:

  - anchors and aliases (`&name`, `*name`): a bank has no use for them;
  - nesting deeper than `MAX_DEPTH`, scalars longer than `MAX_SCALAR_CHARS`, and texts longer
    than `MAX_TEXT_CHARS` (the biggest bundled bank is under a tenth of that);
  - a key written twice in one mapping;
  - integers with more digits than Python will convert.

A refusal is a `RefusedYaml`, a `yaml.MarkedYAMLError`, so callers that already report a YAML
error's `problem` and `problem_mark` (file:line) report these the same way.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # the C parser is several times faster for whole banks; both are safe
    from yaml import CSafeLoader as FastSafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as FastSafeLoader  # type: ignore[assignment]

# Short snippets (a show_me's parameters, front matter) use the pure-Python parser, whose error
# messages say what was expected ("expected ',' or ']'") where the C one only says what it saw.
SnippetLoader = yaml.SafeLoader

MAX_TEXT_CHARS = 2_000_000
MAX_SCALAR_CHARS = 100_000
MAX_DEPTH = 40
MAX_INT_DIGITS = 1_000  # far below Python's 4,300-digit conversion limit


class RefusedYaml(yaml.MarkedYAMLError):
    """YAML that parses, but that no bank should contain."""


def _refuse(problem: str, mark: Any = None) -> RefusedYaml:
    return RefusedYaml(problem=problem, problem_mark=mark)


def _check_events(text: str, loader: type) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            problem = "no anchors or aliases (&name, *name): write each value out"
            raise _refuse(problem, event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _refuse(f"at most {MAX_DEPTH} levels of nesting", event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            value = event.value
            if len(value) > MAX_SCALAR_CHARS:
                raise _refuse(
                    f"a value of at most {MAX_SCALAR_CHARS:,} characters (this one has "
                    f"{len(value):,})",
                    event.start_mark,
                )
            digits = value.lstrip("+-").replace("_", "")
            if not event.style and len(digits) > MAX_INT_DIGITS and digits.isdigit():
                raise _refuse(f"a number of at most {MAX_INT_DIGITS} digits", event.start_mark)


def _check_duplicate_keys(root: yaml.Node) -> None:
    pending = [root]
    while pending:  # iterative: the depth is bounded already, but a stack costs nothing
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise _refuse(
                            f"each key once in a mapping ({key.value!r} is written twice)",
                            key.start_mark,
                        )
                    seen.add(key.value)
                pending.append(value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def compose(text: str, loader_class: type = FastSafeLoader) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the plain data of one checked YAML document."""
    if len(text) > MAX_TEXT_CHARS:
        raise _refuse(f"a text of at most {MAX_TEXT_CHARS:,} characters (got {len(text):,})")
    _check_events(text, loader_class)
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check_duplicate_keys(root)
        try:
            data = loader.construct_document(root)
        except ValueError as exc:  # e.g. an integer too long to convert, a bad timestamp
            raise _refuse(f"values YAML can read ({exc})", root.start_mark) from None
    finally:
        loader.dispose()
    return root, data


def load(text: str) -> Any:
    """The plain data of one checked YAML document (None for an empty one)."""
    return compose(text, SnippetLoader)[1]
