"""Tests for w2v_teach.exercises: every check passes the book's own solution and names typical mistakes.

The solutions are read from the folded solution blocks of the chapter notebooks, so a test fails
when a solution in the book drifts from the package's reference. The wrong answers below are the
mistakes students make (an off-by-one window, a missing 1/n, a flipped sign, a forgotten
exclusion, unnormalised vectors, the wrong axis, ...); each must fail with the sentence that names it.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import nbformat
import numpy as np
import pytest

import w2v_teach as w2v
from w2v_teach import exercises as ex
from w2v_teach import sampling

CHAPTERS = Path(__file__).resolve().parents[1] / "book" / "chapters"
CODE = re.compile(r"```python\n(.*?)\n```", re.S)


def solution_code(exercise_id: str) -> str:
    """Return the Python code of the book's solution block for `exercise_id`."""
    chapter = ex.core.get(exercise_id).chapter
    (path,) = CHAPTERS.glob(f"{chapter:02d}_*.ipynb")
    markdown = "\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown")
    start = markdown.find(f"{{solution}} {exercise_id}\n")
    assert start >= 0, f"{path.name} has no solution block for {exercise_id}"
    code = CODE.search(markdown, start)
    assert code is not None, f"the solution of {exercise_id} has no python code"
    return code.group(1)


def book_function(exercise_id: str):
    """Run the book's solution code and return the function it defines."""
    namespace = {"np": np, "w2v": w2v}
    exec(compile(solution_code(exercise_id), f"<solution {exercise_id}>", "exec"), namespace)
    return namespace[ex.core.get(exercise_id).function]


@pytest.mark.parametrize("exercise_id", list(ex.list_exercises()))
def test_the_books_solution_passes(exercise_id: str) -> None:
    result = ex.check(exercise_id, book_function(exercise_id))
    assert result.passed, result.message
    assert ex.MAX_CASES >= result.cases_passed == result.cases_total >= 3


@pytest.mark.parametrize("exercise_id", list(ex.list_exercises()))
def test_the_exercise_text_shows_the_check_call(exercise_id: str) -> None:
    chapter = ex.core.get(exercise_id).chapter
    (path,) = CHAPTERS.glob(f"{chapter:02d}_*.ipynb")
    markdown = "\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown")
    block = markdown[markdown.index(f":label: {exercise_id}\n"):]
    block = block[:block.index("```")]
    function = ex.core.get(exercise_id).function
    assert f'w2v.exercises.check("{exercise_id}", {function})' in block


def test_at_least_two_exercises_a_chapter_and_eighteen_in_all() -> None:
    listed = ex.list_exercises()
    assert len(listed) >= 18
    for chapter in range(1, 10):
        assert len(ex.list_exercises(chapter)) >= 2, chapter
    assert "ch3-keep-probability" in listed and "ch2-scatter-add" in listed  # promised by the course page


# -- the wrong answers: each a typical mistake, and the words the check must find -----------------

def _cooc(ids, V, m, lo=1, hi=None, both=True):
    X = np.zeros((V, V))
    for d in range(lo, (m if hi is None else hi) + 1):
        for i in range(len(ids) - d):
            X[ids[i], ids[i + d]] += 1
            if both:
                X[ids[i + d], ids[i]] += 1
    return X


def _ppmi(X, axis_swap=False, clip=True, log=np.log):
    rows, cols = X.sum(axis=1, keepdims=True), X.sum(axis=0, keepdims=True)
    if axis_swap:
        rows, cols = cols.T, rows.T
    with np.errstate(divide="ignore"):
        pmi = log(X * X.sum() / (rows * cols))
    return np.maximum(pmi, 0) if clip else pmi


def _softmax_grad(scores, targets, sign=1, mean=True, stable=True, axis=1, subtract=True):
    s = scores - scores.max(axis=axis, keepdims=True) if stable else scores
    p = np.exp(s) / np.exp(s).sum(axis=axis, keepdims=True)
    if subtract:
        p[np.arange(len(targets)), targets] -= 1
    return sign * p / (len(targets) if mean else 1)


def _cbow(W_in, W_out, contexts, targets, per_word=True, mask=True, add_at=True, sign=1, loss_sum=False):
    B = len(targets)
    real = contexts >= 0 if mask else np.ones(contexts.shape, bool)
    n = real.sum(axis=1)
    h = (W_in[contexts] * real[:, :, None]).sum(axis=1) / n[:, None]
    s = h @ W_out.T
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(B), targets])
    p[np.arange(B), targets] -= 1
    delta = sign * p / B
    owner = np.nonzero(real)[0]
    dW_in = np.zeros_like(W_in)
    step = (delta @ W_out)[owner] / (n[owner, None] if per_word else 1)
    if add_at:
        np.add.at(dW_in, contexts[real], step)
    else:
        dW_in[contexts[real]] += step
    return (loss.sum() if loss_sum else loss.mean()), dW_in, delta.T @ h


