"""`tf.logging` and `tf.get_logger()`: TensorFlow's "tensorflow" logger on stdlib logging."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT, TF_PYTHON, requires_tf


@pytest.fixture
def tf_log(caplog):
    """caplog catching everything the "tensorflow" logger emits at DEBUG and above."""
    from tfgraph.platform import tf_logging

    logger = tf.get_logger()
    old = logger.level
    tf_logging._call_counts.clear()  # (log_every_n/log_first_n count per TF's token)
    with caplog.at_level(logging.DEBUG, logger="tensorflow"):
        yield caplog
    logger.setLevel(old)


def test_levels_are_the_stdlib_levels():
    assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN) == (10, 20, 30)
    assert (tf.logging.ERROR, tf.logging.FATAL) == (40, 50)
    assert tf.logging.FATAL == logging.CRITICAL


def test_get_logger_is_the_tensorflow_logger():
    assert tf.get_logger() is logging.getLogger("tensorflow")
    assert tf.compat.v1.get_logger() is tf.get_logger()
    assert tf.compat.v1.logging is tf.logging


def test_functions_log_at_their_levels_with_formatting(tf_log):
    tf.logging.debug("d %d", 1)
    tf.logging.info("i %s", "x")
    tf.logging.warning("w")
    tf.logging.warn("w2")
    tf.logging.error("e")
    tf.logging.fatal("f")
    tf.logging.log(tf.logging.INFO, "l %d", 2)
    tf.logging.vlog(tf.logging.WARN, "v")
    tf.logging.TaskLevelStatusMessage("t")
    got = [(r.levelno, r.getMessage(), r.name) for r in tf_log.records]
    assert got == [
        (10, "d 1", "tensorflow"),
        (20, "i x", "tensorflow"),
        (30, "w", "tensorflow"),
        (30, "w2", "tensorflow"),
        (40, "e", "tensorflow"),
        (50, "f", "tensorflow"),
        (20, "l 2", "tensorflow"),
        (30, "v", "tensorflow"),
        (40, "t", "tensorflow"),
    ]


def test_records_name_the_callers_file_and_line(tf_log):
    tf.logging.info("here")
    line = sys._getframe().f_lineno - 1
    tf.logging.log_if(tf.logging.INFO, "there", True)
    assert tf_log.records[0].pathname == __file__ and tf_log.records[0].lineno == line
    assert tf_log.records[0].funcName == "test_records_name_the_callers_file_and_line"
    assert tf_log.records[1].pathname == __file__ and tf_log.records[1].lineno == line + 2


def test_log_if(tf_log):
    tf.logging.log_if(tf.logging.ERROR, "if %s", True, "yes")
    tf.logging.log_if(tf.logging.ERROR, "if %s", False, "no")
    assert [r.getMessage() for r in tf_log.records] == ["if yes"]


def test_log_every_n_logs_calls_1_n_plus_1_2n_plus_1(tf_log):
    for i in range(7):
        tf.logging.log_every_n(tf.logging.INFO, "every %d", 3, i)
    assert [r.getMessage() for r in tf_log.records] == ["every 0", "every 3", "every 6"]


def test_log_first_n_counts_per_tf_token_not_per_line(tf_log):
    # TF 2.21 counts under the first frame outside the calling file (here pytest's call
    # of this test), so both lines below share one count, as in TF.
    def first(i):
        tf.logging.log_first_n(tf.logging.INFO, "a %d", 2, i)

    for i in range(4):
        first(i)
    for i in range(4):
        tf.logging.log_first_n(tf.logging.INFO, "b %d", 2, i)
    assert [r.getMessage() for r in tf_log.records] == ["a 0", "a 1"]


COUNTS = """\
import sys
if sys.argv[1] == "tf":
    import tensorflow.compat.v1 as tf
else:
    import tfgraph as tf
import helper_mod
tf.logging.set_verbosity(tf.logging.INFO)
for i in range(3):
    tf.logging.log_first_n(tf.logging.INFO, "first %d", 2, i)
for i in range(4):
    tf.logging.log_every_n(tf.logging.INFO, "every %d", 2, i)
def f(i):
    tf.logging.log_every_n(tf.logging.INFO, "f %d", 2, i)
for i in range(3):
    f(i)
for i in range(3):
    helper_mod.g(tf, i)
    helper_mod.g(tf, i + 10)
"""
HELPER = """\
def g(tf, i):
    tf.logging.log_every_n(tf.logging.INFO, "g %d", 2, i)
