"""tf.resource_loader: data files beside the calling script."""

from __future__ import annotations

import os

import pytest

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))


def test_paths_are_the_callers():
    assert tf.resource_loader.get_data_files_path() == HERE
    assert tf.resource_loader.get_root_dir_with_all_resources() == HERE
    assert tf.resource_loader.get_path_to_datafile("data/x") == os.path.join(HERE, "data/x")
    assert tf.resource_loader.readahead_file_path("/a/b") == "/a/b"


def test_load_resource():
    assert tf.resource_loader.load_resource(os.path.basename(__file__)).startswith(b'"""tf.res')
    with pytest.raises(OSError):
        tf.resource_loader.load_resource("no-such-file")


def test_members_are_tfs():
    assert sorted(tf.resource_loader.__all__) == [
        "get_data_files_path", "get_path_to_datafile", "get_root_dir_with_all_resources",
        "load_resource", "readahead_file_path",
    ]  # fmt: skip
