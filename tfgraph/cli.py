"""`python -m tfgraph` / `tfgraph`: inspect checkpoints and graph files.

    tfgraph --version
    tfgraph inspect-checkpoint PATH [--tensor NAME] [--all]
    tfgraph inspect-graph FILE

`PATH` is a checkpoint prefix (`/ckpt/model-7`), one of its files (`model-7.index`,
`model-7.data-00000-of-00001`: read as the prefix they belong to), or a directory
with a `checkpoint` state file. Without options every
tensor is listed with its dtype and shape (one `name (DT_FLOAT) [2,3]` line each, as
TF's `inspect_checkpoint` tool prints them);
`--tensor` prints one tensor's value, `--all` every value.

`FILE` is a GraphDef (`.pb` binary, `.pbtxt` text) or a MetaGraphDef (`.meta`, binary
or text). The report gives the op-type histogram, the placeholders, the variables and
the likely outputs (ops nothing else consumes, leaving out initializers and the
saver's ops), plus the saver and collections of a MetaGraphDef.

Unreadable files are reported on stderr with exit status 1.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys

__all__ = ["main"]


class _CliError(Exception):
    pass


# -- checkpoints ------------------------------------------------------------------------------
def _format_value(value) -> str:
    """The whole value, as numpy prints it (no "..." abbreviation)."""
    import numpy as np

    with np.printoptions(threshold=sys.maxsize, linewidth=100):
        return repr(value) if isinstance(value, bytes) else str(value)


_CHECKPOINT_FILE = re.compile(r"(.*)\.(?:index|data-\d{5}-of-\d{5})\Z", re.DOTALL)


def _checkpoint_prefix(path: str) -> str:
    """The checkpoint prefix meant by `path` (a `.index` / `.data-*` file names its
    prefix when that is a checkpoint); a prefix or directory is returned unchanged."""
    m = _CHECKPOINT_FILE.match(path)
    if m and os.path.isfile(path) and os.path.isfile(m.group(1) + ".index"):
        return m.group(1)
    return path


def _stale_state_error(path: str) -> _CliError | None:
    """An explanation when directory `path`'s `checkpoint` file names a checkpoint
    that no longer exists (TF's latest_checkpoint then returns None)."""
    from tfgraph.training import checkpoint_management

    if not os.path.isdir(path):
        return None
    try:
        state = checkpoint_management.get_checkpoint_state(path)
    except ValueError:
        return None
    if state is None or not state.model_checkpoint_path:
        return None
    missing = state.model_checkpoint_path
    if checkpoint_management.checkpoint_exists(missing):
        return None
    return _CliError(
        f"cannot read checkpoint {path}: its 'checkpoint' state file names {missing}, "
        f"but no such checkpoint exists (Failed to find any matching files for {missing}); "
        "the checkpoint was deleted or moved, or the state file is stale"
    )


def _open_checkpoint(path: str):
    from tfgraph import errors
    from tfgraph.training.checkpoint_utils import load_checkpoint

    path = _checkpoint_prefix(path)
    stale = _stale_state_error(path)
    if stale is not None:
        raise stale
    try:
        return load_checkpoint(path)
    except (errors.OpError, ValueError, OSError) as e:
        message = e.message if isinstance(e, errors.OpError) else str(e)
        raise _CliError(f"cannot read checkpoint {path}: {message}") from None


def inspect_checkpoint(path: str, tensor: str | None, show_all: bool, out) -> None:
    from tfgraph import errors, proto

    reader = _open_checkpoint(path)
    try:
        if tensor is None and not show_all:
            out.write(reader.debug_string().decode("utf-8"))
            return
        shapes = reader.get_variable_to_shape_map()
        types = reader.get_variable_to_dtype_map()
        names = sorted(shapes) if show_all else [tensor]
        for name in names:
            if name not in shapes:
                raise _CliError(f"tensor {name!r} is not in checkpoint {path}")
            try:
                value = reader.get_tensor(name)
            except errors.OpError as e:
                raise _CliError(f"cannot read tensor {name!r}: {e.message}") from None
            dtype = proto.DataType.Name(types[name].as_datatype_enum)
            dims = ",".join(str(d) for d in shapes[name])
            out.write(f"tensor_name:  {name} ({dtype}) [{dims}]\n{_format_value(value)}\n")
    finally:
        reader.close()


# -- graphs ------------------------------------------------------------------------------------
def _read_graph(path: str):
    """(GraphDef, MetaGraphDef or None) from a .pb / .pbtxt / .meta file."""
    from tfgraph import proto

    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise _CliError(f"cannot read {path}: {e.strerror}") from None
    ext = os.path.splitext(path)[1].lower()
    kinds = ["meta", "graph"] if ext == ".meta" else ["graph", "meta"]
    textual = ext in (".pbtxt", ".txt", ".prototxt")
    attempts = []
    for text in [True, False] if textual else [False, True]:
        for kind in kinds:
            attempts.append((text, kind))
    errors = []
    for text, kind in attempts:
        cls = proto.MetaGraphDef if kind == "meta" else proto.GraphDef
        message = cls()
        try:
            if text:
                proto.text_format.Parse(data.decode("utf-8"), message)
            else:
                message.ParseFromString(data)
        except Exception as e:
            errors.append(f"{'text' if text else 'binary'} {cls.__name__}: {e}")
            continue
        if kind == "meta":
            if not _plausible_graph(message.graph_def) and not message.HasField("saver_def"):
                errors.append(f"{'text' if text else 'binary'} MetaGraphDef: no graph in it")
                continue
            return message.graph_def, message
        if not _plausible_graph(message):
            errors.append(f"{'text' if text else 'binary'} GraphDef: no nodes in it")
            continue
        return message, None
    raise _CliError(f"cannot read {path}: not a GraphDef or MetaGraphDef ({'; '.join(errors[:2])})")


def _plausible_graph(graph_def) -> bool:
    return len(graph_def.node) > 0 and all(n.name and n.op for n in graph_def.node)


def _shape_text(shape_proto) -> str:
    if shape_proto.unknown_rank:
        return "<unknown>"
    return "[" + ",".join("?" if d.size < 0 else str(d.size) for d in shape_proto.dim) + "]"


def _dtype_name(enum: int) -> str:
    from tfgraph.framework import dtypes

    try:
        return dtypes.as_dtype(enum).name
    except (TypeError, ValueError, KeyError):
        return f"<type {enum}>"


_NOT_OUTPUTS = frozenset(
    {"NoOp", "Assign", "SaveV2", "RestoreV2", "MergeV2Checkpoints", "VariableV2", "Const"}
)


def inspect_graph(path: str, out) -> None:
    graph_def, meta = _read_graph(path)
    kind = "MetaGraphDef" if meta is not None else "GraphDef"
    out.write(f"{path}: {kind} with {len(graph_def.node)} nodes")
    if graph_def.HasField("versions"):
        out.write(f" (producer {graph_def.versions.producer})")
    out.write("\n")
    counts = collections.Counter(n.op for n in graph_def.node)
    out.write("\nop types:\n")
    for op, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"  {n:6d}  {op}\n")
    placeholders = [n for n in graph_def.node if n.op in ("Placeholder", "PlaceholderV2")]
    out.write(f"\nplaceholders ({len(placeholders)}):\n")
    for n in placeholders:
        shape = _shape_text(n.attr["shape"].shape) if "shape" in n.attr else "<unknown>"
        out.write(f"  {n.name}: {_dtype_name(n.attr['dtype'].type)} {shape}\n")
    variables = [n for n in graph_def.node if n.op in ("VariableV2", "Variable", "VarHandleOp")]
    out.write(f"\nvariables ({len(variables)}):\n")
    for n in variables:
        shape = _shape_text(n.attr["shape"].shape) if "shape" in n.attr else "<unknown>"
        out.write(f"  {n.name}: {_dtype_name(n.attr['dtype'].type)} {shape}\n")
    consumed = set()
    for n in graph_def.node:
        for inp in n.input:
            consumed.add(inp.lstrip("^").split(":")[0])
    saver_scopes = {
        n.name.rsplit("/", 1)[0] + "/" for n in graph_def.node if n.op in ("SaveV2", "RestoreV2")
    }
    outputs = [
        n
        for n in graph_def.node
        if n.name not in consumed
        and n.op not in _NOT_OUTPUTS
        and not any(n.name.startswith(s) for s in saver_scopes)
    ]
    out.write(f"\nlikely outputs ({len(outputs)}):\n")
    for n in outputs:
        out.write(f"  {n.name} ({n.op})\n")
    if meta is not None:
        if meta.HasField("saver_def"):
            sd = meta.saver_def
            out.write(
                f"\nsaver: filename {sd.filename_tensor_name}, save {sd.save_tensor_name}, "
                f"restore {sd.restore_op_name}\n"
            )
        if meta.collection_def:
            out.write("\ncollections:\n")
            for key in sorted(meta.collection_def):
                col = meta.collection_def[key]
                which = col.WhichOneof("kind")
                size = len(getattr(col, which).value) if which else 0
                out.write(f"  {key}: {size} {which or 'items'}\n")
        info = meta.meta_info_def
        if info.tensorflow_version:
            out.write(
                f"\nwritten by TensorFlow {info.tensorflow_version}"
                f" ({info.tensorflow_git_version})\n"
            )


# -- entry point -----------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    from tfgraph import __version__

    parser = argparse.ArgumentParser(
        prog="tfgraph", description="Inspect TensorFlow checkpoints and graph files."
    )
    parser.add_argument("--version", action="version", version=f"tfgraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    ck = sub.add_parser(
        "inspect-checkpoint", help="list the tensors of a checkpoint (names, dtypes, shapes)"
    )
    ck.add_argument(
        "path",
        help="checkpoint prefix (or its .index / .data-* file), or a directory with a "
        "'checkpoint' file",
    )
    ck.add_argument("--tensor", help="print the value of this tensor")
    ck.add_argument("--all", action="store_true", help="print every tensor's value")
    gr = sub.add_parser(
        "inspect-graph", help="summarize a GraphDef (.pb/.pbtxt) or MetaGraphDef (.meta)"
    )
    gr.add_argument("file")
    return parser


def main(argv=None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "inspect-checkpoint":
            inspect_checkpoint(args.path, args.tensor, args.all, out)
        else:
            inspect_graph(args.file, out)
    except _CliError as e:
        print(f"tfgraph: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piped into `head`
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
