"""Functions converted by tf.autograph.to_graph in tests/autograph/test_api.py, under both
tfgraph and real TensorFlow (autograph reads source, so they live in a file). `tf` is set
by the caller: `cases.tf = tf; cases.run_all()`."""

import json

tf = None  # (set by the caller)


def if_else(x):
    if x > 0:
        y = x * 2
    else:
        y = -x
    return y


def if_without_else(x):
    y = x
    if x > 1:
        y = y * 10.0
    return y + 1.0


def python_condition(x, flag=True):
    if flag:
        y = x + 1.0
    else:
        y = x - 1.0
    return y


def while_sum(n):
    s = 0
    i = 0
    while i < n:
        s += i
        i += 1
    return s


def for_range_break_continue(n):
    s = tf.constant(0)
    for i in tf.range(n):
        if i > 5:
            break
        if i % 2 == 0:
            continue
        s += i
    return s


def for_over_tensor(v):
    total = tf.constant(0.0)
    for e in v:
        total += e * e
    return total


def early_return(x):
    if x > 0:
        return x
    return -x


def nested_loops(n):
    s = tf.constant(0)
    for i in tf.range(n):
        for j in tf.range(i):
            s += i * j
    return s


def lazy_and_or(x):
    if x > 0 and x < 10:
        y = 1.0
    elif not x > -5 or x > 100:
        y = 2.0
    else:
        y = 3.0
    return y


def python_while(x):
    i = 0
    while i < 3:
        x = x * 2.0
        i += 1
    return x


def python_for_tensor_body(x):
    acc = x
    for k in range(4):
        if acc > 10.0:
            acc = acc - float(k)
        else:
            acc = acc + 3.0
    return acc


def builtins_on_tensors(v):
    n = len(v)
    s = 0.0
    for i in range(n):
        s += v[i]
    return s, abs(v), int(v[0]), float(v[1])


def _helper(x):
    if x > 2.0:
        return x * x
    return x


def calls_helper(x):
    return _helper(x) + 1.0


def loop_else(n):
    found = tf.constant(-1)
    for i in tf.range(n):
        if i * i > 10:
            found = i
            break
    else:
        found = found - 100
    return found


def loop_options(n):
    i = tf.constant(0)
    while i < n:
        tf.autograph.experimental.set_loop_options(maximum_iterations=3)
        i += 1
    return i


def nested_function(x):
    def inner(y):
        if y > 0:
            y = y + 100.0
        return y

    return inner(x) * 2.0


def while_with_break(n):
    i = tf.constant(0)
    s = tf.constant(0)
    while i < n:
        i += 1
        if s > 20:
            break
        s += i
    return i, s


class _Accumulator:
    def __init__(self):
        self.total = tf.constant(0.0)
        self.count = 0

    def add(self, x, n):
        if x > 0:
            self.total = self.total + x
        else:
            self.total = self.total - 1.0
        for i in tf.range(n):
            self.count += i
        return self


def attribute_state(x, n):
    acc = _Accumulator().add(x, n)
    return acc.total, acc.count


def return_in_tensor_loop(n):
    s = tf.constant(0.0)
    i = 0
    while i < n:
        i += 1
        if i > 3:
            return s
        s += 1.0
    return s


def one_branch_only(x):
    if x > 0:
        y = 1.0
    return y


def defined_only_in_loop(n):
    for i in tf.range(n):
        y = i * 2
    return y


def loop_var_dtype_changes(n):
    s = 0
    i = tf.constant(0)
    while i < n:
        s = s + 0.5
        i += 1
    return s


def none_in_tensor_cond(x):
    y = None
    if x > 0:
        y = x
    return y


def return_in_python_loop(x):
    for k in range(3):
        if x > float(k):
            return x * 10.0
    return -x


def break_in_python_loop(x):
    s = x
    for k in range(4):
        if s > 5.0:
            break
        s = s * float(k)
    return s


def iterate_scalar(x):
    s = tf.constant(0.0)
    for v in x:
        s += v
    return s


def _sign(x):
    if x > 0:
        return x
    return -x


def calls_unconverted(x):
    return tf.autograph.experimental.do_not_convert(_sign)(x)


def dtype_mismatch(x):
    if x > 0:
        y = tf.constant(1)
    else:
        y = tf.constant(1.0)
    return y


def classify(x):
    if x > 10.0:
        if x > 100.0:
            return 3.0
        return 2.0
    elif x > 0.0:
        return 1.0
    else:
        return 0.0


def rows_of_matrix(m):
    total = tf.zeros([3])
    for row in m:
        total += row * 2.0
    return total


def varargs(*xs, scale=1.0, **named):
    s = xs[0]
    for x in xs[1:]:
        if x > s:
            s = x
    return s * scale + named["bias"]


def call_varargs(x, y):
    return varargs(x, y, 0.5 * x, scale=2.0, bias=1.0)


def lambda_inside(x):
    f = lambda v: v * 3.0  # noqa: E731
    if f(x) > 3.0:
        x = f(x)
    return x


def print_in_branch(x):
    if x > 0:
        tf.print("positive", x)
        y = x
    else:
        y = -x
    return y


def nested_while_for(n):
    total = tf.constant(0)
    i = tf.constant(0)
    while i < n:
        for j in tf.range(i):
            if j == i:  # (identity in TF1 graphs: never true)
                break
            total += j
        i += 1
    return total


def list_state_in_cond(x):
    pair = [x, x * 2.0]
    if x > 0:
        pair = [x + 1.0, x]
    return pair


