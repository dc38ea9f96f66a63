"""Shared helpers for the benchmarks: run the same TF1 code in real TensorFlow.

Real TF runs in a separate interpreter (never in tfgraph's): set TFGRAPH_TF_PYTHON to a
Python with tensorflow-cpu installed. Without it, the TF columns are skipped. Timings
are wall-clock on shared machines: compare the ratios printed, not absolute numbers.
TF runs as shipped: with its oneDNN kernels, on by default on x86-64 Linux (until
2026-12-05 these benchmarks turned them off, which made TF's convolutions and small
products 1.5-2x slower than users see).

Any benchmark takes `--load N` (or BENCH_LOAD=N): each measured process (tfgraph, numpy
or TF alike) then runs beside N competing busy-loop processes, started before it and
killed after it, to see how each keeps its speed on a shared machine. `--intra-op N` (or
BENCH_INTRA_OP=N) gives every tf.Session of tfgraph and TF alike a
`ConfigProto(intra_op_parallelism_threads=N, inter_op_parallelism_threads=N)`, as TF1
users do to share a machine or to get reproducible results.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TF_PRELUDE = """
import json, logging, os, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import tensorflow.compat.v1 as tf
tf.get_logger().setLevel(logging.ERROR)
tf.disable_v2_behavior()
"""

TFGRAPH_PRELUDE = """
import json, os, sys, time
import numpy as np
import tfgraph as tf
"""


def _take_option(argv: list, name: str, env: str) -> int:
    """The `--name N` / `--name=N` argument (removed from argv), else $env, else 0."""
    value = int(os.environ.get(env, "0"))
    flag = "--" + name
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            value = int(argv[i + 1])
            del argv[i : i + 2]
            break
        if arg.startswith(flag + "="):
            value = int(arg.split("=", 1)[1])
            del argv[i]
            break
    return value


LOAD = _take_option(sys.argv, "load", "BENCH_LOAD")
INTRA_OP = _take_option(sys.argv, "intra-op", "BENCH_INTRA_OP")

# With --intra-op N: every tf.Session of the measured code gets that ConfigProto.
_SESSION_THREADS = """
if "tf" in globals():  # (not in the numpy baselines)
    _Session = tf.Session

    def _session_with_threads(*args, config=None, **kwargs):
        if config is None:
            config = tf.ConfigProto(
                intra_op_parallelism_threads={n}, inter_op_parallelism_threads={n}
            )
        return _Session(*args, config=config, **kwargs)

    tf.Session = _session_with_threads
"""

_BUSY = "while True:\n    pass\n"


@contextmanager
def competing_load(n: int):
    """`n` busy-loop processes running for the duration of the block."""
    procs = [subprocess.Popen([sys.executable, "-c", _BUSY]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()


def tf_python() -> str | None:
    path = os.environ.get("TFGRAPH_TF_PYTHON")
    if path and Path(path).exists():
        return path
    return None


def run_json(
    python: str, prelude: str, code: str, timeout: float = 3600, env: dict | None = None
) -> dict:
    """Runs prelude+code in `python` (a fresh process); the code prints one JSON line.
    `env` changes environment variables for that process (None removes one)."""
    env = _environ(env)
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    env["PYTHONPATH"] = str(REPO)
    with competing_load(LOAD):
        proc = subprocess.run(
            [python, "-c", prelude + _threads_prelude() + textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- paired blocks: both frameworks alive at once, their blocks alternated ---------------
# A shared machine's speed drifts over seconds to minutes (other tenants, clocks), by
# more than the differences measured: one framework's fresh process, then the other's,
# sees two different machines. Here both processes build and warm up first, then run
# one block of steps at a time on request, alternating, so every pair of blocks sees
# about the same machine; the ratio quoted is the median of the pairs' ratios.
_SERVE = """
print("ready", flush=True)
for _line in sys.stdin:
    _name = _line.strip()
    _start = time.perf_counter()
    _value = BLOCKS[_name]()  # (a number it returns is reported instead of its time)
    _elapsed = time.perf_counter() - _start
    print(json.dumps(_elapsed if _value is None else _value), flush=True)
