"""String ops (tf.strings, tf.string_split, tf.as_string, ...) against TensorFlow."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

PROGRAM = r"""
def sp(t):
    return [t.indices.tolist(), [v.decode() for v in t.values], t.dense_shape.tolist()]

def txt(v):
    if np.ndim(v):
        return [txt(x) for x in v]
    return v.decode('utf-8', 'replace')

exprs = [
    tf.as_string(3.5), tf.as_string([1.25, 2.0], precision=2), tf.as_string(7),
    tf.as_string(True), tf.as_string(3.5, scientific=True), tf.as_string(3.5, shortest=True),
    tf.as_string(42, width=5, fill='0'), tf.as_string(tf.constant(1e10)),
    tf.as_string(tf.constant(1 / 3, tf.float64)), tf.as_string(tf.constant(1 + 2j)),
    tf.strings.substr('hello', 1, 3), tf.strings.substr(['hello', 'abc'], [0, 1], [2, 5]),
    tf.strings.substr('héllo', 1, 2, unit='UTF8_CHAR'),
    tf.regex_replace(['aaa bab'], 'a+', 'X'),
    tf.strings.regex_replace('aba', 'a', r'<\0>', replace_global=False),
    tf.strings.regex_replace(['2024-01-05'], r'(\d+)-(\d+)-(\d+)', r'\3/\2/\1'),
    tf.strings.regex_replace(['abc'], tf.constant('b'), tf.constant('_')),
    tf.reduce_join([['a', 'b'], ['c', 'd']], 1, separator='-'),
    tf.reduce_join([['a', 'b'], ['c', 'd']]),
    tf.reduce_join([['a', 'b'], ['c', 'd']], 0, keep_dims=True),
    tf.strings.upper('aBc'), tf.strings.lower(['ÀBc']), tf.strings.strip(['  x y  ', '\tz\n']),
    tf.strings.join(['a', 'b'], separator='+'),
    tf.strings.format('{} and {}', [tf.constant([1, 2]), tf.constant('s')]),
]
numbers = [tf.string_to_number(['1.5', '-2', '1e3']), tf.strings.to_number(['3', '-7'], tf.int32),
           tf.strings.length(['ab', 'ééé']), tf.strings.length(['ééé'], unit='UTF8_CHAR'),
           tf.strings.regex_full_match(['abc', 'xbc'], 'a.c'),
           tf.strings.regex_full_match(['abc'], tf.constant('[a-c]+'))]
splits = [tf.string_split(['a b', 'c  d e'], ' '),
          tf.string_split(['a b', 'c  d e'], ' ', skip_empty=False),
          tf.string_split(['ab', 'c'], ''), tf.string_split(['a,b;c'], ',;'),
          tf.strings.split(['a,b', 'c'], ','), tf.strings.split(['a  b c'], maxsplit=1),
          tf.strings.split(['a<>b<>c'], '<>')]
with tf.Session() as sess:
    e, n, s = sess.run([exprs, numbers, splits])
    try:
        sess.run(tf.string_to_number('x'))
        bad = None
    except tf.errors.InvalidArgumentError as err:
        bad = 'could not correctly convert string: x' in err.message
types = sorted(set(op.type for op in tf.get_default_graph().get_operations()))
result = [[txt(v) for v in e], [np.asarray(v).tolist() for v in n], [sp(v) for v in s], bad, types]
"""


def _ours():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return scope["result"]


def test_string_ops_give_tensorflows_results():
    texts, numbers, splits, bad, types = _ours()
    assert texts[:4] == ["3.500000", ["1.25", "2.00"], "7", "true"]
    assert texts[15] == ["05/01/2024"]
    assert numbers[0] == [1.5, -2.0, 1000.0] and numbers[3] == [3]
    assert splits[0] == [[[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]], list("abcde"), [2, 3]]
    assert bad is True
    assert "StaticRegexReplace" in types and "StringSplitV2" in types


@pytest.mark.tf
@requires_tf
def test_string_ops_match_tensorflow():
    theirs = json.loads(run_tf(PROGRAM + "print(json.dumps(result))\n").strip().splitlines()[-1])
    assert _ours() == theirs


def test_bad_pattern_is_invalid_argument():
    with (
        tf.Session() as sess,
        pytest.raises(tf.errors.InvalidArgumentError, match="Invalid pattern"),
    ):
        sess.run(tf.strings.regex_replace("abc", "(", "x"))
