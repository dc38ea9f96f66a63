"""`tf.contrib.rnn`: the TF1 cells and static RNNs under their contrib names, and TF
1.15 contrib's own cells, wrappers and stacked bidirectional RNNs (re-exports only)."""

from tfgraph.legacy_contrib.fused_rnn_cell import (
    CompiledWrapper,
    FusedRNNCell,
    FusedRNNCellAdaptor,
    TimeReversedFusedRNN,
)
from tfgraph.legacy_contrib.grid_lstm import BidirectionalGridLSTMCell, GridLSTMCell
from tfgraph.legacy_contrib.lstm_block_fused import LSTMBlockFusedCell, LSTMBlockWrapper
from tfgraph.legacy_contrib.lstm_variants import (
    GLSTMCell,
    PhasedLSTMCell,
    TimeFreqLSTMCell,
    WeightNormLSTMCell,
)
from tfgraph.legacy_contrib.ntm_cell import NTMCell, NTMControllerState
from tfgraph.legacy_contrib.rnn_cell import (
    AttentionCellWrapper,
    CoupledInputForgetGateLSTMCell,
    EmbeddingWrapper,
    GRUBlockCell,
    GRUBlockCellV2,
    HighwayWrapper,
    InputProjectionWrapper,
    IntersectionRNNCell,
    LayerNormBasicLSTMCell,
    LSTMBlockCell,
    NASCell,
    OutputProjectionWrapper,
    UGRNNCell,
)
from tfgraph.legacy_contrib.rnn_cell_more import (
    CFNCell,
    Conv1DLSTMCell,
    Conv2DLSTMCell,
    Conv3DLSTMCell,
    ConvLSTMCell,
    IndRNNCell,
    IndyGRUCell,
    IndyLSTMCell,
    LayerNormLSTMCell,
    MinimalRNNCell,
    SRUCell,
)
from tfgraph.legacy_contrib.stacked_rnn import (
    stack_bidirectional_dynamic_rnn,
    stack_bidirectional_rnn,
)
from tfgraph.legacy_layers.dynamic_rnn import (
    _best_effort_input_batch_size as best_effort_input_batch_size,
)
from tfgraph.legacy_layers.dynamic_rnn import _transpose_batch_time as transpose_batch_time
from tfgraph.legacy_layers.rnn import static_bidirectional_rnn, static_rnn, static_state_saving_rnn
from tfgraph.legacy_layers.rnn_cell_impl import (
    BasicLSTMCell,
    BasicRNNCell,
    DeviceWrapper,
    DropoutWrapper,
    GRUCell,
    LayerRNNCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
    ResidualWrapper,
    RNNCell,
)

__all__ = [
    "AttentionCellWrapper",
    "BasicLSTMCell",
    "BasicRNNCell",
    "BidirectionalGridLSTMCell",
    "CFNCell",
    "CompiledWrapper",
    "Conv1DLSTMCell",
    "Conv2DLSTMCell",
    "Conv3DLSTMCell",
    "ConvLSTMCell",
    "CoupledInputForgetGateLSTMCell",
    "DeviceWrapper",
    "DropoutWrapper",
    "EmbeddingWrapper",
    "FusedRNNCell",
    "FusedRNNCellAdaptor",
    "GLSTMCell",
    "GRUBlockCell",
    "GRUBlockCellV2",
    "GRUCell",
    "GridLSTMCell",
    "HighwayWrapper",
    "IndRNNCell",
    "IndyGRUCell",
    "IndyLSTMCell",
    "InputProjectionWrapper",
    "IntersectionRNNCell",
    "LSTMBlockCell",
    "LSTMBlockFusedCell",
    "LSTMBlockWrapper",
    "LSTMCell",
    "LSTMStateTuple",
    "LayerNormBasicLSTMCell",
    "LayerNormLSTMCell",
    "LayerRNNCell",
    "MinimalRNNCell",
    "MultiRNNCell",
    "NASCell",
    "NTMCell",
    "NTMControllerState",
    "OutputProjectionWrapper",
    "PhasedLSTMCell",
    "RNNCell",
    "ResidualWrapper",
    "SRUCell",
    "TimeFreqLSTMCell",
    "TimeReversedFusedRNN",
    "UGRNNCell",
    "WeightNormLSTMCell",
    "best_effort_input_batch_size",
    "stack_bidirectional_dynamic_rnn",
    "stack_bidirectional_rnn",
    "static_bidirectional_rnn",
    "static_rnn",
    "static_state_saving_rnn",
    "transpose_batch_time",
]
