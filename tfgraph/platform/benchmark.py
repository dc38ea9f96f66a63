"""`tf.test.Benchmark` and `tf.test.benchmark_config`.

`report_benchmark` records one BenchmarkEntries message (TF's test_log.proto): printed in
text form, or, when $TEST_REPORT_FILE_PREFIX is set, written in binary form to
`<prefix><Class.method>` (slashes in the name become "__"), as TF's test reporter does.
"""

from __future__ import annotations

import math
import numbers
import os
import struct
import time

__all__ = ["Benchmark", "benchmark_config"]

_ENV = "TEST_REPORT_FILE_PREFIX"


# -- BenchmarkEntries wire format (field numbers of TF's test_log.proto) ----------------------
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    key = _varint((number << 3) | wire)
    if wire == 2:
        return key + _varint(len(payload)) + payload
    return key + payload


def _double(number: int, value: float) -> bytes:
    return _field(number, 1, struct.pack("<d", float(value)))


def _string(number: int, value: str) -> bytes:
    return _field(number, 2, value.encode())


def _entry_bytes(name, iters, cpu_time, wall_time, throughput, extras, metrics) -> bytes:
    out = _string(1, name)
    if iters is not None:
        out += _field(2, 0, _varint(int(iters)))
    for number, value in ((3, cpu_time), (4, wall_time), (5, throughput)):
        if value is not None:
            out += _double(number, value)
    for key, value in (extras or {}).items():
        if isinstance(value, numbers.Number):
            entry_value = _double(1, float(value))  # type: ignore[arg-type]
        else:
            entry_value = _string(2, str(value))
        out += _field(6, 2, _string(1, key) + _field(2, 2, entry_value))
    for metric in metrics or []:
        body = _string(1, metric["name"]) + _double(2, metric["value"])
        for number, key in ((3, "min_value"), (4, "max_value")):
            if key in metric:
                body += _field(number, 2, _double(1, metric[key]))
        out += _field(7, 2, body)
    return _field(1, 2, out)


def _text(name, iters, cpu_time, wall_time, throughput, extras, metrics) -> str:
    def num(v) -> str:
        v = float(v)
        return str(int(v)) if v.is_integer() else repr(v)

    lines = ["entry {", f'  name: "{name}"']
    if iters is not None:
        lines.append(f"  iters: {int(iters)}")
    for key, value in (
        ("cpu_time", cpu_time),
        ("wall_time", wall_time),
        ("throughput", throughput),
    ):
        if value is not None:
            lines.append(f"  {key}: {num(value)}")
    for key, value in (extras or {}).items():
        kind = "double_value" if isinstance(value, numbers.Number) else "string_value"
        shown = num(value) if kind == "double_value" else f'"{value}"'
        lines += ["  extras {", f'    key: "{key}"', "    value {", f"      {kind}: {shown}"]
        lines += ["    }", "  }"]
    for metric in metrics or []:
        lines += [
            "  metrics {",
            f'    name: "{metric["name"]}"',
            f"    value: {num(metric['value'])}",
        ]
        for key in ("min_value", "max_value"):
            if key in metric:
                lines += [f"    {key} {{", f"      value: {num(metric[key])}", "    }"]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _check(extras, metrics) -> None:
    if extras is not None and not isinstance(extras, dict):
        raise TypeError("extras must be a dict")
    if metrics is not None:
        if not isinstance(metrics, list):
            raise TypeError("metrics must be a list")
        for metric in metrics:
            if "name" not in metric:
                raise TypeError("metric must has a 'name' field")
            if "value" not in metric:
                raise TypeError("metric must has a 'value' field")


