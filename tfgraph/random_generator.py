"""`tf.random.Generator`: TF2's stateful random number generator, in graphs and eagerly.

A Generator owns an int64 resource variable `random_generator/StateVar` holding its
algorithm's state (Philox: the 128-bit counter, low word first, then the key). Every
draw builds TF 2.21's graph: `Prod` of the shape, RngReadAndSkip (the state before
moving the counter on by 256 per output), `Bitcast`s of the counter and key, and the
stateless V2 op (StatelessRandomUniformV2, ...) at that key and counter; so a
generator's successive draws are TF's, bit for bit, and two generators built from the
same seed draw the same numbers. `binomial` is TF's StatefulRandomBinomial (it moves
the counter on by TF's reservation: 256 * 200 per batch entry per 4 outputs).
"""

from __future__ import annotations

from tfgraph.eager import context
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.ops import array_ops, math_ops
from tfgraph.ops import stateful_random_ops as gen
from tfgraph.ops import stateless_random_ops as srop
from tfgraph.ops.apply import op_output
from tfgraph.resource_variables import ResourceVariable
from tfgraph.variables import Variable

__all__ = [
    "Generator",
    "create_rng_state",
    "get_global_generator",
    "non_deterministic_ints",
    "set_global_generator",
]

_SEED_MAX = 2**63 - 1
_PHILOX_STATE, _THREEFRY_STATE = 3, 2
create_rng_state = srop.create_rng_state


def _state_size(alg: int) -> int:
    if alg in (1, 3):
        return _PHILOX_STATE
    if alg == 2:
        return _THREEFRY_STATE
    raise ValueError(srop._unsupported_alg(alg))


def _counter_size(alg: int) -> int:
    return _state_size(alg) - 1


def _uint_to_int(n):
    if isinstance(n, int) and n > _SEED_MAX:
        return n - 2**64
    return n


def _to_state_tensor(t) -> Tensor:
    if isinstance(t, (list, tuple)):
        t = [_uint_to_int(v) for v in t]
    else:
        t = _uint_to_int(t)
    return array_ops.cast(t, dtypes.int64)


def _shape_tensor(shape) -> Tensor:
    dtype = dtypes.int64 if isinstance(shape, (tuple, list)) and not shape else None
    return convert_to_tensor(shape, dtype=dtype, name="shape")


def non_deterministic_ints(shape, dtype=dtypes.int64) -> Tensor:
    """Non-deterministic integers (from the OS's entropy): `tf.random.experimental.
    non_deterministic_ints`."""
    return gen.non_deterministic_ints(shape=shape, dtype=dtype)


