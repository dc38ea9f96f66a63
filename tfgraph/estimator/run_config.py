"""`tf.estimator.RunConfig`: where an Estimator writes and how often (single process:
the cluster properties describe a lone chief)."""

from __future__ import annotations

import copy

__all__ = ["RunConfig", "TaskType", "get_default_session_config"]

_USE_DEFAULT = object()

_REPLACEABLE = [
    "model_dir",
    "tf_random_seed",
    "save_summary_steps",
    "save_checkpoints_steps",
    "save_checkpoints_secs",
    "session_config",
    "keep_checkpoint_max",
    "keep_checkpoint_every_n_hours",
    "log_step_count_steps",
    "train_distribute",
    "device_fn",
    "protocol",
    "eval_distribute",
    "experimental_distribute",
    "experimental_max_worker_delay_secs",
    "session_creation_timeout_secs",
]

_SAVE_CKPT_ERR = "`save_checkpoints_steps` and `save_checkpoints_secs` cannot be both set."


class TaskType:
    MASTER = "master"
    PS = "ps"
    WORKER = "worker"
    CHIEF = "chief"
    EVALUATOR = "evaluator"


def get_default_session_config():
    """The ConfigProto TF's Estimator uses when none is given (soft placement on)."""
    from tfgraph import proto

    return proto.ConfigProto(allow_soft_placement=True)


def _check(config) -> None:
    def check(name, ok, message):
        value = getattr(config, "_" + name)
        if value is not None and not ok(value):
            raise ValueError(message)

    from tfgraph import proto

    check("model_dir", lambda d: d, "model_dir should be non-empty")
    check("save_summary_steps", lambda s: s >= 0, "save_summary_steps should be >= 0")
    check("save_checkpoints_steps", lambda s: s >= 0, "save_checkpoints_steps should be >= 0")
    check("save_checkpoints_secs", lambda s: s >= 0, "save_checkpoints_secs should be >= 0")
    check(
        "session_config",
        lambda c: isinstance(c, proto.ConfigProto),
        "session_config must be instance of ConfigProto",
    )
    check("keep_checkpoint_max", lambda k: k >= 0, "keep_checkpoint_max should be >= 0")
    check(
        "keep_checkpoint_every_n_hours",
        lambda h: h > 0,
        "keep_checkpoint_every_n_hours should be > 0",
    )
    check("log_step_count_steps", lambda n: n > 0, "log_step_count_steps should be > 0")
    check("tf_random_seed", lambda s: isinstance(s, int), "tf_random_seed must be integer.")
    check(
        "session_creation_timeout_secs",
        lambda s: s > 0,
        "session_creation_timeout_secs should be > 0",
    )
    check(
        "device_fn",
        callable,
        'device_fn must be callable with exactly one argument "op".',
    )


class RunConfig:
    """Run settings of an Estimator: model_dir, random seed, summary/checkpoint
    frequency, checkpoints kept, logging frequency and the session config."""

    def __init__(
        self,
        model_dir=None,
        tf_random_seed=None,
        save_summary_steps=100,
        save_checkpoints_steps=_USE_DEFAULT,
        save_checkpoints_secs=_USE_DEFAULT,
        session_config=None,
        keep_checkpoint_max=5,
        keep_checkpoint_every_n_hours=10000,
        log_step_count_steps=100,
        train_distribute=None,
        device_fn=None,
        protocol=None,
        eval_distribute=None,
        experimental_distribute=None,
        experimental_max_worker_delay_secs=None,
        session_creation_timeout_secs=7200,
    ) -> None:
        if save_checkpoints_steps is _USE_DEFAULT and save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_steps, save_checkpoints_secs = None, 600
        elif save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_secs = None
        elif save_checkpoints_steps is _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError(_SAVE_CKPT_ERR)
        if model_dir == "":
            raise ValueError("model_dir should be non-empty.")
        if model_dir is not None:
            import os

            model_dir = os.fspath(model_dir)
        values = dict(
            model_dir=model_dir,
            tf_random_seed=tf_random_seed,
            save_summary_steps=save_summary_steps,
            save_checkpoints_steps=save_checkpoints_steps,
            save_checkpoints_secs=save_checkpoints_secs,
            session_config=session_config,
            keep_checkpoint_max=keep_checkpoint_max,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
            log_step_count_steps=log_step_count_steps,
            train_distribute=train_distribute,
            device_fn=device_fn,
            protocol=protocol,
            eval_distribute=eval_distribute,
            experimental_distribute=experimental_distribute,
            experimental_max_worker_delay_secs=experimental_max_worker_delay_secs,
            session_creation_timeout_secs=session_creation_timeout_secs,
        )
        for key, value in values.items():
            setattr(self, "_" + key, value)
        _check(self)
        self._cluster_spec = None
        self._task_type = TaskType.WORKER
        self._task_id = 0
        self._master = ""
        self._evaluation_master = ""
        self._is_chief = True
        self._num_ps_replicas = 0
        self._num_worker_replicas = 1
        self._global_id_in_cluster = 0
        self._service = None

    def replace(self, **kwargs):
        """A copy with the named properties replaced (only the replaceable ones)."""
        return RunConfig._replace(copy.deepcopy(self), **kwargs)

    @staticmethod
    def _replace(config, **kwargs):
        for key, value in kwargs.items():
            if key not in _REPLACEABLE:
                raise ValueError(
                    f"Replacing {key} is not supported. Allowed properties are {_REPLACEABLE}."
                )
            setattr(config, "_" + key, value)
        steps = config._save_checkpoints_steps
        secs = config._save_checkpoints_secs
        if steps is not None and secs is not None:
            if "save_checkpoints_steps" in kwargs and "save_checkpoints_secs" in kwargs:
                raise ValueError(_SAVE_CKPT_ERR)
            if "save_checkpoints_steps" in kwargs:
                config._save_checkpoints_secs = None
            elif "save_checkpoints_secs" in kwargs:
                config._save_checkpoints_steps = None
        _check(config)
        return config

    def __repr__(self) -> str:
        return f"RunConfig({vars(self)})"


def _property(name):
    return property(lambda self: getattr(self, "_" + name))


for _name in _REPLACEABLE + [
    "cluster_spec",
    "task_type",
    "task_id",
    "master",
    "evaluation_master",
    "is_chief",
    "num_ps_replicas",
    "num_worker_replicas",
    "global_id_in_cluster",
    "service",
]:
    setattr(RunConfig, _name, _property(_name))
del _name
