"""torch_batches: the PyTorch batch pipeline that torch_train, hogwild and streaming share."""
from collections import Counter

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from w2v_teach import sampling, windows  # noqa: E402
from w2v_teach import torch_batches as tb  # noqa: E402


# -- the batch pipeline ------------------------------------------------------------------------
def test_skipgram_batches_hold_exactly_the_window_pairs():
    V, window, batch = 7, 3, 5
    ids = np.random.default_rng(0).integers(0, V, 40)
    counts = np.bincount(ids, minlength=V)
    cdf = torch.from_numpy(sampling.NegativeSampler(sampling.noise_distribution(counts)).cdf)
    layout = tb.BatchLayout("skipgram", window, group=2, n_noise=3)
    chunk = tb.make_chunk(ids, tb.ChunkSpec(layout, counts, None, batch, cdf), np.random.default_rng(4),
                           torch.Generator().manual_seed(0))
    pairs, noise = Counter(), []
    for s, b in zip(chunk.starts, chunk.sizes):
        ib = chunk.flat[s:s + layout.width(b)].numpy()
        assert layout.width(b) == 2 * b + -(-b // 2) * 3  # centres, contexts, 3 noise words per 2 pairs
        pairs.update(zip(ib[:b].tolist(), (ib[b:2 * b] - V).tolist()))
        noise += (ib[2 * b:] - V).tolist()
    centers, contexts = windows.skipgram_pairs(ids, window, np.random.default_rng(4))  # same draws
    assert pairs == Counter(zip(centers.tolist(), contexts.tolist()))
    assert set(chunk.sizes[:-1]) == {batch} and chunk.words == len(ids)
    assert chunk.starts[-1] + layout.width(chunk.sizes[-1]) == len(chunk.flat)
    assert all(0 <= w < V and counts[w] > 0 for w in noise)


def test_cbow_batches_pad_with_the_zero_row():
    V, window = 6, 2
    ids = np.arange(12) % V
    counts = np.bincount(ids, minlength=V)
    cdf = torch.from_numpy(sampling.NegativeSampler(sampling.noise_distribution(counts)).cdf)
    layout = tb.BatchLayout("cbow", window, group=1, n_noise=2)
    chunk = tb.make_chunk(ids, tb.ChunkSpec(layout, counts, None, 4, cdf), np.random.default_rng(1),
                           torch.Generator().manual_seed(1))
    contexts, targets = windows.cbow_examples(ids, window, np.random.default_rng(1))
    seen = []
    for s, b in zip(chunk.starts, chunk.sizes):
        ib = chunk.flat[s:s + layout.width(b)].numpy()
        assert layout.width(b) == b * 2 * window + b + b * 2  # slots, centres, 2 noise words each
        slots = ib[:b * 2 * window].reshape(b, 2 * window)
        seen += [(tuple(np.where(row == 2 * V, -1, row)), t - V) for row, t in zip(slots, ib[b * 2 * window:][:b])]
    assert Counter(seen) == Counter(zip(map(tuple, contexts.tolist()), targets.tolist()))


def test_noise_cdf_and_expected_words():
    counts = np.array([8, 4, 2, 1])
    cdf = tb.noise_cdf(counts)
    p = counts ** 0.75 / (counts ** 0.75).sum()
    np.testing.assert_allclose(cdf.numpy(), np.cumsum(p), rtol=1e-12)
    ids = np.array([0, 0, 1, 3])
    assert tb.expected_words(counts, ids, None) == 4.0
    keep = sampling.keep_probability(counts, 0.1)
    assert tb.expected_words(counts, ids, 0.1) == pytest.approx(keep[ids].sum())


def test_a_chunk_stream_draws_the_same_batches_on_every_pass():
    ids = np.random.default_rng(0).integers(0, 6, 300)
    counts = np.bincount(ids, minlength=6)
    spec = tb.ChunkSpec(tb.BatchLayout("skipgram", 2, 4, 3), counts, 1e-2, 16, tb.noise_cdf(counts))
    stream = tb.ChunkStream(ids, 2, 100, 7, spec)
    first, second = list(stream.chunks()), list(stream.chunks())
    assert len(first) == 6  # 2 epochs x 3 chunks of 100 tokens
    for a, b in zip(first, second):
        assert torch.equal(a.flat, b.flat) and a.sizes == b.sizes and a.words == b.words


class _Recorder:
    """A stepper that records what the loop hands it."""

    def __init__(self, layout):
        self.layout, self.optimizer, self.calls = layout, None, []

    def step(self, rows_index, b, lr, want_loss):
        self.calls.append((len(rows_index), b, lr, want_loss))
        return 1.0 if want_loss else None


def test_the_loop_decays_the_rate_by_words_and_logs_every_kth_batch():
    from w2v_teach.training import LossLog, linear_lr

    layout = tb.BatchLayout("skipgram", 1, 2, 1)
    chunks = [tb.Chunk(torch.arange(20), [0, 10], [4, 4], words=50),
              tb.Chunk(torch.arange(10), [0], [4], words=50)]
    stepper, log = _Recorder(layout), LossLog(2)

    class Bar:
        total = 0

        def update(self, n):
            Bar.total += n
    run = tb.loop(iter(chunks), stepper, torch.device("cpu"), 0.1, 100.0, log, Bar())
    assert run == {"words": 100, "batches": 3, "final_lr": linear_lr(0.1, 0.5)}
    assert [c[2] for c in stepper.calls] == [0.1, linear_lr(0.1, 0.25), linear_lr(0.1, 0.5)]
    assert [c[3] for c in stepper.calls] == [True, False, True] and log.values == [1.0, 1.0]
    assert all(c[0] == layout.width(4) for c in stepper.calls) and Bar.total == 100


def test_scatter_add_sums_repeated_rows():
    W = torch.zeros(4, 2, dtype=torch.float64)
    tb.scatter_add(W, torch.tensor([1, 1, 3]), torch.ones(3, 2, dtype=torch.float64), alpha=-0.5)
    assert W[:, 0].tolist() == [0.0, -1.0, 0.0, -0.5]
