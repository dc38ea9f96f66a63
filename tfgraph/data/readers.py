"""`tf.data.experimental.CsvDataset` and `make_csv_dataset`, built as TF 2.21 builds them
in graph mode (a CSVDatasetV2 op; make_csv_dataset's file listing, column-name and type
inference done in Python while the graph is built, as TF does)."""

from __future__ import annotations

import collections
import csv
import glob
import gzip
import io
import zlib

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant, convert_to_tensor
from tfgraph.framework.ops import Tensor
from tfgraph.ops import csv_dataset_ops as _ops  # noqa: F401 - registers the op types
from tfgraph.ops.apply import op_output

__all__ = ["CsvDataset", "make_csv_dataset"]

_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)
_DEFAULT_BUFFER = 4 * 1024 * 1024


def _lib():
    from tfgraph.data import dataset_ops

    return dataset_ops


def _is_csv_type(x) -> bool:
    try:
        return not isinstance(x, Tensor) and dtypes.as_dtype(x) in _CSV_TYPES
    except (TypeError, ValueError, KeyError):
        return False


def _record_defaults(record_defaults) -> list:
    values = [
        constant([], dtype=dtypes.as_dtype(x)) if _is_csv_type(x) else x for x in record_defaults
    ]
    out = []
    for i, v in enumerate(values):
        t = v if isinstance(v, Tensor) else convert_to_tensor(v, name=f"record_defaults_{i}")
        if t.dtype._base not in _CSV_TYPES:
            raise TypeError(
                f"Invalid `record_defaults`: each default must be one of {list(_CSV_TYPES)} "
                f"(a dtype or a value of one), got {t.dtype._base!r} for column {i}."
            )
        out.append(t)
    return out


def _optional(value, default, dtype, name: str) -> Tensor:
    return convert_to_tensor(default if value is None else value, dtype=dtype, name=name)


def CsvDataset(
    filenames,
    record_defaults,
    compression_type=None,
    buffer_size=None,
    header=False,
    field_delim=",",
    use_quote_delim=True,
    na_value="",
    select_cols=None,
):
    """The records of CSV files, one tuple of scalars per record, typed by
    `record_defaults` (a dtype: the column is required; a value: its default). (TF1's
    CsvDataset: no `exclude_cols`; the op's is left empty.)"""
    lib = _lib()
    names = convert_to_tensor(filenames, dtype=dtypes.string, name="filenames")
    compression = _optional(compression_type, "", dtypes.string, "compression_type")
    defaults = _record_defaults(record_defaults)
    inputs = [
        names,
        compression,
        _optional(buffer_size, _DEFAULT_BUFFER, dtypes.int64, "buffer_size"),
        convert_to_tensor(header, dtype=dtypes.bool, name="header"),
        convert_to_tensor(field_delim, dtype=dtypes.string, name="field_delim"),
        convert_to_tensor(use_quote_delim, dtype=dtypes.bool, name="use_quote_delim"),
        convert_to_tensor(na_value, dtype=dtypes.string, name="na_value"),
        _optional(select_cols, np.zeros(0, np.int64), dtypes.int64, "select_cols"),
        defaults,
        convert_to_tensor(np.zeros(0, np.int64), dtype=dtypes.int64, name="exclude_cols"),
    ]
    spec = tuple(lib.TensorSpec([], d.dtype._base) for d in defaults)
    attrs = lib._attrs_for(spec)
    del attrs["metadata"]
    return lib.Dataset(op_output("CSVDatasetV2", None, inputs, attrs), spec)


# -- make_csv_dataset --------------------------------------------------------------------
def _file_names(file_pattern) -> list[str]:
    patterns = [file_pattern] if isinstance(file_pattern, (str, bytes)) else list(file_pattern)
    names: list[str] = []
    for p in patterns:
        p = p.decode() if isinstance(p, bytes) else p
        names.extend(glob.glob(p))
    if not names:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    return sorted(names)


def _open_text(name: str, compression_type):
    with open(name, "rb") as f:
        data = f.read()
    if compression_type == "GZIP":
        data = gzip.decompress(data)
    elif compression_type == "ZLIB":
        data = zlib.decompress(data)
    return io.StringIO(data.decode("utf-8"), newline="")


