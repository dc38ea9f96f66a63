"""The text `checkpoint` state file (spec section 2.9)."""

from __future__ import annotations

import os
import textwrap

import pytest

from tests.golden import golden
from tests.tfrun import requires_tf, run_tf_json
from tfgraph.io.checkpoint_state import (
    checkpoint_exists,
    latest_checkpoint,
    read_state,
    write_state,
)


def test_read_golden_relative_state():
    run = golden("tf_state", "run")
    state = read_state(str(run))
    assert state.model_checkpoint_path == os.path.join(str(run), "model-3")
    assert list(state.all_model_checkpoint_paths) == [
        os.path.join(str(run), "model-2"),
        os.path.join(str(run), "model-3"),
    ]
    assert latest_checkpoint(str(run)) == os.path.join(str(run), "model-3")


def test_write_relative_matches_golden(tmp_path, monkeypatch):
    expected = golden("tf_state", "run", "checkpoint").read_bytes()
    monkeypatch.chdir(tmp_path)
    write_state("run", "run/model-3", ["run/model-2"])
    assert (tmp_path / "run" / "checkpoint").read_bytes() == expected
    # Saver passes the full retained list including the newest: same result.
    write_state("run", "run/model-3", ["run/model-2", "run/model-3"])
    assert (tmp_path / "run" / "checkpoint").read_bytes() == expected
    assert sorted(os.listdir(tmp_path / "run")) == ["checkpoint"]


def test_write_absolute_keeps_absolute(tmp_path):
    d = str(tmp_path / "ckpt")
    state = write_state(d, f"{d}/model-7", [f"{d}/model-7"])
    assert state.model_checkpoint_path == f"{d}/model-7"
    text = (tmp_path / "ckpt" / "checkpoint").read_text()
    assert text == (
        f'model_checkpoint_path: "{d}/model-7"\nall_model_checkpoint_paths: "{d}/model-7"\n'
    )
    rel = write_state(d, f"{d}/model-8", save_relative_paths=True)
    assert rel.model_checkpoint_path == "model-8"
    assert read_state(d).model_checkpoint_path == os.path.join(d, "model-8")


def test_timestamps_and_escapes(tmp_path):
    d = str(tmp_path)
    write_state(d, 'we"ird\\né', ["a"], all_model_checkpoint_timestamps=[1.5, 2.5],
                last_preserved_timestamp=1.25)  # fmt: skip
    text = (tmp_path / "checkpoint").read_text()
    assert 'model_checkpoint_path: "we\\"ird\\\\n' in text  # quote and backslash escaped
    assert "all_model_checkpoint_timestamps: 1.5" in text
    state = read_state(d)
    assert state.model_checkpoint_path == os.path.join(d, 'we"ird\\né')
    assert list(state.all_model_checkpoint_timestamps) == [1.5, 2.5]
    assert state.last_preserved_timestamp == 1.25
    with pytest.raises(ValueError, match="timestamps"):
        write_state(d, "m", ["a"], all_model_checkpoint_timestamps=[1.0])


def test_missing_bad_and_empty_files(tmp_path, caplog):
    assert read_state(str(tmp_path)) is None
    assert latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text("garbage {{{")
    assert read_state(str(tmp_path)) is None
    assert "Checkpoint ignored" in caplog.text
    (tmp_path / "checkpoint").write_text("")
    with pytest.raises(ValueError, match="Invalid checkpoint state"):
        read_state(str(tmp_path))


def test_latest_checkpoint_requires_index(tmp_path):
    d = str(tmp_path)
    write_state(d, os.path.join(d, "model-1"))
    assert latest_checkpoint(d) is None
    (tmp_path / "model-1.index").write_bytes(b"")
    assert checkpoint_exists(os.path.join(d, "model-1"))
    assert latest_checkpoint(d) == os.path.join(d, "model-1")


def test_custom_filename(tmp_path):
    write_state(str(tmp_path), "m", latest_filename="state")
    assert (tmp_path / "state").exists() and not (tmp_path / "checkpoint").exists()
    assert read_state(str(tmp_path), "state").model_checkpoint_path.endswith("m")


@pytest.mark.tf
@requires_tf
def test_interop_with_tf(tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    write_state(str(ours), str(ours / "model-2"), [str(ours / "model-1")],
                all_model_checkpoint_timestamps=[10.0, 20.0])  # fmt: skip
    (ours / "model-2.index").write_bytes(b"")
    out = run_tf_json(
        textwrap.dedent(
            f"""
            import json
            from tensorflow.python.checkpoint import checkpoint_management as cm
            s = tf.train.get_checkpoint_state({str(ours)!r})
            cm.update_checkpoint_state_internal(
                {str(theirs)!r}, {str(theirs / "m-9")!r},
                all_model_checkpoint_paths=[{str(theirs / "m-8")!r}, {str(theirs / "m-9")!r}],
                all_model_checkpoint_timestamps=[1.0, 2.0], last_preserved_timestamp=0.5,
                save_relative_paths=True)
            print(json.dumps({{
                "latest": tf.train.latest_checkpoint({str(ours)!r}),
                "paths": list(s.all_model_checkpoint_paths),
                "stamps": list(s.all_model_checkpoint_timestamps),
            }}))
            """
        )
    )
    assert out["latest"] == str(ours / "model-2")
    assert out["paths"] == [str(ours / "model-1"), str(ours / "model-2")]
    assert out["stamps"] == [10.0, 20.0]
    state = read_state(str(theirs))
    assert state.model_checkpoint_path == str(theirs / "m-9")
    assert list(state.all_model_checkpoint_paths) == [str(theirs / "m-8"), str(theirs / "m-9")]
    assert list(state.all_model_checkpoint_timestamps) == [1.0, 2.0]
    assert state.last_preserved_timestamp == 0.5
    assert 'model_checkpoint_path: "m-9"' in (theirs / "checkpoint").read_text()
