"""``run_widgets.tool`` is the decorator, loaded on first use; ``import run_widgets`` stays light."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = [
    "IPython",
    "anywidget",
    "ipywidgets",
    "starlette",
    "uvicorn",
    "openai",
    "httpx2",
    "pydantic",
    "docstring_parser",
]


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_run_widgets_loads_nothing_heavy() -> None:
    loaded = modules_after("import run_widgets")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}
    assert "run_widgets.tools" not in loaded


def test_run_widgets_tool_is_the_decorator_and_loads_only_what_tools_need() -> None:
    loaded = modules_after(
        "import run_widgets\n"
        "@run_widgets.tool\n"
        "def f(x: int) -> int:\n"
        "    return x\n"
        "assert f.execute('{\"x\": 2}') == '2'\n"
        "import run_widgets.tools\n"
        "assert run_widgets.tool is run_widgets.tools.tool"
    )
    assert {"run_widgets.tools", "pydantic", "docstring_parser"} <= loaded
    heavy = {m.split(".")[0] for m in loaded} & {
        "IPython",
        "anywidget",
        "ipywidgets",
        "starlette",
        "uvicorn",
        "openai",
    }
    assert not heavy


def test_tool_is_listed_by_dir() -> None:
    import run_widgets

    assert "tool" in dir(run_widgets)
