"""The JSON Schema that ships beside the banks, generated from the models so the two agree.

Editors with a YAML language server read it through the first line of a bank file,
`# yaml-language-server: $schema=bank.schema.json`, and then complete field names and flag
wrong types while the author types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studybuddy.banks.models import Bank

SCHEMA_NAME = "bank.schema.json"


def bank_json_schema() -> dict[str, Any]:
    schema = Bank.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "StudyBuddy question bank",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schema_text() -> str:
    return json.dumps(bank_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path) -> Path:
    path.write_text(schema_text(), encoding="utf-8")
    return path
