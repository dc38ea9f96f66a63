"""tf.autograph: converted functions (tests/data/autograph_cases.py) build the graph control
flow real TensorFlow's autograph builds, with the same values, and fail the same way."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import warnings

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT, requires_tf, run_tf_json

CASES_FILE = REPO_ROOT / "tests" / "data" / "autograph_cases.py"


def _cases():
    spec = importlib.util.spec_from_file_location("autograph_cases", CASES_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.tf = tf
    return module


@pytest.fixture(scope="module")
def tf_results():
    return run_tf_json(
        f"""
import importlib.util
spec = importlib.util.spec_from_file_location("autograph_cases", {str(CASES_FILE)!r})
cases = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cases)
cases.tf = tf
print(json.dumps(cases.run_all()))
"""
    )


@pytest.fixture(scope="module")
def our_results():
    return _cases().run_all()


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("name", sorted(_cases().CASES))
def test_values_names_and_control_flow_equal_tf(name, tf_results, our_results):
    assert our_results[name] == tf_results[name]


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("name", sorted(_cases().ERROR_CASES))
def test_errors_equal_tf(name, tf_results, our_results):
    theirs, ours = tf_results[name], our_results[name]
    assert ours["error"] == theirs["error"]
    if name == "iterate_scalar":  # (TF's message shows its Shape op)
        theirs = dict(theirs, message=theirs["message"].split(" got ")[0])
    if name != "calls_unconverted":  # (TF's advice names tf.function)
        assert ours["message"].startswith(theirs["message"].split("\n")[0])


def _params(f):
    return [
        [p.name, p.kind.name, repr(p.default)] for p in inspect.signature(f).parameters.values()
    ]


@pytest.mark.tf
@requires_tf
def test_signatures_and_features_equal_tf():
    theirs = run_tf_json(
        """
import inspect
ag = tf.autograph
def params(f):
    ps = inspect.signature(f).parameters.values()
    return [[p.name, p.kind.name, repr(p.default)] for p in ps]
