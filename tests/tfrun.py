"""Run code in real TensorFlow's interpreter, for differential and interop tests.

TensorFlow is never imported by tfgraph or by the test process itself; tests that
compare with it send a snippet to a separate interpreter named by the environment
variable `TFGRAPH_TF_PYTHON` (e.g. `/work/venvs/tf/bin/python`) and skip when it is
not set. The snippet sees `tf` (= `tensorflow.compat.v1`, v2 behaviour disabled) and
`np`, `tf.keras` is Keras 2 (`tf_keras`, as TF1 programs expect), and the repository
root is on its `sys.path`, so it may import tfgraph too. Each snippet runs in a child
forked from a TF interpreter that imported TensorFlow once (`TFGRAPH_TF_FORK=0`: a fresh
interpreter per snippet).

    @pytest.mark.tf
    @requires_tf
    def test_something(tmp_path):
        out = run_tf(f"print(tf.constant(1.).dtype.name)")
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "GOLDEN",
    "REPO_ROOT",
    "TF_PYTHON",
    "requires_tf",
    "run_tf",
    "run_tf_json",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLDEN = REPO_ROOT / "tests" / "data" / "golden"


def _find_tf_python() -> str | None:
    path = os.environ.get("TFGRAPH_TF_PYTHON")
    if path and Path(path).exists():
        return path
    return None


TF_PYTHON: str | None = _find_tf_python()

requires_tf = pytest.mark.skipif(
    TF_PYTHON is None, reason="real TensorFlow not available (set TFGRAPH_TF_PYTHON)"
)

_PRELUDE = """\
import json, logging, os, sys, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, {root!r})
import numpy as np
import tensorflow.compat.v1 as tf
tf.get_logger().setLevel(logging.ERROR)
tf.disable_v2_behavior()
"""

# TF2 behaviour (eager execution, resource variables): `tf` is TensorFlow itself.
_PRELUDE_V2 = """\
import json, logging, os, sys, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, {root!r})
import numpy as np
import tensorflow as tf
tf.get_logger().setLevel(logging.ERROR)
"""


def _tf_env() -> dict:
    env = dict(os.environ)
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        # values come from TF's reference (Eigen) kernels: oneDNN's kernels and
        # rewrites (fused conv+bias+relu, ...) sum in orders that depend on the CPU's
        # instruction set. (Benchmarks run TF as shipped, oneDNN on: benchmarks/_common.py.)
        TF_ENABLE_ONEDNN_OPTS="0",
        CUDA_VISIBLE_DEVICES="",
        PYTHONHASHSEED="0",
        # TF 2.21's own Keras is Keras 3, under which tf.compat.v1.layers and
        # nn.rnn_cell fail; TF1 programs need tf_keras (Keras 2), installed beside it.
        TF_USE_LEGACY_KERAS="1",
    )
    env.pop("PYTHONPATH", None)
    return env


# A snippet runs in a child forked from a TF interpreter that has run the prelude once (a
# "zygote", one per prelude): importing TensorFlow takes 2.5-5.5 s, a fork milliseconds.
# The child is what `python -c prelude+code` would be after the prelude: its own process,
# cwd, stdout and stderr, a fresh `__main__` namespace holding the prelude's names, exit
# code 1 and a traceback on an exception, atexit handlers run at the end.
# TFGRAPH_TF_FORK=0 runs every snippet in a fresh interpreter instead.
_ZYGOTE = r"""
import json as _json, os as _os, sys as _sys
_PRELUDE_GLOBALS = {k: v for k, v in globals().items() if not k.startswith("__")}
_requests, _replies = _sys.stdin, _sys.stdout
_sys.stdin = open(_os.devnull)
for _line in _requests:
    _req = _json.loads(_line)
    _sys.stdout.flush()
    _sys.stderr.flush()
    _pid = _os.fork()
    if _pid == 0:
        _code = 1
        try:
            _os.chdir(_req["cwd"])
            _fd = _os.open(_req["out"], _os.O_WRONLY)
            _os.dup2(_fd, 1)
            _fd = _os.open(_req["err"], _os.O_WRONLY)
            _os.dup2(_fd, 2)
            _null = _os.open(_os.devnull, _os.O_RDONLY)
            _os.dup2(_null, 0)
            _sys.stdout = open(1, "w", closefd=False)
            _sys.stderr = open(2, "w", closefd=False)
            _scope = dict(_PRELUDE_GLOBALS, __name__="__main__", __builtins__=__builtins__)
            try:
                exec(compile(_req["code"], "<string>", "exec"), _scope)
                _code = 0
            except SystemExit as _e:
                if _e.code is None or isinstance(_e.code, int):
                    _code = _e.code or 0
                else:
                    print(_e.code, file=_sys.stderr)
            except BaseException:
                import traceback as _tb
                _tb.print_exc()
            import atexit as _atexit, threading as _threading
            _threading._shutdown()
            _atexit._run_exitfuncs()
        finally:
            try:
                _sys.stdout.flush()
                _sys.stderr.flush()
            finally:
                _os._exit(_code)
    _replies.write(_json.dumps({"pid": _pid}) + "\n")
    _replies.flush()
    _, _status = _os.waitpid(_pid, 0)
    _replies.write(_json.dumps({"status": _os.waitstatus_to_exitcode(_status)}) + "\n")
    _replies.flush()
