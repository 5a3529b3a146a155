"""The chapters' checked cells catch a wrong result.

The checked cells (tag ``nbval-check-output``, or the older first-line comment
``# NBVAL_CHECK_OUTPUT``) print claims that hold on any CPU: thresholds, answers, exact
computations. A claim loose enough to survive everything would check nothing, so here every
chapter runs under nbval once more with a perturbation slipped in before its first cell, and the
named cells that state the affected claims must then fail their comparison, while no cell may
raise: a cell that raises would "fail" for the wrong reason and prove nothing about the claim.

- "noise": every trained table of word vectors (any ``Embeddings`` of more than 500 words that
  knows "queen" and "princess") gets Gaussian noise of half its standard deviation, which costs
  the planted analogies about five points of accuracy and a whole section far more;
- "swap": the vectors of "queen" and "princess" trade places, so the classic analogy
  king - man + woman answers "princess" and the check of the classic analogies must fail;
- "items": chapter 8's item vectors (the planted shop's items, named c0i00, c1i00, ...) get noise
  of their whole standard deviation, so an item's nearest neighbour leaves its category.

Every chapter runs with "noise"; chapters 1, 2, 3, 5 and 7 also with "swap" (in chapters 4, 6
and 9 the same cells fail under both, and their runs are the longest), and chapter 8 with
"items", since its recommendation claims rest on item vectors, not words (its quantised word
table's analogies fail under "noise"; under "swap" they do not, because quantising the swapped
table re-creates it and swaps the rows back).

Cells are named by their notebook cell ids, which survive reformatting and moving cells; a
failure message shows the cell's source. Each run re-executes a whole chapter (about seven
minutes for all of them on an idle machine), so these runs are opt-in: ``pytest tests/test_checked_claims.py
--perturb``, a later step of ``.ci/run``. The self-tests below, which prove that the detection
itself works on a small notebook (a perturbation that makes a cell raise fails the check; one
that changes a checked answer is seen), run with the README's test command.
"""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

CHAPTERS = Path(__file__).resolve().parent.parent / "book" / "chapters"
CHECK_TAG, CHECK_COMMENT = "nbval-check-output", "# NBVAL_CHECK_OUTPUT"

_PATCH = '''
import numpy as _np
import w2v_teach.embeddings as _emb

_original_init = _emb.Embeddings.__init__


def _perturbed_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    if {condition}:
        v = _np.array(self.vectors, dtype=_np.float64)
        {body}
        _original_init(self, self.words, v.astype(self.vectors.dtype), counts=self.counts)


_emb.Embeddings.__init__ = _perturbed_init
'''

WORDS = 'len(self) > 500 and "queen" in self and "princess" in self'
ITEMS = '"c0i00" in self and "c1i00" in self'  # chapter 8's planted shop (w2v_teach.sessions)
PERTURBATIONS = {  # name -> (which tables, what happens to their vectors v)
    "noise": (WORDS, "v += _np.random.default_rng(0).normal(0.0, 0.5 * v.std(), v.shape)"),
    "swap": (WORDS, "q, p = self.index('queen'), self.index('princess'); v[[q, p]] = v[[p, q]]"),
    "items": (ITEMS, "v += _np.random.default_rng(0).normal(0.0, 1.0 * v.std(), v.shape)"),
}

# (chapter, perturbation) -> {cell id: the claim that must then fail}
_CH1_LINES = {"209aa489": "the eight analogies answer queen, rome, ... (printed cosines)"}
_CH1_REPORT = {"1f5f0130": "PPMI + SVD's analogy accuracy per section"}
_CH2 = {"1bc18279": "CBOW softmax: every section at least 0.99",
        "16ed3d2d": "the eight analogies (cosine >= 0.80)"}
_CH3_LINES = {"c2b50e16": "skip-gram's classic analogies (cosine >= 0.70)"}
_CH4 = {"9121dab8": "PyTorch CBOW: total accuracy at least 0.95",
        "950377fe": "PyTorch CBOW's analogies"}
_CH5_LINES = {"c714e360": "hierarchical softmax's classic analogies (cosine >= 0.70)"}
_CH6 = {"470d9ed9": "gensim's classic analogies (cosine >= 0.60)",
        "896d9482": "our reader reads back exactly the vectors gensim saved"}
