//! Native core of Marsad's dedupe stage (`pipeline/dedupe`, docs/dedupe.md).
//!
//! The per-paragraph work of near-duplicate detection, which costs too much in Python:
//!
//! - **shingles**: character `size`-grams of a paragraph's canonical text (its normalized words
//!   joined by single spaces), hashed to 64 bits; a text of at most
//!   `size` characters is one shingle, an empty text none. The same shingles as
//!   `pipeline.dedupe.shingles.shingle_list`, as hashes: a polynomial rolling hash of the code
//!   points (mod 2^64, odd multiplier) finished with a bijective mixer and the window length.
//! - **verification** ([`Shingler::similarities`], and [`NearIndex::nearest`] for the index's
//!   own candidates): exact Jaccard and containment of two texts' shingle sets (a 64-bit hash
//!   collision between two different shingles of two paragraphs is the only way these differ
//!   from the string sets: about 1 in 10^14 a pair).
//! - **MinHash LSH** ([`NearIndex`]): `bands × rows` minimum hashes under seeded affine
//!   permutations (`hash * a + b` mod 2^64, `a` odd) of the already mixed shingle hash, each
//!   band folded into one 64-bit anchor, filed under a 32-bit fingerprint in a hash table of
//!   handles (small integers the Python side maps to its versions). Candidate ranking is the
//!   stage's rule, documented on [`NearIndex::candidates`].
//! - **words** ([`prepare`]): a paragraph's canonical text (its normalized words joined by
//!   spaces), the text's key and its number of words, for text made only of the characters
//!   `pipeline.dedupe.shingles.words` handles on its fast path (anything else is left to
//!   Python's one normalizer).
//! - **word rules** ([`wording::WordingRules`], `wording.rs`): the event check and the numeric
//!   difference between two versions of a paragraph.
//!
//! Texts come as `str` or in the stage's stored encoding (`bytes`: one byte a letter in
//! Windows-1256, or a NUL byte then UTF-8); the code page table is passed in by Python so both
//! forms give the same code points and therefore the same hashes.

use blake2::digest::{Update, VariableOutput};
use blake2::Blake2bVar;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

mod wording;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
/// Multiplier of the rolling shingle hash (odd, so multiplication is invertible mod 2^64).
const ROLL: u64 = 0xD6E8_FEB8_6659_FD93;

/// splitmix64's finaliser: a bijection of u64 with good avalanche.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How texts become shingle hashes: the shingle size and the code page of stored texts.
#[derive(Clone)]
struct Shingling {
    size: usize,
    codepage: Vec<u32>,
}

impl Shingling {
    fn new(size: usize, codepage: &str) -> PyResult<Self> {
        if size == 0 {
            return Err(PyValueError::new_err("shingle size must be >= 1"));
        }
        let codepage: Vec<u32> = codepage.chars().map(|c| c as u32).collect();
        if codepage.len() != 256 {
            return Err(PyValueError::new_err(format!(
                "codepage must have 256 characters, got {}",
                codepage.len()
            )));
        }
        Ok(Self { size, codepage })
    }

    /// The code points of a `str` or of a stored text (`bytes`) into `out`.
    fn code_points(&self, text: &Bound<'_, PyAny>, out: &mut Vec<u32>) -> PyResult<()> {
        out.clear();
        if let Ok(s) = text.cast::<PyString>() {
            str_code_points(s, out)?;
        } else if let Ok(b) = text.cast::<PyBytes>() {
            let data = b.as_bytes();
            if data.first() == Some(&0) {
                let s = std::str::from_utf8(&data[1..])
                    .map_err(|e| PyValueError::new_err(format!("stored text is not UTF-8: {e}")))?;
                out.extend(s.chars().map(|c| c as u32));
            } else {
                out.extend(data.iter().map(|&byte| self.codepage[byte as usize]));
            }
        } else {
            return Err(PyTypeError::new_err("a text must be str or bytes"));
        }
        Ok(())
    }

    /// The hash of every shingle of a text's code points, in order, repeats kept.
    fn hashes(&self, points: &[u32], out: &mut Vec<u64>) {
        roll(points, self.size, |point| u64::from(point) + 1, out);
    }

    /// The hash of every shingle of a text (`str` or stored `bytes`), in order, repeats kept. A
    /// stored text in the code page is hashed from its bytes directly (no code point buffer).
    fn text_hashes(
        &self,
        text: &Bound<'_, PyAny>,
        points: &mut Vec<u32>,
        out: &mut Vec<u64>,
    ) -> PyResult<()> {
        if let Ok(b) = text.cast::<PyBytes>() {
            let data = b.as_bytes();
            if data.first() != Some(&0) {
                self.byte_hashes(data, out);
                return Ok(());
            }
        }
        self.code_points(text, points)?;
        self.hashes(points, out);
        Ok(())
    }

    /// [`Shingling::hashes`] of the code points of `data`, a text in the code page.
    fn byte_hashes(&self, data: &[u8], out: &mut Vec<u64>) {
        let codepage = &self.codepage;
        roll(
            data,
            self.size,
            |byte| u64::from(codepage[byte as usize]) + 1,
            out,
        );
    }

