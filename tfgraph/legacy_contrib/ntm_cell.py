"""TF 1.15 contrib's Neural Turing Machine cell (`tf.contrib.rnn.NTMCell`, after Collier
and Beel, 2018): an RNN controller reading from and writing to a memory matrix through
read and write heads addressed by content (cosine similarity sharpened by a key strength)
and by location (interpolation with the previous weights, a circular shift, sharpening).

Its variables are contrib's: `parameters_kernel`, `parameters_bias` (the heads'
parameters from the controller's output), `output_kernel`, `output_bias`,
`initial_read_vector_<i>`, `initial_address_weights_<i>` and `memory` (the initial
memory, 1e-6 everywhere). The state is an `NTMControllerState`; at time 0 the cell reads
the learned initial read vectors, address weights and memory instead of the state's.
"""

from __future__ import annotations

import collections
import math

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape, dimension_value
from tfgraph.legacy_layers.rnn_cell_impl import LayerRNNCell, assert_like_rnncell
from tfgraph.ops import array_ops, control_flow_ops, conv_ops, init_ops, math_ops, nn_ops

__all__ = ["NTMCell", "NTMControllerState"]

NTMControllerState = collections.namedtuple(
    "NTMControllerState", ("controller_state", "read_vector_list", "w_list", "M", "time")
)


def _static_batch(t) -> int:
    n = dimension_value(t.shape[0])
    if n is None:
        raise TypeError(
            f"NTMCell needs a static batch size, but {t.name} has shape {t.shape}: give the "
            "inputs a known first dimension (as TF 1.15's NTMCell requires)"
        )
    return n


def _tile_rows(x, n: int):
    """`n` copies of `x` stacked along a new first axis (contrib concatenates them)."""
    return array_ops.concat([array_ops.expand_dims(x, 0) for _ in range(n)], axis=0)


def _at_start(state, initial, current):
    """`initial()` at time 0, else `current` (a tf.cond, as contrib's)."""
    return control_flow_ops.cond(math_ops.equal(state.time, 0), initial, lambda: current)