_CH7_LINES = {"4161e71c": "the merged-sense model's classic analogies (cosine >= 0.70)",
              "e3ed5daa": "the encoder's static input table: accuracy >= 0.70, king - man + woman"}
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("01_counts", "noise"): {**_CH1_LINES, **_CH1_REPORT,
                             "7b694024": "SVD of raw counts against SVD of PPMI (accuracies)"},
    ("01_counts", "swap"): {**_CH1_LINES, **_CH1_REPORT},
    ("02_cbow_softmax", "noise"): _CH2,
    ("02_cbow_softmax", "swap"): _CH2,
    ("03_sgns_numpy", "noise"): {**_CH3_LINES,
                                 "6873b187": "skip-gram: total accuracy at least 0.95",
                                 "eb759db6": "CBOW analogy accuracy at least 0.92"},
    ("03_sgns_numpy", "swap"): _CH3_LINES,
    ("04_pytorch", "noise"): _CH4,
    ("05_hsoftmax", "noise"): {**_CH5_LINES, "6d5d9d02": "our HS at least 0.95 on the planted questions"},
    ("05_hsoftmax", "swap"): _CH5_LINES,
    ("06_gensim", "noise"): _CH6,
    ("07_limitations", "noise"): {**_CH7_LINES,
                                  "2d669034": "sense shares follow the planted frequencies",
                                  "8f2c82dd": "fastText answers at least half of the unseen-word questions"},
    ("07_limitations", "swap"): _CH7_LINES,
    ("08_beyond_words", "noise"): {"b85b520c": "the int8-quantised table's classic analogies (cosine >= 0.70)"},
    ("08_beyond_words", "items"): {"ee9a0e1f": "item2vec: an item's nearest neighbour is in its category"},
    ("09_scaling", "noise"): {"46417d92": "the one-worker Hogwild run's analogies (cosine >= 0.60)",
                              "b2414c39": "every Hogwild run answers at least 0.85 of the planted questions"},
}


