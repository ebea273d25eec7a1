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


_INHERITED: list[
    OnnxSentenceEncoder
] = []  # made in the parent, reached by the forked child (a session cannot be pickled)


def _encode_in_child() -> tuple[np.ndarray, bool]:
    import os

    encoder = _INHERITED[0]
    vectors = encoder.encode(CLAIMS)
    return vectors, encoder.session.pid == os.getpid()


def test_a_forked_process_runs_its_own_session():
    """A session made before a fork keeps its thread pool in the parent: the child rebuilds it before its first
    run (an analysis worker forked after an analysis in the parent had hung in ONNX Runtime, waiting for it)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    encoder = load_onnx_encoder(threads=1)  # with a pool of threads the child would hang: test_a_worker_pool_...
    here = encoder.encode(CLAIMS)
    _INHERITED[:] = [encoder]
    with ProcessPoolExecutor(1, multiprocessing.get_context("fork")) as pool:
        there, rebuilt = pool.submit(_encode_in_child).result(timeout=120)
    assert rebuilt and np.allclose(there, here, atol=1e-5)


def test_a_worker_pool_after_a_threaded_session_starts_fresh_processes(monkeypatch):
    """A process that ran ONNX Runtime with a pool of threads (an analysis before, in a notebook) cannot fork a
    worker that uses it: the pool then spawns fresh processes, which analyse as forked ones do."""
    from presslens import pipeline
    from presslens.nlp import onnx
    from presslens.options import Options

    monkeypatch.setattr(onnx, "_threaded", False)
    assert onnx.fork_is_safe()
    load_onnx_encoder(threads=2).encode(CLAIMS[:2])  # load_onnx_encoder is not cached: a new session
    assert not onnx.fork_is_safe()
    options = Options(fast=True, workers=1)
    pool = pipeline._Pool(options)
    try:
        assert pool.pool._mp_context.get_start_method() == "spawn"
    finally:
        pool.pool.shutdown()
    from presslens.ingest import Article

    items = [Article("a", '"One," Ann Lee said.'), Article("b", '"Two," Bob Ray said.')]
    out = list(pipeline.analyze_many(items, workers=2, chunk_size=1, fast=True))  # spawned workers
    assert [a.id for a in out] == ["a", "b"] and out[1].text == items[1].text and out[1].paragraphs
    monkeypatch.setattr(onnx, "_threaded", False)
    pool = pipeline._Pool(options)
    try:
        assert pool.pool._mp_context.get_start_method() == "fork"
    finally:
        pool.pool.shutdown()
