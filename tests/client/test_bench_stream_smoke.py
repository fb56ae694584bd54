"""benchmarks/bench_stream.py runs end to end on a small stream: every reader reads every event, and
the table comes out. No figure is judged here (timings belong to the benchmark, not to tests)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import run_widgets

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_stream.py"
READERS = (
    "ours (stream + snapshot)",
    "openai SDK + AssistantEventHandler",
    "floor (SSE decoder + json.loads)",
)


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    package_root = str(Path(run_widgets.__file__).resolve().parents[1])  # the tree under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, env=env, timeout=110
    )


@pytest.mark.timeout(120)
def test_the_stream_benchmark_prints_its_table_and_exits_0() -> None:
    done = run_bench("--events", "400", "--repeat", "2", "--report-only")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert re.match(r"stream: 4\d\d events, .* best of 2 rounds for each reader", lines[0]), lines[0]
    assert lines[1].split() == ["reader", "events/s", "vs", "SDK", "vs", "floor"]
    columns = {}
    for name, line in zip(READERS, lines[2:5], strict=True):
        assert line.startswith(name), line
        rate, vs_sdk, vs_floor = line[len(name) :].split()
        assert re.fullmatch(r"[\d,]+", rate) and int(rate.replace(",", "")) > 0, line
        columns[name] = (vs_sdk, vs_floor)
    assert columns[READERS[1]][0] == "1.0x" and columns[READERS[2]][1] == "1.00x"  # each against itself
    assert lines[6].startswith("target ours >= 5x SDK:") and lines[7].startswith("target ours >= 0.5x floor:")


def test_a_bad_argument_is_refused_in_one_line() -> None:
    done = run_bench("--repeat", "0")
    assert done.returncode == 2 and "--repeat at least 1" in done.stderr and "Traceback" not in done.stderr