class NTMCell(LayerRNNCell):
    """Neural Turing Machine cell with an RNN `controller`.

    Args:
        controller: the controller RNNCell.
        memory_size: the number of memory locations.
        memory_vector_dim: the size of each location.
        read_head_num: the number of read heads.
        write_head_num: the number of write heads.
        shift_range: how many places a head's address may move left or right per step.
        output_dim: the output size (default: the input size).
        clip_value: the controller parameters and outputs are clipped to +-clip_value.
        dtype: the layer's dtype.
        name: the layer's name.
    """

    def __init__(
        self,
        controller,
        memory_size,
        memory_vector_dim,
        read_head_num,
        write_head_num,
        shift_range=1,
        output_dim=None,
        clip_value=20,
        dtype=dtypes.float32,
        name=None,
    ) -> None:
        super().__init__(dtype=dtype, name=name)
        assert_like_rnncell("NTM RNN controller cell", controller)
        self.controller = controller
        self.memory_size = memory_size
        self.memory_vector_dim = memory_vector_dim
        self.read_head_num = read_head_num
        self.write_head_num = write_head_num
        self.clip_value = clip_value
        self.output_dim = output_dim
        self.shift_range = shift_range
        self.num_parameters_per_head = memory_vector_dim + 2 * shift_range + 4
        self.num_heads = read_head_num + write_head_num
        self.total_parameter_num = (
            self.num_parameters_per_head * self.num_heads + memory_vector_dim * 2 * write_head_num
        )

    @property
    def state_size(self):
        return NTMControllerState(
            controller_state=self.controller.state_size,
            read_vector_list=[self.memory_vector_dim] * self.read_head_num,
            w_list=[self.memory_size] * self.num_heads,
            M=TensorShape([self.memory_size * self.memory_vector_dim]),
            time=TensorShape([]),
        )

    @property
    def output_size(self):
        return self.output_dim

    def build(self, inputs_shape) -> None:
        if self.output_dim is None:
            depth = dimension_value(TensorShape(inputs_shape)[1])
            if depth is None:
                raise ValueError(
                    f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}"
                )
            self.output_dim = depth
        ctrl = self.controller.output_size
        read_width = ctrl + self.memory_vector_dim * self.read_head_num

        def linear_init(fan_in):
            return init_ops.truncated_normal_initializer(stddev=1.0 / math.sqrt(fan_in))

        def zeros():
            return init_ops.constant_initializer(0.0, dtype=self.dtype)

        self._params_kernel = self.add_weight(
            "parameters_kernel", [ctrl, self.total_parameter_num], initializer=linear_init(ctrl)
        )
        self._params_bias = self.add_weight(
            "parameters_bias", [self.total_parameter_num], initializer=zeros()
        )
        self._output_kernel = self.add_weight(
            "output_kernel", [read_width, self.output_dim], initializer=linear_init(read_width)
        )
        self._output_bias = self.add_weight("output_bias", [self.output_dim], initializer=zeros())
        glorot = init_ops.glorot_uniform_initializer
        self._init_read_vectors = [
            self.add_weight(
                f"initial_read_vector_{i}", [1, self.memory_vector_dim], initializer=glorot()
            )
            for i in range(self.read_head_num)
        ]
        self._init_address_weights = [
            self.add_weight(
                f"initial_address_weights_{i}", [1, self.memory_size], initializer=glorot()
            )
            for i in range(self.num_heads)
        ]
        self._M = self.add_weight(
            "memory",
            [self.memory_size, self.memory_vector_dim],
            initializer=init_ops.constant_initializer(1e-6, dtype=self.dtype),
        )
        self.built = True

    def _learned_start(self, variables, activation, n: int) -> list:
        """Each of `variables` ([1, width]) through `activation`, one row per example."""
        ones = array_ops.ones([1, 1])
        return [
            _tile_rows(activation(array_ops.squeeze(math_ops.matmul(ones, v))), n)
            for v in variables
        ]

    def _heads(self, controller_output):
        """(per-head parameters, erase/add vectors) from the controller's output."""
        params = math_ops.matmul(controller_output, self._params_kernel)
        params = conv_ops.bias_add(params, self._params_bias)
        params = math_ops.clip_by_value(params, -self.clip_value, self.clip_value)
        split = self.num_parameters_per_head * self.num_heads
        heads = array_ops.split(params[:, :split], self.num_heads, axis=1)
        erase_add = array_ops.split(params[:, split:], 2 * self.write_head_num, axis=1)
        return heads, erase_add

    def _address(self, head, prev_M, prev_w):
        d = self.memory_vector_dim
        k = math_ops.tanh(head[:, 0:d])
        beta = nn_ops.softplus(head[:, d])
        g = math_ops.sigmoid(head[:, d + 1])
        s = nn_ops.softmax(head[:, d + 2 : d + 2 + (self.shift_range * 2 + 1)])
        gamma = nn_ops.softplus(head[:, -1]) + 1
        return self._addressing(k, beta, g, s, gamma, prev_M, prev_w)

    def call(self, x, prev_state):
        n = _static_batch(x)
        prev_reads = _at_start(
            prev_state,
            lambda: self._learned_start(self._init_read_vectors, math_ops.tanh, n),
            prev_state.read_vector_list,
        )
        if self.read_head_num == 1:  # (a one-tensor cond result comes back unwrapped)
            prev_reads = [prev_reads]
        controller_input = array_ops.concat([x, *prev_reads], axis=1)
        controller_output, controller_state = self.controller(
            controller_input, prev_state.controller_state
        )
        heads, erase_add = self._heads(controller_output)
        prev_w_list = _at_start(
            prev_state,
            lambda: self._learned_start(self._init_address_weights, nn_ops.softmax, n),
            prev_state.w_list,
        )
        if self.num_heads == 1:
            prev_w_list = [prev_w_list]
        prev_M = _at_start(prev_state, lambda: _tile_rows(self._M, n), prev_state.M)
        w_list = [self._address(h, prev_M, prev_w_list[i]) for i, h in enumerate(heads)]
        read_vectors = [
            math_ops.reduce_sum(array_ops.expand_dims(w, 2) * prev_M, axis=1)
            for w in w_list[: self.read_head_num]
        ]
        M = prev_M
        for i, w in enumerate(w_list[self.read_head_num :]):
            w = array_ops.expand_dims(w, axis=2)
            erase = array_ops.expand_dims(math_ops.sigmoid(erase_add[2 * i]), axis=1)
            add = array_ops.expand_dims(math_ops.tanh(erase_add[2 * i + 1]), axis=1)
            M = M * (array_ops.ones_like(M) - math_ops.matmul(w, erase)) + math_ops.matmul(w, add)
        output = math_ops.matmul(
            array_ops.concat([controller_output, *read_vectors], axis=1), self._output_kernel
        )
        output = conv_ops.bias_add(output, self._output_bias)
        output = math_ops.clip_by_value(output, -self.clip_value, self.clip_value)
        return output, NTMControllerState(
            controller_state=controller_state,
            read_vector_list=read_vectors,
            w_list=w_list,
            M=M,
            time=prev_state.time + 1,
        )

    def _shift_matrix(self, s):
        """[batch, memory_size, memory_size]: row i holds the shift weights `s`
        (2 * shift_range + 1 of them) rotated to convolve around location i."""
        r, size = self.shift_range, self.memory_size
        rows = dimension_value(s.shape[0])
        padding = array_ops.zeros(
            [rows if rows is not None else array_ops.shape(s)[0], size - (2 * r + 1)]
        )
        s = array_ops.concat([s[:, : r + 1], padding, s[:, -r:]], axis=1)
        flipped = array_ops.reverse(s, axis=[1])
        t = array_ops.concat([flipped, flipped], axis=1)
        return array_ops.stack([t[:, size - i - 1 : 2 * size - i - 1] for i in range(size)], axis=1)

    def _addressing(self, k, beta, g, s, gamma, prev_M, prev_w):
        # by content: cosine similarity of the key with each location, sharpened by beta
        k = array_ops.expand_dims(k, axis=2)
        dot = math_ops.matmul(prev_M, k)
        k_norm = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(k), axis=1, keepdims=True))
        m_norm = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(prev_M), axis=2, keepdims=True))
        similarity = array_ops.squeeze(dot / (m_norm * k_norm + 1e-8))
        amplified = math_ops.exp(array_ops.expand_dims(beta, axis=1) * similarity)
        w_c = amplified / math_ops.reduce_sum(amplified, axis=1, keepdims=True)
        # by location: interpolate with the previous weights, shift, sharpen by gamma
        g = array_ops.expand_dims(g, axis=1)
        w_g = g * w_c + (1 - g) * prev_w
        shifted = math_ops.reduce_sum(
            array_ops.expand_dims(w_g, axis=1) * self._shift_matrix(s), axis=2
        )
        sharp = math_ops.pow(shifted, array_ops.expand_dims(gamma, axis=1))
        return sharp / math_ops.reduce_sum(sharp, axis=1, keepdims=True)

    def zero_state(self, batch_size, dtype):
        return NTMControllerState(
            controller_state=self.controller.zero_state(batch_size, dtype),
            read_vector_list=[
                array_ops.zeros([batch_size, self.memory_vector_dim])
                for _ in range(self.read_head_num)
            ],
            w_list=[array_ops.zeros([batch_size, self.memory_size]) for _ in range(self.num_heads)],
            M=array_ops.zeros([batch_size, self.memory_size, self.memory_vector_dim]),
            time=0,
        )
