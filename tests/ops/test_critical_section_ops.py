"""tf.CriticalSection (MutexV2, MutexLock, ConsumeMutexLock) against TF 2.21: the graph
`execute` builds, values, build-time errors, and serialized runs across threads."""

from __future__ import annotations

import threading
import time

import pytest

import tfgraph as tf
from tests import tfrun
from tests.compat import opdiff

_V = 'v = tf.get_variable("v", initializer=0.0, use_resource=True)\n'
_COUNT = (
    _V
    + """
def count():
    value = v.read_value()
    with tf.control_dependencies([value]):
        with tf.control_dependencies([v.assign_add(1.0)]):
            return tf.identity(value)
init = tf.global_variables_initializer()
"""
)

CASES = {
    "assign_add": _V
    + """
cs = tf.CriticalSection(name="cs")
out = cs.execute(lambda: v.assign_add(1.0))
init = tf.global_variables_initializer()
""",
    "count_twice": _COUNT
    + """
cs = tf.CriticalSection()
f1 = cs.execute(count)
f2 = cs.execute(count, name="second")
out = f1 + f2  # (which execution runs first is up to TF's scheduler: only the sum is fixed)
""",
    "captures_outer_tensor": _V
    + """
x = tf.constant([1.0, 2.0]) * 2.0
cs = tf.CriticalSection(name="sec", shared_name="shared")
out = cs.execute(lambda: tf.reduce_sum(x) + v.read_value())
init = tf.global_variables_initializer()
""",
    "nested_structure": _V
    + """
cs = tf.CriticalSection()
def fn():
    r = v.read_value()
    return {"a": r + 1.0, "b": (r * 2.0, tf.constant(3))}
res = cs.execute(fn)
out = [res["a"], res["b"][0], res["b"][1]]
init = tf.global_variables_initializer()
""",
    "returns_op": _V
    + """
cs = tf.CriticalSection()
res = cs.execute(lambda: [tf.group(v.assign(5.0)), v.read_value() * 0.0])
out = res[1]
init = tf.global_variables_initializer()
""",
    "exclusive_clash": _COUNT
    + """
tf.CriticalSection(name="a").execute(count)
tf.CriticalSection(name="b").execute(count)
phrase = "exclusive_resource_access=False"
""",
    "exclusive_clash_one_side": _COUNT
    + """
tf.CriticalSection(name="a").execute(count)
tf.CriticalSection(name="b").execute(count, exclusive_resource_access=False)
phrase = "requested exclusive resource access"
""",
    "shared_read_allowed": _COUNT
    + """
e1 = tf.CriticalSection(name="a").execute(count, exclusive_resource_access=False)
e2 = tf.CriticalSection(name="b").execute(count, exclusive_resource_access=False)
out = e1 + e2
""",
    "nested_lock": _V
    + """
cs = tf.CriticalSection(name="cs")
cs.execute(lambda: cs.execute(lambda: v.read_value()))
phrase = "Attempting to lock a CriticalSection"
""",
    "lock_inside_via_handle": _V
    + """
cs = tf.CriticalSection(name="cs")
cs.execute(lambda: tf.identity(cs._handle))
phrase = "in which we are already running"
""",
}


@pytest.fixture(scope="module")
def tf_results():
    return opdiff.run_cases_in_tf(CASES)


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("case", sorted(CASES))
def test_graph_values_and_errors_match_tf(case, tf_results):
    code = CASES[case]
    problems = opdiff.compare(case, code, tf_results[case], opdiff.run_case_in_tfgraph(code))
    assert not problems, f"case {case!r}:\n" + "\n".join(problems)


_ATTRS = """
import json
cs = tf.CriticalSection(name="outer/cs")
cs2 = tf.CriticalSection()
cs3 = tf.CriticalSection(shared_name="sh")
ops = [c._handle.op for c in (cs, cs2, cs3)]
print(json.dumps({
    "names": [c.name for c in (cs, cs2, cs3)],
    "shared": [o.get_attr("shared_name").decode() for o in ops],
    "container": [o.get_attr("container").decode() for o in ops],
    "n": len(tf.get_collection("critical_sections")),
    "dtype": cs._handle.dtype.name,
}))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_names_attrs_and_collection_match_tf():
    assert tfrun.run_here_json(_ATTRS) == tfrun.run_tf_json(_ATTRS)


def test_critical_section_def_is_rejected():
    with pytest.raises(ValueError, match="not supported"):
        tf.CriticalSection(critical_section_def=object())


def test_executions_serialize_across_threads():
    """Four threads running one session: each counter value is seen exactly once
    through the critical section (and not without it: the read-sleep-add races)."""
    v = tf.get_variable("v", initializer=0, use_resource=True)

    def count():
        value = v.read_value()
        with tf.control_dependencies([value]):
            value = tf.py_func(lambda x: (time.sleep(0.002), x)[1], [value], tf.int32)
            with tf.control_dependencies([v.assign_add(1)]):
                return tf.identity(value)

    guarded = tf.CriticalSection(name="counter").execute(count)
    unguarded = count()

    def run_threads(fetch):
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            seen: list[int] = []

            def worker():
                for _ in range(8):
                    seen.append(int(sess.run(fetch)))

            threads = [threading.Thread(target=worker) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            return sorted(seen)

    assert run_threads(guarded) == list(range(32))
    assert run_threads(unguarded) != list(range(32))


def test_failed_run_releases_the_lock():
    x = tf.placeholder(tf.float32, [])
    cs = tf.CriticalSection()
    out = cs.execute(lambda: tf.debugging.check_numerics(x * 1.0, "bad"))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(out, {x: float("nan")})
        assert sess.run(out, {x: 2.0}) == 2.0