    /// The sorted set of shingle hashes of a text.
    fn set(&self, text: &Bound<'_, PyAny>, points: &mut Vec<u32>) -> PyResult<Vec<u64>> {
        let mut set = Vec::new();
        self.text_hashes(text, points, &mut set)?;
        set.sort_unstable();
        set.dedup();
        Ok(set)
    }
}

/// The code points of a Python str into `out` (copied by Python, no UTF-8 form made: `to_str`
/// would also cache one in the str for its lifetime); an error for a lone surrogate, which no
/// Rust `char` (and no UTF-8) can hold.
fn str_code_points(text: &Bound<'_, PyString>, out: &mut Vec<u32>) -> PyResult<()> {
    // SAFETY: `text` is a live str (GIL held).
    let length = usize::try_from(unsafe { pyo3::ffi::PyUnicode_GetLength(text.as_ptr()) })
        .map_err(|_| PyErr::fetch(text.py()))?;
    out.clear();
    out.resize(length, 0);
    // SAFETY: the buffer has room for the str's `length` code points (no NUL is asked for),
    // which Python copies into it.
    let copied =
        unsafe { pyo3::ffi::PyUnicode_AsUCS4(text.as_ptr(), out.as_mut_ptr(), length as _, 0) };
    if copied.is_null() {
        return Err(PyErr::fetch(text.py()));
    }
    if out.iter().any(|&point| char::from_u32(point).is_none()) {
        return Err(PyValueError::new_err("text has a lone surrogate"));
    }
    Ok(())
}

/// The shingle hashes of a text given as `units` (code points, or bytes of the code page) and
/// `code`, which maps a unit to its code point + 1 (never 0: no leading-zero ambiguity): a
/// polynomial rolling hash of each window, finished with the window length and [`mix64`].
fn roll<T: Copy>(units: &[T], size: usize, code: impl Fn(T) -> u64, out: &mut Vec<u64>) {
    out.clear();
    let finish = |hash: u64, length: usize| mix64(hash ^ (length as u64).wrapping_mul(GOLDEN));
    let start = |window: &[T]| {
        window.iter().fold(0u64, |h, &unit| {
            h.wrapping_mul(ROLL).wrapping_add(code(unit))
        })
    };
    if units.len() <= size {
        if !units.is_empty() {
            out.push(finish(start(units), units.len()));
        }
        return;
    }
    out.reserve(units.len() - size + 1);
    let top = ROLL.wrapping_pow(size as u32 - 1); // weight of the window's first unit
    let mut hash = start(&units[..size]);
    out.push(finish(hash, size));
    for (&gone, &next) in units.iter().zip(&units[size..]) {
        hash = hash
            .wrapping_sub(code(gone).wrapping_mul(top))
            .wrapping_mul(ROLL)
            .wrapping_add(code(next));
        out.push(finish(hash, size));
    }
}

/// (Jaccard, containment) of two sets from their sizes and the size of their intersection;
/// (0, 0) when either is empty.
fn similarity(mine: usize, theirs: usize, shared: usize) -> (f64, f64) {
    if mine == 0 || theirs == 0 {
        return (0.0, 0.0);
    }
    let shared = shared as f64;
    let union = (mine + theirs) as f64 - shared;
    (shared / union, shared / mine.min(theirs) as f64)
}

/// A set of shingle hashes for one verification: open addressing with linear probing, indexed
/// by the hash's low bits (the hashes are mixed), emptied in O(1) by moving to a new stamp.
#[derive(Default)]
struct HashSet64 {
    keys: Vec<u64>,
    /// A slot is occupied when its stamp is the current one.
    stamps: Vec<u32>,
    stamp: u32,
    len: usize,
}

impl HashSet64 {
    /// Empty the set, ready for up to `expected` hashes (at most half full).
    fn reset(&mut self, expected: usize) {
        let wanted = (expected * 2).next_power_of_two().max(64);
        if self.keys.len() < wanted {
            self.keys = vec![0; wanted];
            self.stamps = vec![0; wanted];
            self.stamp = 0;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.stamps.fill(0);
            self.stamp = 1;
        }
        self.len = 0;
    }

    /// Add `hash`; true if it was not there. At most half of the slots may be filled.
    #[inline]
    fn insert(&mut self, hash: u64) -> bool {
        let mask = self.keys.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            if self.stamps[at] != self.stamp {
                self.stamps[at] = self.stamp;
                self.keys[at] = hash;
                self.len += 1;
                return true;
            }
            if self.keys[at] == hash {
                return false;
            }
            at = (at + 1) & mask;
        }
    }

    #[inline]
    fn contains(&self, hash: u64) -> bool {
        self.find(hash).is_some()
    }

    /// The slot holding `hash`, if it is in the set.
    #[inline]
    fn find(&self, hash: u64) -> Option<usize> {
        let mask = self.keys.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            if self.stamps[at] != self.stamp {
                return None;
            }
            if self.keys[at] == hash {
                return Some(at);
            }
            at = (at + 1) & mask;
        }
    }
}