def _window(ids, m, rng, low=1, high=None, fixed=False, one_side=False):
    n = len(ids)
    b = np.full(n, m) if fixed else rng.integers(low, (m if high is None else high) + 1, size=n)
    c, o = [], []
    for i in range(n):
        for j in range(max(0, i - b[i]), min(n, i + b[i] + 1)):
            if j != i and (j > i or not one_side):
                c.append(ids[i])
                o.append(ids[j])
    return np.array(c, dtype=np.int64), np.array(o, dtype=np.int64)


def _sgns_torch(neg_sign=-1, reduce="mean", k_mean=False, detach=False, item=False):
    import torch
    import torch.nn.functional as F

    def loss(v_c, u_o, u_neg):
        pos = F.logsigmoid((v_c * u_o).sum(1))
        neg = F.logsigmoid(neg_sign * torch.einsum("bkd,bd->bk", u_neg, v_c))
        per = -(pos + (neg.mean(1) if k_mean else neg.sum(1)))
        out = per.sum() if reduce == "sum" else per.mean()
        return out.item() if item else (out.detach() if detach else out)
    return loss


def _context_mean(kind):
    def mean(weight, contexts):
        real = (contexts >= 0).unsqueeze(2)
        if kind == "padding":
            return weight[contexts].mean(dim=1)
        summed = (weight[contexts.clamp(min=0)] * real).sum(dim=1)
        return summed if kind == "sum" else summed / contexts.shape[1]
    return mean


def _lengths(kind):
    def lengths(counts):
        tree = w2v.hsoftmax.huffman(counts)
        if kind == "nodes":
            return tree.lengths + 1
        if kind == "balanced":
            return w2v.hsoftmax.huffman(np.ones(len(counts))).lengths
        order = np.argsort(counts)  # the rarest word gets the shortest code
        out = np.empty(len(counts), dtype=int)
        out[order] = np.sort(tree.lengths)
        return out
    return lengths


def _hs_probs(kind):
    def probs(h, nodes, tree):
        out = np.ones(tree.vocab_size)
        for w in range(tree.vocab_size):
            s = nodes[tree.points[w]] @ h
            sign = {"swapped": 2 * tree.codes[w] - 1, "unsigned": 1}.get(kind, 1 - 2 * tree.codes[w])
            terms = 1 / (1 + np.exp(-sign * s))
            out[w] = terms.sum() if kind == "sum" else np.prod(terms)
        return out
    return probs


def _analogy(kind):
    def analogy(vectors, words, a, b, c):
        V = vectors if kind == "raw" else vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        i = {w: k for k, w in enumerate(words)}
        target = V[i[a]] - V[i[b]] + V[i[c]] if kind == "direction" else V[i[b]] - V[i[a]] + V[i[c]]
        scores = V @ target
        if kind != "no_exclusion":
            scores[[i[a], i[b], i[c]]] = -np.inf
        return words[int(np.argmax(scores))]
    return analogy


def _fisher(se_n=False, q=1.96, back=True, around_rho=False):
    def interval(rho, n):
        se = 1 / np.sqrt(n if se_n else n - 3)
        centre = rho if around_rho else np.arctanh(rho)
        lo, hi = centre - q * se, centre + q * se
        return (np.tanh(lo), np.tanh(hi)) if back and not around_rho else (lo, hi)
    return interval


def _weat(cosine=True, ddof=1, pooled=True, statistic=False):
    def effect(emb, X, Y, A, B):
        def rows(words):
            V = np.stack([emb[w] for w in words]).astype(float)
            return V / np.linalg.norm(V, axis=1, keepdims=True) if cosine else V

        def s(words):
            return (rows(words) @ rows(A).T).mean(1) - (rows(words) @ rows(B).T).mean(1)
        sx, sy = s(X), s(Y)
        if statistic:
            return sx.sum() - sy.sum()
        return (sx.mean() - sy.mean()) / (np.concatenate([sx, sy]) if pooled else sx).std(ddof=ddof)
    return effect


def _neutralize(unit_g=True, renorm=True, sign=-1):
    def neutral(vectors, g):
        g = g / np.linalg.norm(g) if unit_g else g
        V = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        out = V + sign * np.outer(V @ g, g)
        return out / np.linalg.norm(out, axis=1, keepdims=True) if renorm else out
    return neutral