def _reader(f, field_delim, use_quote_delim):
    quoting = csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE
    return csv.reader(f, delimiter=field_delim, quoting=quoting)


def _infer_column_names(names, field_delim, use_quote_delim, compression_type) -> list:
    columns = None
    for name in names:
        with _open_text(name, compression_type) as f:
            header = next(_reader(f, field_delim, use_quote_delim))
        if columns is None:
            columns = header
        elif header != columns:
            raise ValueError("Files have different column names in the header row.")
    return list(columns or [])


def _fits(text: str, dtype) -> bool:
    try:
        if dtype.is_integer:
            value = int(text)
            return bool(dtype.min <= value <= dtype.max)
        return bool(dtype.min <= float(text) <= dtype.max)
    except (ValueError, OverflowError):
        return False


_ORDER = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64, dtypes.string]


def _infer_type(text: str, na_value, prev):
    if text in ("", na_value):
        return prev
    for i, dtype in enumerate(_ORDER):
        if (dtype == dtypes.string or _fits(text, dtype)) and (
            prev is None or prev in _ORDER[: i + 1]
        ):
            return dtype
    return prev


def _infer_column_defaults(names, n_cols, opts, select, rows_wanted) -> list:
    types: list = [None] * n_cols
    seen = 0
    for name in names:
        with _open_text(name, opts["compression_type"]) as f:
            rows = _reader(f, opts["field_delim"], opts["use_quote_delim"])
            if opts["header"]:
                next(rows, None)
            for row in rows:
                if seen >= rows_wanted:
                    break
                if len(row) != n_cols:
                    raise ValueError(
                        "Problem inferring types: CSV row has different number of fields "
                        "than expected."
                    )
                for i, text in enumerate(row):
                    if select is None or i in select:
                        types[i] = _infer_type(text, opts["na_value"], types[i])
                seen += 1
    kept = [t for i, t in enumerate(types) if select is None or i in select]
    kept = [dtypes.string if t is None else t for t in kept]
    return [constant([0 if t != dtypes.string else ""], dtype=t) for t in kept]


def _sorted_col_indices(select_columns, column_names) -> list[int]:
    names_to_indices = {n: i for i, n in enumerate(column_names)}
    out = []
    for v in select_columns:
        if isinstance(v, int):
            if not 0 <= v < len(column_names):
                raise ValueError(
                    f"Column index {v} specified in `select_columns` should be > 0 and <= "
                    f"{len(column_names)}, which is the number of columns."
                )
            out.append(v)
        elif v in names_to_indices:
            out.append(names_to_indices[v])
        else:
            raise ValueError(
                f"Column {v} specified in `select_columns` must be of one of the columns: "
                f"{column_names}."
            )
    return sorted(out)


