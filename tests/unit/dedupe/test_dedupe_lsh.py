"""The native core (marsad_native) against the Python reference: shingles, similarities, LSH.

The stage computes shingle sets, Jaccard / containment and the MinHash LSH table in Rust; the
Python functions in :mod:`pipeline.dedupe.shingles` and the candidate rule written out below
(the one the stage used before it went native) are the models the native core must equal.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import pairwise
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marsad_native import NearIndex, Shingler, Sketch

from devtools.demo.catalog import SEED_IDS, seed_lines
from pipeline.dedupe.candidates import RARE_BUCKET, STRONG, LshIndex, floors, verify
from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.shingles import CODEPAGE, joined, shingle_set, similarities, words
from pipeline.dedupe.state import NO_FOUNDING, Cluster, Version, encode_text
from pipeline.dedupe.verdicts import FirstSeen
from tests.unit.dedupe.support import T0, seed

# Normalized Arabic letters and digits, with a space, a Latin letter and characters outside
# Windows-1256 (stored behind the NUL + UTF-8 marker): پ, ڤ, a CJK character, an emoji.
ALPHABET = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءؤئ0123456789 xپڤ中😀"


def seed_texts() -> list[str]:
    texts = [joined(words(line)) for seed_id in SEED_IDS for line in seed_lines(seed_id)]
    return [t for t in texts if t]


def index(**overrides: int) -> NearIndex:
    params = {
        "shingle_size": 5,
        "bands": 12,
        "rows": 1,
        "seed": 1,
        "bucket_limit": 64,
        "max_verify": 6,
        "rare_bucket": RARE_BUCKET,
        "strong": STRONG,
    } | overrides
    return NearIndex(codepage=CODEPAGE, **params)


# ------------------------------------------------------------------ shingles and similarities


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60), st.text(alphabet=ALPHABET, max_size=60))
def test_similarities_equal_the_python_shingle_sets(a: str, b: str) -> None:
    for size in (1, 3, 5):
        shingler = Shingler(size, CODEPAGE)
        expected = similarities(shingle_set(a, size), shingle_set(b, size))
        assert shingler.similarities(a, [b]) == [pytest.approx(expected, abs=1e-12)]
        assert len(shingler.hashes(a)) == len(shingle_set(a, size))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_a_stored_text_shingles_like_the_str(text: str) -> None:
    shingler = Shingler(5, CODEPAGE)
    stored = encode_text(text)  # Windows-1256, or NUL + UTF-8 for the characters it lacks
    assert shingler.hashes(stored) == shingler.hashes(text)
    assert index().sketch(stored).keys == index().sketch(text).keys


def test_seed_similarities_match_the_reference() -> None:
    shingler = Shingler(5, CODEPAGE)
    texts = seed_texts()[:120]
    for a in texts[:20]:
        found = shingler.similarities(a, [encode_text(b) for b in texts])
        for b, pair in zip(texts, found, strict=True):
            assert pair == pytest.approx(similarities(shingle_set(a, 5), shingle_set(b, 5)))


def test_bad_texts_and_parameters_are_refused_clearly() -> None:
    shingler = Shingler(5, CODEPAGE)
    with pytest.raises(TypeError, match="str or bytes"):
        shingler.hashes(17)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not UTF-8"):
        shingler.hashes(b"\0\xff\xfe")
    with pytest.raises(ValueError, match="256 characters"):
        Shingler(5, "abc")
    with pytest.raises(ValueError, match=">= 1"):
        Shingler(0, CODEPAGE)
    with pytest.raises(ValueError, match=">= 1"):
        index(bands=0)


# ------------------------------------------------------------------ sketches


def test_sketches_are_deterministic_and_shared_by_near_duplicates() -> None:
    a = joined(words(seed("003:43")))
    b = joined(words(seed("003:99")))  # Jaccard 0.84 with a
    c = joined(words(seed("003:74")))  # another paragraph of the bulletin
    ours = index()
    assert ours.sketch(a).keys == index().sketch(a).keys
    assert len(ours.sketch(a)) == 12
    shared_ab = len(set(ours.sketch(a).keys) & set(ours.sketch(b).keys))
    shared_ac = len(set(ours.sketch(a).keys) & set(ours.sketch(c).keys))
    assert shared_ab >= 6
    assert shared_ac <= 2
    assert index(seed=2).sketch(a).keys != ours.sketch(a).keys
    banded = index(bands=4, rows=3)
    assert len(banded.sketch(a)) == 4
    assert banded.sketch(a).keys == index(bands=4, rows=3).sketch(a).keys


def test_band_collisions_follow_the_jaccard_similarity() -> None:
    """A band of one row matches with probability J: over seed pairs, the share of matching
    bands tracks the exact Jaccard (deterministic: fixed texts, fixed seed)."""
    shingler = Shingler(5, CODEPAGE)
    wide = index(bands=256)
    texts = seed_texts()[:200]
    errors = []
    for a, b in pairwise(texts):
        jaccard = shingler.similarities(a, [b])[0][0]
        ka, kb = wide.sketch(a).keys, wide.sketch(b).keys
        errors.append(sum(x == y for x, y in zip(ka, kb, strict=True)) / 256 - jaccard)
    assert abs(sum(errors) / len(errors)) < 0.02  # unbiased
    assert max(abs(e) for e in errors) < 0.15  # 256 bands: sd <= 0.031


# ------------------------------------------------------------------ the LSH table


class Model:
    """The candidate rule in plain Python (the stage's rule before it went native)."""

    def __init__(self, bucket_limit: int, max_verify: int) -> None:
        self.table: dict[int, list[int]] = {}
        self.bucket_limit = bucket_limit
        self.max_verify = max_verify

    def add(self, handle: int, sketch: Sketch) -> None:
        for key in sketch.keys:
            self.table.setdefault(key, []).append(handle)

    def remove(self, handle: int, sketch: Sketch) -> int:
        removed = 0
        for key in sketch.keys:
            bucket = self.table.get(key, [])
            if handle in bucket:
                bucket.remove(handle)
                removed += 1
                if not bucket:
                    del self.table[key]
        return removed

    def candidates(self, sketch: Sketch) -> list[tuple[int, int]]:
        shared: Counter[int] = Counter()
        rare: set[int] = set()
        big: list[list[int]] = []
        for key in sketch.keys:
            bucket = self.table.get(key)
            if not bucket:
                continue
            if len(bucket) > self.bucket_limit:
                big.append(bucket)
                continue
            shared.update(bucket)
            if len(bucket) <= RARE_BUCKET:
                rare.update(bucket)
        if big and max(shared.values(), default=0) < STRONG:
            for bucket in big:
                shared.update(bucket[-self.bucket_limit :])
        kept = [h for h, count in shared.items() if count >= 2 or h in rare]
        kept.sort(key=shared.__getitem__, reverse=True)
        return [(h, shared[h]) for h in kept[: self.max_verify]]


def test_the_table_follows_the_model_through_adds_and_removes() -> None:
    rng = random.Random(7)  # noqa: S311 - test data
    base = seed_texts()[:60]

    def variant() -> str:
        tokens = rng.choice(base).split(" ")
        for _ in range(rng.randrange(4)):
            tokens[rng.randrange(len(tokens))] = rng.choice(["قصف", "17", "حلب", "غارات"])
        return " ".join(tokens)

    native, model = index(bucket_limit=8, max_verify=6), Model(bucket_limit=8, max_verify=6)
    live: dict[int, Sketch] = {}
    for step in range(6000):
        if live and rng.random() < 0.35:
            handle = rng.choice(list(live))
            sketch = live.pop(handle)
            assert native.remove(handle, sketch) == model.remove(handle, sketch) == 12
        else:
            sketch = native.sketch(variant())
            native.add(step, sketch)
            model.add(step, sketch)
            live[step] = sketch
        if step % 10 == 0:
            probe = native.sketch(variant())
            assert native.candidates(probe) == model.candidates(probe)
    assert len(native) == 12 * len(live)
    assert native.remove(10**6, native.sketch(variant())) == 0  # absent: nothing removed


def test_big_buckets_are_read_only_without_strong_candidates() -> None:
    text = joined(words(seed("003:43")))
    native = index(bucket_limit=2, max_verify=10)
    sketch = native.sketch(text)
    for handle in range(5):
        native.add(handle, sketch)  # every band's bucket holds 5 > bucket_limit
    # No other band gives a candidate: the newest 2 of each big bucket are read.
    assert native.candidates(sketch) == [(3, 12), (4, 12)]


def a_version(key: int, text: str) -> Version:
    cluster = Cluster(key, key, FirstSeen("x", "x", T0), ("x",))
    return Version(
        key=key, seq=key, cluster=cluster, source="x", url_id="x", first=T0,
        words=len(text.split()), text=encode_text(text), founding=NO_FOUNDING,
    )  # fmt: skip


def test_lsh_index_maps_handles_to_versions_and_reuses_them() -> None:
    lsh = LshIndex(DedupeConfig())
    text = joined(words(seed("003:43")))
    first, second = a_version(1, text), a_version(2, text)
    lsh.add(first, lsh.sketch(text, encode_text(text)))
    lsh.add(second, lsh.sketch(text, encode_text(text)))
    assert [v.key for v, _ in lsh.candidates(lsh.sketch(text, encode_text(text)))] == [1, 2]
    lsh.remove(first)
    assert first.handle == -1
    assert [v.key for v, _ in lsh.candidates(lsh.sketch(text, encode_text(text)))] == [2]
    third = a_version(3, text)
    lsh.add(third, lsh.sketch(text, encode_text(text)))
    assert third.handle == 0  # the freed handle
    assert len(lsh) == 2
    assert lsh.nbytes() > 0


def test_a_sketch_verifies_like_its_text() -> None:
    texts = seed_texts()[:40]
    shingler, ours = Shingler(5, CODEPAGE), index()
    stored = [encode_text(t) for t in texts]
    for text in texts:
        assert shingler.similarities(ours.sketch(text), stored) == shingler.similarities(
            text, stored
        )
    with pytest.raises(ValueError, match="3-shingles"):
        shingler.similarities(index(shingle_size=3).sketch(texts[0]), stored)


def test_nearest_is_the_candidates_verified() -> None:
    """The native ``nearest`` (candidates, per-cluster cap, verification, order) equals the
    Python path the benchmark's datasketch index takes (:func:`verify` over ``candidates``)."""
    config = DedupeConfig()
    lsh, shingler = LshIndex(config), Shingler(config.shingle_size, CODEPAGE)
    rng = random.Random(7)  # noqa: S311 - test data
    texts = seed_texts()
    clusters = [
        Cluster(k, k, FirstSeen("x", "x", T0), ("x",)) for k in range(1, 6)
    ]  # few clusters: the per-cluster cap matters
    compared = verified = left_out = 0
    for key, text in enumerate(texts * 2, start=1):
        probe = text if rng.random() < 0.5 else _edited(text, rng)
        sketch = lsh.sketch(probe, encode_text(probe))
        expected, expected_best = verify(shingler, config, probe, sketch, lsh.candidates(sketch))
        found, best = lsh.nearest(probe, sketch)
        searched, near, searched_best = lsh.search(probe, encode_text(probe))  # the one call
        assert cast(Sketch, searched).keys == sketch.keys
        assert (near, searched_best) == (found, best)
        assert [(v.key, j, c) for v, j, c in found] == [(v.key, j, c) for v, j, c in expected]
        assert best == expected_best
        floor_j, floor_c = floors(config)
        assert all(j >= floor_j or c >= floor_c for _, j, c in found)
        compared += 1
        verified += len(found)
        left_out += best > 0 and not any(j == best for _, j, _ in found)
        version = a_version(key, text)
        version.cluster = rng.choice(clusters)
        lsh.add(version, lsh.sketch(text, encode_text(text)))
        if rng.random() < 0.1:
            lsh.remove(version)
    assert compared > 300 and verified > 150
    assert left_out > 0  # the floors left out some verified candidates


def _edited(text: str, rng: random.Random) -> str:
    tokens = text.split(" ")
    tokens[rng.randrange(len(tokens))] = "15"
    return " ".join(tokens)


def test_nearest_needs_the_stored_text() -> None:
    native = index()
    sketch = native.sketch(seed_texts()[0])
    native.add(0, sketch)  # no text: candidates only
    assert native.candidates(sketch) == [(0, 12)]
    with pytest.raises(ValueError, match="without a text"):
        native.nearest(sketch, 2, 0.9, 0.4, 0.6)