def is_checked(cell) -> bool:
    """Return whether nbval compares this code cell's output (tag or first-line comment)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return CHECK_TAG in tags or cell.source.lstrip().startswith(CHECK_COMMENT)


@dataclass
class PerturbedRun:
    """What nbval said of a perturbed notebook: cells whose outputs differ, cells that raised."""

    differ: list[str] = field(default_factory=list)  # cell ids
    raised: dict[str, str] = field(default_factory=dict)  # cell id -> nbval's message
    sources: dict[str, str] = field(default_factory=dict)  # cell id -> source, for messages
    checked: set[str] = field(default_factory=set)  # ids of the checked cells
    log: str = ""


def _classify(report: Path, ids: list[str], run: PerturbedRun) -> None:
    """Sort the failing cells of a JUnit report into `differ` and `raised`."""
    cases = list(ET.parse(report).getroot().iter("testcase"))
    if not cases:
        run.raised["<notebook>"] = "nbval collected no cell"
    for case in cases:
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            continue
        text = (problem.get("message") or "") + "\n" + (problem.text or "")
        name = case.get("name", "")
        n = int(name.split()[-1]) if name.startswith("Cell ") else -1
        cell_id = ids[n] if 0 <= n < len(ids) else f"<{name or 'unknown'}>"
        if "Cell outputs differ" in text:
            run.differ.append(cell_id)
        else:
            run.raised[cell_id] = text.strip()[-1500:]


def run_perturbed(notebook: Path, perturbation: tuple[str, str], folder: Path,
                  timeout: int = 900) -> PerturbedRun:
    """Run nbval on a copy of `notebook` whose first cell applies `perturbation` (condition, body)."""
    nb = nbformat.read(notebook, as_version=4)
    condition, body = perturbation
    prelude = nbformat.v4.new_code_cell(_PATCH.format(condition=condition, body=body))  # unmarked: nothing compared
    prelude.id = "perturbation"
    nb.cells.insert(0, prelude)
    code = [c for c in nb.cells if c.cell_type == "code"]
    run = PerturbedRun(sources={c.id: c.source for c in code},
                       checked={c.id for c in code if is_checked(c)})
    path, report = folder / notebook.name, folder / "report.xml"
    nbformat.write(nb, path)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:cacheprovider",
         "--nbval-lax", "--nbval-current-env", "-o", "addopts=", "--rootdir", str(folder),
         f"--junitxml={report}"],
        capture_output=True, text=True, cwd=folder, timeout=timeout,
    )
    run.log = proc.stdout[-4000:] + proc.stderr[-2000:]
    if not report.exists():
        run.raised["<notebook>"] = f"pytest wrote no report (exit {proc.returncode})"
        return run
    _classify(report, [c.id for c in code], run)
    return run


def assert_catches(run: PerturbedRun, expected: dict[str, str]) -> None:
    """Fail unless no cell raised and every expected checked cell failed its comparison."""
    if run.raised:
        shown = "\n---\n".join(f"cell {i}:\n{run.sources.get(i, '')[:300]}\n{msg[-800:]}"
                               for i, msg in run.raised.items())
        raise AssertionError(f"{len(run.raised)} cell(s) raised under the perturbation, so their "
                             f"failure proves nothing:\n{shown}")
    for cell_id, claim in expected.items():
        if cell_id not in run.sources:
            raise AssertionError(f"no code cell with id {cell_id!r} ({claim}) in the notebook")
        if cell_id not in run.checked:
            raise AssertionError(f"cell {cell_id!r} ({claim}) is not a checked cell")
        if cell_id not in run.differ:
            raise AssertionError(
                f"the checked cell {cell_id!r} still passes under the perturbation: {claim}\n"
                f"{run.sources[cell_id][:400]}\ncells that failed: {run.differ}")


def pytest_generate_tests(metafunc):
    """Parametrize the chapter runs from EXPECTED."""
    if "chapter" in metafunc.fixturenames:
        metafunc.parametrize("chapter, perturbation", sorted(EXPECTED))


@pytest.mark.perturb
def test_checked_cells_fail_when_the_vectors_are_wrong(chapter, perturbation, tmp_path):
    run = run_perturbed(CHAPTERS / f"{chapter}.ipynb", PERTURBATIONS[perturbation], tmp_path)
    assert_catches(run, EXPECTED[chapter, perturbation])


def test_every_chapter_has_a_claim_that_a_wrong_model_breaks():
    chapters = {p.stem for p in CHAPTERS.glob("[0-9][0-9]_*.ipynb")}
    assert chapters and chapters == {c for c, _ in EXPECTED}, sorted(chapters ^ {c for c, _ in EXPECTED})


def test_expected_cells_exist_and_are_checked():
    for (chapter, _), cells in EXPECTED.items():
        nb = nbformat.read(CHAPTERS / f"{chapter}.ipynb", as_version=4)
        by_id = {c.id: c for c in nb.cells if c.cell_type == "code"}
        for cell_id, claim in cells.items():
            assert cell_id in by_id, f"{chapter}: no code cell {cell_id!r} ({claim})"
            assert is_checked(by_id[cell_id]), f"{chapter}: cell {cell_id!r} ({claim}) is not checked"


# -- the detection itself, on a small notebook -------------------------------------------------
_SMALL = [
    ("make", False, "import numpy as np\nimport w2v_teach as w2v\n"
     "words = ['man', 'king', 'woman', 'queen', 'princess'] + [f'w{i}' for i in range(600)]\n"
     "vecs = np.random.default_rng(1).normal(size=(len(words), 8))\n"
     "vecs[3] = vecs[1] - vecs[0] + vecs[2]\n"
     "emb = w2v.embeddings.Embeddings(words, vecs)"),
    ("answer", True, "print(emb.analogy('man', 'king', 'woman')[0][0])"),
    ("size", True, "print(len(emb))"),
]


def _small_notebook(folder: Path, tagged: bool) -> Path:
    """Write a notebook that builds a 605-word table and checks an analogy's answer."""
    nb = nbformat.v4.new_notebook()
    for cell_id, checked, source in _SMALL:
        cell = nbformat.v4.new_code_cell(source)
        cell.id = cell_id
        if checked and tagged:
            cell.metadata["tags"] = [CHECK_TAG]
        elif checked:
            cell.source = f"{CHECK_COMMENT}\n{source}"
        nb.cells.append(cell)
    path = folder / "small.ipynb"
    nbformat.write(nb, path)
    subprocess.run([sys.executable, "-m", "jupyter", "execute", "--inplace", str(path)],
                   check=True, capture_output=True, timeout=300)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("tagged", [True, False], ids=["tag", "comment"])
def test_detection_sees_a_changed_answer_and_a_raising_cell(tagged, tmp_path):
    for name in ("src", "swap", "boom"):
        (tmp_path / name).mkdir()
    nb = _small_notebook(tmp_path / "src", tagged)
    swapped = run_perturbed(nb, PERTURBATIONS["swap"], tmp_path / "swap")
    assert swapped.differ == ["answer"] and not swapped.raised, swapped.log
    assert_catches(swapped, {"answer": "the analogy answers queen"})
    with pytest.raises(AssertionError, match="still passes"):
        assert_catches(swapped, {"size": "the table has 605 words"})
    boom = run_perturbed(nb, (WORDS, "raise RuntimeError('perturbation failed')"), tmp_path / "boom")
    assert "make" in boom.raised, boom.log  # the cell that built the table raised
    with pytest.raises(AssertionError, match="raised under the perturbation"):
        assert_catches(boom, {"answer": "the analogy answers queen"})