class Generator:
    """A random number generator whose state is a variable (`tf.random.Generator`).

    Example:
        g = tf.random.Generator.from_seed(1234)
        x = g.normal([2, 3])  # a new draw each run; the same draws as TF's
    """

    @classmethod
    def from_state(cls, state, alg) -> Generator:
        """A generator starting from `state` (a vector of the algorithm's state size)."""
        return cls(alg=alg, state=state)

    @classmethod
    def from_seed(cls, seed, alg=None) -> Generator:
        """A generator whose state is `create_rng_state(seed, alg)` (Philox by default)."""
        alg = srop._alg_to_int(1 if alg is None else alg)
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> Generator:
        """A generator seeded from the operating system's entropy."""
        alg = srop._alg_to_int(1 if alg is None else alg)
        state = non_deterministic_ints(shape=[_state_size(alg)], dtype=dtypes.int64)
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg) -> Generator:
        """A generator whose state is `counter` followed by `key`."""
        alg = srop._alg_to_int(alg)
        return cls(state=_key_counter_state(key, counter, alg), alg=alg)

    def __init__(self, copy_from=None, state=None, alg=None) -> None:
        if copy_from is not None:
            if alg is not None or state is not None:
                raise ValueError("Generator: give either `copy_from` or `state` and `alg`.")
            self._state_var = self._create_variable(copy_from.state)
            self._alg = copy_from.algorithm
            return
        if alg is None or state is None:
            raise ValueError("Generator needs both `state` and `alg` (or `copy_from`).")
        alg = srop._alg_to_int(alg)
        if isinstance(state, Variable):
            _check_state_shape(state.shape, alg)
            self._state_var = state  # type: ignore[assignment]
        else:
            state = _to_state_tensor(state)
            _check_state_shape(state.shape, alg)
            self._state_var = self._create_variable(state)
        self._alg = alg

    @staticmethod
    def _create_variable(initial_value) -> ResourceVariable:
        with get_default_graph().name_scope("random_generator"):
            return ResourceVariable(
                initial_value, dtype=dtypes.int64, trainable=False, name="StateVar"
            )

    def _trackable_children(self) -> dict:
        """What a `tf.train.Checkpoint` saves: the state variable, as TF's AutoTrackable
        names it (`<path>/_state_var`)."""
        return {"_state_var": self._state_var}

    # -- state -------------------------------------------------------------------------------
    @property
    def state(self) -> ResourceVariable:
        """The state variable (int64 vector)."""
        return self._state_var

    @property
    def algorithm(self) -> int:
        """The algorithm id (1 Philox, 2 ThreeFry)."""
        return self._alg

    @property
    def key(self) -> Tensor:
        """The key: the state's last word."""
        return self._state_var[-1]

    def reset(self, state):
        """Sets the state to `state` (returns the assignment; TF returns None)."""
        state = _to_state_tensor(state)
        state.shape.assert_is_compatible_with([_state_size(self.algorithm)])
        return self._state_var.assign(state)

    def reset_from_seed(self, seed):
        """Sets the state to `create_rng_state(seed, self.algorithm)`."""
        return self._state_var.assign(create_rng_state(seed, self.algorithm))

    def reset_from_key_counter(self, key, counter):
        """Sets the state to `counter` followed by `key`."""
        return self._state_var.assign(_key_counter_state(key, counter, self.algorithm))

    def skip(self, delta) -> Tensor:
        """Moves the counter on by 256 * `delta`; returns the state before the move."""
        return gen.rng_read_and_skip(
            self._state_var.handle,
            alg=array_ops.cast(self.algorithm, dtypes.int32),
            delta=array_ops.cast(delta, dtypes.uint64),
        )

    def _prepare_key_counter(self, shape) -> tuple[Tensor, Tensor]:
        counter_key = self.skip(math_ops.reduce_prod(shape))
        size = _counter_size(self.algorithm)
        counter = array_ops.bitcast(counter_key[:size], dtypes.uint64)
        key = array_ops.bitcast(counter_key[size : size + 1], dtypes.uint64)
        return key, counter

    def _stateless(self, op_type, shape, dtype, name=None) -> Tensor:
        key, counter = self._prepare_key_counter(shape)
        inputs = [shape, key, counter, self.algorithm]
        return op_output(op_type, name, inputs, {"dtype": dtypes.as_dtype(dtype)})

    # -- draws -------------------------------------------------------------------------------
    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        """Normal values with the given mean and standard deviation."""
        return self._scaled(
            "StatelessRandomNormalV2", "stateful_normal", shape, mean, stddev, dtype, name
        )

    def truncated_normal(
        self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None
    ) -> Tensor:
        """Normal values more than 2 standard deviations from the mean redrawn."""
        return self._scaled(
            "StatelessTruncatedNormalV2", "truncated_normal", shape, mean, stddev, dtype, name
        )

    def _scaled(self, op_type, default, shape, mean, stddev, dtype, name) -> Tensor:
        with get_default_graph().name_scope(name or default) as scope:
            shape = _shape_tensor(shape)
            mean = convert_to_tensor(mean, dtype=dtype, name="mean")
            stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev")
            rnd = self._stateless(op_type, shape, dtype)
            return math_ops.add(rnd * stddev, mean, name=scope)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None) -> Tensor:
        """Uniform values in [minval, maxval); integer dtypes take both bounds or neither
        (then the dtype's full range)."""
        dtype = dtypes.as_dtype(dtype)
        if dtype.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError(
                    f"For integer dtype {dtype}, minval and maxval must be both `None` or "
                    f"both non-`None`; got minval={minval} and maxval={maxval}"
                )
        elif maxval is None:
            maxval = 1
        with get_default_graph().name_scope(name or "stateful_uniform") as scope:
            shape = _shape_tensor(shape)
            if dtype.is_integer and minval is None:
                return self._stateless("StatelessRandomUniformFullIntV2", shape, dtype, scope)
            minval = convert_to_tensor(minval, dtype=dtype, name="min")
            maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
            if dtype.is_integer:
                key, counter = self._prepare_key_counter(shape)
                inputs = [shape, key, counter, self.algorithm, minval, maxval]
                return op_output("StatelessRandomUniformIntV2", scope, inputs, {})
            rnd = self._stateless("StatelessRandomUniformV2", shape, dtype)
            return math_ops.add(rnd * (maxval - minval), minval, name=scope)

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None) -> Tensor:
        """Integers over the whole range of `dtype`."""
        dtype = dtypes.as_dtype(dtype)
        with get_default_graph().name_scope(name or "stateful_uniform_full_int") as scope:
            shape = _shape_tensor(shape)
            return self._stateless("StatelessRandomUniformFullIntV2", shape, dtype, scope)

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None) -> Tensor:
        """Binomial(counts, probs) draws (StatefulRandomBinomial); `shape` ends with the
        broadcast shape of counts and probs."""
        dtype = dtypes.as_dtype(dtype)
        with get_default_graph().name_scope(name or "binomial") as scope:
            counts = convert_to_tensor(counts, name="counts")
            probs = convert_to_tensor(probs, name="probs")
            shape = _shape_tensor(shape)
            inputs = [self._state_var.handle, self.algorithm, shape, counts, probs]
            return op_output("StatefulRandomBinomial", scope, inputs, {"dtype": dtype})

    def make_seeds(self, count: int = 1) -> Tensor:
        """`count` seeds for the stateless ops: an int64 [2, count] tensor."""
        keys = self.uniform_full_int(shape=[count], dtype=dtypes.int64)
        return array_ops.stack([keys, array_ops.zeros_like(keys)])

    def split(self, count: int = 1) -> list:
        """`count` new generators, each keyed by a draw from this one (state [0, 0, key])."""
        keys = self.uniform_full_int(shape=[count], dtype=dtypes.int64)
        zeros = [0] * (_state_size(self.algorithm) - 1)
        return [
            Generator(state=[*zeros, key], alg=self.algorithm)
            for key in array_ops.unstack(keys, num=count)
        ]


def _check_state_shape(shape, alg) -> None:
    if isinstance(alg, Tensor) and not context.executing_eagerly():
        return
    shape.assert_is_compatible_with([_state_size(int(alg))])


def _key_counter_state(key, counter, alg) -> Tensor:
    counter = _to_state_tensor(counter)
    key = _to_state_tensor(key)
    counter.shape.assert_is_compatible_with([_state_size(alg) - 1])
    key.shape.assert_is_compatible_with([])
    return array_ops.concat([counter, array_ops.reshape(key, [1])], 0)


_global_generator: Generator | None = None


def get_global_generator() -> Generator:
    """The process's global generator, seeded non-deterministically on first use."""
    global _global_generator
    if _global_generator is None:
        from tfgraph.eager.function import init_scope

        with init_scope():
            _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator: Generator) -> None:
    """Replaces the global generator (existing users keep the old one)."""
    global _global_generator
    _global_generator = generator