def tuple_loop_variable(n):
    acc = (tf.constant(0), tf.constant(1.0))
    i = tf.constant(0)
    while i < n:
        acc = (acc[0] + i, acc[1] * 2.0)
        i += 1
    return acc


def python_list_in_python_loop(x):
    parts = []
    for k in range(3):
        if k % 2 == 0:
            parts.append(x * float(k))
        else:
            parts.append(-x)
    return tf.add_n(parts)


# name -> (function, placeholder specs [(dtype name, shape)], feeds [one list per run])
CASES = {
    "if_else": (if_else, [("float32", [])], [[3.0], [-2.0]]),
    "if_without_else": (if_without_else, [("float32", [])], [[3.0], [0.5]]),
    "python_condition": (python_condition, [("float32", [])], [[3.0]]),
    "while_sum": (while_sum, [("int32", [])], [[10], [0]]),
    "for_range_break_continue": (for_range_break_continue, [("int32", [])], [[10], [4]]),
    "for_over_tensor": (for_over_tensor, [("float32", [None])], [[[1.0, 2.0, 3.0]], [[]]]),
    "early_return": (early_return, [("float32", [])], [[3.0], [-4.0]]),
    "nested_loops": (nested_loops, [("int32", [])], [[5]]),
    "lazy_and_or": (lazy_and_or, [("float32", [])], [[5.0], [20.0], [-7.0], [200.0]]),
    "python_while": (python_while, [("float32", [])], [[1.5]]),
    "python_for_tensor_body": (python_for_tensor_body, [("float32", [])], [[1.0], [9.0]]),
    "builtins_on_tensors": (builtins_on_tensors, [("float32", [None])], [[[1.5, -2.0, 3.0]]]),
    "builtins_static_shape": (builtins_on_tensors, [("float32", [3])], [[[1.5, -2.0, 3.0]]]),
    "calls_helper": (calls_helper, [("float32", [])], [[3.0], [1.0]]),
    "loop_options": (loop_options, [("int32", [])], [[10], [2]]),
    "nested_function": (nested_function, [("float32", [])], [[1.0], [-1.0]]),
    "while_with_break": (while_with_break, [("int32", [])], [[100], [3]]),
    "defined_only_in_loop": (defined_only_in_loop, [("int32", [])], [[3], [1]]),
    "classify": (classify, [("float32", [])], [[500.0], [50.0], [5.0], [-5.0]]),
    "rows_of_matrix": (rows_of_matrix, [("float32", [None, 3])], [[[[1, 2, 3], [4, 5, 6]]]]),
    "call_varargs": (call_varargs, [("float32", []), ("float32", [])], [[1.0, 3.0], [4.0, 2.0]]),
    "lambda_inside": (lambda_inside, [("float32", [])], [[2.0], [0.5]]),
    "print_in_branch": (print_in_branch, [("float32", [])], [[2.0], [-3.0]]),
    "nested_while_for": (nested_while_for, [("int32", [])], [[5]]),
    "python_list_in_python_loop": (python_list_in_python_loop, [("float32", [])], [[2.0]]),
    "list_state_in_cond": (list_state_in_cond, [("float32", [])], [[2.0], [-1.0]]),
    "tuple_loop_variable": (tuple_loop_variable, [("int32", [])], [[3], [0]]),
    "attribute_state": (
        attribute_state,
        [("float32", []), ("int32", [])],
        [[2.0, 4], [-2.0, 0]],
    ),
}


# name -> (function, placeholder specs): converting and calling must raise.
ERROR_CASES = {
    "return_in_tensor_loop": (return_in_tensor_loop, [("int32", [])]),
    "one_branch_only": (one_branch_only, [("float32", [])]),
    "dtype_mismatch": (dtype_mismatch, [("float32", [])]),
    "calls_unconverted": (calls_unconverted, [("float32", [])]),
    "loop_var_dtype_changes": (loop_var_dtype_changes, [("int32", [])]),
    "none_in_tensor_cond": (none_in_tensor_cond, [("float32", [])]),
    "return_in_python_loop": (return_in_python_loop, [("float32", [])]),
    "break_in_python_loop": (break_in_python_loop, [("float32", [])]),
    "iterate_scalar": (iterate_scalar, [("float32", [])]),
}


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def run_case(name):
    fn, specs, feeds = CASES[name]
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(getattr(tf, d), shape) for d, shape in specs]
        out = tf.autograph.to_graph(fn)(*phs)
        flat = list(out) if isinstance(out, (tuple, list)) else [out]
        static = [o if isinstance(o, int) else None for o in flat]
        names = [getattr(o, "name", None) for o in flat]
        types = sorted({op.type for op in g.get_operations()})
        flow = {"cond": "Merge" in types and "Exit" not in types, "loop": "Exit" in types}
        with tf.Session() as sess:
            values = [sess.run(out, dict(zip(phs, feed))) for feed in feeds]
    return {"values": _plain(values), "static": static, "names": names, "flow": flow}


def run_error_case(name):
    fn, specs = ERROR_CASES[name]
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(getattr(tf, d), shape) for d, shape in specs]
        try:
            tf.autograph.to_graph(fn)(*phs)
        except Exception as e:  # (the class and message are what the test compares)
            return {"error": type(e).__name__, "message": str(e)}
    return {"error": None}


def run_all():
    out = {name: run_case(name) for name in CASES}
    out.update({name: run_error_case(name) for name in ERROR_CASES})
    return json.loads(json.dumps(out))
