"""tfgraph.proto: message classes in a private pool, wire facts, text format."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap

import pytest

from tests.golden import golden
from tests.tfrun import REPO_ROOT, requires_tf, run_tf_json
from tfgraph import proto

BRIEF_NAMES = [
    "GraphDef", "NodeDef", "AttrValue", "TensorProto", "TensorShapeProto", "VariableDef",
    "SaveSliceInfoDef", "MetaGraphDef", "CollectionDef", "SaverDef", "CheckpointState",
    "Summary", "HistogramProto", "Event", "SessionLog", "BundleHeaderProto",
    "BundleEntryProto", "TensorSliceProto", "ConfigProto", "RunOptions", "RunMetadata",
    "ClusterDef", "JobDef", "OpDef", "OpList", "VersionDef", "SignatureDef", "TensorInfo",
    "AssetFileDef", "SummaryMetadata", "LogMessage", "TaggedRunMetadata", "GPUOptions",
    "GraphOptions", "StepStats", "FunctionDefLibrary", "NameAttrList", "ResourceHandleProto",
]  # fmt: skip


def test_import_does_not_load_protobuf():
    code = textwrap.dedent(
        """
        import sys
        import tfgraph, tfgraph.proto
        assert not any(m.startswith("google.protobuf") for m in sys.modules), "eager"
        tfgraph.proto.GraphDef
        assert "google.protobuf" in sys.modules
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("name", BRIEF_NAMES)
def test_message_classes_have_tensorflow_names(name):
    cls = getattr(proto, name)
    assert cls.DESCRIPTOR.full_name == f"tensorflow.{name}"
    assert cls().SerializeToString() == b""


def test_private_pool_not_default():
    from google.protobuf import descriptor_pool

    assert proto.get_pool() is not descriptor_pool.Default()
    with pytest.raises(KeyError):
        descriptor_pool.Default().FindMessageTypeByName("tensorflow.GraphDef")
    assert proto.GraphDef.DESCRIPTOR.file.pool is proto.get_pool()


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        proto.NoSuchMessage  # noqa: B018
    with pytest.raises(AttributeError):
        proto.DT_NO_SUCH_TYPE  # noqa: B018


def test_nested_types_and_enum_values():
    assert proto.TensorShapeProto.Dim.DESCRIPTOR.full_name == "tensorflow.TensorShapeProto.Dim"
    assert proto.AttrValue.ListValue.DESCRIPTOR.full_name == "tensorflow.AttrValue.ListValue"
    assert proto.Summary.Value.DESCRIPTOR.full_name == "tensorflow.Summary.Value"
    assert proto.SaverDef.V2 == 2
    assert proto.RunOptions.FULL_TRACE == 3
    assert proto.SessionLog.CHECKPOINT == 3
    assert proto.BundleHeaderProto.BIG == 1
    assert proto.LogMessage.FATAL == 50
    assert proto.VariableAggregation.Value("VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA") == 3
    assert proto.DATA_CLASS_SCALAR == 1


def test_datatype_enum_values():
    names = proto.DataType.keys()
    values = {proto.DataType.Value(n) for n in names}
    assert values == set(range(34)) | set(range(101, 134))
    assert proto.DT_FLOAT == 1 and proto.DT_BFLOAT16 == 14 and proto.DT_HALF == 19
    assert proto.DT_UINT64 == 23 and proto.DT_FLOAT4_E2M1FN == 33
    for name in names:
        if name != "DT_INVALID" and not name.endswith("_REF"):
            assert proto.DataType.Value(name + "_REF") == proto.DataType.Value(name) + 100


def test_shape_wire_bytes():
    shape = proto.TensorShapeProto(dim=[proto.TensorShapeProto.Dim(size=-1), {"size": 3}])
    assert shape.SerializeToString().hex(" ") == (
        "12 0b 08 ff ff ff ff ff ff ff ff ff 01 12 02 08 03"
    )
    zero = proto.TensorShapeProto(dim=[{"size": 0}])
    assert zero.SerializeToString() == b"\x12\x00"
    assert proto.TensorShapeProto().SerializeToString() == b""


def test_attr_oneof_written_at_default():
    assert proto.AttrValue(s=b"").SerializeToString() == b"\x12\x00"
    assert proto.AttrValue(list={}).SerializeToString() == b"\x0a\x00"
    assert proto.AttrValue(b=False).WhichOneof("value") == "b"


