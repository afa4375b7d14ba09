"""Quality of cluster assignment against the generator's truth.

Pair counting over all paragraph occurrences: a pair is *true* when both paragraphs come from
one root, *predicted* when the stage put them in one cluster.

- precision = true predicted pairs / predicted pairs;
- recall = true predicted pairs / true pairs.

Exact repeats make most pairs easy, so the same figures are also given over *distinct texts*
(one occurrence per normalized text), and recall is broken down by edit kind: the share of
edited paragraphs put in the cluster of their root's first occurrence. ``other_place`` is the
share of "same template, other place" paragraphs wrongly put in the cluster of the paragraph
they were made from (lower is better).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    pairs_true: int
    pairs_predicted: int


def pair_scores(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Pair-counting precision and recall of ``predicted`` labels against ``truth`` labels."""
    joint = Counter(zip(truth, predicted, strict=True))
    both = sum(n * (n - 1) // 2 for n in joint.values())
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth).values())
    predicted_pairs = sum(n * (n - 1) // 2 for n in Counter(predicted).values())
    return Scores(
        precision=both / predicted_pairs if predicted_pairs else 1.0,
        recall=both / true_pairs if true_pairs else 1.0,
        pairs_true=true_pairs,
        pairs_predicted=predicted_pairs,
    )


def edit_recall(
    roots: Sequence[str], edits: Sequence[str], predicted: Sequence[str]
) -> dict[str, tuple[float, int]]:
    """Per edit kind: (share of paragraphs in the cluster of their root's first occurrence,
    number of paragraphs). First occurrences of roots are not counted.

    ``other_place`` paragraphs (root ``<origin>/<digest>``) are compared with the first
    occurrence of the root they were swapped from: there the share counts false merges.
    """
    first_cluster: dict[str, str] = {}
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for root, edit, cluster in zip(roots, edits, predicted, strict=True):
        if edit == "other_place":
            origin = root.rsplit("/", 1)[0]
            if origin in first_cluster:
                totals[edit] += 1
                hits[edit] += first_cluster[origin] == cluster
        elif root in first_cluster:
            totals[edit] += 1
            hits[edit] += first_cluster[root] == cluster
        first_cluster.setdefault(root, cluster)
    return {edit: (hits[edit] / totals[edit], totals[edit]) for edit in sorted(totals)}