/// Buffers a verification reuses from call to call.
#[derive(Default)]
struct Scratch {
    points: Vec<u32>,
    hashes: Vec<u64>,
    mine: HashSet64,
    theirs: HashSet64,
    /// Per slot of `mine`: the verification (`check`) that last counted it as shared.
    counted: Vec<u32>,
    check: u32,
}

impl Scratch {
    /// Fill `mine` with a text's shingle hashes; returns how many distinct ones it has.
    fn load(&mut self, hashes: &[u64]) -> usize {
        self.mine.reset(hashes.len());
        for &hash in hashes {
            self.mine.insert(hash);
        }
        if self.counted.len() != self.mine.keys.len() {
            self.counted = vec![0; self.mine.keys.len()];
            self.check = 0;
        }
        self.mine.len
    }

    /// (Jaccard, containment) of the set in `mine` with the shingle set of `other`: its
    /// shingles are probed in `mine` (no sorting).
    fn verify(&mut self, shingling: &Shingling, other: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
        shingling.text_hashes(other, &mut self.points, &mut self.hashes)?;
        self.theirs.reset(self.hashes.len());
        let mut shared = 0;
        for &hash in &self.hashes {
            if self.theirs.insert(hash) && self.mine.contains(hash) {
                shared += 1;
            }
        }
        Ok(similarity(self.mine.len, self.theirs.len, shared))
    }

    /// [`Scratch::verify`] for an `other` whose number of distinct shingles is known: only its
    /// shingles found in `mine` need de-duplicating, which a stamp on `mine`'s slot does (no
    /// second set).
    fn verify_known(
        &mut self,
        shingling: &Shingling,
        other: &Bound<'_, PyAny>,
        distinct: usize,
    ) -> PyResult<(f64, f64)> {
        shingling.text_hashes(other, &mut self.points, &mut self.hashes)?;
        self.check = self.check.wrapping_add(1);
        if self.check == 0 {
            self.counted.fill(0);
            self.check = 1;
        }
        let mut shared = 0;
        for &hash in &self.hashes {
            if let Some(at) = self.mine.find(hash) {
                if self.counted[at] != self.check {
                    self.counted[at] = self.check;
                    shared += 1;
                }
            }
        }
        Ok(similarity(self.mine.len, distinct, shared))
    }
}

/// Shingle hashes and exact verification (see the module documentation).
#[pyclass(module = "marsad_native")]
struct Shingler {
    shingling: Shingling,
    scratch: Scratch,
}

#[pymethods]
impl Shingler {
    #[new]
    fn new(size: usize, codepage: &str) -> PyResult<Self> {
        Ok(Self {
            shingling: Shingling::new(size, codepage)?,
            scratch: Scratch::default(),
        })
    }

    #[getter]
    fn size(&self) -> usize {
        self.shingling.size
    }

    /// The sorted, distinct shingle hashes of a text (`str` or stored `bytes`).
    fn hashes(&self, text: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
        self.shingling.set(text, &mut Vec::new())
    }

    /// (Jaccard, containment) of `text` (a text, or a [`Sketch`] of it, whose shingle hashes are
    /// reused) with each of `others`, in order: the other text's shingles are probed in a hash
    /// set of this text's (no sorting).
    fn similarities(
        &mut self,
        text: &Bound<'_, PyAny>,
        others: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<(f64, f64)>> {
        let scratch = &mut self.scratch;
        if let Ok(sketch) = text.cast::<Sketch>() {
            let sketch = sketch.get();
            if sketch.size != self.shingling.size {
                return Err(PyValueError::new_err(format!(
                    "the sketch has {}-shingles, this verifier {}",
                    sketch.size, self.shingling.size
                )));
            }
            scratch.load(&sketch.hashes);
        } else {
            let mut hashes = Vec::new();
            self.shingling
                .text_hashes(text, &mut scratch.points, &mut hashes)?;
            scratch.load(&hashes);
        }
        others
            .iter()
            .map(|other| scratch.verify(&self.shingling, other))
            .collect()
    }
}

/// A paragraph's LSH sketch: one 32-bit fingerprint a band (opaque to Python but for tests).
#[pyclass(module = "marsad_native", frozen)]
struct Sketch {
    keys: Vec<u32>,
    /// The text's shingle hashes (repeats kept) and their shingle size: a verification of the
    /// same text reuses them instead of hashing it again.
    hashes: Vec<u64>,
    size: usize,
    /// How many distinct hashes `hashes` has, once known ([`UNKNOWN`] before): counted by the
    /// first [`NearIndex::nearest`] of the sketch, kept by [`NearIndex::add`].
    distinct: AtomicU32,
}

/// [`Sketch::distinct`] not counted yet.
const UNKNOWN: u32 = u32::MAX;

#[pymethods]
impl Sketch {
    /// The band fingerprints, in band order.
    #[getter]
    fn keys(&self) -> Vec<u32> {
        self.keys.clone()
    }

