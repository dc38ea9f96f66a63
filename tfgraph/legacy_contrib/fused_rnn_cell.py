"""TF 1.15 contrib's fused-RNN interface: a `FusedRNNCell` is called on a whole
time-major sequence (`cell(inputs, initial_state, dtype, sequence_length, scope)` ->
`(outputs, final state)`); `FusedRNNCellAdaptor` makes one of an RNN cell (a
`static_rnn` or a `dynamic_rnn` inside), `TimeReversedFusedRNN` runs one backwards in
time. Also contrib's `CompiledWrapper` (XLA is not used here: the cell runs as is)."""

from __future__ import annotations

import abc

from tfgraph.framework.graph import get_default_graph
from tfgraph.legacy_layers.dynamic_rnn import dynamic_rnn
from tfgraph.legacy_layers.rnn import static_rnn
from tfgraph.legacy_layers.rnn_cell_impl import RNNCell
from tfgraph.ops import array_ops

__all__ = ["CompiledWrapper", "FusedRNNCell", "FusedRNNCellAdaptor", "TimeReversedFusedRNN"]


class FusedRNNCell(abc.ABC):
    """An RNN run over a whole sequence at once."""

    @abc.abstractmethod
    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        """Runs the RNN over the time-major `inputs` (a 3-D tensor or a list of 2-D
        tensors); returns `(outputs, final state)`."""


class FusedRNNCellAdaptor(FusedRNNCell):
    """`cell` as a FusedRNNCell: a `static_rnn` over the unstacked inputs, or with
    `use_dynamic_rnn` a time-major `dynamic_rnn`; outputs come back in the inputs'
    form (a tensor or a list)."""

    def __init__(self, cell, use_dynamic_rnn=False) -> None:
        self._cell = cell
        self._use_dynamic_rnn = use_dynamic_rnn

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        is_list = isinstance(inputs, list)
        if self._use_dynamic_rnn:
            if is_list:
                inputs = array_ops.stack(inputs)
            outputs, state = dynamic_rnn(
                self._cell,
                inputs,
                sequence_length=sequence_length,
                initial_state=initial_state,
                dtype=dtype,
                time_major=True,
                scope=scope,
            )
            if is_list:
                outputs = array_ops.unstack(outputs)
            return outputs, state
        if not is_list:
            inputs = array_ops.unstack(inputs)
        outputs, state = static_rnn(
            self._cell,
            inputs,
            initial_state=initial_state,
            dtype=dtype,
            sequence_length=sequence_length,
            scope=scope,
        )
        if not is_list:
            outputs = array_ops.stack(outputs)
        return outputs, state


class TimeReversedFusedRNN(FusedRNNCell):
    """A FusedRNNCell run backwards in time: the inputs reversed (within each
    sequence's length when given, for a tensor), the outputs reversed back."""

    def __init__(self, cell) -> None:
        self._cell = cell

    def _reverse(self, t, lengths):
        if isinstance(t, list):
            return list(reversed(t))
        if lengths is None:
            return array_ops.reverse(t, [0])
        return array_ops.reverse_sequence(t, lengths, 0, 1)

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
        inputs = self._reverse(inputs, sequence_length)
        outputs, state = self._cell(
            inputs,
            initial_state=initial_state,
            dtype=dtype,
            sequence_length=sequence_length,
            scope=scope,
        )
        return self._reverse(outputs, sequence_length), state


class CompiledWrapper(RNNCell):
    """contrib's XLA-compiling wrapper; tfgraph has no XLA, so it calls `cell` as is."""

    def __init__(self, cell, compile_stateful=False) -> None:
        super().__init__()
        self._cell = cell
        self._compile_stateful = compile_stateful

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        return self._cell(inputs, state, scope=scope)