def _ndcg(first=2, truncate=True, binary=False):
    def ndcg(ranked, targets, k):
        cut = ranked[:, :k] if truncate else ranked
        hits = cut == targets[:, None]
        gain = 1 / np.log2(np.arange(first, cut.shape[1] + first))
        return (np.where(hits, 1.0 if binary else gain, 0)).sum(axis=1).mean()
    return ndcg


def _int8(kind):
    def quantize(vectors):
        per_row = np.abs(vectors).max(axis=1, keepdims=True)
        scale = np.abs(vectors).max() / 127 if kind == "global" else np.where(per_row > 0, per_row, 1) / 127
        q = vectors / scale
        codes = np.trunc(q) if kind == "trunc" else np.rint(q)
        return codes.astype(np.int16 if kind == "int16" else np.int8), np.ravel(scale * np.ones((len(vectors), 1)))
    return quantize


def _split(kind):
    def split(ids, workers):
        size = len(ids) // workers
        if kind == "drop":
            return [ids[r * size:(r + 1) * size] for r in range(workers)]
        if kind == "overlap":
            return [ids[r * size:(r + 1) * size + 1] if r < workers - 1 else ids[r * size:] for r in range(workers)]
        if kind == "interleave":
            return [ids[r::workers] for r in range(workers)]
        return [ids[r * size:(r + 1) * size] for r in range(workers - 1)] + [ids[(workers - 1) * size:]]
    return split


def _lr(kind):
    def rate(lr0, done, total):
        p = done / total
        return {"zero": lr0 * max(1 - p, 0.0), "negative": lr0 * (1 - p), "grows": lr0 * max(p, 1e-4),
                "per_worker": lr0 * max(1 - p * 2, 1e-4)}[kind]
    return rate


def _keep(formula="c_tool", clip=True, by_count=False, drop=False):
    def keep(counts, t):
        f = counts if by_count else counts / counts.sum()
        with np.errstate(divide="ignore"):
            r = t / f
        p = np.sqrt(r) if formula == "paper" else np.sqrt(r) + r
        p = np.minimum(p, 1) if clip else p
        return 1 - p if drop else p
    return keep


def _scatter(kind):
    def scatter(table, ids, rows):
        if kind == "assign":
            table[ids] = rows
        elif kind == "lost":
            table[ids] += rows
        else:  # a loop that skips ids seen before
            for i in sorted(set(ids.tolist())):
                table[i] += rows[list(ids).index(i)]
    return scatter