def make_csv_dataset(
    file_pattern,
    batch_size,
    column_names=None,
    column_defaults=None,
    label_name=None,
    select_columns=None,
    field_delim=",",
    use_quote_delim=True,
    na_value="",
    header=True,
    num_epochs=None,
    shuffle=True,
    shuffle_buffer_size=10000,
    shuffle_seed=None,
    prefetch_buffer_size=None,
    num_parallel_reads=None,
    sloppy=False,
    num_rows_for_inference=100,
    compression_type=None,
    ignore_errors=False,
    encoding="utf-8",
):
    """Batches of (features dict, label) (or features alone) read from CSV files, as TF's
    make_csv_dataset: column names from the header, types inferred from the first
    `num_rows_for_inference` rows unless given, files and records shuffled with
    `shuffle_seed`, `num_epochs` passes (None: forever, full batches only)."""
    from tfgraph.data.experimental import parallel_interleave

    lib = _lib()
    names = _file_names(file_pattern)
    dataset = lib.Dataset.from_tensor_slices(names)
    if shuffle:
        dataset = dataset.shuffle(len(names), shuffle_seed)
    opts = {
        "field_delim": field_delim,
        "use_quote_delim": use_quote_delim,
        "na_value": na_value,
        "header": header,
        "compression_type": compression_type,
    }
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` arguments. Neither is provided.")
        column_names = _infer_column_names(names, field_delim, use_quote_delim, compression_type)
    if len(column_names) != len(set(column_names)):
        raise ValueError(f"Expected unique column names, got: {column_names}.")
    if select_columns is not None:
        select_columns = _sorted_col_indices(select_columns, column_names)
    if column_defaults is not None:
        column_defaults = [
            constant([], dtype=dtypes.as_dtype(x)) if _is_csv_type(x) else x
            for x in column_defaults
        ]
    else:
        column_defaults = _infer_column_defaults(
            names, len(column_names), opts, select_columns, num_rows_for_inference
        )
    if select_columns is not None and len(column_defaults) != len(select_columns):
        raise ValueError(
            "If specified, `column_defaults` and `select_columns` must have the same length."
        )
    if select_columns is not None and len(column_names) > len(select_columns):
        column_names = [column_names[i] for i in select_columns]
    if label_name is not None and label_name not in column_names:
        raise ValueError(
            f"`label_name` provided must be one of the columns: {column_names}. "
            f"Received: {label_name}."
        )

    def filename_to_dataset(filename):
        dataset = CsvDataset(
            filename,
            record_defaults=column_defaults,
            field_delim=field_delim,
            use_quote_delim=use_quote_delim,
            na_value=na_value,
            select_cols=select_columns,
            header=header,
            compression_type=compression_type,
        )
        return dataset.ignore_errors() if ignore_errors else dataset

    def map_fn(*columns):
        features = collections.OrderedDict(zip(column_names, columns))
        if label_name is not None:
            label = features.pop(label_name)
            return features, label
        return features

    dataset = dataset.apply(
        parallel_interleave(
            filename_to_dataset, cycle_length=num_parallel_reads or 1, sloppy=sloppy
        )
    )
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=num_epochs is None)
    dataset = dataset.map(map_fn)
    op = dataset._variant_tensor.op
    op._set_attr("use_inter_op_parallelism", False)
    op._set_attr("preserve_cardinality", True)
    return dataset.prefetch(lib.AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)


def make_batched_features_dataset(
    file_pattern,
    batch_size,
    features,
    reader=None,
    label_key=None,
    reader_args=None,
    num_epochs=None,
    shuffle=True,
    shuffle_buffer_size=10000,
    shuffle_seed=None,
    prefetch_buffer_size=None,
    reader_num_threads=None,
    parser_num_threads=None,
    sloppy_ordering=False,
    drop_final_batch=False,
):
    """Batches of parsed `tf.train.Example` features (a dict, or (dict, label) with
    `label_key`) read from the files of `file_pattern` with `reader` (TFRecordDataset
    by default), as TF's: files listed (and shuffled) with `shuffle_seed`, records
    shuffled and repeated `num_epochs` times (None: forever, full batches only)."""
    from tfgraph.data.experimental import parallel_interleave
    from tfgraph.data.experimental_more import parse_example_dataset

    lib = _lib()
    reader = lib.TFRecordDataset if reader is None else reader
    reader_args = [] if reader_args is None else reader_args
    reader_num_threads = 1 if reader_num_threads is None else reader_num_threads
    parser_num_threads = 2 if parser_num_threads is None else parser_num_threads
    dataset = lib.Dataset.list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)

    def read(filename):
        return reader(filename, *reader_args)

    if reader_num_threads == lib.AUTOTUNE:
        from tfgraph.data.options import Options

        dataset = dataset.interleave(read, num_parallel_calls=reader_num_threads)
        options = Options()
        options.deterministic = not sloppy_ordering
        dataset = dataset.with_options(options)
    else:
        dataset = dataset.apply(
            parallel_interleave(read, cycle_length=reader_num_threads, sloppy=sloppy_ordering)
        )
    if dataset.output_types == (dtypes.string, dtypes.string):
        dataset = dataset.map(lambda _, v: v)
        dataset._variant_tensor.op._set_attr("use_inter_op_parallelism", False)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=drop_final_batch or num_epochs is None)
    dataset = dataset.apply(parse_example_dataset(features, num_parallel_calls=parser_num_threads))
    if label_key:
        if label_key not in features:
            raise ValueError(
                f"The `label_key` provided ({label_key}) must be one of the `features` "
                f"keys: {features.keys()}."
            )
        dataset = dataset.map(lambda x: (x, x.pop(label_key)))
    return dataset.prefetch(lib.AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)