    fn __len__(&self) -> usize {
        self.keys.len()
    }
}

/// Shared-band counts of candidate handles, in order of discovery; kept between queries so a
/// query allocates nothing: `slot[handle]` is 1 + the handle's place in `order` during a query
/// and 0 otherwise.
#[derive(Default)]
struct Shared {
    /// (handle, shared bands, found in a rare bucket)
    order: Vec<(u32, u32, bool)>,
    slot: Vec<u32>,
}

impl Shared {
    #[inline]
    fn bump(&mut self, handle: u32, rare: bool) {
        let slot = &mut self.slot[handle as usize];
        if *slot == 0 {
            self.order.push((handle, 1, rare));
            *slot = self.order.len() as u32;
        } else {
            let entry = &mut self.order[*slot as usize - 1];
            entry.1 += 1;
            entry.2 |= rare;
        }
    }

    /// Forget the last query (resets only the slots it touched).
    fn clear(&mut self) {
        for &(handle, _, _) in &self.order {
            self.slot[handle as usize] = 0;
        }
        self.order.clear();
    }
}

/// Where a fingerprint's handles are: one handle (`>= 0`) or a bucket (`!index`, `< 0`).
type Head = i32;

/// MinHash LSH over shingle hashes: band fingerprint → handles, newest last.
#[pyclass(module = "marsad_native")]
struct NearIndex {
    shingling: Shingling,
    bands: usize,
    rows: usize,
    /// One affine permutation `hash * times + plus` (mod 2^64, `times` odd) a minimum hash:
    /// the shingle hashes are already mixed, so an affine map orders them afresh.
    seeds: Vec<(u64, u64)>,
    bucket_limit: usize,
    max_verify: usize,
    rare_bucket: usize,
    strong: u32,
    table: FxHashMap<u32, Head>,
    buckets: Vec<Vec<u32>>,
    free_buckets: Vec<usize>,
    entries: usize,
    shared: Shared,
    /// What [`NearIndex::nearest`] needs of each handle, if it was added with a text.
    stored: Vec<Option<Stored>>,
    scratch: Scratch,
}

/// A verified candidate as Python gets it: the caller's object, Jaccard and containment.
type Verified = (Py<PyAny>, f64, f64);

/// A handle's stored text (the caller's own `bytes` object, not a copy), its group (the
/// caller's cluster), its order of appearance and the caller's object for it, which
/// [`NearIndex::nearest`] returns. Strong references, not visited by Python's garbage
/// collector: the caller's objects must not refer back to the index.
struct Stored {
    text: Py<PyBytes>,
    /// Distinct shingles of `text`.
    distinct: u32,
    group: u64,
    seq: u64,
    item: Option<Py<PyAny>>,
}

impl NearIndex {
    fn sketch_hashes(&self, hashes: Vec<u64>) -> Sketch {
        // Four permutations at a time over all the hashes: their minima stay in registers.
        const LANES: usize = 4;
        let mut minima = Vec::with_capacity(self.seeds.len());
        for seeds in self.seeds.chunks(LANES) {
            let mut times = [1u64; LANES]; // a short last chunk computes spare lanes, unused
            let mut plus = [0u64; LANES];
            for (lane, &(t, p)) in seeds.iter().enumerate() {
                times[lane] = t;
                plus[lane] = p;
            }
            let mut lowest = [u64::MAX; LANES];
            for &hash in &hashes {
                for lane in 0..LANES {
                    let value = hash.wrapping_mul(times[lane]).wrapping_add(plus[lane]);
                    lowest[lane] = lowest[lane].min(value);
                }
            }
            minima.extend_from_slice(&lowest[..seeds.len()]);
        }
        let keys = (0..self.bands)
            .map(|band| {
                let mut anchor = mix64((band as u64 + 1).wrapping_mul(GOLDEN));
                for &value in &minima[band * self.rows..(band + 1) * self.rows] {
                    anchor = mix64(anchor ^ value);
                }
                ((anchor >> 32) as u32) ^ (anchor as u32)
            })
            .collect();
        Sketch {
            keys,
            hashes,
            size: self.shingling.size,
            distinct: AtomicU32::new(UNKNOWN),
        }
    }

    fn new_bucket(&mut self, first: u32, second: u32) -> usize {
        let bucket = vec![first, second];
        if let Some(index) = self.free_buckets.pop() {
            self.buckets[index] = bucket;
            index
        } else {
            self.buckets.push(bucket);
            self.buckets.len() - 1
        }
    }
}

#[pymethods]
impl NearIndex {
    #[new]
    #[pyo3(signature = (*, shingle_size, codepage, bands, rows, seed, bucket_limit, max_verify, rare_bucket, strong))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        shingle_size: usize,
        codepage: &str,
        bands: usize,
        rows: usize,
        seed: u64,
        bucket_limit: usize,
        max_verify: usize,
        rare_bucket: usize,
        strong: u32,
    ) -> PyResult<Self> {
        if bands == 0 || rows == 0 || bucket_limit == 0 || max_verify == 0 {
            return Err(PyValueError::new_err(
                "bands, rows, bucket_limit and max_verify must be >= 1",
            ));
        }
        let mut state = mix64(seed ^ GOLDEN);
        let mut next = || {
            state = state.wrapping_add(GOLDEN);
            mix64(state)
        };
        let seeds = (0..bands * rows).map(|_| (next() | 1, next())).collect();
        Ok(Self {
            shingling: Shingling::new(shingle_size, codepage)?,
            bands,
            rows,
            seeds,
            bucket_limit,
            max_verify,
            rare_bucket,
            strong,
            table: FxHashMap::default(),
            buckets: Vec::new(),
            free_buckets: Vec::new(),
            entries: 0,
            shared: Shared::default(),
            stored: Vec::new(),
            scratch: Scratch::default(),
        })
    }