"""


class _BlockServer:
    """A framework's process running `code` (which defines BLOCKS = {name: a function
    running one block}) and then one block per request."""

    def __init__(self, python: str, prelude: str, code: str, env: dict | None) -> None:
        env = _environ(env)
        env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
        env["PYTHONPATH"] = str(REPO)
        self.errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by close()
        self.proc = subprocess.Popen(
            [python, "-c", prelude + _threads_prelude() + textwrap.dedent(code) + _SERVE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env=env,
        )
        # (set up one at a time: a first step timed during setup has the machine to itself)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            self._failed()

    def _failed(self):
        self.proc.wait()
        self.errors.seek(0)
        raise RuntimeError(self.errors.read()[-3000:])

    def block(self, name: str) -> float:
        """Seconds the block `name` took (or the number it returned)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(name + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            self._failed()
        return float(json.loads(line))

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.errors.close()


def paired_blocks(
    code: str,
    names: list[str],
    rounds: int,
    tf_env: dict | None = None,
    others: tuple = (),
    env: dict | None = None,
) -> dict:
    """{name: {label: [seconds per block]}}: `code` (defining BLOCKS) runs in a tfgraph
    process ("tfgraph", environment changes `env`) and, when real TF is available, in a
    TF process ("tf", `tf_env`; without TF its list is None) at the same time, beside
    `others`: (label, prelude, code, env) of more processes of this Python (a numpy
    baseline). Each round runs every name's block in each process, the order reversing
    from round to round, with a pause between blocks for TF's spinning threads to
    sleep. A first round warms all up and is not recorded."""
    python = tf_python()
    specs = [("tfgraph", sys.executable, TFGRAPH_PRELUDE, code, env)]
    specs += [(label, sys.executable, *rest) for label, *rest in others]
    if python:
        specs.append(("tf", python, TF_PRELUDE, code, tf_env))
    servers: list = []
    with competing_load(LOAD):
        try:
            for label, *spec in specs:
                servers.append((label, _BlockServer(*spec)))
            out: dict = {n: {label: [] for label, _ in servers} for n in names}
            for r in range(-1, rounds):  # (round -1 warms up: not recorded)
                for name in names:
                    for label, server in servers if r % 2 == 0 else servers[::-1]:
                        time.sleep(0.05)
                        seconds = server.block(name)
                        if r >= 0:
                            out[name][label].append(seconds)
        finally:
            for _, server in servers:
                server.close()
    if not python:
        for times in out.values():
            times["tf"] = None
    return out


def paired_ratio(times: dict, of: str = "tfgraph", to: str = "tf") -> float | None:
    """The median over rounds of `of`'s block time over `to`'s (None without `to`)."""
    if not times.get(to):
        return None
    return statistics.median(a / b for a, b in zip(times[of], times[to], strict=True))


def _threads_prelude() -> str:
    return _SESSION_THREADS.format(n=INTRA_OP) if INTRA_OP else ""


def run_tf(code: str, timeout: float = 3600) -> dict | None:
    python = tf_python()
    if python is None:
        print("  (real TF not available: set TFGRAPH_TF_PYTHON to compare)")
        return None
    return run_json(python, TF_PRELUDE, code, timeout)


def run_tfgraph(code: str, timeout: float = 3600, env: dict | None = None) -> dict:
    return run_json(sys.executable, TFGRAPH_PRELUDE, code, timeout, env)


# numpy's OpenBLAS picks its kernels for the CPU it detects, unless OPENBLAS_CORETYPE
# names them. A machine may pin them (this project's development machines set
# OPENBLAS_CORETYPE=Haswell: AVX2 kernels, where the CPU has AVX-512 and TF uses it), so
# a benchmark can also run numpy and tfgraph with OpenBLAS's own choice, side by side.
_CORENAME = """
import ctypes, glob, os, numpy
name = "unknown"
libs = os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs", "*openblas*")
for lib in glob.glob(libs):
    for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename64_",
                   "openblas_get_corename"):
        fn = getattr(ctypes.CDLL(lib), symbol, None)
        if fn is not None:
            fn.restype = ctypes.c_char_p
            name = fn().decode()
            break
print(name)
"""


def _environ(env: dict | None) -> dict:
    """os.environ updated with `env`; a None value removes the variable."""
    out = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def openblas_core(env: dict | None = None) -> str:
    """The kernels numpy's OpenBLAS uses in a fresh process with `env` ("unknown" when
    numpy's BLAS is not its bundled OpenBLAS)."""
    proc = subprocess.run(
        [sys.executable, "-c", _CORENAME], capture_output=True, text=True, env=_environ(env)
    )
    return proc.stdout.strip() or "unknown"


def private_blas_core() -> str:
    """The kernels of tfgraph's private OpenBLAS (platform/blas.py) in a fresh process
    ("None" when it is not used). OPENBLAS_CORETYPE does not reach it."""
    code = "from tfgraph.platform import blas; print(blas.core_name())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def onednn_status() -> str:
    """Whether tfgraph's convolutions run on oneDNN (the `onednn` extra) in a fresh
    process, and its version."""
    code = (
        "from tfgraph.platform import onednn\n"
        "print((onednn.info() or 'not installed').split(' (')[0])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def blas_configurations() -> list[tuple[str, dict]]:
    """(label, environment changes): numpy's BLAS as this environment sets it and, when
    OPENBLAS_CORETYPE pins other kernels than OpenBLAS would pick, OpenBLAS's own choice.
    (tfgraph's big products run on its private OpenBLAS, the same in both.)"""
    pinned = os.environ.get("OPENBLAS_CORETYPE")
    core = openblas_core()
    ours = f"; tfgraph's private OpenBLAS: {private_blas_core()} kernels"
    ours += f"; convolutions on oneDNN: {onednn_status()}"
    if pinned is None:
        return [(f"numpy's BLAS: OpenBLAS's choice for this CPU ({core} kernels){ours}", {})]
    configs = [(f"numpy's BLAS as this environment pins it (OPENBLAS_CORETYPE={pinned}){ours}", {})]
    unset = {"OPENBLAS_CORETYPE": None}
    own = openblas_core(unset)
    if own not in ("unknown", core):
        configs.append((f"numpy's BLAS: OpenBLAS's choice for this CPU ({own} kernels)", unset))
    return configs


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "n/a"