sigs = [params(f) for f in (ag.to_graph, ag.to_code, ag.set_verbosity, ag.trace)]
print(json.dumps({
    "sigs": sigs,
    "features": [(m.name, m.value) for m in ag.experimental.Feature],
    "loop_options": list(inspect.signature(ag.experimental.set_loop_options).parameters),
    "names": sorted(n for n in dir(ag) if not n.startswith("_")),
    "experimental": sorted(n for n in dir(ag.experimental) if not n.startswith("_")),
}))
"""
    )
    ag = tf.autograph
    sigs = [_params(f) for f in (ag.to_graph, ag.to_code, ag.set_verbosity, ag.trace)]
    assert sigs == theirs["sigs"]
    assert [[m.name, m.value] for m in ag.experimental.Feature] == theirs["features"]
    params = list(inspect.signature(ag.experimental.set_loop_options).parameters)
    assert params == theirs["loop_options"]
    assert sorted(ag.__all__) == theirs["names"]
    assert sorted(ag.experimental.__all__) == theirs["experimental"]


def test_python_values_stay_python():
    cases = _cases()
    assert tf.autograph.to_graph(cases.while_sum)(4) == 6
    assert tf.autograph.to_graph(cases.early_return)(-2.5) == 2.5
    assert tf.autograph.to_graph(cases.lazy_and_or)(5) == 1.0
    assert tf.get_default_graph().get_operations() == []


def test_loop_else_runs_unless_the_loop_broke():
    # TF's autograph refuses for/else ("not yet supported"); tfgraph keeps Python's meaning.
    cases = _cases()
    n = tf.placeholder(tf.int32, [])
    out = tf.autograph.to_graph(cases.loop_else)(n)
    with tf.Session() as sess:
        assert [sess.run(out, {n: v}) for v in (10, 3)] == [4, -101]


def test_variable_defined_in_a_loop_needs_an_iteration():
    # (TF's message: its graph asserts "loop must iterate at least once to initialize y")
    n = tf.placeholder(tf.int32, [])
    y = tf.autograph.to_graph(_cases().defined_only_in_loop)(n)
    with tf.Session() as sess:
        assert sess.run(y, {n: 2}) == 2
        with pytest.raises(tf.errors.InvalidArgumentError, match="at least once to initialize y"):
            sess.run(y, {n: 0})


def test_gradient_through_converted_cond_and_loop():
    cases = _cases()
    x = tf.placeholder(tf.float32, [])
    y = tf.autograph.to_graph(cases.if_without_else)(x)
    (dy,) = tf.gradients(y, [x])
    with tf.Session() as sess:
        assert sess.run(dy, {x: 3.0}) == pytest.approx(10.0)
        assert sess.run(dy, {x: 0.5}) == pytest.approx(1.0)


def test_to_code_is_the_converted_source():
    code = tf.autograph.to_code(_cases().for_range_break_continue)
    tree = ast.parse(code)
    assert tree.body[0].name == "tf__for_range_break_continue"
    assert "ag__.for_stmt(" in code and "ag__.if_stmt(" in code and "break_" in code


def test_generators_are_not_converted():
    def gen(n):
        yield n

    with pytest.raises(NotImplementedError, match="generators"):
        tf.autograph.to_graph(gen)


def test_callee_without_source_runs_unconverted_with_a_warning():
    namespace: dict = {}
    exec("def helper(x):\n    return x * 3\n", namespace)
    helper = namespace["helper"]

    def caller(x):
        return helper(x) + 1

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert tf.autograph.to_graph(caller)(2) == 7
    assert any("could not transform" in str(w.message) for w in caught)


def test_closures_defaults_and_methods():
    scale = tf.constant(3.0)

    def f(x, offset=1.0, *, sign=1.0):
        if x > 0:
            x = x * scale
        return sign * x + offset

    class Model:
        def __init__(self):
            self.w = tf.constant(2.0)

        def call(self, x):
            while x < 10.0:
                x = x * self.w
            return x

    x = tf.placeholder(tf.float32, [])
    y = tf.autograph.to_graph(f)(x, sign=-1.0)
    z = tf.autograph.to_graph(Model().call)(x)
    with tf.Session() as sess:
        assert sess.run([y, z], {x: 2.0}) == [-5.0, 16.0]


def test_set_loop_options_shape_invariants():
    def grow(n):
        v = tf.zeros([1])
        i = tf.constant(0)
        while i < n:
            tf.autograph.experimental.set_loop_options(
                shape_invariants=[(v, tf.TensorShape([None]))]
            )
            v = tf.concat([v, [tf.cast(i, tf.float32)]], 0)
            i += 1
        return v

    n = tf.placeholder(tf.int32, [])
    v = tf.autograph.to_graph(grow)(n)
    assert v.shape.as_list() == [None]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(v, {n: 3}), [0.0, 0.0, 1.0, 2.0])


def test_trace_and_verbosity(capsys):
    tf.autograph.set_verbosity(0)
    tf.autograph.trace("value", 3)
    assert capsys.readouterr().out == "value 3\n"


def test_nested_functions_with_nonlocal_or_yield_are_kept_as_written():
    def f(x):
        count = 0

        def bump():
            nonlocal count
            count += 1

        def gen():
            yield 1.0

        if x > 0:
            y = x
        else:
            y = -x
        bump()
        return y + float(count) + sum(gen())

    x = tf.placeholder(tf.float32, [])
    y = tf.autograph.to_graph(f)(x)
    with tf.Session() as sess:
        assert sess.run(y, {x: -3.0}) == 5.0


def test_exception_handlers_inside_converted_branches():
    def f(x, k):
        if x > 0:
            try:
                y = x * float(1 / k)
            except ZeroDivisionError as e:  # (unbound again after the handler)
                y = -x if e else x
        else:
            y = x
        return y

    x = tf.placeholder(tf.float32, [])
    a = tf.autograph.to_graph(f)(x, 0)
    b = tf.autograph.to_graph(f)(x, 2)
    with tf.Session() as sess:
        assert sess.run([a, b], {x: 3.0}) == [-3.0, 1.5]


def test_a_variable_set_in_one_branch_fails_where_it_is_used():
    def f(x):
        if x > 0:
            y = x
        return tf.add(y, 1.0)

    with pytest.raises(ValueError, match="'y' must also be initialized in the else branch"):
        tf.autograph.to_graph(f)(tf.placeholder(tf.float32, []))


def test_a_tensor_while_loop_adds_nothing_outside_its_frame():
    # (the first test runs in a scratch graph, as TF's: TF's graph has only the Placeholder
    # outside "while/")
    n = tf.placeholder(tf.int32, [])
    tf.autograph.to_graph(_cases().while_sum)(n)
    ops = tf.get_default_graph().get_operations()
    assert [op.type for op in ops if not op.name.startswith("while/")] == ["Placeholder"]
