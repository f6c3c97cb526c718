"""A `Bank` written back as YAML in the style of the bundled banks: fields in reading order,
long texts as folded block scalars, short lists inline."""

from __future__ import annotations

from typing import Any

import yaml

from studybuddy.banks.models import Bank

_FIRST = ("id", "type", "prompt")
_LAST = ("explanation", "difficulty", "tags", "source", "show_me")
_FOLD_AFTER = 80  # characters; longer texts become `>-` blocks


class _BankDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # indent list items under their key, as the hand-written banks do
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > _FOLD_AFTER and value == value.strip() and "  " not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    scalars = all(isinstance(v, int | float | bool | str) for v in value)
    short = sum(len(str(v)) for v in value) <= 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=scalars and short)


def _number(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    if value.is_integer() and abs(value) < 1e15:  # `value: 12`, not `value: 12.0`
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_BankDumper.add_representer(str, _text)
_BankDumper.add_representer(float, _number)
_BankDumper.add_representer(list, _list)


def _question(data: dict[str, Any]) -> dict[str, Any]:
    middle = [k for k in data if k not in _FIRST and k not in _LAST]
    ordered = {k: data[k] for k in (*_FIRST, *middle, *_LAST) if k in data}
    for optional in ("tags", "misconceptions"):
        if not ordered.get(optional):
            ordered.pop(optional, None)
    if ordered.get("show_me") and not ordered["show_me"].get("params"):
        ordered["show_me"] = {"demo": ordered["show_me"]["demo"]}
    return ordered


def bank_to_yaml(bank: Bank, header: list[str] | None = None) -> str:
    data = bank.model_dump(mode="json", exclude_none=True)
    for chapter in data["chapters"]:
        chapter["questions"] = [_question(q) for q in chapter["questions"]]
        chapter["questions"] = chapter.pop("questions")  # after title and source
    body = yaml.dump(
        data, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=96, indent=2
    )
    comments = "".join(f"# {line}\n" for line in header or [])
    return comments + body
