"""Warm the demos before the first "show me": torch's import and the first computation take
seconds the first time (4 to 13 s measured on the shared machine), then milliseconds.

`warm_up` runs one tiny demo through everything a show-me uses (torch, the engine's attention,
the result and code renderers with their highlighter), so a thread can pay that cost while the
learner reads the home screen.
"""

from __future__ import annotations

import io

WARM_DEMO = "causal-mask"
# gpt-study for its real head: SmolLM2 loads in a worker of its own (shipped.preload)
WARM_PARAMS = {"n_tokens": 2, "model": "gpt-study"}


def warm_up() -> None:
    from rich.console import Console

    from studybuddy.demos import get_demo, run_demo
    from studybuddy.demos.code import code_excerpts
    from studybuddy.demos.render import render_code, render_result

    result = run_demo(WARM_DEMO, WARM_PARAMS)
    console = Console(file=io.StringIO(), width=100)
    console.print(render_result(result))
    console.print(render_code(code_excerpts(get_demo(WARM_DEMO))))
    import plotext  # noqa: F401  # the charts' renderer, used by most other demos
