"""tf.print (StringFormat + PrintV2): TF's text, in eager mode, graphs and tf.function."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT, requires_tf, run_tf

PROGRAM = """\
import sys
import numpy as np
out = sys.stdout
tf.print(tf.constant([1.5, 2.0, 3.25]), output_stream=out)
tf.print('x:', tf.constant([[1, 2], [3, 4]]), 7, 'end', output_stream=out)
tf.print(tf.range(10), output_stream=out)
tf.print(tf.reshape(tf.range(100.0), [10, 10]), output_stream=out)
tf.print(tf.reshape(tf.range(24), [2, 3, 4]), output_stream=out)
tf.print(tf.reshape(tf.range(300), [3, 10, 10]), output_stream=out)
tf.print(tf.constant(0.1), tf.constant(1e-8), tf.constant(123456789.0), tf.constant(True),
         tf.constant('ab'), output_stream=out)
tf.print(tf.constant([b'a', b'b"c']), output_stream=out, sep=',', end='!\\n')
tf.print({'a': tf.constant(1)}, [tf.constant(2), 3], output_stream=out)
tf.print(tf.range(10), summarize=-1, output_stream=out)
tf.print(tf.constant(np.float64(1 / 3)), tf.constant(np.float32(1 / 3)), output_stream=out)
tf.print(tf.zeros([0, 2]), tf.constant([[1j, 2j], [3j, 4j]]),
         tf.constant(np.array([1.0, np.nan, -np.inf], np.float32)), output_stream=out)
tf.print('a{}b', tf.constant(1), output_stream=out)
"""

EXPECTED_START = """\
[1.5 2 3.25]
x: [[1 2]
 [3 4]] 7 end
[0 1 2 ... 7 8 9]
[[0 1 2 ... 7 8 9]
 [10 11 12 ... 17 18 19]
 [20 21 22 ... 27 28 29]
 ...
 [70 71 72 ... 77 78 79]
 [80 81 82 ... 87 88 89]
 [90 91 92 ... 97 98 99]]
"""


def _ours() -> str:
    code = "import tfgraph as tf\ntf.enable_v2_behavior()\n" + PROGRAM
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    return proc.stdout


def test_eager_print_formats_as_tensorflow():
    out = _ours()
    assert out.startswith(EXPECTED_START)
    assert '0.1 1e-08 123456792 1 "ab"\n' in out
    assert '["a" "b\\"c"]!\n' in out
    assert "0.33333333333333331 0.333333343\n" in out
    assert "[] [? ? ?...] [1 nan -inf]\n" in out
    assert out.endswith("a{}b 1\n")


@pytest.mark.tf
@requires_tf
def test_eager_print_matches_tensorflow():
    assert _ours() == run_tf(PROGRAM, v1=False)


def test_graph_mode_builds_string_format_and_print_v2(capsys):
    x = tf.constant([1, 2])
    op = tf.print("hi", x, output_stream=sys.stdout)
    fmt = tf.get_default_graph().get_operation_by_name("StringFormat")
    assert [o.type for o in tf.get_default_graph().get_operations()] == [
        "Const",
        "StringFormat",
        "PrintV2",
    ]
    assert fmt.get_attr("template") == b"hi {}" and fmt.get_attr("placeholder") == b"{}"
    assert op.get_attr("output_stream") == b"stdout"
    with tf.Session() as sess:
        sess.run(op)
        sess.run(op)
    assert capsys.readouterr().out == "hi [1 2]\nhi [1 2]\n"


@pytest.mark.tf
@requires_tf
def test_graph_mode_nodes_match_tensorflow():
    code = (
        "import sys\n"
        "op = tf.print('hi', tf.constant([1, 2]), output_stream=sys.stdout)\n"
        "g = tf.get_default_graph()\n"
        "ops = g.get_operations()\n"
        "print(json.dumps([[o.type, o.name, sorted(o.node_def.attr)] for o in ops]))\n"
    )
    theirs = json.loads(run_tf(code).strip().splitlines()[-1])
    tf.print("hi", tf.constant([1, 2]), output_stream=sys.stdout)
    ours = [
        [o.type, o.name, sorted(o.node_def.attr)] for o in tf.get_default_graph().get_operations()
    ]
    assert ours == theirs


def test_print_in_a_tf_function_runs_every_call(capsys):
    tf.enable_v2_behavior()
    traced = []

    @tf.function
    def f(x):
        traced.append(1)
        tf.print("value:", x, output_stream=sys.stdout)
        return x + 1

    f(tf.constant(1))
    f(tf.constant(2))
    assert capsys.readouterr().out == "value: 1\nvalue: 2\n"
    assert len(traced) == 1


def test_bad_stream_is_a_value_error():
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf.print("x", output_stream=object())
