"""`tf.train`: training utilities — optimizers, savers, checkpoints, device setters
(re-exports only)."""

from tfgraph import train_experimental as experimental
from tfgraph.distributed.server import Server
from tfgraph.framework.graph_io import write_graph
from tfgraph.ops.sdca_ops import sdca_fprint, sdca_optimizer, sdca_shrink_l1
from tfgraph.summary_writer import summary_iterator
from tfgraph.training import queue_runner  # (tf.train.queue_runner.QueueRunner & co)
from tfgraph.training.basic_session_run_hooks import (
    CheckpointSaverHook,
    CheckpointSaverListener,
    FeedFnHook,
    FinalOpsHook,
    GlobalStepWaiterHook,
    LoggingTensorHook,
    NanLossDuringTrainingError,
    NanTensorHook,
    ProfilerHook,
    SecondOrStepTimer,
    StepCounterHook,
    StopAtStepHook,
    SummarySaverHook,
    SummaryWriterCache,
)
from tfgraph.training.checkpoint_management import (
    checkpoint_exists,
    generate_checkpoint_state_proto,
    get_checkpoint_mtimes,
    get_checkpoint_state,
    latest_checkpoint,
    remove_checkpoint,
    update_checkpoint_state,
)
from tfgraph.training.checkpoint_options import CheckpointOptions
from tfgraph.training.checkpoint_utils import (
    CheckpointReader,
    NewCheckpointReader,
    checkpoints_iterator,
    init_from_checkpoint,
    list_variables,
    load_checkpoint,
    load_variable,
)
from tfgraph.training.coordinator import Coordinator, LooperThread
from tfgraph.training.device_setter import (
    GreedyLoadBalancingStrategy,
    byte_size_load_fn,
    replica_device_setter,
)
from tfgraph.training.input import (
    batch,
    batch_join,
    input_producer,
    limit_epochs,
    match_filenames_once,
    maybe_batch,
    maybe_batch_join,
    maybe_shuffle_batch,
    maybe_shuffle_batch_join,
    range_input_producer,
    shuffle_batch,
    shuffle_batch_join,
    slice_input_producer,
    string_input_producer,
)
from tfgraph.training.monitored_session import (
    ChiefSessionCreator,
    MonitoredSession,
    MonitoredTrainingSession,
    Scaffold,
    SessionCreator,
    SingularMonitoredSession,
    WorkerSessionCreator,
)
from tfgraph.training.moving_averages import ExponentialMovingAverage
from tfgraph.training.quantize_training import do_quantize_training_on_graphdef
from tfgraph.training.queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from tfgraph.training.saver import Saver, export_meta_graph, import_meta_graph
from tfgraph.training.server_lib import ClusterSpec
from tfgraph.training.session_manager import SessionManager, basic_train_loop
from tfgraph.training.session_run_hook import (
    SessionRunArgs,
    SessionRunContext,
    SessionRunHook,
    SessionRunValues,
)
from tfgraph.training.supervisor import Supervisor
from tfgraph.training.sync_replicas_optimizer import SyncReplicasOptimizer
from tfgraph.training.tracking import Checkpoint, CheckpointManager
from tfgraph.training.training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)

