"""`tf.app.run` and `tf.flags` in a real script: flags parsed from argv, main's return
value as the exit code. Scripts run in a subprocess (absl's FLAGS is process-wide)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.tfrun import REPO_ROOT, TF_PYTHON, requires_tf

SCRIPT = """\
import sys
if sys.argv.pop(1) == "tf":
    import tensorflow.compat.v1 as tf
else:
    import tfgraph as tf
tf.flags.DEFINE_integer("steps", 10, "Number of steps.")
tf.flags.DEFINE_string("name", "x", "A name.")
tf.flags.DEFINE_boolean("fast", False, "Go fast.")
tf.flags.DEFINE_float(flag_name="rate", default_value=0.5, docstring="Rate.")
tf.app.flags.DEFINE_enum("mode", "a", ["a", "b"], "Mode.")
tf.flags.DEFINE_list("items", [], "Items.")
FLAGS = tf.flags.FLAGS


def main(argv):
    print(argv[1:], FLAGS.steps, FLAGS.name, FLAGS.fast, FLAGS.rate, FLAGS.mode, FLAGS.items)
    return FLAGS.steps


if __name__ == "__main__":
    tf.app.run()
"""

# A flag read before any parse: TF's FLAGS parses sys.argv then (absl's would raise).
IMPLICIT_PARSE = """\
import sys
if sys.argv.pop(1) == "tf":
    import tensorflow.compat.v1 as tf
else:
    import tfgraph as tf
tf.flags.DEFINE_integer("steps", 10, "Number of steps.")
print(tf.flags.FLAGS.is_parsed(), tf.flags.FLAGS.steps, tf.flags.FLAGS.is_parsed())
"""

# Explicit main and argv; main returning None exits 0.
EXPLICIT = """\
import sys
if sys.argv.pop(1) == "tf":
    import tensorflow.compat.v1 as tf
else:
    import tfgraph as tf
tf.flags.DEFINE_string("who", "nobody", "Who.")


def hello(argv):
    print("hello", tf.flags.FLAGS.who, argv)


tf.app.run(main=hello, argv=["prog", "--who=me", "rest"])
"""

CASES = [
    (SCRIPT, ["--steps=3", "--name=hi", "--fast", "--rate=0.25", "--mode=b", "--items=p,q"]),
    (SCRIPT, ["--steps=7", "--unknown=1", "positional"]),
    (SCRIPT, []),
    (SCRIPT, ["--steps=abc"]),
    (SCRIPT, ["--mode=c"]),
    (IMPLICIT_PARSE, ["--steps=4"]),
    (EXPLICIT, ["--who=ignored"]),
    # Flags are listed under the script that defined them, not under tfgraph's wrappers.
    (SCRIPT, ["--helpshort"]),
]


_RUNTIME_LINE = re.compile(r"absl::|oneDNN|^\s*$")


def _run(python: str, which: str, source: str, args: list[str], tmp_path):
    script = tmp_path / "script.py"
    script.write_text(source)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [python, str(script), which, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    # The last stderr line is the log line or the exception, once the lines TF's C++
    # runtime prints at start-up are left out.
    lines = [ln for ln in proc.stderr.splitlines() if not _RUNTIME_LINE.search(ln)]
    return proc.returncode, proc.stdout, lines[-1] if lines else ""


def test_flags_parsed_and_main_return_value_is_the_exit_code(tmp_path):
    args = ["--steps=3", "--name=hi", "--fast", "--rate=0.25", "--mode=b", "--items=p,q"]
    code, out, err = _run(sys.executable, "tfgraph", SCRIPT, args, tmp_path)
    assert code == 3
    assert out == "[] 3 hi True 0.25 b ['p', 'q']\n"
    assert err == (
        "WARNING:root:Use of the keyword argument names (flag_name, default_value, "
        "docstring) is deprecated, please use (name, default, help) instead."
    )


def test_unknown_flags_are_left_for_main(tmp_path):
    code, out, _ = _run(sys.executable, "tfgraph", SCRIPT, ["--steps=7", "--x=1", "p"], tmp_path)
    assert (code, out) == (7, "['--x=1', 'p'] 7 x False 0.5 a []\n")


def test_bad_flag_value_stops_the_script(tmp_path):
    code, out, err = _run(sys.executable, "tfgraph", SCRIPT, ["--steps=abc"], tmp_path)
    assert (code, out) == (1, "")
    assert err.startswith("absl.flags._exceptions.IllegalFlagValueError: flag --steps=abc:")


def test_flags_read_before_parsing_parse_argv(tmp_path):
    code, out, _ = _run(sys.executable, "tfgraph", IMPLICIT_PARSE, ["--steps=4"], tmp_path)
    assert (code, out) == (0, "False 4 True\n")


def test_explicit_main_and_argv(tmp_path):
    code, out, _ = _run(sys.executable, "tfgraph", EXPLICIT, ["--who=ignored"], tmp_path)
    assert (code, out) == (0, "hello me ['prog', 'rest']\n")


def test_run_without_main_says_so(tmp_path):
    source = "import tfgraph as tf\ntf.app.run()\n"
    code, _, err = _run(
        sys.executable, "tfgraph", "import sys; sys.argv.pop(1)\n" + source, [], tmp_path
    )
    assert code == 1
    assert err == (
        "AttributeError: tf.app.run() was given no main function and module '__main__' "
        "has no attribute 'main'"
    )


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("case", range(len(CASES)))
def test_script_behaves_as_under_tensorflow(case, tmp_path):
    source, args = CASES[case]
    assert TF_PYTHON is not None
    ours = _run(sys.executable, "tfgraph", source, args, tmp_path)
    theirs = _run(TF_PYTHON, "tf", source, args, tmp_path)
    assert ours == theirs


def test_readme_scripts_example_logs_what_it_claims(tmp_path):
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("### Scripts: tf.app, tf.flags, tf.logging", 1)[1].split("\n## ", 1)[0]
    source = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    command, claimed = re.search(
        r"`python train.py (.*?)` logs `(.*?)` to stderr", section
    ).groups()
    script = tmp_path / "train.py"
    script.write_text(source)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [sys.executable, str(script), *command.split()],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    # TF prints the line twice under tf.app.run: its own handler, then absl's on the root
    # logger ("I1204 12:00:00.000000 123 train.py:16] x after 10 steps: 0.5369").
    ours, absls = proc.stderr.splitlines()
    assert ours == claimed
    assert re.fullmatch(
        r"I\d{4} [\d:.]+ +\d+ train\.py:\d+\] " + re.escape(claimed.split(":", 2)[2]), absls
    )
