"""Chapter 4's checkable exercises, in PyTorch: the negative-sampling loss and CBOW's context average.

PyTorch is imported inside the functions, so that listing or checking the other chapters'
exercises never loads it.
"""
from __future__ import annotations

import numpy as np

from .. import sgns
from .core import Case, Exercise, Wrong, compare_array, register


def _sgns_reference(v_c, u_o, u_neg):
    """Return (loss, dv_c, du_o, du_neg) from sgns.loss_and_grads on tables that hold the given rows."""
    B, K, dim = u_neg.shape
    W_out = np.vstack([u_o, u_neg.reshape(B * K, dim)])  # rows 0..B-1 positives, then the negatives
    negatives = B + np.arange(B * K).reshape(B, K)
    W_in = np.zeros_like(W_out)  # the two tables have the same shape; rows 0..B-1 are the centres
    W_in[:B] = v_c
    loss, dW_in, dW_out = sgns.loss_and_grads(W_in, W_out, np.arange(B), np.arange(B), negatives)
    return loss, dW_in[:B], dW_out[:B], dW_out[B:].reshape(B, K, dim)


def _loss_variant(v_c, u_o, u_neg, *, neg_sign=-1.0, reduce="mean", neg_mean=False, negatives=True):
    """Return a wrong per-batch loss (NumPy): the negatives' sign, a sum, a mean over K, no negatives."""
    pos = -sgns.log_sigmoid(np.einsum("bd,bd->b", v_c, u_o))
    neg = -sgns.log_sigmoid(neg_sign * np.einsum("bkd,bd->bk", u_neg, v_c))
    per = pos + ((neg.mean(axis=1) if neg_mean else neg.sum(axis=1)) if negatives else 0.0)
    return float(per.sum() if reduce == "sum" else per.mean())


def _sgns_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden batches for sgns_loss(v_c, u_o, u_neg)."""
    import torch

    cases = []
    for name, B, K, dim in [("4 pairs, 3 noise words, dim 5", 4, 3, 5), ("1 pair, 5 noise words, dim 8", 1, 5, 8),
                            ("7 pairs, 2 noise words, dim 3", 7, 2, 3)]:
        v_c, u_o, u_neg = rng.normal(0, 0.6, (B, dim)), rng.normal(0, 0.6, (B, dim)), rng.normal(0, 0.6, (B, K, dim))
        args = (v_c, u_o, u_neg)
        wrong = [(_loss_variant(*args, neg_sign=1.0), "The noise term has the wrong sign: a noise word's score "
                  "enters as log sigmoid(-u_k . v_c)."),
                 (_loss_variant(*args, reduce="sum"), "Your loss is the sum over the batch; return the mean."),
                 (_loss_variant(*args, neg_mean=True), "You average the K noise terms; word2vec's loss adds them."),
                 (_loss_variant(*args, negatives=False), "The noise words are missing from your loss.")]
        leaves = tuple(torch.tensor(a, requires_grad=True) for a in args)  # float64 leaves: autograd is checked too
        cases.append(Case(name, leaves, _sgns_reference(*args), tuple(wrong)))
    return cases


def _judge_sgns(value, case: Case, args: tuple) -> None:
    """Judge the loss tensor, then autograd's gradients against sgns.loss_and_grads."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise Wrong(f"Expected a torch tensor (one number that autograd can follow), got a {type(value).__name__}; "
                    "do not call .item() or convert to NumPy.")
    if value.numel() != 1:
        raise Wrong("Expected the loss as one number (the mean over the batch), got a tensor of shape "
                    f"{tuple(value.shape)}.")
    compare_array(value.detach().reshape(()), case, "your loss", case.expected[0])
    if value.grad_fn is None:
        raise Wrong("Your loss is detached from its inputs (no grad_fn): compute it with torch operations only.")
    value.reshape(()).backward()
    for name, tensor, expected in zip(["v_c", "u_o", "u_neg"], args, case.expected[1:]):
        grad = tensor.grad if tensor.grad is not None else torch.zeros_like(tensor)
        compare_array(grad, case, f"autograd's gradient with respect to {name}", expected, ())


register(Exercise(
    "ch4-sgns-loss", "The negative-sampling loss in PyTorch", 4, "sgns_loss",
    "sgns_loss(v_c, u_o, u_neg) -> scalar tensor, the batch mean", _sgns_cases, _judge_sgns))


def _mean_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden cases of context_mean(weight, contexts): padded rows of different lengths."""
    import torch

    from .. import torch_models

    cases = []
    for name, B, C, V, dim in [("3 rows, no padding", 3, 2, 6, 4), ("5 rows padded with -1", 5, 4, 9, 3),
                               ("4 rows of 1 to 4 real words, a repeated word", 4, 4, 7, 5)]:
        W_in = rng.normal(size=(V, dim))
        contexts = rng.integers(0, V - 1, size=(B, C))
        if "padded" in name or "real words" in name:
            for b in range(B):
                contexts[b, 1 + b % C:] = -1
        if "repeated" in name:
            contexts[2, :3] = contexts[3, 0]
        model = torch_models.CBOW.from_matrices(W_in, np.zeros_like(W_in))
        expected = model.hidden(torch.as_tensor(contexts)).detach().numpy()
        real = contexts >= 0
        summed = (W_in[contexts] * real[:, :, None]).sum(axis=1)
        wrong = [(summed, "You return the sum of the context vectors; h is their average (divide by the number "
                  "of real words)."),
                 (summed / C, f"You divide by all {C} slots; divide each row by its number of real (non -1) words."),
                 (W_in[contexts].mean(axis=1), "The padding slots (-1) are averaged in as the last row of the table: "
                  "leave them out.")]
        cases.append(Case(name, (torch.as_tensor(W_in), torch.as_tensor(contexts)), expected, tuple(wrong)))
    return cases


def _judge_mean(value, case: Case, args: tuple) -> None:
    """Judge the (B, dim) tensor of context averages."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise Wrong(f"Expected a torch tensor of shape {case.expected.shape}, got a {type(value).__name__}.")
    compare_array(value, case, "your h")


register(Exercise(
    "ch4-context-mean", "CBOW's context average in PyTorch", 4, "context_mean",
    "context_mean(weight, contexts) -> (B, dim) tensor, contexts padded with -1", _mean_cases, _judge_mean))