    /// The sketch of a text (`str` or stored `bytes`): deterministic for a seed, in every process.
    fn sketch(&self, text: &Bound<'_, PyAny>) -> PyResult<Sketch> {
        let mut hashes = Vec::new();
        self.shingling
            .text_hashes(text, &mut Vec::new(), &mut hashes)?;
        Ok(self.sketch_hashes(hashes))
    }

    /// Indexed handles that may be near, best first, as `(handle, shared bands)`, at most
    /// `max_verify`.
    ///
    /// A handle sharing a single band counts only if that band's bucket holds at most
    /// `rare_bucket` handles (one shared minimum of a common shingle is no evidence). Buckets of
    /// more than `bucket_limit` handles are read (their newest `bucket_limit`) only when the
    /// other bands found no handle sharing `strong` bands. Ties keep the order of discovery.
    fn candidates(&mut self, sketch: &Sketch) -> Vec<(u32, u32)> {
        self.ranked(sketch)
    }

    /// The candidates of `sketch` (as [`NearIndex::candidates`]) verified exactly against their
    /// stored texts: `(best, near)`, where `best` is the highest Jaccard of all the verified
    /// handles (0.0: none) and `near` those whose Jaccard reaches `min_jaccard` or whose
    /// containment reaches `min_containment`, as `(item, Jaccard, containment)` (`item`: the
    /// object added with the handle, or None), closest first (ties: lowest `seq` first).
    ///
    /// At most `per_group` handles of one group are verified; verification stops after the
    /// first handle whose Jaccard reaches `stop_at` (nothing can be closer to the text than a
    /// near-identical version). The floors leave out what the caller would only skip (most
    /// candidates of a new text share a band or two by chance).
    fn nearest(
        &mut self,
        py: Python<'_>,
        sketch: &Sketch,
        per_group: usize,
        stop_at: f64,
        min_jaccard: f64,
        min_containment: f64,
    ) -> PyResult<(f64, Vec<Verified>)> {
        if sketch.size != self.shingling.size {
            return Err(PyValueError::new_err(format!(
                "the sketch has {}-shingles, this index {}",
                sketch.size, self.shingling.size
            )));
        }
        let ranked = self.ranked(sketch);
        // Start reading the candidates' texts (and the objects handed back) while this text's
        // set is built: between two paragraphs, the stage's other work has evicted them.
        for &(handle, _) in &ranked {
            if let Some(Some(stored)) = self.stored.get(handle as usize) {
                let text = stored.text.as_ptr().cast::<u8>();
                for line in 0..4 {
                    prefetch(text.wrapping_add(64 * line));
                }
                if let Some(item) = &stored.item {
                    prefetch(item.as_ptr());
                }
            }
        }
        let scratch = &mut self.scratch;
        let distinct = scratch.load(&sketch.hashes);
        sketch.distinct.store(distinct as u32, Ordering::Relaxed);
        let mut groups: Vec<(u64, usize)> = Vec::with_capacity(ranked.len());
        let mut found: Vec<(&Stored, f64, f64)> = Vec::with_capacity(ranked.len());
        let mut best = 0.0f64;
        for (handle, _) in ranked {
            let stored = self
                .stored
                .get(handle as usize)
                .and_then(Option::as_ref)
                .ok_or_else(|| {
                    PyValueError::new_err(format!("handle {handle} was added without a text"))
                })?;
            match groups.iter_mut().find(|(group, _)| *group == stored.group) {
                Some((_, count)) if *count >= per_group => continue,
                Some((_, count)) => *count += 1,
                None => groups.push((stored.group, 1)),
            }
            let (jaccard, containment) = scratch.verify_known(
                &self.shingling,
                stored.text.bind(py).as_any(),
                stored.distinct as usize,
            )?;
            best = best.max(jaccard);
            if jaccard >= min_jaccard || containment >= min_containment {
                found.push((stored, jaccard, containment));
            }
            if jaccard >= stop_at {
                break;
            }
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.seq.cmp(&b.0.seq)));
        let near = found
            .into_iter()
            .map(|(stored, jaccard, containment)| {
                let item = stored
                    .item
                    .as_ref()
                    .map_or_else(|| py.None(), |i| i.clone_ref(py));
                (item, jaccard, containment)
            })
            .collect();
        Ok((best, near))
    }

    /// [`NearIndex::sketch`] of `text` and [`NearIndex::nearest`] of that sketch in one call:
    /// `(sketch, best, near)`.
    fn search(
        &mut self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        per_group: usize,
        stop_at: f64,
        min_jaccard: f64,
        min_containment: f64,
    ) -> PyResult<(Py<Sketch>, f64, Vec<Verified>)> {
        let sketch = self.sketch(text)?;
        let (best, near) = self.nearest(
            py,
            &sketch,
            per_group,
            stop_at,
            min_jaccard,
            min_containment,
        )?;
        Ok((Py::new(py, sketch)?, best, near))
    }

    /// File `handle` under each band of `sketch`, after the handles already there. With
    /// `text` (its stored text), `group`, `seq` and `item`, the handle can be verified by
    /// [`NearIndex::nearest`].
    #[pyo3(signature = (handle, sketch, text=None, group=0, seq=0, item=None))]
    fn add(
        &mut self,
        handle: u32,
        sketch: &Sketch,
        text: Option<Py<PyBytes>>,
        group: u64,
        seq: u64,
        item: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        if handle > i32::MAX as u32 {
            return Err(PyOverflowError::new_err(
                "handle too large for the LSH index",
            ));
        }
        let at = handle as usize;
        if self.stored.len() <= at {
            self.stored.resize_with(at + 1, || None);
        }
        let mut distinct = sketch.distinct.load(Ordering::Relaxed);
        if distinct == UNKNOWN && text.is_some() {
            distinct = self.scratch.load(&sketch.hashes) as u32;
            sketch.distinct.store(distinct, Ordering::Relaxed);
        }
        self.stored[at] = text.map(|text| Stored {
            text,
            distinct,
            group,
            seq,
            item,
        });
        if self.shared.slot.len() <= handle as usize {
            self.shared.slot.resize(handle as usize + 1, 0);
        }
        for &key in &sketch.keys {
            self.entries += 1;
            match self.table.get(&key).copied() {
                None => {
                    self.table.insert(key, handle as Head);
                }
                Some(head) if head >= 0 => {
                    let index = self.new_bucket(head as u32, handle);
                    self.table.insert(key, !(index as Head));
                }
                Some(head) => self.buckets[!head as usize].push(handle),
            }
        }
        Ok(())
    }

    /// Remove `handle` once from under each band of `sketch`; returns how many entries went.
    fn remove(&mut self, handle: u32, sketch: &Sketch) -> usize {
        if let Some(stored) = self.stored.get_mut(handle as usize) {
            *stored = None;
        }
        let mut removed = 0;
        for &key in &sketch.keys {
            match self.table.get(&key).copied() {
                Some(head) if head >= 0 && head as u32 == handle => {
                    self.table.remove(&key);
                    removed += 1;
                }
                Some(head) if head < 0 => {
                    let index = !head as usize;
                    let bucket = &mut self.buckets[index];
                    if let Some(at) = bucket.iter().position(|&h| h == handle) {
                        bucket.remove(at);
                        removed += 1;
                        if bucket.len() == 1 {
                            let last = bucket[0];
                            self.buckets[index] = Vec::new();
                            self.free_buckets.push(index);
                            self.table.insert(key, last as Head);
                        }
                    }
                }
                _ => {}
            }
        }
        self.entries -= removed;
        removed
    }

    /// The object added with `handle` (None if the handle holds nothing, or was added without one).
    fn item(&self, py: Python<'_>, handle: u32) -> Option<Py<PyAny>> {
        let stored = self.stored.get(handle as usize)?.as_ref()?;
        stored.item.as_ref().map(|item| item.clone_ref(py))
    }

    /// Number of (band, handle) entries.
    fn __len__(&self) -> usize {
        self.entries
    }

    /// Bytes held: the table's slots and control bytes, bucket headers and their buffers.
    fn nbytes(&self) -> usize {
        let slot = std::mem::size_of::<u32>() + std::mem::size_of::<Head>() + 1;
        let buckets: usize = self.buckets.iter().map(|b| b.capacity() * 4).sum();
        self.table.capacity() * slot
            + self.buckets.capacity() * std::mem::size_of::<Vec<u32>>()
            + buckets
            + self.free_buckets.capacity() * std::mem::size_of::<usize>()
            + self.shared.slot.capacity() * std::mem::size_of::<u32>()
            + self.stored.capacity() * std::mem::size_of::<Option<Stored>>()
    }
}

