"""The claim clusterer's sentence encoder on ONNX Runtime (int8) gives torch's vectors, near enough to group the
same claims: nlp.sentence_onnx against sentence-transformers' all-MiniLM-L6-v2."""

from __future__ import annotations

import numpy as np
import pytest

from presslens.corpus.ingest import load_clusterer
from presslens.factchecks.encoder import encoder_available, load_encoder
from presslens.nlp.sentence_onnx import OnnxSentenceEncoder, load_onnx_encoder

pytestmark = pytest.mark.skipif(not encoder_available(), reason="needs the semantic extra (all-MiniLM-L6-v2)")

CLAIMS = [
    "There are no Russian soldiers in the Donbas, the Kremlin spokesman said.",
    "The Kremlin denied that any Russian troops were in the Donbas region.",
    "The harbour authority said 4,000 containers were stuck at the port on Monday.",
    "Unemployment fell to 3.5 percent in October, the lowest rate in fifty years.",
    "The jobless rate dropped to 3.5% last month, its lowest level since the 1960s.",
    "NATO",
    "",
]


def test_int8_vectors_agree_with_torch_and_keep_paraphrases_closest():
    onnx = load_onnx_encoder(threads=1)
    assert isinstance(onnx, OnnxSentenceEncoder)
    fast, ref = onnx.encode(CLAIMS), load_encoder().encode(CLAIMS)
    assert fast.shape == ref.shape == (len(CLAIMS), 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    assert float((fast * ref).sum(1).min()) > 0.97  # the same direction as torch's, sentence by sentence
    sims, ref_sims = fast @ fast.T, ref @ ref.T
    assert np.abs(sims - ref_sims).max() < 0.06
    for a, b in ((0, 1), (3, 4)):  # each paraphrase is its sentence's nearest neighbour, as with torch
        others = [j for j in range(5) if j != a]
        assert max(others, key=lambda j: sims[a, j]) == b
    assert onnx.encode([]).shape == (0, 384)


def test_the_ingest_clusterer_runs_onnx_unless_told_torch(monkeypatch):
    assert isinstance(load_clusterer().encoder, OnnxSentenceEncoder)
    monkeypatch.setenv("PRESSLENS_CLUSTER_ENCODER", "torch")
    assert not isinstance(load_clusterer().encoder, OnnxSentenceEncoder)


def test_a_claim_repeated_word_for_word_is_embedded_once():
    clusterer = load_clusterer()
    encoder, asked = clusterer.encoder, []

    class Counting:  # the real encoder, counting what it is asked to embed
        def encode(self, texts):
            asked.extend(texts)
            return encoder.encode(texts)

    clusterer.encoder = Counting()
    first = clusterer.prepare([CLAIMS[0], CLAIMS[2], CLAIMS[0]])
    again = clusterer.prepare([CLAIMS[2], CLAIMS[3]])  # a syndicated copy: one claim seen before
    assert asked == [CLAIMS[0], CLAIMS[2], CLAIMS[3]]
    assert np.array_equal(first[0].vector, first[2].vector) and np.array_equal(first[1].vector, again[0].vector)