WRONG = {
    "ch1-cooccurrence": [(lambda ids, V, m: _cooc(ids, V, m, hi=m + 1), "off by one"),
                         (lambda ids, V, m: _cooc(ids, V, m, hi=m - 1), "off by one"),
                         (lambda ids, V, m: _cooc(ids, V, m, both=False), "one side"),
                         (lambda ids, V, m: _cooc(ids, V, m) + np.diag(np.bincount(ids, minlength=V)), "its own context")],
    "ch1-ppmi": [(lambda X: _ppmi(X, clip=False), "-inf"), (lambda X: _ppmi(X, axis_swap=True), "wrong axis"),
                 (lambda X: _ppmi(X, log=np.log2), "natural log"),
                 (lambda X: np.where(X > 0, _ppmi(X, clip=False), 0), "max(PMI, 0)")],
    "ch2-softmax-gradient": [(lambda s, t: _softmax_grad(s, t, sign=-1), "sign is flipped"),
                             (lambda s, t: _softmax_grad(s, t, mean=False), "divide by the batch size"),
                             (lambda s, t: _softmax_grad(s, t, stable=False), "row's maximum"),
                             (lambda s, t: _softmax_grad(s, t, axis=0), "axis 0"),
                             (lambda s, t: _softmax_grad(s, t, subtract=False), "one-hot target")],
    "ch2-cbow-gradient": [(lambda *a: _cbow(*a, per_word=False), "1/n"), (lambda *a: _cbow(*a, mask=False), "padding"),
                          (lambda *a: _cbow(*a, add_at=False), "np.add.at"), (lambda *a: _cbow(*a, sign=-1), "sign"),
                          (lambda *a: _cbow(*a, loss_sum=True), "loss is the mean"),
                          (lambda *a: _cbow(*a)[1:], "tuple of 3")],
    "ch2-scatter-add": [(_scatter("lost"), "last write wins"), (_scatter("assign"), "replace the rows"),
                        (_scatter("first"), "differs from the reference at entry")],
    "ch3-keep-probability": [(_keep(formula="paper"), "paper's formula"), (_keep(clip=False), "exceed 1"),
                             (_keep(by_count=True), "relative frequency"), (_keep(drop=True), "dropping")],
    "ch3-dynamic-window": [(lambda ids, m, rng: _window(ids, m, rng, fixed=True), "never shrunk"),
                           (lambda ids, m, rng: _window(ids, m, rng, low=0), "drawn from 0.."),
                           (lambda ids, m, rng: _window(ids, m, rng, high=m + 1), "off by one"),
                           (lambda ids, m, rng: _window(ids, m, rng, one_side=True), "one side"),
                           (lambda ids, m, rng: _window(ids, m, rng)[0], "tuple of 2")],
    "ch4-sgns-loss": [(_sgns_torch(neg_sign=1), "wrong sign"), (_sgns_torch(reduce="sum"), "the mean"),
                      (_sgns_torch(k_mean=True), "adds them"), (_sgns_torch(item=True), "torch tensor"),
                      (_sgns_torch(detach=True), "detached")],
    "ch4-context-mean": [(_context_mean("sum"), "sum of the context vectors"), (_context_mean("all"), "slots"),
                         (_context_mean("padding"), "padding slots")],
    "ch5-code-lengths": [(_lengths("nodes"), "one too long"), (_lengths("balanced"), "average length"),
                         (_lengths("reversed"), "wrong words"),
                         (lambda counts: list(np.full(len(counts) + 1, 2)), "one code length per word")],
    "ch5-path-probabilities": [(_hs_probs("swapped"), "turns are swapped"), (_hs_probs("unsigned"), "whichever way"),
                               (_hs_probs("sum"), "sum to")],
    "ch6-analogy": [(_analogy("no_exclusion"), "exclude a, b and c"), (_analogy("raw"), "normalised"),
                    (_analogy("direction"), "b - a + c"),
                    (lambda *a: 3, "a str")],
    "ch6-fisher-interval": [(_fisher(se_n=True), "sqrt(n - 3)"), (_fisher(q=1.645), "1.96"),
                            (_fisher(back=False), "back with tanh"), (_fisher(around_rho=True), "symmetric around rho")],
    "ch7-weat-effect": [(_weat(cosine=False), "cosine"), (_weat(ddof=0), "ddof=1"), (_weat(pooled=False), "together"),
                        (_weat(statistic=True), "test statistic")],
    "ch7-neutralize": [(_neutralize(unit_g=False), "unit length"), (_neutralize(renorm=False), "renormalise"),
                       (_neutralize(sign=1), "subtract")],
    "ch8-ndcg": [(_ndcg(first=1), "1/0"), (_ndcg(first=3), "shifted by one"), (_ndcg(truncate=False), "beyond position k"),
                 (_ndcg(binary=True), "hit rate")],
    "ch8-int8": [(_int8("global"), "one scale for the whole table"), (_int8("trunc"), "round to the nearest"),
                 (_int8("int16"), "int8")],
    "ch9-hogwild-slices": [(_split("drop"), "remainder"), (_split("overlap"), "overlap"),
                           (_split("interleave"), "contiguous"), (_split("unbalanced"), "balance them")],
    "ch9-shared-lr": [(_lr("zero"), "floor"), (_lr("negative"), "floor"), (_lr("grows"), "grows"),
                      (_lr("per_worker"), "constant factor")],
}


def test_every_exercise_has_three_wrong_answers() -> None:
    assert set(WRONG) == set(ex.list_exercises())
    assert all(len(wrong) >= 3 for wrong in WRONG.values())


@pytest.mark.parametrize("exercise_id, index", [(k, i) for k, v in WRONG.items() for i in range(len(v))])
def test_a_wrong_answer_fails_with_the_right_message(exercise_id: str, index: int) -> None:
    fn, words = WRONG[exercise_id][index]
    with np.errstate(all="ignore"):
        result = ex.check(exercise_id, fn)
    assert not result.passed
    assert words in result.message, result.message
    assert "Traceback" not in result.message


# -- the machinery: errors, time limits, types, results, the registry ----------------------------

def test_an_unknown_id_raises_keyerror_naming_it_and_the_closest() -> None:
    with pytest.raises(KeyError, match="'ch2-softmax-grad'.*'ch2-softmax-gradient'"):
        ex.check("ch2-softmax-grad", print)
    with pytest.raises(TypeError, match="exercise_id must be a str"):
        ex.check(2, print)


def test_a_function_that_raises_gets_it_said_in_words() -> None:
    def broken(counts, t):
        return counts / 0 + undefined_name  # noqa: F821

    result = ex.check("ch3-keep-probability", broken)
    assert result.status == "raised" and "NameError" in result.message and "broken, line" in result.message


