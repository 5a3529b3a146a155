"""Chapter 2's checkable exercises: the softmax gradient, CBOW's gradients with the 1/n rule, the scatter-add."""
from __future__ import annotations

import numpy as np

from .. import cbow_softmax, scatter
from .core import Case, Exercise, Wrong, compare_array, compare_tuple, register


def _score_gradient_reference(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Return dL/dscores of the batch-mean cross-entropy, read off cbow_softmax.loss_and_grads.

    With W_out the identity and example b's only context word holding scores[b] as its input
    vector, h = scores[b] and W_out h = scores[b]; the gradient that this context word receives,
    W_out^T (y_hat - y) / B, is then exactly the gradient with respect to the scores.
    """
    B, V = scores.shape
    W_in = np.zeros((max(B, V), V))
    W_in[:B] = scores
    W_out = np.eye(max(B, V), V)  # rows beyond V are never a target
    contexts = np.arange(B)[:, None]  # (B, 1): example b reads row b
    _, dW_in, _ = cbow_softmax.loss_and_grads(W_in, W_out, contexts, targets)
    return dW_in[:B]  # (B, V)


def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden cases of softmax_gradient(scores, targets)."""
    cases = []
    for name, B, V, scale in [("4 examples, 7 words", 4, 7, 1.0), ("1 example, 5 words", 1, 5, 2.0),
                              ("6 examples, 10 words, scores in the hundreds", 6, 10, 300.0)]:
        scores = rng.normal(0, scale, size=(B, V))
        targets = rng.integers(0, V, size=B)
        expected = _score_gradient_reference(scores, targets)
        p = cbow_softmax.softmax(scores)
        onehot = np.eye(V)[targets]
        wrong = [(p - onehot, "You return the gradient of the *summed* loss: the loss is "
                  "the mean over the batch, so divide by the batch size B."),
                 (p / B, "You forgot to subtract the one-hot target y: the gradient is (y_hat - y) / B."),
                 ((onehot - p) / B, "The sign is flipped: the gradient of -log y_hat_c is y_hat - y, not y - y_hat."),
                 ((cbow_softmax.softmax(scores, axis=0) - onehot) / B,
                  "Your softmax normalises over the batch (axis 0); it must normalise each row over the words (axis 1).")]
        cases.append(Case(name, (scores, targets), expected, tuple(wrong)))
    return cases


def _judge_softmax(value, case: Case, args: tuple) -> None:
    """Judge a (B, V) score gradient: an overflow first, then the known mistakes."""
    got = np.asarray(value, dtype=np.float64) if isinstance(value, np.ndarray) else None
    if got is not None and got.shape == case.expected.shape and not np.isfinite(got).all():
        raise Wrong("Your gradient contains NaN or infinity: np.exp overflows for large scores. Subtract "
                    "each row's maximum before np.exp; the softmax does not change.")
    compare_array(value, case, "your gradient (B, V)")


register(Exercise(
    "ch2-softmax-gradient", "The gradient of softmax plus cross-entropy", 2, "softmax_gradient",
    "softmax_gradient(scores, targets) -> (B, V) gradient of the batch-mean loss", _softmax_cases, _judge_softmax))


def _cbow_variant(W_in, W_out, contexts, targets, *, per_word=True, mask=True, add_at=True, sign=1.0):
    """Return (loss, dW_in, dW_out) of CBOW with one mistake switched on: the wrong answers."""
    B = len(targets)
    real = contexts >= 0 if mask else np.ones(contexts.shape, bool)
    n = real.sum(axis=1)  # (B,)
    h = (W_in[contexts] * real[:, :, None]).sum(axis=1) / n[:, None]  # (B, dim)
    p = cbow_softmax.softmax(h @ W_out.T)  # (B, V)
    loss = float(-np.log(p[np.arange(B), targets]).mean())
    delta = (p - np.eye(W_out.shape[0])[targets]) / B * sign  # (B, V)
    dW_out = delta.T @ h
    dh = delta @ W_out  # (B, dim)
    rows = np.broadcast_to(np.arange(B)[:, None], contexts.shape)[real]
    step = dh[rows] / (n[rows, None] if per_word else 1.0)
    dW_in = np.zeros_like(W_in)
    if add_at:
        np.add.at(dW_in, contexts[real], step)
    else:
        dW_in[contexts[real]] += step  # drops repeated rows: the mistake
    return loss, dW_in, dW_out


def _cbow_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden CBOW batches: padded rows, a repeated context word, rows of different lengths."""
    cases = []
    for name, B, V, dim, C in [("3 examples, 2 context words each", 3, 6, 4, 2),
                               ("5 examples with -1 padding and a repeated word", 5, 9, 3, 4),
                               ("6 examples with rows of 1 to 4 real words", 6, 12, 5, 4)]:
        W_in, W_out = rng.normal(0, 0.5, (V, dim)), rng.normal(0, 0.5, (V, dim))
        contexts = rng.integers(0, V - 1, size=(B, C))
        if "repeated" in name:
            contexts[1, :2] = contexts[0, 0]  # the same word twice in a row and in another row
        if "padding" in name or "rows of" in name:
            for b in range(B):
                contexts[b, 1 + b % C:] = -1
        targets = rng.integers(0, V, size=B)
        expected = cbow_softmax.loss_and_grads(W_in, W_out, contexts, targets)
        args = (W_in, W_out, contexts, targets)
        variants = {"per_word": _cbow_variant(*args, per_word=False), "mask": _cbow_variant(*args, mask=False),
                    "add_at": _cbow_variant(*args, add_at=False), "sign": _cbow_variant(*args, sign=-1.0)}
        cases.append(Case(name, args, expected, extra=variants))
    return cases


_CBOW_SENTENCES = {
    "per_word": "dW_in gives each context word the whole dL/dh: with h the *average* of n words, each "
                "receives 1/n of it (divide by the number of real context words of its row).",
    "mask": "The padding slots (-1) are treated as words: W_in[-1] is the last row of the table, not "
            "a word of the context. Average over the real slots only, and give padding no gradient.",
    "add_at": "A word that occurs more than once in the batch got only one update: `a[idx] += g` keeps "
              "one of the repeated rows. Use np.add.at (or w2v.scatter.scatter_add).",
    "sign": "The sign is flipped: the gradient of the loss is (y_hat - y) times the inputs, not y - y_hat.",
}


def _judge_cbow(value, case: Case, args: tuple) -> None:
    """Judge (loss, dW_in, dW_out): each gradient against the known mistakes, then the loss."""
    loss, dW_in, dW_out = compare_tuple(value, 3, ["loss", "dW_in", "dW_out"])
    for part, (got, index) in {"dW_out": (dW_out, 2), "dW_in": (dW_in, 1)}.items():
        wrong = tuple((variant[index], _CBOW_SENTENCES[key]) for key, variant in case.extra.items())
        compare_array(got, case, f"your {part}", case.expected[index], wrong)
    B = case.args[3].shape[0]
    if not np.ndim(loss) == 0:
        raise Wrong(f"Expected the loss as one number (the mean over the batch), got shape {np.shape(loss)}.")
    wrong = ((case.expected[0] * B, "Your loss is the sum over the batch; the loss is the mean."),)
    compare_array(loss, case, "your loss", case.expected[0], wrong)


register(Exercise(
    "ch2-cbow-gradient", "CBOW's loss and gradients, with the 1/n rule", 2, "loss_and_grads",
    "loss_and_grads(W_in, W_out, contexts, targets) -> (loss, dW_in, dW_out)", _cbow_cases, _judge_cbow))


def _scatter_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden scatter-adds: distinct ids, repeated ids, one id many times."""
    cases = []
    for name, V, dim, ids in [("distinct ids", 6, 3, [4, 0, 2]), ("a repeated id", 5, 2, [1, 3, 1, 0]),
                              ("one id five times among others", 8, 4, [2, 2, 7, 2, 2, 5, 2])]:
        table = rng.normal(size=(V, dim))
        ids = np.array(ids)
        rows = rng.normal(size=(len(ids), dim))
        expected = table.copy()
        scatter.scatter_add(expected, ids, rows)
        lost = table.copy()
        lost[ids] += rows  # the mistake: repeated ids keep one row
        replaced = table.copy()
        replaced[ids] = rows
        wrong = [(lost, "A repeated id got only one of its rows: `table[ids] += rows` writes each row in turn "
                  "and the last write wins. Use np.add.at(table, ids, rows)."),
                 (replaced, "You replace the rows instead of adding to them: the result is table[i] + rows, "
                  "summed over every occurrence of i.")]
        cases.append(Case(name, (table, ids, rows), expected, tuple(wrong)))
    return cases


def _judge_scatter(value, case: Case, args: tuple) -> None:
    """Judge the table after the scatter-add (changed in place, or returned)."""
    table = args[0] if value is None else value  # in place, or the updated table returned
    compare_array(table, case, "the table after your scatter-add")


register(Exercise(
    "ch2-scatter-add", "The scatter-add, and the np.add.at pitfall", 2, "scatter_add",
    "scatter_add(table, ids, rows) -> None, adding rows[i] to table[ids[i]] in place",
    _scatter_cases, _judge_scatter))
