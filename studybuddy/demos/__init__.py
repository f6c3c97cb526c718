"""Live "show me" computations: one module per family of demos, all reached through the registry."""

from studybuddy.demos.base import Demo, DemoParams, DemoResult, Series, Table
from studybuddy.demos.registry import DemoError, all_demos, get_demo, param_problems, run_demo

__all__ = [
    "Demo",
    "DemoError",
    "DemoParams",
    "DemoResult",
    "Series",
    "Table",
    "all_demos",
    "get_demo",
    "param_problems",
    "run_demo",
]