def test_a_function_that_loops_is_stopped_by_the_alarm() -> None:
    def forever(counts, t):
        while True:
            pass

    result = ex.check("ch3-keep-probability", forever, time_limit=0.3)
    assert result.status == "timeout" and "alarm signal" in result.message and "0.3 s" in result.message


def test_outside_the_main_thread_the_time_limit_uses_a_thread() -> None:
    box = {}

    def slow(counts, t):
        import time
        time.sleep(1.0)

    worker = threading.Thread(target=lambda: box.setdefault("r", ex.check("ch3-keep-probability", slow, 0.2)))
    worker.start()
    worker.join()
    assert box["r"].status == "timeout" and "background thread" in box["r"].message


def test_wrong_types_and_bad_arguments() -> None:
    assert "returned None" in ex.check("ch3-keep-probability", lambda c, t: None).message
    assert ex.check("ch3-keep-probability", "keep_probability").status == "type"
    assert "shape" in ex.check("ch3-keep-probability", lambda c, t: np.ones(3)).message
    with pytest.raises(ValueError, match="time_limit"):
        ex.check("ch3-keep-probability", sampling.keep_probability, time_limit=0)
    with pytest.raises(ValueError, match="chapter"):
        ex.list_exercises(10)


def test_the_result_reads_well_and_is_recorded_for_the_grader() -> None:
    result = ex.check("ch3-keep-probability", lambda counts, t: sampling.keep_probability(counts, t))
    assert result and result.passed and result.exercise == "ch3-keep-probability"
    assert repr(result).startswith("ch3-keep-probability: passed.")
    assert "**passed**" in result._repr_markdown_()
    assert ex.recorded()["ch3-keep-probability"] is not None
    regraded = ex.regrade()
    assert regraded["ch3-keep-probability"]["passed"] is True
    failed = ex.check("ch3-keep-probability", _keep(formula="paper"))
    assert "not yet" in repr(failed) and "**not yet**" in failed._repr_markdown_()


def test_the_student_cannot_change_the_hidden_cases() -> None:
    def vandal(counts, t):
        counts[:] = 0  # changes its own copy only
        return np.ones(len(counts))

    ex.check("ch3-keep-probability", vandal)
    assert ex.check("ch3-keep-probability", sampling.keep_probability).passed


def test_a_duplicate_id_is_refused() -> None:
    existing = ex.core.get("ch8-ndcg")
    with pytest.raises(ValueError, match="registered twice"):
        ex.core.register(existing)


def test_solution_code_is_found_in_the_notebook() -> None:
    code = solution_code("ch2-scatter-add")
    assert "def scatter_add" in code and "np.add.at" in code


@pytest.mark.parametrize("chapter", range(1, 10))
def test_the_students_edition_keeps_the_check_calls_and_drops_the_solutions(chapter: int) -> None:
    """Strip the solutions as tools/editions.py does for the students' edition and look at what is left."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("editions", CHAPTERS.parents[1] / "tools" / "editions.py")
    editions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(editions)
    (path,) = CHAPTERS.glob(f"{chapter:02d}_*.ipynb")
    markdown = "\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown")
    students = editions.strip_solutions(markdown)
    for exercise_id, exercise in ((k, ex.core.get(k)) for k in ex.list_exercises(chapter)):
        assert f'w2v.exercises.check("{exercise_id}", {exercise.function})' in students
        assert f"def {exercise.function}(" not in students  # the solution's code is gone


def test_the_grader_log_gets_every_result(tmp_path, monkeypatch) -> None:
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv(ex.GRADE_LOG, str(log))
    ex.check("ch8-ndcg", lambda ranked, targets, k: 0.0)
    ex.check("ch8-ndcg", w2v.recommend.ndcg_at_k)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and '"passed": false' in lines[0] and '"passed": true' in lines[1]


def test_the_course_page_lists_every_checked_exercise() -> None:
    """book/course.md's 'Grading exercises' names every checked exercise and their number, in words."""
    text = (CHAPTERS.parent / "course.md").read_text(encoding="utf-8")
    section = text[text.index("## Grading exercises"):]
    section = section[:section.index("\n## ", 5)]
    words = {18: "Eighteen", 19: "Nineteen", 20: "Twenty", 21: "Twenty-one", 22: "Twenty-two"}
    assert section.split("\n\n")[1].startswith(f"{words[len(ex.list_exercises())]} coding exercises")
    for exercise_id in ex.list_exercises():
        assert f"`{exercise_id}`" in section, exercise_id
