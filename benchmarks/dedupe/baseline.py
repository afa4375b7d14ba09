"""datasketch's MinHashLSH in the stage's candidate-index seam: the benchmark's baseline.

:class:`DatasketchIndex` does what :class:`pipeline.dedupe.candidates.LshIndex` does with
datasketch 2.0: a ``MinHash`` per paragraph (``update_batch`` over the UTF-8 character
shingles of its canonical text) and a ``MinHashLSH`` to query and insert. Everything else in
the stage (normalization, exact verification, event check, stories, changelog) is the same
code, so the comparison is on identical work. datasketch returns candidates without a score;
they are ranked newest first and cut at ``max_verify``, as the stage does, then verified by
:func:`pipeline.dedupe.candidates.verify` (the stage's native verification).

datasketch is used the fast way its documentation gives:

- the permutations are generated once and passed to every ``MinHash`` ("for faster
  initialization"; generating them costs ~90 µs a MinHash at 128 permutations);
- ``update_batch`` (one NumPy pass) rather than ``update`` per shingle;
- optionally a fast ``hashfunc`` instead of the default SHA-1 (its documentation suggests a
  faster hash; MurmurHash3 from ``mmh3`` is the one in its own example).
"""

from __future__ import annotations

from collections.abc import Callable

from datasketch import MinHash, MinHashLSH
from marsad_native import Shingler

from pipeline.dedupe.candidates import Near, Nearest, verify
from pipeline.dedupe.config import DedupeConfig
from pipeline.dedupe.shingles import CODEPAGE, shingle_list
from pipeline.dedupe.state import Version, indexed_text, stored_text

HashFunc = Callable[[bytes], int]


class DatasketchIndex:
    """datasketch MinHashLSH with explicit ``(bands, rows)`` or its own choice for a threshold."""

    def __init__(
        self,
        config: DedupeConfig,
        *,
        num_perm: int | None = None,
        threshold: float | None = None,
        hashfunc: HashFunc | None = None,
    ) -> None:
        self._config = config
        self.num_perm = num_perm or config.num_perm
        if threshold is None:
            self._lsh = MinHashLSH(num_perm=self.num_perm, params=(config.bands, config.rows))
        else:
            self._lsh = MinHashLSH(threshold=threshold, num_perm=self.num_perm)
        self.params: tuple[int, int] = (self._lsh.b, self._lsh.r)
        self._versions: dict[int, Version] = {}
        template = MinHash(num_perm=self.num_perm, seed=config.seed)
        self._minhash_options: dict[str, object] = {
            "num_perm": self.num_perm,
            "seed": config.seed,
            "permutations": template.permutations,
            "scheme": template.scheme,
        }
        if hashfunc is not None:
            self._minhash_options["hashfunc"] = hashfunc
        self._shingler = Shingler(config.shingle_size, CODEPAGE)

    def sketch(self, text: str, encoded: bytes) -> MinHash:
        minhash = MinHash(**self._minhash_options)
        shingles = shingle_list(text, self._config.shingle_size)
        minhash.update_batch([s.encode("utf-8") for s in shingles])
        return minhash

    def candidates(self, sketch: object) -> list[tuple[Version, int]]:
        found = [self._versions[key] for key in self._lsh.query(sketch)]
        found.sort(key=lambda v: -v.seq)
        return [(v, 1) for v in found[: self._config.max_verify]]

    def nearest(self, text: str, sketch: object) -> Nearest:
        return verify(self._shingler, self._config, text, sketch, self.candidates(sketch))

    def search(self, text: str, encoded: bytes) -> tuple[object, list[Near], float]:
        sketch = self.sketch(text, encoded)
        near, best = self.nearest(text, sketch)
        return sketch, near, best

    def add(self, version: Version, sketch: object) -> None:
        self._lsh.insert(version.key, sketch, check_duplication=False)
        self._versions[version.key] = version

    def remove(self, version: Version) -> None:
        if version.key in self._versions:
            self._lsh.remove(version.key)
            del self._versions[version.key]

    def __len__(self) -> int:
        return len(self._versions)

    def nbytes(self) -> int:
        return 0  # not known; the benchmark measures memory with tracemalloc

    def recompute(self, version: Version) -> MinHash:
        return self.sketch(indexed_text(version), stored_text(version))