def test_bundle_header_and_entry_bytes():
    header = proto.BundleHeaderProto(num_shards=1, version={"producer": 1})
    assert header.SerializeToString() == bytes.fromhex("08011a020801")
    entry = proto.BundleEntryProto(
        dtype=proto.DT_FLOAT, shape={"dim": [{"size": 2}, {"size": 3}]}, offset=8, size=24
    )
    entry.crc32c = 0x173DDBC0
    assert entry.SerializeToString().hex(" ") == (
        "08 01 12 08 12 02 08 02 12 02 08 03 20 08 28 18 35 c0 db 3d 17"
    )


def test_slice_extent_length_presence():
    ext = proto.TensorSliceProto.Extent(start=2)
    assert not ext.HasField("length")
    ext.length = 0
    assert ext.HasField("length")
    assert ext.SerializeToString() == b"\x08\x02\x10\x00"


def test_unknown_fields_survive_round_trip():
    graph = proto.GraphDef(node=[{"name": "a", "op": "NoOp"}], versions={"producer": 2474})
    data = graph.SerializeToString()
    extra = b"\xfa\x06\x03abc"  # field 111, length-delimited
    parsed = proto.GraphDef.FromString(data + extra)
    assert parsed.SerializeToString() == data + extra
    # Fields of stub messages are kept too.
    meta = proto.MetaGraphDef.FromString(b"\x3a\x04\x0a\x02hi")  # object_graph_def
    assert meta.HasField("object_graph_def")
    assert meta.SerializeToString() == b"\x3a\x04\x0a\x02hi"


def test_event_and_summary_bytes():
    event = proto.Event(wall_time=1.0, step=3)
    event.summary.value.add(tag="loss", simple_value=0.5)
    data = event.SerializeToString()
    assert data[9:] == bytes.fromhex("10032a0d0a0b0a046c6f7373150000003f")
    version = proto.Event(wall_time=1795298500.0, file_version="brain.Event:2")
    assert version.SerializeToString().hex(" ").endswith("1a 0d " + b"brain.Event:2".hex(" "))


def test_text_format_any_round_trip():
    meta = proto.MetaGraphDef()
    meta.meta_info_def.any_info.Pack(proto.SaverDef(filename_tensor_name="save/Const:0"))
    meta.collection_def["things"].any_list.value.add().Pack(proto.VariableDef(variable_name="v:0"))
    text = proto.text_format.MessageToString(meta)
    assert "[type.googleapis.com/tensorflow.SaverDef]" in text
    assert 'filename_tensor_name: "save/Const:0"' in text
    assert "[type.googleapis.com/tensorflow.VariableDef]" in text
    parsed = proto.text_format.Parse(text, proto.MetaGraphDef())
    assert parsed == meta
    unpacked = proto.SaverDef()
    assert parsed.meta_info_def.any_info.Unpack(unpacked)
    assert unpacked.filename_tensor_name == "save/Const:0"


def test_text_format_parse_error():
    with pytest.raises(proto.text_format.ParseError):
        proto.text_format.Parse("no_such_field: 1", proto.GraphDef())


def test_golden_graph_pbtxt_parses():
    graph = proto.text_format.Parse(golden("tf", "graph.pbtxt").read_text(), proto.GraphDef())
    ops = {n.name: n.op for n in graph.node}
    assert ops["v"] == "VariableV2" and ops["v/Assign"] == "Assign"
    assert graph.versions.producer == 2474
    value = next(n for n in graph.node if n.name == "v/initial_value").attr["value"].tensor
    assert value.tensor_content == bytes.fromhex("0000803f00000040")


def test_golden_meta_binary_equals_text():
    binary = proto.MetaGraphDef.FromString(golden("tf_min", "meta.pb").read_bytes())
    text = proto.text_format.Parse(golden("tf_min", "meta.pbtxt").read_text(), proto.MetaGraphDef())
    assert binary == text
    assert binary.saver_def.restore_op_name == "save/restore_all"
    assert binary.saver_def.version == proto.SaverDef.V2
    names = [proto.VariableDef.FromString(b).variable_name
             for b in binary.collection_def["variables"].bytes_list.value]  # fmt: skip
    assert names == ["v:0", "w:0"]
    # Re-serialising a TF file keeps every byte of information.
    assert proto.MetaGraphDef.FromString(binary.SerializeToString()) == binary


def test_golden_meta_meta_parses():
    meta = proto.MetaGraphDef.FromString(golden("tf", "meta.meta").read_bytes())
    assert meta.meta_info_def.tensorflow_version == "2.21.0"
    ops = {op.name for op in meta.meta_info_def.stripped_op_list.op}
    assert {"VariableV2", "Assign", "SaveV2", "RestoreV2"} <= ops


