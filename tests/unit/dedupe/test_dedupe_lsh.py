"""The LSH band table against a dict model, and the MinHash anchors."""

from __future__ import annotations

import random

from pipeline.dedupe.lsh import BandIndex, _fingerprint
from pipeline.dedupe.shingles import joined, shingle_list, words
from pipeline.dedupe.signatures import Signer
from tests.unit.dedupe.support import seed


def as_list(found: object) -> list[int]:
    if found is None:
        return []
    if isinstance(found, int):
        return [found]
    return list(found)  # type: ignore[call-overload]


def test_band_index_matches_a_dict_model_through_adds_and_removes() -> None:
    rng = random.Random(7)  # noqa: S311 - test data
    index = BandIndex()
    model: dict[int, list[int]] = {}
    anchors = [rng.getrandbits(64) for _ in range(3000)]
    for _ in range(40_000):
        if model and rng.random() < 0.4:
            anchor = rng.choice(list(model))
            handle = rng.choice(model[anchor])
            assert index.remove(anchor, handle)
            model[anchor].remove(handle)
            if not model[anchor]:
                del model[anchor]
        else:
            anchor = rng.choice(anchors)
            handle = rng.randrange(2**31)
            index.add(anchor, handle)
            model.setdefault(anchor, []).append(handle)
    assert len({_fingerprint(a) for a in model}) == len(model)  # no collision in this draw
    for anchor in anchors:
        assert as_list(index.get(anchor)) == model.get(anchor, [])
    assert len(index) == sum(len(h) for h in model.values())


def test_removing_everything_shrinks_the_table_back() -> None:
    index = BandIndex()
    pairs = [(a, a % 1000) for a in range(10, 50_010)]
    for anchor, handle in pairs:
        index.add(anchor, handle)
    grown = index.capacity
    for anchor, handle in pairs:
        assert index.remove(anchor, handle)
    for anchor, handle in pairs[:10]:
        index.add(anchor, handle)  # triggers the rebuild that drops tombstones
    assert len(index) == 10
    assert index.capacity <= grown


def test_remove_of_an_absent_entry_is_false() -> None:
    index = BandIndex()
    index.add(123456789, 5)
    assert not index.remove(123456789, 6)
    assert not index.remove(987654321, 5)
    assert index.get(123456789) == 5


def test_anchors_are_deterministic_and_shared_by_near_duplicates() -> None:
    signer = Signer(bands=12, rows=1, seed=1)
    a = shingle_list(joined(words(seed("003:43"))), 5)
    b = shingle_list(joined(words(seed("003:99"))), 5)
    c = shingle_list(joined(words(seed("003:74"))), 5)
    assert signer.anchors(a) == Signer(bands=12, rows=1, seed=1).anchors(a)
    assert len(signer.anchors(a)) == 12
    shared_ab = len(set(signer.anchors(a)) & set(signer.anchors(b)))
    shared_ac = len(set(signer.anchors(a)) & set(signer.anchors(c)))
    assert shared_ab >= 6  # Jaccard 0.84
    assert shared_ac <= 2
    banded = Signer(bands=4, rows=3, seed=1)
    assert len(banded.anchors(a)) == 4
    assert banded.anchors(a) == Signer(bands=4, rows=3, seed=1).anchors(a)
