"""`tf.train.CheckpointOptions`: options for `tf.train.Checkpoint` and
`CheckpointManager` saves. tfgraph writes checkpoints synchronously on the local file
system; `experimental_write_callbacks` run after a checkpoint is written (with its path
if they take one argument) and `experimental_sharding_callback` (a
`tf.train.experimental.ShardingCallback`) splits a `tf.train.Checkpoint` into several
data files."""

from __future__ import annotations

import inspect
import warnings

__all__ = ["CheckpointOptions", "run_write_callbacks"]


class CheckpointOptions:
    """Options for saving checkpoints (TF's CheckpointOptions; the write and sharding
    callbacks act in tfgraph, the rest is stored).

    Args:
        experimental_io_device: the device to do file I/O on ("/job:localhost").
        experimental_enable_async_checkpoint: deprecated name of `enable_async`.
        experimental_write_callbacks: callables run after each save, with no argument or
            with the checkpoint's path.
        enable_async: save in the background (tfgraph saves at once).
        experimental_skip_slot_variables: leave optimizer slots out of the checkpoint.
        experimental_sharding_callback: a ShardingCallback deciding how a
            `tf.train.Checkpoint`'s tensors are split across its data files.
    """

    __slots__ = (
        "enable_async",
        "experimental_enable_async_checkpoint",
        "experimental_io_device",
        "experimental_sharding_callback",
        "experimental_skip_slot_variables",
        "experimental_write_callbacks",
    )

    def __init__(
        self,
        experimental_io_device=None,
        experimental_enable_async_checkpoint=False,
        experimental_write_callbacks=None,
        enable_async=False,
        experimental_skip_slot_variables=False,
        experimental_sharding_callback=None,
    ):
        self.experimental_io_device = experimental_io_device
        self.enable_async = bool(experimental_enable_async_checkpoint or enable_async)
        self.experimental_enable_async_checkpoint = self.enable_async
        if experimental_enable_async_checkpoint:
            warnings.warn("Use enable_async instead", stacklevel=2)
        if experimental_write_callbacks is not None:
            for callback in experimental_write_callbacks:
                assert len(inspect.signature(callback).parameters) <= 1
        self.experimental_write_callbacks = experimental_write_callbacks
        if experimental_sharding_callback is not None:
            from tfgraph.training.checkpoint_sharding import ShardingCallback

            if not isinstance(experimental_sharding_callback, ShardingCallback):
                raise ValueError(
                    "The experimental_sharding_callback checkpoint option must be of type "
                    "ShardingCallback. The option provided was of type "
                    f"{type(experimental_sharding_callback)}: pass a "
                    "tf.train.experimental.ShardingCallback such as MaxShardSizePolicy."
                )
        self.experimental_sharding_callback = experimental_sharding_callback
        self.experimental_skip_slot_variables = experimental_skip_slot_variables


def run_write_callbacks(options, save_path: str) -> None:
    """Runs `options.experimental_write_callbacks` after `save_path` was written."""
    if options is None:
        return
    for callback in options.experimental_write_callbacks or ():
        if len(inspect.signature(callback).parameters) == 0:
            callback()
        else:
            callback(save_path)
