"""The passes that turn one `Session.run` signature into an `ExecutionPlan`.

Each pass is a small function over the ops it is given, reading op traits from the
registry (`OpDef.is_pure`, `constant`, `variable`, `placeholder`, `forwards_input`,
`static_value`, `control_flow`), never op-type names. In the order `ExecutionPlan`
runs them:

    prune      the ops the fetches and targets need; pure ops nothing reads are dropped
    schedule   a deterministic topological order
    frames     the loops (TF1 while loops) and the frame each of their ops runs in
    control    the ops that may see dead values (downstream of a Switch)
    fold       values that are the same at every run, computed once (with anchors)
    slots      a slot per live value; forwarding ops share their input's slot
    products   sums of many a_i^T @ g_i products (an unrolled RNN's weight gradients)
               become one product of the stacked operands
    liveness   where each slot dies, so steps free it
    lower      one pre-bound closure (step) per op that computes something; a
               convolution with its bias add and activation becomes one step
               (epilogues), chains of elementwise ops on big float arrays one chunked
               step (fuse)
"""

from tfgraph.client.passes.control import dead_region
from tfgraph.client.passes.fold import fold_constants
from tfgraph.client.passes.frames import assign_frames
from tfgraph.client.passes.liveness import frees
from tfgraph.client.passes.lower import KernelContext, bind_kernel, lower
from tfgraph.client.passes.products import product_sums
from tfgraph.client.passes.prune import drop_unused_pure_ops, is_pure, needed_ops
from tfgraph.client.passes.schedule import order, writes_state
from tfgraph.client.passes.slots import Slots, assign_slots

__all__ = [
    "KernelContext",
    "Slots",
    "assign_frames",
    "assign_slots",
    "bind_kernel",
    "dead_region",
    "drop_unused_pure_ops",
    "fold_constants",
    "frees",
    "is_pure",
    "lower",
    "needed_ops",
    "order",
    "product_sums",
    "writes_state",
]