# --------------------------------------------------------------------------------------
# Against real TensorFlow


def describe(desc, out):
    """Facts of a message descriptor and its nested types (also run on the TF side)."""
    if desc.full_name in out:
        return
    fields = {}
    for f in desc.fields:
        sub = f.message_type or f.enum_type
        oneof = f.containing_oneof.name if f.containing_oneof else ""
        fields[f.name] = [
            f.number,
            f.type,
            bool(f.is_repeated),
            sub.full_name if sub else "",
            oneof,
        ]
    out[desc.full_name] = fields
    for nested in desc.nested_types:
        describe(nested, out)


# Messages that are deliberately empty stubs in tfgraph (contents kept as unknown
# fields), and fields deliberately left undeclared.
STUBS = {
    "tensorflow.RPCOptions",
    "tensorflow.RewriterConfig", "tensorflow.DebugOptions",
    "tensorflow.CoordinationServiceConfig",
}  # fmt: skip
OMITTED_FIELDS = {
    ("tensorflow.GPUOptions", "experimental"),
    ("tensorflow.ServerDef", "cluster_device_filters"),
}


@pytest.mark.tf
@requires_tf
def test_descriptors_match_tensorflow():
    from tfgraph.proto import _descriptors

    names = list(_descriptors.MESSAGES)
    theirs = run_tf_json(
        inspect.getsource(describe)
        + textwrap.dedent(
            f"""
            import json
            from google.protobuf import descriptor_pool
            import tensorflow as tf2  # registers TF's protos in the default pool
            from tensorflow.core.protobuf import config_pb2, meta_graph_pb2, tensor_bundle_pb2
            from tensorflow.core.protobuf import saved_model_pb2
            from tensorflow.core.util import event_pb2
            from tensorflow.python.training import checkpoint_state_pb2
            pool = descriptor_pool.Default()
            out = {{}}
            for name in {names!r}:
                describe(pool.FindMessageTypeByName(name), out)
            print(json.dumps(out))
            """
        )
    )
    ours: dict = {}
    for name in names:
        describe(proto.get_pool().FindMessageTypeByName(name), ours)
    assert set(ours) <= set(theirs)
    for name, fields in ours.items():
        if name in STUBS:
            assert fields == {}, name
            continue
        for field, facts in fields.items():
            assert theirs[name].get(field) == facts, (name, field)
        missing = {f for f in theirs[name] if f not in fields}
        assert {(name, f) for f in missing} <= OMITTED_FIELDS, (name, missing)


@pytest.mark.tf
@requires_tf
def test_coexists_with_tensorflow_in_one_process():
    out = run_tf_json(
        textwrap.dedent(
            """
            import json
            from tfgraph import proto  # our private pool first ...
            ours = proto.GraphDef(versions={"producer": 2474})
            node = ours.node.add(name="c", op="Const")
            node.attr["dtype"].type = proto.DT_FLOAT
            node.attr["value"].tensor.dtype = proto.DT_FLOAT
            node.attr["value"].tensor.float_val.append(1.5)
            import tensorflow as tf2  # ... then TF's default pool
            from tensorflow.core.framework import graph_pb2
            theirs = tf2.compat.v1.Graph()
            with theirs.as_default():
                tf2.compat.v1.constant(1.5, name="c")
            tf_graph = theirs.as_graph_def()
            back_in_tf = graph_pb2.GraphDef.FromString(ours.SerializeToString())
            back_in_ours = proto.GraphDef.FromString(tf_graph.SerializeToString())
            print(json.dumps({
                "tf_reads_ours": back_in_tf.node[0].attr["value"].tensor.float_val[0],
                "ours_reads_tf": back_in_ours.node[0].attr["value"].tensor.float_val[0],
                "round_trip_equal": graph_pb2.GraphDef.FromString(
                    back_in_ours.SerializeToString()) == tf_graph,
                "tf_class": type(back_in_tf).__module__,
                "pools_differ": proto.GraphDef.DESCRIPTOR.file.pool
                    is not graph_pb2.GraphDef.DESCRIPTOR.file.pool,
                "text": proto.text_format.MessageToString(back_in_ours.node[0]),
            }))
            """
        )
    )
    assert out["tf_reads_ours"] == 1.5
    assert out["ours_reads_tf"] == 1.5
    assert out["round_trip_equal"]
    assert out["pools_differ"]
    assert 'op: "Const"' in out["text"]