def report(name, iters=None, cpu_time=None, wall_time=None, throughput=None, extras=None,
           metrics=None) -> None:  # fmt: skip
    """Records one benchmark entry (see the module docstring)."""
    from tfgraph.platform import tf_logging

    _check(extras, metrics)
    tf_logging.info(
        "Benchmark [%s] iters: %d, wall_time: %g, cpu_time: %g,throughput: %g, extras: %s, "
        "metrics: %s",
        name,
        iters if iters is not None else -1,
        wall_time if wall_time is not None else -1,
        cpu_time if cpu_time is not None else -1,
        throughput if throughput is not None else -1,
        str(extras) if extras else "None",
        str(metrics) if metrics else "None",
    )
    args = (name, iters, cpu_time, wall_time, throughput, extras, metrics)
    prefix = os.environ.get(_ENV)
    if prefix is None:
        print(_text(*args))
        return
    path = prefix + name.replace("/", "__")
    if os.path.exists(path):
        raise OSError(f"File already exists: {path}")
    with open(path, "wb") as f:
        f.write(_entry_bytes(*args))


class Benchmark:
    """Base class of benchmarks: methods named `benchmark*` time something and call
    `report_benchmark`; entries are named `<Class>.<method>`."""

    def _get_name(self, overwrite_name=None) -> str:
        import inspect

        method = None
        for frame_info in reversed(inspect.stack()):
            if isinstance(frame_info.frame.f_locals.get("self"), Benchmark):
                method = frame_info.function
                break
        if method is None:
            raise ValueError("Unable to determine calling Benchmark class.")
        return f"{type(self).__name__}.{overwrite_name or method}"

    def report_benchmark(self, iters=None, cpu_time=None, wall_time=None, throughput=None,
                         extras=None, name=None, metrics=None) -> None:  # fmt: skip
        """Reports one benchmark result (times in seconds, throughput in MB/s, `extras` a
        dict of numbers or strings, `metrics` a list of dicts with name and value)."""
        report(self._get_name(name), iters, cpu_time, wall_time, throughput, extras, metrics)

    def run_op_benchmark(self, sess, op_or_tensor, feed_dict=None, burn_iters=2, min_iters=10,
                         store_trace=False, store_memory_usage=True, name=None, extras=None,
                         mbs=0) -> dict:  # fmt: skip
        """Runs `op_or_tensor` `burn_iters` times untimed, then `min_iters` timed; reports
        the median wall time and returns what it reported (with the mean and standard
        deviation of the times added to `extras`). Traces and memory usage are not
        recorded (tfgraph has no allocator statistics)."""
        for _ in range(burn_iters):
            sess.run(op_or_tensor, feed_dict=feed_dict)
        deltas = []
        for _ in range(min_iters):
            start = time.time()
            sess.run(op_or_tensor, feed_dict=feed_dict)
            deltas.append(time.time() - start)
        extras = extras if extras is not None else {}
        median = -1.0
        if deltas:
            s = sorted(deltas)
            median = (s[len(s) // 2] + s[(len(s) - 1) // 2]) / 2.0
        values = {
            "iters": min_iters,
            "wall_time": median,
            "extras": extras,
            "name": name,
            "throughput": mbs / median if median else 0.0,
        }
        self.report_benchmark(**values)
        mean, stdev = (-1.0, -1.0) if not deltas else (sum(deltas) / len(deltas), -1.0)
        if len(deltas) > 1:
            stdev = math.sqrt(sum((d - mean) ** 2 for d in deltas) / (len(deltas) - 1))
        values["extras"].update(wall_time_mean=mean, wall_time_stdev=stdev)
        return values

    def evaluate(self, tensors):
        """The values of `tensors` in the default session (or a new one)."""
        from tfgraph.framework.default_session import get_default_session

        sess = get_default_session()
        if sess is None:
            from tfgraph.client.session import Session

            with Session() as sess:
                return sess.run(tensors)
        return sess.run(tensors)


def benchmark_config():
    """A ConfigProto that turns Grappler's dependency optimizer off (so benchmarks time
    the ops they build). tfgraph has no graph rewriter; the setting is carried for TF."""
    from tfgraph.proto import ConfigProto

    config = ConfigProto()
    # graph_options.rewrite_options.dependency_optimization (field 8) = OFF (2): the
    # RewriterConfig message is opaque to tfgraph, so its field is written as raw bytes.
    config.graph_options.rewrite_options.MergeFromString(_field(8, 0, _varint(2)))
    return config
