"""`tf.distribute.CrossDeviceOps` and its subclasses, and the collective communication
options of `tf.distribute.experimental`.

tfgraph's strategies run one replica per graph, so a reduction across devices is the
value itself; these classes are accepted where TF accepts them (NCCL and hierarchical
copy included, as TF accepts them on a CPU-only machine) and reduce single values.
"""

from __future__ import annotations

import enum

__all__ = [
    "CollectiveCommunication",
    "CollectiveHints",
    "CommunicationImplementation",
    "CommunicationOptions",
    "CrossDeviceOps",
    "HierarchicalCopyAllReduce",
    "NcclAllReduce",
    "ReductionToOneDevice",
]


class CrossDeviceOps:
    """How a strategy reduces and broadcasts values between devices."""

    def __init__(self) -> None:
        pass

    def reduce(self, reduce_op, per_replica_value, destinations, options=None):
        return self.reduce_implementation(reduce_op, per_replica_value, destinations, options)

    def batch_reduce(self, reduce_op, value_destination_pairs, options=None):
        return self.batch_reduce_implementation(reduce_op, value_destination_pairs, options)

    def broadcast(self, tensor, destinations):
        return self.broadcast_implementation(tensor, destinations)

    def reduce_implementation(self, reduce_op, per_replica_value, destinations, options):
        return per_replica_value

    def batch_reduce_implementation(self, reduce_op, value_destination_pairs, options):
        return [
            self.reduce_implementation(reduce_op, v, d, options) for v, d in value_destination_pairs
        ]

    def broadcast_implementation(self, tensor, destinations):
        return tensor


class ReductionToOneDevice(CrossDeviceOps):
    """Copy the values to one device, reduce there with `accumulation_fn`, broadcast."""

    def __init__(self, reduce_to_device=None, accumulation_fn=None) -> None:
        if accumulation_fn is None:
            from tfgraph.ops.math_ops import add_n as accumulation_fn
        self.reduce_to_device = reduce_to_device
        self.accumulation_fn = accumulation_fn


class _AllReduce(CrossDeviceOps):
    _algorithm = ""

    def __init__(self, num_packs: int = 1) -> None:
        if num_packs < 0:
            raise ValueError(
                f"{self._algorithm} requires num_packs >= 0, but {num_packs} is specified"
            )
        self._num_packs = num_packs


class HierarchicalCopyAllReduce(_AllReduce):
    """All-reduce by hierarchical copies (a GPU topology algorithm in TF)."""

    _algorithm = "HierarchicalCopy"


class NcclAllReduce(_AllReduce):
    """All-reduce with NCCL (GPUs in TF; accepted on CPU as TF accepts it)."""

    _algorithm = "NCCL all-reduce"


class CommunicationImplementation(enum.Enum):
    """The collective implementation a multi-worker strategy uses."""

    AUTO = "AUTO"
    RING = "RING"
    NCCL = "NCCL"


CollectiveCommunication = CommunicationImplementation


class CommunicationOptions:
    """Options for cross-replica communication (packing, timeout, implementation)."""

    def __init__(
        self,
        bytes_per_pack=0,
        timeout_seconds=None,
        implementation=CommunicationImplementation.AUTO,
    ) -> None:
        if bytes_per_pack < 0:
            raise ValueError(f"Argument `bytes_per_pack` must be >=0, Received {bytes_per_pack}.")
        if isinstance(implementation, str):
            implementation = CommunicationImplementation(implementation.upper())
        if not isinstance(implementation, CommunicationImplementation):
            raise ValueError(
                "Argument `implementation` must be instance of "
                f"`tf.distribute.experimental.CommunicationImplementation`, got {implementation!r}"
            )
        self.bytes_per_pack = bytes_per_pack
        self.timeout_seconds = timeout_seconds
        self.implementation = implementation

    def merge(self, options) -> CommunicationOptions:
        return CommunicationOptions(
            options.bytes_per_pack or self.bytes_per_pack,
            options.timeout_seconds or self.timeout_seconds,
            self.implementation
            if options.implementation is CommunicationImplementation.AUTO
            else options.implementation,
        )

    def __str__(self) -> str:
        return (
            f"Options(bytes_per_pack={self.bytes_per_pack},timeout_seconds="
            f"{self.timeout_seconds}, implementation={self.implementation})"
        )

    __repr__ = __str__


class CollectiveHints:
    """Deprecated: makes `CommunicationOptions(bytes_per_pack, timeout_seconds)`."""

    def __new__(cls, bytes_per_pack=0, timeout_seconds=None):
        return CommunicationOptions(bytes_per_pack, timeout_seconds)

    def __init__(self, bytes_per_pack=0, timeout_seconds=None) -> None:
        pass  # pragma: no cover - __new__ returns a CommunicationOptions
