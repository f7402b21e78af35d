"""Precision and recall of the duplicate finder on the labelled set (issue 21's target:
precision ≥ 0.95 at recall ≥ 0.90). The finder calls a pair a duplicate when the two share
a blocking key and score at least ``THRESHOLD``. The figures are in docs/performance.md."""

from samphan.customers.dedupe.scoring import THRESHOLD, score, summary_keys
from tests.customers.dedupe.labelled_pairs import labelled_pairs


def test_labelled_set_is_large_balanced_and_deterministic() -> None:
    pairs = labelled_pairs()
    assert len(pairs) >= 1000
    assert sum(label for _a, _b, label in pairs) == len(pairs) // 2
    assert pairs[:50] == labelled_pairs()[:50]


def test_precision_and_recall_at_the_threshold() -> None:
    pairs = labelled_pairs()
    found = [
        bool(summary_keys(a) & summary_keys(b)) and score(a, b).score >= THRESHOLD
        for a, b, _label in pairs
    ]
    true_pos = sum(hit and label for hit, (_a, _b, label) in zip(found, pairs, strict=True))
    false_pos = sum(hit and not label for hit, (_a, _b, label) in zip(found, pairs, strict=True))
    positives = sum(label for _a, _b, label in pairs)
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / positives
    print(
        f"\nduplicate finder, {len(pairs)} pairs, threshold {THRESHOLD}: "
        f"precision {precision:.3f}, recall {recall:.3f} "
        f"({true_pos} found, {false_pos} wrongly, {positives - true_pos} missed)"
    )
    assert precision >= 0.95
    assert recall >= 0.90