"""


@requires_tf
def test_log_every_n_and_first_n_count_as_tf(tmp_path):
    (tmp_path / "counts.py").write_text(COUNTS)
    (tmp_path / "helper_mod.py").write_text(HELPER)

    def run(python, which):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=f"{REPO_ROOT}:{tmp_path}")
        proc = subprocess.run(
            [python, str(tmp_path / "counts.py"), which],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=300,
            cwd=tmp_path,
        )
        return [ln for ln in proc.stderr.splitlines() if ln.startswith("INFO:tensorflow:")]

    theirs = run(TF_PYTHON, "tf")
    assert run(sys.executable, "tfgraph") == theirs
    assert "INFO:tensorflow:g 10" in theirs


def test_set_and_get_verbosity(tf_log):
    logger = tf.get_logger()
    tf.logging.set_verbosity(tf.logging.ERROR)
    assert tf.logging.get_verbosity() == tf.logging.ERROR
    tf.logging.warning("dropped")
    tf.logging.error("kept")
    assert [r.getMessage() for r in tf_log.records] == ["kept"]
    assert logger.level == logging.ERROR


def test_flush_raises_not_implemented_as_tf():
    # TF 2.21: tf.compat.v1.logging.flush() raises NotImplementedError().
    with pytest.raises(NotImplementedError, match="flush"):
        tf.logging.flush()


SCRIPT = """\
import logging, sys
if sys.argv[1] == "tf":
    import tensorflow.compat.v1 as tf
else:
    import tfgraph as tf
print("root handlers", len(logging.getLogger().handlers), file=sys.stderr)
print("handlers at import", len(logging.getLogger("tensorflow").handlers), file=sys.stderr)
tf.logging.info("info hidden")
tf.logging.warning("warn %d", 1)
tf.logging.warn("warn2")
print("verbosity", tf.logging.get_verbosity(), file=sys.stderr)
tf.logging.set_verbosity(tf.logging.INFO)
tf.logging.info("info %s", "shown")
tf.logging.debug("debug hidden")
for i in range(7):
    tf.logging.log_every_n(tf.logging.INFO, "every %d", 3, i)
tf.logging.log_if(tf.logging.ERROR, "if %s", True, "yes")
tf.logging.vlog(tf.logging.WARN, "vlog %d", 5)
tf.logging.log(tf.logging.ERROR, "log %d", 6)
tf.logging.error("err")
tf.logging.fatal("fatal")
tf.logging.TaskLevelStatusMessage("task")
logger = tf.get_logger()
print("logger", logger.name, len(logger.handlers), logger.propagate, file=sys.stderr)
"""


def _stderr_of(python: str, which: str, tmp_path) -> list[str]:
    script = tmp_path / "log_script.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [python, str(script), which],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
        cwd=tmp_path,
    )
    # TF's C++ runtime may print its own start-up lines; keep the Python logging output.
    return [ln for ln in proc.stderr.splitlines() if "absl::" not in ln and "oneDNN" not in ln]


EXPECTED_STDERR = [
    "root handlers 0",
    "handlers at import 1",
    "WARNING:tensorflow:warn 1",
    "WARNING:tensorflow:warn2",
    "verbosity 30",
    "INFO:tensorflow:info shown",
    "INFO:tensorflow:every 0",
    "INFO:tensorflow:every 3",
    "INFO:tensorflow:every 6",
    "ERROR:tensorflow:if yes",
    "WARNING:tensorflow:vlog 5",
    "ERROR:tensorflow:log 6",
    "ERROR:tensorflow:err",
    "CRITICAL:tensorflow:fatal",
    "ERROR:tensorflow:task",
    "logger tensorflow 1 True",
]


def test_script_output_without_logging_setup(tmp_path):
    """Import gives the "tensorflow" logger TF's stderr handler and leaves root alone."""
    assert _stderr_of(sys.executable, "tfgraph", tmp_path) == EXPECTED_STDERR


def test_no_handler_added_when_the_root_logger_is_configured(tmp_path):
    script = tmp_path / "configured.py"
    script.write_text(
        textwrap.dedent(
            """\
            import logging, sys
            logging.basicConfig(format="root:%(name)s:%(message)s")
            import tfgraph as tf
            tf.logging.warning("once")
            print(len(tf.get_logger().handlers), file=sys.stderr)
            """
        )
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, check=True
    )
    assert proc.stderr.splitlines() == ["root:tensorflow:once", "0"]


@pytest.mark.tf
@requires_tf
def test_script_output_matches_tensorflow(tmp_path):
    assert TF_PYTHON is not None
    assert _stderr_of(TF_PYTHON, "tf", tmp_path) == EXPECTED_STDERR