"""

_zygotes: dict = {}
_zygote_lock = threading.Lock()


def _zygote(v1: bool):
    proc = _zygotes.get(v1)
    if proc is None or proc.poll() is not None:
        prelude = (_PRELUDE if v1 else _PRELUDE_V2).format(root=str(REPO_ROOT))
        assert TF_PYTHON is not None
        proc = _zygotes[v1] = subprocess.Popen(
            [TF_PYTHON, "-c", prelude + _ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_tf_env(),
            cwd=str(REPO_ROOT),
        )
    return proc


def _run_forked(code: str, timeout: float, cwd, v1: bool) -> tuple[int, str, str]:
    import tempfile

    with _zygote_lock, tempfile.TemporaryDirectory() as tmp:
        out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        for path in (out, err):
            open(path, "w").close()
        proc = _zygote(v1)
        assert proc.stdin is not None and proc.stdout is not None
        request = {"code": code, "cwd": os.path.abspath(cwd or REPO_ROOT), "out": out, "err": err}
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        pid = json.loads(proc.stdout.readline())["pid"]
        timer = threading.Timer(timeout, _kill, (pid,))
        timer.start()
        try:
            reply = proc.stdout.readline()
        finally:
            timer.cancel()
        if not reply:
            raise RuntimeError("the TensorFlow zygote died")
        status = json.loads(reply)["status"]
        with open(out) as f_out, open(err) as f_err:
            stdout, stderr = f_out.read(), f_err.read()
    if status == -signal.SIGKILL and _killed.pop(pid, False):
        raise subprocess.TimeoutExpired(["tf snippet"], timeout, stdout, stderr)
    return status, stdout, stderr


_killed: dict = {}


def _kill(pid: int) -> None:
    _killed[pid] = True
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def run_tf(
    code: str, timeout: float = 600, cwd: str | os.PathLike | None = None, v1: bool = True
) -> str:
    """Runs `code` in TensorFlow's interpreter and returns its stdout (`tf` is
    `tensorflow.compat.v1` in graph mode, or with `v1=False` TensorFlow 2 as it starts).

    Raises:
        RuntimeError: if the snippet fails; the message holds its stderr.
    """
    if TF_PYTHON is None:
        pytest.skip("real TensorFlow not available (set TFGRAPH_TF_PYTHON)")
    if os.environ.get("TFGRAPH_TF_FORK", "1") != "0" and hasattr(os, "fork"):
        returncode, stdout, stderr = _run_forked(code, timeout, cwd, v1)
    else:
        program = (_PRELUDE if v1 else _PRELUDE_V2).format(root=str(REPO_ROOT)) + code
        proc = subprocess.run(
            [TF_PYTHON, "-c", program],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_tf_env(),
            cwd=str(cwd or REPO_ROOT),
            check=False,
        )
        returncode, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    if returncode != 0:
        raise RuntimeError(f"TensorFlow snippet failed ({returncode}):\n{stderr[-4000:]}")
    return stdout


def run_tf_json(code: str, timeout: float = 600, v1: bool = True) -> Any:
    """Runs `code`, which must end by printing one JSON document, and decodes it."""
    out = run_tf(code, timeout=timeout, v1=v1)
    return json.loads(out.strip().splitlines()[-1])


def run_here_json(code: str) -> Any:
    """`run_tf_json`'s twin: runs `code` here with tfgraph as `tf` (and numpy as `np`);
    it must end by printing one JSON document, which is decoded."""
    import contextlib
    import io

    import numpy as np

    import tfgraph

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {"tf": tfgraph, "np": np})
    return json.loads(printed.getvalue().strip().splitlines()[-1])


if __name__ == "__main__":  # pragma: no cover - manual smoke test
    print(run_tf("print(tf.__version__)"), file=sys.stderr)