__all__ = [
    "Checkpoint",
    "CheckpointManager",
    "CheckpointOptions",
    "CheckpointReader",
    "CheckpointSaverHook",
    "CheckpointSaverListener",
    "ChiefSessionCreator",
    "ClusterSpec",
    "Coordinator",
    "ExponentialMovingAverage",
    "FeedFnHook",
    "FinalOpsHook",
    "GlobalStepWaiterHook",
    "GreedyLoadBalancingStrategy",
    "LoggingTensorHook",
    "LooperThread",
    "MonitoredSession",
    "MonitoredTrainingSession",
    "NanLossDuringTrainingError",
    "NanTensorHook",
    "NewCheckpointReader",
    "ProfilerHook",
    "QueueRunner",
    "Saver",
    "Scaffold",
    "SecondOrStepTimer",
    "Server",
    "SessionCreator",
    "SessionManager",
    "SessionRunArgs",
    "SessionRunContext",
    "SessionRunHook",
    "SessionRunValues",
    "SingularMonitoredSession",
    "StepCounterHook",
    "StopAtStepHook",
    "SummarySaverHook",
    "SummaryWriterCache",
    "Supervisor",
    "SyncReplicasOptimizer",
    "WorkerSessionCreator",
    "add_queue_runner",
    "assert_global_step",
    "basic_train_loop",
    "batch",
    "batch_join",
    "byte_size_load_fn",
    "checkpoint_exists",
    "checkpoints_iterator",
    "create_global_step",
    "do_quantize_training_on_graphdef",
    "experimental",
    "export_meta_graph",
    "generate_checkpoint_state_proto",
    "get_checkpoint_mtimes",
    "get_checkpoint_state",
    "get_global_step",
    "get_or_create_global_step",
    "global_step",
    "import_meta_graph",
    "init_from_checkpoint",
    "input_producer",
    "latest_checkpoint",
    "limit_epochs",
    "list_variables",
    "load_checkpoint",
    "load_variable",
    "match_filenames_once",
    "maybe_batch",
    "maybe_batch_join",
    "maybe_shuffle_batch",
    "maybe_shuffle_batch_join",
    "queue_runner",
    "range_input_producer",
    "remove_checkpoint",
    "replica_device_setter",
    "sdca_fprint",
    "sdca_optimizer",
    "sdca_shrink_l1",
    "shuffle_batch",
    "shuffle_batch_join",
    "slice_input_producer",
    "start_queue_runners",
    "string_input_producer",
    "summary_iterator",
    "update_checkpoint_state",
    "write_graph",
]


_PROTO_EXPORTS = frozenset(
    {
        "BytesList",
        "CheckpointState",
        "ClusterDef",
        "Example",
        "Feature",
        "FeatureList",
        "FeatureLists",
        "Features",
        "FloatList",
        "Int64List",
        "JobDef",
        "SaverDef",
        "SequenceExample",
        "ServerDef",
    }
)


def __getattr__(name):
    # Protocol buffer classes are built on first use (importing tfgraph loads no protobuf).
    if name in _PROTO_EXPORTS:
        from tfgraph import proto

        return getattr(proto, name)
    raise AttributeError(f"module 'tfgraph.train' has no attribute {name!r}")


# -- optimizers and learning-rate schedules -----------------------------------------------------
from tfgraph.training.adadelta import AdadeltaOptimizer  # noqa: E402
from tfgraph.training.adagrad import AdagradOptimizer  # noqa: E402
from tfgraph.training.adagrad_da import AdagradDAOptimizer  # noqa: E402
from tfgraph.training.adam import AdamOptimizer  # noqa: E402
from tfgraph.training.ftrl import FtrlOptimizer  # noqa: E402
from tfgraph.training.gradient_descent import GradientDescentOptimizer  # noqa: E402
from tfgraph.training.learning_rate_decay import (  # noqa: E402
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    linear_cosine_decay,
    natural_exp_decay,
    noisy_linear_cosine_decay,
    piecewise_constant,
    piecewise_constant_decay,
    polynomial_decay,
)
from tfgraph.training.momentum import MomentumOptimizer  # noqa: E402
from tfgraph.training.optimizer import Optimizer  # noqa: E402
from tfgraph.training.proximal_gradient_descent import (  # noqa: E402
    ProximalAdagradOptimizer,
    ProximalGradientDescentOptimizer,
)
from tfgraph.training.rmsprop import RMSPropOptimizer  # noqa: E402
from tfgraph.training.warm_starting import VocabInfo, warm_start  # noqa: E402

__all__ += [
    "AdadeltaOptimizer",
    "AdagradDAOptimizer",
    "AdagradOptimizer",
    "AdamOptimizer",
    "FtrlOptimizer",
    "GradientDescentOptimizer",
    "MomentumOptimizer",
    "Optimizer",
    "ProximalAdagradOptimizer",
    "ProximalGradientDescentOptimizer",
    "RMSPropOptimizer",
    "VocabInfo",
    "cosine_decay",
    "cosine_decay_restarts",
    "exponential_decay",
    "inverse_time_decay",
    "linear_cosine_decay",
    "natural_exp_decay",
    "noisy_linear_cosine_decay",
    "piecewise_constant",
    "piecewise_constant_decay",
    "polynomial_decay",
    "warm_start",
]
