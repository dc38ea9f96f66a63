"""tf.contrib.tensorboard.plugins.projector (tfgraph/legacy_contrib/projector.py): the
word2vec tutorial's embedding-projector setup, and the file TensorBoard's projector
plugin reads."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

projector = tf.contrib.tensorboard.plugins.projector


def _tutorial_setup(logdir):
    """As TF1's word2vec tutorial: save the embeddings and point the projector at them."""
    with tf.Graph().as_default():
        embeddings = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3), name="embedding")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            writer = tf.summary.FileWriter(str(logdir), sess.graph)
            with open(logdir / "metadata.tsv", "w") as f:
                f.write("a\nb\nc\nd\n")
            tf.train.Saver().save(sess, str(logdir / "model.ckpt"))
            config = projector.ProjectorConfig()
            embedding_conf = config.embeddings.add()
            embedding_conf.tensor_name = embeddings.name
            embedding_conf.metadata_path = "metadata.tsv"
            embedding_conf.sprite.image_path = "sprite.png"
            embedding_conf.sprite.single_image_dim.extend([28, 28])
            projector.visualize_embeddings(writer, config)
            writer.close()
    return config


def test_visualize_embeddings_writes_the_config_as_text(tmp_path):
    config = _tutorial_setup(tmp_path)
    text = (tmp_path / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "embedding:0"' in text
    parsed = tf.proto.text_format.Parse(text, projector.ProjectorConfig())
    assert parsed == config
    assert list(parsed.embeddings[0].sprite.single_image_dim) == [28, 28]
    # (a directory path works too, as TensorBoard's own visualize_embeddings accepts)
    other = tmp_path / "other"
    other.mkdir()
    projector.visualize_embeddings(str(other), config)
    assert (other / "projector_config.pbtxt").read_text() == text


def test_a_writer_without_a_logdir_is_refused():
    class NoDir:
        def get_logdir(self):
            return None

    with pytest.raises(ValueError, match="Summary writer must have a logdir"):
        projector.visualize_embeddings(NoDir(), projector.ProjectorConfig())


@pytest.mark.tf
@requires_tf
def test_tensorboards_projector_reads_the_config_and_the_checkpoint(tmp_path):
    _tutorial_setup(tmp_path)
    theirs = run_tf_json(
        f"""
from google.protobuf import text_format
from tensorboard.plugins.projector import projector_config_pb2
path = {str(tmp_path)!r}
config = text_format.Parse(open(path + "/projector_config.pbtxt").read(),
                           projector_config_pb2.ProjectorConfig())
e = config.embeddings[0]
reader = tf.train.load_checkpoint(path)
name = e.tensor_name.split(":")[0]
print(json.dumps({{"tensor": e.tensor_name, "metadata": e.metadata_path,
                  "sprite": [e.sprite.image_path, list(e.sprite.single_image_dim)],
                  "values": reader.get_tensor(name).tolist()}}))
"""
    )
    assert theirs["tensor"] == "embedding:0"
    assert theirs["metadata"] == "metadata.tsv"
    assert theirs["sprite"] == ["sprite.png", [28, 28]]
    np.testing.assert_array_equal(theirs["values"], np.arange(12).reshape(4, 3))
