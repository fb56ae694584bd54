"""The wheel built from this tree carries the card's bundle (static/widget.js and widget.css).

Built with pip and the build backend installed beside it (``--no-build-isolation``), so it runs offline;
when the bundle is missing from the tree, the jupyter-builder hook builds it with npm first, as a clean
clone does. A few seconds with the bundle present.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "run_widgets" / "static"
BUNDLE = ("widget.js", "widget.css")


def _backend_missing() -> str | None:
    for module in ("hatchling", "hatch_jupyter_builder"):
        if importlib.util.find_spec(module) is None:
            return (
                f"the build backend is not installed ({module}): it is in the test extras, so run"
                " scripts/bootstrap (or pip install -e '.[test]')"
            )
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    missing = _backend_missing()
    if missing:  # the test extras install it: a missing backend is a broken setup, not a reason to skip
        pytest.fail(missing)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, f"pip wheel failed:\n{done.stdout}\n{done.stderr}"
    [built] = out.glob("run_widgets-*.whl")
    return zipfile.ZipFile(built)


@pytest.mark.timeout(120)
def test_the_wheel_carries_the_cards_bundle(wheel: zipfile.ZipFile) -> None:
    for name in BUNDLE:
        packed = wheel.read(f"run_widgets/static/{name}")
        assert packed, f"static/{name} is empty in the wheel"
        assert packed == (STATIC / name).read_bytes(), f"static/{name} in the wheel is not the tree's bundle"


@pytest.mark.timeout(120)
def test_the_wheel_holds_the_package_and_its_script_only(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert "run_widgets/__init__.py" in names and "run_widgets/client/__init__.py" in names
    assert not [name for name in names if name.startswith(("tests/", "js/", "node_modules/", "benchmarks/"))]
    [entry_points] = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    assert "run-widgets = run_widgets.cli:main" in wheel.read(entry_points).decode()