impl NearIndex {
    /// See [`NearIndex::candidates`].
    fn ranked(&mut self, sketch: &Sketch) -> Vec<(u32, u32)> {
        let shared = &mut self.shared;
        // The table and the buckets are far bigger than the caches: look every band up first
        // and prefetch the buckets, so the memory reads overlap instead of queueing.
        let heads: Vec<Option<Head>> = sketch
            .keys
            .iter()
            .map(|key| self.table.get(key).copied())
            .collect();
        for &head in heads.iter().flatten() {
            if head < 0 {
                let bucket = &self.buckets[!head as usize];
                prefetch(bucket[bucket.len().saturating_sub(self.bucket_limit)..].as_ptr());
            }
        }
        let mut big: Vec<&Vec<u32>> = Vec::new();
        for head in heads {
            match head {
                None => {}
                Some(head) if head >= 0 => shared.bump(head as u32, true),
                Some(head) => {
                    let bucket = &self.buckets[!head as usize];
                    if bucket.len() > self.bucket_limit {
                        big.push(bucket);
                    } else {
                        let rare = bucket.len() <= self.rare_bucket;
                        for &handle in bucket {
                            shared.bump(handle, rare);
                        }
                    }
                }
            }
        }
        let strongest = shared.order.iter().map(|e| e.1).max().unwrap_or(0);
        if !big.is_empty() && strongest < self.strong {
            for bucket in big {
                for &handle in &bucket[bucket.len() - self.bucket_limit..] {
                    shared.bump(handle, false);
                }
            }
        }
        let mut kept: Vec<(u32, u32)> = shared
            .order
            .iter()
            .filter(|&&(_, count, rare)| count >= 2 || rare)
            .map(|&(handle, count, _)| (handle, count))
            .collect();
        shared.clear();
        kept.sort_by_key(|&(_, count)| std::cmp::Reverse(count)); // stable: ties keep discovery order
        kept.truncate(self.max_verify);
        kept
    }
}

