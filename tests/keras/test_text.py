"""tf.keras.preprocessing.text (Tokenizer, text_to_word_sequence) against Keras 2."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
K = tf.keras
texts = ["The cat sat on the mat.", "The dog ate my homework!", "Cats and dogs, dogs and cats",
         "a-b c_d e"]
tok = K.preprocessing.text.Tokenizer(num_words=8, oov_token="<oov>")
tok.fit_on_texts(texts)
plain = K.preprocessing.text.Tokenizer()
plain.fit_on_texts(texts)
result = {
    "word_index": sorted(tok.word_index.items()),
    "sequences": tok.texts_to_sequences(texts + ["unknown words here cat"]),
    "plain": plain.texts_to_sequences(["the mat and the dogs"]),
    "texts": tok.sequences_to_texts([[1, 2, 3, 9]]),
    "matrix": {m: plain.texts_to_matrix(texts, mode=m) for m in ("binary", "count", "freq",
                                                                "tfidf")},
    "words": K.preprocessing.text.text_to_word_sequence("Hello, World! It's me."),
    "json": sorted(K.preprocessing.text.tokenizer_from_json(tok.to_json()).word_index.items()),
    "docs": [tok.document_count, sorted(tok.word_docs.items())],
}
"""


@pytest.mark.tf
@requires_tf
def test_text_preprocessing_matches_tensorflow():
    expected = theirs(PROGRAM)
    assert_same(ours(PROGRAM), expected)


def test_tokenizer_by_hand():
    tok = tf.keras.preprocessing.text.Tokenizer()
    tok.fit_on_texts(["b a b", "c b"])
    assert tok.word_index == {"b": 1, "a": 2, "c": 3}
    assert tok.texts_to_sequences(["a b d"]) == [[2, 1]]
    with pytest.raises(ValueError, match="Specify a dimension"):
        tf.keras.preprocessing.text.Tokenizer().sequences_to_matrix([[1]])