/// Ask the processor to start reading the cache line at `at` (no effect on other targets).
#[inline]
fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults, whatever the address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// What the fast path does with a character: part of a word (as this character), a separator,
/// dropped (a mark), or outside the fast path (the whole text goes to Python).
#[derive(Clone, Copy)]
enum Class {
    Word(char),
    Separator,
    Dropped,
    Outside,
}

fn classify(c: char) -> Class {
    match c {
        'a'..='z' | '0'..='9' => Class::Word(c),
        'A'..='Z' => Class::Word(c.to_ascii_lowercase()),
        '\t' | '\n' | '\r' | ' '..='~' => Class::Separator,
        '\u{0623}' | '\u{0625}' | '\u{0622}' => Class::Word('\u{0627}'), // hamza forms → alef
        '\u{0649}' => Class::Word('\u{064A}'),                           // alef maqsura → ya
        '\u{0629}' => Class::Word('\u{0647}'),                           // ta marbuta → ha
        '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' => Class::Word(c),
        '\u{064B}'..='\u{0652}' | '\u{0670}' | '\u{0640}' => Class::Dropped, // harakat, tatweel
        '\u{0660}'..='\u{0669}' => Class::Word(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        '\u{06F0}'..='\u{06F9}' => Class::Word(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
        '\u{060C}' | '\u{061B}' | '\u{061F}' | '\u{066A}'..='\u{066C}' => Class::Separator,
        '\u{00AB}' | '\u{00BB}' | '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}' => {
            Class::Separator
        }
        '\u{2013}' | '\u{2014}' | '\u{2022}' => Class::Separator,
        _ => Class::Outside,
    }
}

/// Code points below this are classified by table ([`classes`]): ASCII, Latin-1 and Arabic.
const TABLED: usize = 0x800;

/// [`classify`] of every code point below [`TABLED`], computed once: a lookup instead of the
/// match for nearly every character of a paragraph.
fn classes() -> &'static [Class; TABLED] {
    static CLASSES: OnceLock<[Class; TABLED]> = OnceLock::new();
    CLASSES.get_or_init(|| {
        std::array::from_fn(|point| char::from_u32(point as u32).map_or(Class::Outside, classify))
    })
}

/// One paragraph's canonical text (normalized words joined by single spaces), built by
/// [`Canonical::read`] into buffers reused from one paragraph to the next.
#[derive(Default)]
struct Canonical {
    /// The text's code points, as Python hands them out.
    points: Vec<u32>,
    /// The canonical text in UTF-8 (what the text key hashes).
    utf8: String,
    /// The canonical text's code points (what the Python str is made from).
    wide: Vec<u32>,
    /// The canonical text in the code page (the stored encoding).
    encoded: Vec<u8>,
    words: usize,
}

impl Canonical {
    /// Reads `text` into the buffers; false if it has a character outside the fast path or
    /// outside the code page (`bytes`: the code page's byte of each code point below
    /// [`ENCODED`]), or a lone surrogate.
    fn read(&mut self, text: &Bound<'_, PyString>, bytes: &CodePageBytes) -> bool {
        self.utf8.clear();
        self.wide.clear();
        self.encoded.clear();
        self.words = 0;
        let mut points = std::mem::take(&mut self.points);
        let read = str_code_points(text, &mut points).is_ok()
            && self.read_points(&points, classes(), bytes);
        self.points = points;
        read
    }

    fn read_points(
        &mut self,
        points: &[u32],
        table: &[Class; TABLED],
        bytes: &CodePageBytes,
    ) -> bool {
        let mut in_word = false;
        for &point in points {
            let class = match table.get(point as usize) {
                Some(&class) => class,
                None => match char::from_u32(point) {
                    Some(c) => classify(c),
                    None => return false, // not a char: `str_code_points` refuses these
                },
            };
            match class {
                Class::Word(w) => {
                    if !in_word {
                        if self.words > 0 {
                            self.push(' ', bytes);
                        }
                        self.words += 1;
                    }
                    if !self.push(w, bytes) {
                        return false;
                    }
                    in_word = true;
                }
                Class::Separator => in_word = false,
                Class::Dropped => {}
                Class::Outside => return false,
            }
        }
        true
    }

    fn push(&mut self, c: char, bytes: &CodePageBytes) -> bool {
        let Some(&Some(byte)) = bytes.get(c as usize) else {
            return false;
        };
        self.utf8.push(c);
        self.wide.push(c as u32);
        self.encoded.push(byte);
        true
    }

    /// The canonical text as a Python str.
    fn text<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        if cfg!(unix) {
            // From the code points (a 4-byte wchar_t on Unix): no UTF-8 to decode.
            // SAFETY: `wide` holds `wide.len()` valid code points (checked by `push`).
            unsafe {
                let text = pyo3::ffi::PyUnicode_FromWideChar(
                    self.wide.as_ptr().cast(),
                    self.wide.len() as _,
                );
                Ok(Bound::from_owned_ptr_or_err(py, text)?.cast_into_unchecked())
            }
        } else {
            Ok(PyString::new(py, &self.utf8))
        }
    }
}

/// BLAKE2b with an 8-byte digest, big-endian: `pipeline.dedupe.shingles.text_key`.
fn text_key(text: &str) -> u64 {
    let mut hasher = Blake2bVar::new(8).expect("8 is a valid BLAKE2b digest size");
    hasher.update(text.as_bytes());
    let mut digest = [0u8; 8];
    hasher
        .finalize_variable(&mut digest)
        .expect("the buffer has the digest size");
    u64::from_be_bytes(digest)
}

/// Code points below this that the code page has, as their byte there.
const ENCODED: usize = 0x700;

/// For each paragraph, `(canonical text, text key, number of words, the canonical text in the
/// code page)`, or None where a character is outside the fast path or the code page (`codepage`:
/// its 256 characters in byte order), or the str cannot be encoded (Python handles those).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn prepare(
    py: Python<'_>,
    texts: Vec<Bound<'_, PyString>>,
    codepage: &str,
) -> PyResult<Vec<Option<(Py<PyString>, u64, usize, Py<PyBytes>)>>> {
    let table = code_page_bytes(codepage)?;
    let mut paragraph = Canonical::default();
    texts
        .iter()
        .map(|text| {
            if !paragraph.read(text, &table) {
                return Ok(None);
            }
            Ok(Some((
                paragraph.text(py)?.unbind(),
                text_key(&paragraph.utf8),
                paragraph.words,
                PyBytes::new(py, &paragraph.encoded).unbind(),
            )))
        })
        .collect()
}

type CodePageBytes = [Option<u8>; ENCODED];

/// The code page's byte for each code point below [`ENCODED`] that it has (`codepage`: its 256
/// characters in byte order).
fn code_page_bytes(codepage: &str) -> PyResult<Box<CodePageBytes>> {
    let mut bytes: Box<CodePageBytes> = Box::new([None; ENCODED]);
    let mut count = 0;
    for (byte, c) in codepage.chars().enumerate() {
        count += 1;
        if (c as usize) < ENCODED && byte < 256 {
            bytes[c as usize].get_or_insert(byte as u8);
        }
    }
    if count != 256 {
        return Err(PyValueError::new_err(format!(
            "codepage must have 256 characters, got {count}"
        )));
    }
    Ok(bytes)
}

/// Take `object` out of the garbage collector's scans (what CPython does for a tuple or dict of
/// atomic values), for long-lived objects that no reference cycle can go through; returns
/// whether it was tracked. Its references still count: what it refers to lives as long as it
/// does. A cycle through it would never be collected, so only for objects that refer to
/// nothing that refers back to them. An object of a type without collector support is left
/// as it is (False).
#[pyfunction]
fn untrack(object: &Bound<'_, PyAny>) -> bool {
    let pointer = object.as_ptr();
    // SAFETY: `pointer` is a live object (borrowed for the call, GIL held). Its GC header is
    // read only when its type has collector support, which is when the header exists.
    unsafe {
        if pyo3::ffi::PyType_IS_GC(pyo3::ffi::Py_TYPE(pointer)) == 0
            || pyo3::ffi::PyObject_GC_IsTracked(pointer) == 0
        {
            return false;
        }
        pyo3::ffi::PyObject_GC_UnTrack(pointer.cast());
    }
    true
}

#[pymodule]
fn marsad_native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(prepare, module)?)?;
    module.add_function(wrap_pyfunction!(untrack, module)?)?;
    module.add_class::<Shingler>()?;
    module.add_class::<Sketch>()?;
    module.add_class::<NearIndex>()?;
    module.add_class::<wording::WordingRules>()?;
    Ok(())
}
