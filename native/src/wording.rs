//! The word rules of the dedupe stage on the common path, in native code: revision or another
//! event (`pipeline.dedupe.events.compare_wording`), and the counts that changed between two
//! versions of a paragraph (`pipeline.dedupe.numbers.numeric_diff`).
//!
//! [`WordingRules::compare`] and [`WordingRules::numeric_diff`] give exactly what the Python
//! rules give for texts made only of normalized Arabic letters (U+0621..U+064A), ASCII letters
//! and digits and single spaces, and return `None` otherwise: the caller then runs the Python
//! rule, which stays the reference. The word alignment of the event check is difflib's
//! `SequenceMatcher` (no junk, no autojunk), rewritten here ([`replacements`]). The lexicons
//! come from Python (`pipeline.dedupe.lexicon`).
//!
//! Texts come in the stage's stored encoding (one byte a letter in Windows-1256), and the rule
//! works on those bytes: every character it accepts is one byte there, so lengths in bytes are
//! lengths in characters.
//!
//! Both rules run once for every candidate pair of the stage, on texts of a few dozen words, so
//! a call is a few microseconds and its fixed costs count: the word lists are one hash table
//! (one lookup tells all the lists a word is in, [`Entry`]; the number words, looked up for
//! every word of the numeric difference, are a small table of their own), the event check
//! numbers the words of the two texts once ([`Vocabulary`]) and then works on those numbers
//! (word sets, the alignment), skeletons are kept in one buffer ([`Skeletons`]) rather than a
//! string each, and texts are split into words without a branch on every byte
//! ([`WordingRules::words`]).

use std::borrow::Cow;
use std::ops::Range;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustc_hash::FxHashMap;

/// Slot classes, in the order the Python rule tries them (`events.Slot`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Place,
    Actor,
    Day,
    Date,
    Name,
}

const SLOTS: [Slot; 5] = [Slot::Place, Slot::Actor, Slot::Day, Slot::Date, Slot::Name];

/// Leading clitics and common suffixes (`lexicon._CLITICS` / `lexicon._SUFFIXES`) and the weak
/// letters a skeleton drops (`lexicon._WEAK`); encoded with the code page at construction.
const CLITICS: [&str; 13] = [
    "وبال", "فبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك",
];
const SUFFIXES: [&str; 9] = ["هما", "هم", "ها", "ات", "ين", "ون", "ان", "ه", "ي"];
const WEAK: &str = "اويء";

type Word<'a> = &'a [u8];

/// What one comparison found (the fields of `events.WordingDiff`).
type Outcome = (bool, Vec<String>, Vec<String>, usize);

/// The lists of the lexicons a word can be in, as the bits of [`Entry::kinds`].
const IGNORED: u16 = 1;
const PLACE_TRIGGER: u16 = 1 << 1;
const ACTOR_TRIGGER: u16 = 1 << 2;
const DAY: u16 = 1 << 3;
const MONTH: u16 = 1 << 4;
const NAME: u16 = 1 << 5;
/// Function words, without clitic forms (a count's subject stops at one).
const FUNCTION: u16 = 1 << 6;
/// Qualifier heads ("اكثر", "نحو"...), without clitic forms.
const QUALIFIER_HEAD: u16 = 1 << 7;

/// The lists of the lexicons a word is in (`IGNORED`, `PLACE_TRIGGER`...; none: not in the
/// lexicons).
#[derive(Clone, Copy, Default)]
struct Entry(u16);

impl Entry {
    fn is(self, kind: u16) -> bool {
        self.0 & kind != 0
    }
}

/// The lexicons and limits of the rule, in the code page's bytes.
#[pyclass(module = "marsad_native", frozen)]
pub struct WordingRules {
    /// Every word of the word lists and the lists it is in: one lookup a word answers every
    /// list (the ignored words, the triggers, days, months and names with their clitic forms;
    /// the function words and qualifier heads).
    lexicon: FxHashMap<Vec<u8>, Entry>,
    /// Number words, clitic forms included, and the index in `counts` of the count each
    /// stands for. Apart from `lexicon`: the numeric difference looks every word of the two
    /// texts up in it, and this table is small (it stays in cache) and nearly every lookup
    /// misses (no key comparison).
    numbers: FxHashMap<Vec<u8>, u32>,
    counts: Vec<String>,
    max_other_changes: usize,
    max_other_change_share: f64,
    /// Byte → character of the code page.
    codepage: Vec<char>,
    /// Bytes that are simple characters (a normalized Arabic letter, an ASCII letter or digit).
    simple: [bool; 256],
    clitics: Vec<Vec<u8>>,
    suffixes: Vec<Vec<u8>>,
    /// Bytes a skeleton drops (the weak letters).
    weak: [bool; 256],
    /// "من" and "عن": between a qualifier head and its count ("اكثر من 10").
    joiners: Vec<Vec<u8>>,
    /// "و": a word starting with it begins a new clause after a count's subject.
    waw: Vec<u8>,
}

fn is_digit_word(word: Word<'_>) -> bool {
    word.iter().all(u8::is_ascii_digit)
}

/// Python's `str.isalpha` for a word of simple characters: no digit.
fn is_alpha(word: Word<'_>) -> bool {
    !word.iter().any(u8::is_ascii_digit)
}

/// The first run of digits of a word, if any.
fn digits(word: Word<'_>) -> Option<Word<'_>> {
    let start = word.iter().position(u8::is_ascii_digit)?;
    let rest = &word[start..];
    let end = rest
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// A run of digits as a number, saturating (only comparisons with small bounds follow).
fn value(run: Word<'_>) -> u64 {
    run.iter().fold(0u64, |v, &b| {
        v.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    })
}

/// Consonant skeletons (`lexicon.skeletons`), kept in one buffer: skeleton `k` is
/// `letters[ranges[k]]`. A word has a few, of a few letters, and a call finds them for a few
/// words: one buffer spares an allocation for each.
#[derive(Default)]
struct Skeletons {
    letters: Vec<u8>,
    ranges: Vec<Range<usize>>,
}

impl Skeletons {
    fn get(&self, k: usize) -> &[u8] {
        &self.letters[self.ranges[k].clone()]
    }

    /// True if skeletons `these` and `those` (ranges of indices) have one in common.
    fn share(&self, mut these: Range<usize>, those: Range<usize>) -> bool {
        these.any(|a| those.clone().any(|b| self.get(a) == self.get(b)))
    }
}

/// Which text a word of the event check is found in (bits of [`Vocabulary::sides`]).
const THIS: u8 = 1;
const OTHER: u8 = 2;
const BOTH: u8 = THIS | OTHER;

/// The words of the two texts of an event check, numbered: the same number (id) for the same
/// word. The rule's word sets become a bit set for each id, and the alignment compares
/// numbers, so each word is hashed once.
struct Vocabulary<'a> {
    /// Each distinct word, by id.
    words: Vec<Word<'a>>,
    /// The texts each id is found in (`THIS`, `OTHER` or `BOTH`).
    sides: Vec<u8>,
    /// The ids of the first text's words, then those of the second's.
    ids: Vec<u32>,
}

impl<'a> Vocabulary<'a> {
    fn new(this: &[Word<'a>], other: &[Word<'a>]) -> Self {
        let total = this.len() + other.len();
        let mut index: FxHashMap<Word<'a>, u32> =
            FxHashMap::with_capacity_and_hasher(total, Default::default());
        let mut vocabulary = Self {
            words: Vec::with_capacity(total),
            sides: Vec::with_capacity(total),
            ids: Vec::with_capacity(total),
        };
        for (side, words) in [(THIS, this), (OTHER, other)] {
            for &word in words {
                let next = vocabulary.words.len() as u32;
                let id = *index.entry(word).or_insert(next);
                if id == next {
                    vocabulary.words.push(word);
                    vocabulary.sides.push(0);
                }
                vocabulary.sides[id as usize] |= side;
                vocabulary.ids.push(id);
            }
        }
        vocabulary
    }
}

/// One paragraph's words found only on its side, sorted into slots and content changes.
struct Side<'a, 'w> {
    words: &'w [Word<'a>],
    /// The ids of `words` ([`Vocabulary`]).
    ids: &'w [u32],
    /// Positions of the words the other side does not have, ascending.
    only: Vec<usize>,
    /// (position, slot), in ascending position.
    slots: Vec<(usize, Slot)>,
    /// Positions of the content changes (unexplained words outside name slots), ascending.
    content: Vec<usize>,
}

impl<'a, 'w> Side<'a, 'w> {
    fn new(words: &'w [Word<'a>], ids: &'w [u32], sides: &[u8]) -> Self {
        let only = (0..words.len())
            .filter(|&i| sides[ids[i] as usize] != BOTH)
            .collect();
        Side {
            words,
            ids,
            only,
            slots: Vec::new(),
            content: Vec::new(),
        }
    }

    fn slot_of(&self, i: usize) -> Option<Slot> {
        self.slots.iter().find(|(at, _)| *at == i).map(|&(_, s)| s)
    }

    fn has(&self, kind: Slot) -> bool {
        self.slots.iter().any(|&(_, s)| s == kind)
    }

    fn names(&self, kind: Slot, codepage: &[char]) -> Vec<String> {
        self.slots
            .iter()
            .filter(|(_, s)| *s == kind)
            .map(|&(i, _)| {
                self.words[i]
                    .iter()
                    .map(|&b| codepage[b as usize])
                    .collect()
            })
            .collect()
    }

    fn unexplained(&self) -> bool {
        !self.slots.is_empty() || !self.content.is_empty()
    }
}

/// What the event check needs of a word found on one side only, found once for each id.
#[derive(Clone, Copy, Default)]
struct Only {
    entry: Entry,
    /// No skeleton in common with the words found only on the other side.
    disjoint: bool,
}

impl WordingRules {
    fn encode(&self, text: &str) -> Option<Vec<u8>> {
        text.chars()
            .map(|c| self.codepage.iter().position(|&d| d == c).map(|b| b as u8))
            .collect()
    }

    /// Files the encodable words of a list under `kind` in the lexicon.
    fn add(&mut self, words: Vec<String>, kind: u16) {
        for word in words {
            if let Some(word) = self.encode(&word) {
                self.lexicon.entry(word).or_default().0 |= kind;
            }
        }
    }

    /// What the lexicons say of a word.
    fn entry(&self, word: Word<'_>) -> Entry {
        self.lexicon.get(word).copied().unwrap_or_default()
    }

    /// A word's forms: itself, then without each leading clitic it starts with (leaving at
    /// least two letters), as `lexicon.bare_forms`.
    fn forms<'r, 'a: 'r>(&'r self, word: Word<'a>) -> impl Iterator<Item = Word<'a>> + 'r {
        std::iter::once(word).chain(
            self.clitics
                .iter()
                .filter(move |c| word.starts_with(c) && word.len() - c.len() >= 2)
                .map(move |c| &word[c.len()..]),
        )
    }

    /// `lexicon.skeletons`: adds the consonant skeletons of a word's forms (clitic, suffix
    /// removed) to `found`, each once, and returns their indices.
    fn skeletons(&self, word: Word<'_>, found: &mut Skeletons) -> Range<usize> {
        let first = found.ranges.len();
        let mut add = |stem: Word<'_>| {
            let start = found.letters.len();
            let weak = &self.weak;
            found
                .letters
                .extend(stem.iter().copied().filter(|&b| !weak[b as usize]));
            let end = found.letters.len();
            let new = end - start >= 2
                && !found.ranges[first..]
                    .iter()
                    .any(|r| found.letters[r.clone()] == found.letters[start..end]);
            if new {
                found.ranges.push(start..end);
            } else {
                found.letters.truncate(start);
            }
        };
        for form in self.forms(word) {
            add(form);
            for suffix in &self.suffixes {
                if form.ends_with(suffix) && form.len() - suffix.len() >= 3 {
                    add(&form[..form.len() - suffix.len()]);
                }
            }
        }
        first..found.ranges.len()
    }

    /// True if two words (or runs of letters) share a skeleton.
    fn related(&self, a: Word<'_>, b: Word<'_>) -> bool {
        let mut found = Skeletons::default();
        let these = self.skeletons(a, &mut found);
        let those = self.skeletons(b, &mut found);
        found.share(these, those)
    }

    /// `numbers.number_value(word) is not None`.
    fn number(&self, word: Word<'_>) -> bool {
        // a word of simple characters that is not alphabetic has a digit
        !is_alpha(word) || self.numbers.contains_key(word)
    }

    /// `numbers.is_date_number`.
    fn is_date_number(&self, words: &[Word<'_>], position: usize) -> bool {
        let Some(run) = digits(words[position]) else {
            return false;
        };
        let number = value(run);
        if (1900..=2100).contains(&number) && run.len() == 4 {
            return true;
        }
        let neighbours = [position.checked_sub(1), Some(position + 1)];
        neighbours.into_iter().flatten().any(|n| {
            n < words.len()
                && (self.entry(words[n]).is(MONTH) || (is_digit_word(words[n]) && number <= 31))
        })
    }

    /// `events._Side._slot`.
    fn slot(&self, side: &Side<'_, '_>, i: usize, entry: Entry, number: bool) -> Option<Slot> {
        let words = side.words;
        if number {
            return self.is_date_number(words, i).then_some(Slot::Date);
        }
        let kind = if entry.is(DAY) {
            Some(Slot::Day)
        } else if entry.is(MONTH) {
            Some(Slot::Date)
        } else if entry.is(NAME) {
            Some(Slot::Name)
        } else {
            None
        };
        if kind.is_some() || i == 0 || entry.is(IGNORED) {
            return kind;
        }
        let previous = self.entry(words[i - 1]);
        if previous.is(PLACE_TRIGGER) {
            return Some(Slot::Place);
        }
        if previous.is(ACTOR_TRIGGER) {
            return Some(Slot::Actor);
        }
        // The slot of the word before, if it is found on this side only: slots are on such
        // words only, and are found in ascending position, so it is the last one found.
        match side.slots.last() {
            Some(&(at, kind)) if at == i - 1 => Some(kind),
            _ => None,
        }
    }

    /// `events._Side.explain`; `only`: by id, what the check needs of a word found on one side.
    fn explain(&self, side: &mut Side<'_, '_>, only: &[Only]) {
        for at in 0..side.only.len() {
            let i = side.only[at];
            let Only { entry, disjoint } = only[side.ids[i] as usize];
            let number = self.number(side.words[i]);
            let kind = self.slot(side, i, entry, number);
            if let Some(kind) = kind {
                if disjoint {
                    side.slots.push((i, kind));
                }
                continue;
            }
            if number || entry.is(IGNORED) || !disjoint {
                continue;
            }
            side.content.push(i);
        }
    }

    /// `events._aligned`: a name on one side where the other side has another unexplained
    /// word, aligning the words as difflib does.
    fn aligned(
        &self,
        here: &Side<'_, '_>,
        there: &Side<'_, '_>,
        ids: usize,
        changes: usize,
    ) -> Outcome {
        let (this, other) = (here.words, there.words);
        let content = |side: &Side<'_, '_>, i: usize| side.content.binary_search(&i).is_ok();
        for (i1, i2, j1, j2) in replacements(here.ids, there.ids, ids) {
            if self.respelled(&this[i1..i2], &other[j1..j2]) {
                continue;
            }
            let names_here: Vec<usize> = (i1..i2).filter(|&i| here.slot_of(i).is_some()).collect();
            let names_there: Vec<usize> =
                (j1..j2).filter(|&j| there.slot_of(j).is_some()).collect();
            let words_here = if names_here.is_empty() {
                (i1..i2).filter(|&i| content(here, i)).collect()
            } else {
                names_here.clone()
            };
            let words_there = if names_there.is_empty() {
                (j1..j2).filter(|&j| content(there, j)).collect()
            } else {
                names_there.clone()
            };
            if (!names_here.is_empty() && !words_there.is_empty())
                || (!names_there.is_empty() && !words_here.is_empty())
            {
                let text = |side: &Side<'_, '_>, at: Vec<usize>| {
                    at.into_iter()
                        .map(|i| {
                            side.words[i]
                                .iter()
                                .map(|&b| self.codepage[b as usize])
                                .collect()
                        })
                        .collect()
                };
                return (
                    true,
                    text(here, words_here),
                    text(there, words_there),
                    changes,
                );
            }
        }
        (false, Vec::new(), Vec::new(), changes)
    }

    /// `events._respelled`: the same letters spaced differently ("ديرالزور" / "دير الزور").
    fn respelled(&self, a: &[Word<'_>], b: &[Word<'_>]) -> bool {
        self.related(&a.concat(), &b.concat())
    }

    /// The rule on two word lists.
    fn compare_words(&self, this: &[Word<'_>], other: &[Word<'_>]) -> Outcome {
        let vocabulary = Vocabulary::new(this, other);
        let sides = &vocabulary.sides;
        if sides.iter().all(|&s| s == BOTH) {
            return (false, Vec::new(), Vec::new(), 0);
        }
        // The skeletons of the words found on one side only, by id, and those of each side
        // sorted (without repeats) to look the other side's up.
        let mut skeletons = Skeletons::default();
        let found: Vec<Range<usize>> = (0..sides.len())
            .map(|id| match sides[id] {
                BOTH => 0..0,
                _ => self.skeletons(vocabulary.words[id], &mut skeletons),
            })
            .collect();
        let of_side = |side: u8| {
            let mut all: Vec<&[u8]> = (0..sides.len())
                .filter(|&id| sides[id] == side)
                .flat_map(|id| found[id].clone())
                .map(|k| skeletons.get(k))
                .collect();
            all.sort_unstable();
            all.dedup();
            all
        };
        let (this_skeletons, other_skeletons) = (of_side(THIS), of_side(OTHER));
        let only: Vec<Only> = (0..sides.len())
            .map(|id| {
                let theirs = match sides[id] {
                    THIS => &other_skeletons,
                    OTHER => &this_skeletons,
                    _ => return Only::default(),
                };
                Only {
                    entry: self.entry(vocabulary.words[id]),
                    disjoint: found[id]
                        .clone()
                        .all(|k| theirs.binary_search(&skeletons.get(k)).is_err()),
                }
            })
            .collect();
        let (this_ids, other_ids) = vocabulary.ids.split_at(this.len());
        let mut here = Side::new(this, this_ids, sides);
        let mut there = Side::new(other, other_ids, sides);
        self.explain(&mut here, &only);
        self.explain(&mut there, &only);
        let changes = here.content.len() + there.content.len();
        let revision = (false, Vec::new(), Vec::new(), changes);
        if here.slots.is_empty() && there.slots.is_empty() {
            return revision;
        }
        let shorter = this.len().min(other.len());
        let limit =
            (self.max_other_changes as f64).max(self.max_other_change_share * shorter as f64);
        if changes as f64 > limit {
            return revision;
        }
        if let Some(kind) = SLOTS
            .into_iter()
            .find(|&kind| here.has(kind) && there.has(kind))
        {
            let (these, those) = (
                here.names(kind, &self.codepage),
                there.names(kind, &self.codepage),
            );
            return (true, these, those, changes);
        }
        let faces = |names: &Side<'_, '_>, words: &Side<'_, '_>| {
            !names.slots.is_empty() && words.unexplained()
        };
        if !faces(&here, &there) && !faces(&there, &here) {
            return revision; // no name faces an unexplained word
        }
        self.aligned(&here, &there, sides.len(), changes)
    }

    /// The words of a stored text, or None if it is not made of simple characters.
    ///
    /// One pass without a branch on the bytes: a branch on "is it a space?" is mispredicted at
    /// every word's end, and for a text of a few dozen words that cost more than the rest of
    /// the check.
    fn words<'a>(&self, text: &'a [u8]) -> Option<Vec<Word<'a>>> {
        // the position of every space, then the text's end
        let mut ends = vec![0usize; text.len() + 1];
        let (mut count, mut valid) = (0, true);
        for (i, &b) in text.iter().enumerate() {
            let space = b == b' ';
            valid &= space | self.simple[b as usize];
            ends[count] = i;
            count += usize::from(space);
        }
        ends[count] = text.len();
        let ends = &ends[..=count];
        let mut words = Vec::with_capacity(ends.len());
        let mut start = 0;
        for &end in ends {
            // an empty word: an empty text, or a space that is not single
            valid &= end > start;
            words.push(&text[start..end]);
            start = end + 1;
        }
        valid.then_some(words)
    }
}

fn is_simple(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | 'a'..='z' | 'A'..='Z' | '0'..='9')
}

#[pymethods]
impl WordingRules {
    #[new]
    #[pyo3(signature = (*, ignored, place_triggers, actor_triggers, day_words, months, names, number_words, function_words, qualifier_heads, max_other_changes, max_other_change_share, codepage))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        ignored: Vec<String>,
        place_triggers: Vec<String>,
        actor_triggers: Vec<String>,
        day_words: Vec<String>,
        months: Vec<String>,
        names: Vec<String>,
        number_words: Vec<(String, String)>,
        function_words: Vec<String>,
        qualifier_heads: Vec<String>,
        max_other_changes: usize,
        max_other_change_share: f64,
        codepage: &str,
    ) -> PyResult<Self> {
        let codepage: Vec<char> = codepage.chars().collect();
        if codepage.len() != 256 {
            return Err(PyValueError::new_err("codepage must have 256 characters"));
        }
        let mut simple = [false; 256];
        for (byte, &c) in codepage.iter().enumerate() {
            // each simple character must be one byte, and only one
            simple[byte] = is_simple(c) && codepage.iter().filter(|&&d| d == c).count() == 1;
        }
        let mut rules = Self {
            lexicon: FxHashMap::default(),
            numbers: FxHashMap::default(),
            counts: Vec::new(),
            max_other_changes,
            max_other_change_share,
            codepage,
            simple,
            clitics: Vec::new(),
            suffixes: Vec::new(),
            weak: [false; 256],
            joiners: Vec::new(),
            waw: Vec::new(),
        };
        let encoded = |rules: &Self, words: &[&str]| -> PyResult<Vec<Vec<u8>>> {
            words
                .iter()
                .map(|w| {
                    rules.encode(w).ok_or_else(|| {
                        PyValueError::new_err(format!("{w:?} is not in the code page"))
                    })
                })
                .collect()
        };
        rules.clitics = encoded(&rules, &CLITICS)?;
        rules.suffixes = encoded(&rules, &SUFFIXES)?;
        for b in encoded(&rules, &[WEAK])?.concat() {
            rules.weak[b as usize] = true;
        }
        rules.joiners = encoded(&rules, &["من", "عن"])?;
        rules.waw = encoded(&rules, &["و"])?.concat();
        rules.add(ignored, IGNORED);
        rules.add(place_triggers, PLACE_TRIGGER);
        rules.add(actor_triggers, ACTOR_TRIGGER);
        rules.add(day_words, DAY);
        rules.add(months, MONTH);
        rules.add(names, NAME);
        rules.add(function_words, FUNCTION);
        rules.add(qualifier_heads, QUALIFIER_HEAD);
        for (word, count) in number_words {
            if let Some(word) = rules.encode(&word) {
                // a word listed twice stands for its last count, as in a dict
                rules.numbers.insert(word, rules.counts.len() as u32);
                rules.counts.push(count);
            }
        }
        Ok(rules)
    }

    /// `(other_event, this_names, other_names, content_changes)` for two canonical texts in
    /// the stored encoding, as `compare_wording(this.split(" "), other.split(" "))` gives it
    /// on the decoded texts; or None when a text is not made of simple characters.
    fn compare(&self, this: &Bound<'_, PyBytes>, other: &Bound<'_, PyBytes>) -> Option<Outcome> {
        let this = self.words(this.as_bytes())?;
        let other = self.words(other.as_bytes())?;
        Some(self.compare_words(&this, &other))
    }

    /// `(subject, before, after)` of every count that changed from `before` to `after`
    /// (canonical texts in the stored encoding), as `numeric_diff` gives it on the decoded
    /// words; or None when a text is not made of simple characters.
    fn numeric_diff(
        &self,
        before: &Bound<'_, PyBytes>,
        after: &Bound<'_, PyBytes>,
    ) -> Option<Vec<Change>> {
        let before = self.words(before.as_bytes())?;
        let after = self.words(after.as_bytes())?;
        Some(self.diff(&before, &after))
    }
}

/// A rule that pairs two mentions (same subject, same lead word, same value).
type Pairing<'r> = dyn Fn(&Mention<'_>, &Mention<'_>) -> bool + 'r;

/// One count that changed: subject, reading before, reading after.
type Change = (String, Option<String>, Option<String>);

/// `numbers.Mention` of a count that is not a date, its position left out.
struct Mention<'a> {
    /// The count: a number word's (borrowed from the rules) or a run of digits.
    value: Cow<'a, str>,
    /// The qualifier's head and the joiner after it, if any ("اكثر من").
    qualifier: Option<(Word<'a>, Option<Word<'a>>)>,
    /// The words it counts (at most two, next to each other in the text).
    subject: &'a [Word<'a>],
    /// The skeletons of the first word of the subject and of the lead (the word before the
    /// count and its qualifier), in the buffer of all the mentions, for pairing.
    subject_skeletons: Range<usize>,
    lead_skeletons: Range<usize>,
}

/// How far a mention reads from its number (`numbers._REACH`).
const REACH: usize = 3;

/// `numbers._contexts` for one position: the words within reach of a possible count.
fn context<'w, 'a>(words: &'w [Word<'a>], i: usize) -> (usize, &'w [Word<'a>]) {
    (
        i.min(REACH),
        &words[i.saturating_sub(REACH)..(i + REACH).min(words.len())],
    )
}

impl WordingRules {
    /// `numbers._positions`: where the possible counts are.
    fn positions(&self, words: &[Word<'_>]) -> Vec<usize> {
        (0..words.len())
            .filter(|&i| self.number(words[i]))
            .collect()
    }

    fn text(&self, words: &[Word<'_>]) -> String {
        let mut text = String::new();
        for (n, word) in words.iter().enumerate() {
            if n > 0 {
                text.push(' ');
            }
            text.extend(word.iter().map(|&b| self.codepage[b as usize]));
        }
        text
    }

    /// `numbers.number_value`.
    fn count(&self, word: Word<'_>) -> Option<Cow<'_, str>> {
        if is_alpha(word) {
            let count = *self.numbers.get(word)?;
            return Some(Cow::Borrowed(self.counts[count as usize].as_str()));
        }
        let run = digits(word)?;
        let trimmed = &run[run.iter().position(|&b| b != b'0').unwrap_or(run.len())..];
        Some(Cow::Owned(if trimmed.is_empty() {
            "0".to_string()
        } else {
            self.text(&[trimmed])
        }))
    }

    /// `numbers._head`: the qualifier head a word is, clitics allowed.
    fn head<'a>(&self, word: Word<'a>) -> Option<Word<'a>> {
        self.forms(word)
            .find(|&form| self.entry(form).is(QUALIFIER_HEAD))
    }

    /// `numbers._qualifier`: its head and joiner.
    fn qualifier<'a>(
        &self,
        words: &[Word<'a>],
        position: usize,
    ) -> Option<(Word<'a>, Option<Word<'a>>)> {
        if position == 0 {
            return None;
        }
        let previous = words[position - 1];
        if position >= 2 && self.joiners.iter().any(|j| j.as_slice() == previous) {
            if let Some(head) = self.head(words[position - 2]) {
                return Some((head, Some(previous)));
            }
        }
        self.head(previous).map(|head| (head, None))
    }

    /// `numbers._subject`.
    fn subject<'a>(&self, words: &'a [Word<'a>], position: usize) -> &'a [Word<'a>] {
        let ends = |i: usize| self.entry(words[i]).is(FUNCTION) || self.number(words[i]);
        let start = position + 1;
        let mut end = start;
        while end < words.len() && end < start + 2 {
            if ends(end) || (end > start && words[end].starts_with(&self.waw)) {
                break;
            }
            end += 1;
        }
        if end == start && position >= 1 && !ends(position - 1) {
            return &words[position - 1..position];
        }
        &words[start..end]
    }

    /// `numbers.mentions` at `positions`, dates left out; the skeletons for pairing go to
    /// `skeletons`.
    fn mentions<'a>(
        &'a self,
        words: &'a [Word<'a>],
        positions: &[usize],
        skeletons: &mut Skeletons,
    ) -> Vec<Mention<'a>> {
        let mut found = Vec::new();
        for &position in positions {
            let Some(value) = self.count(words[position]) else {
                continue;
            };
            if self.is_date_number(words, position) {
                continue;
            }
            let qualifier = self.qualifier(words, position);
            let length = qualifier.map_or(0, |(_, joiner)| 1 + usize::from(joiner.is_some()));
            let subject = self.subject(words, position);
            let lead = (position > length).then(|| words[position - length - 1]);
            found.push(Mention {
                value,
                qualifier,
                subject,
                subject_skeletons: match subject.first() {
                    Some(word) => self.skeletons(word, skeletons),
                    None => 0..0,
                },
                lead_skeletons: match lead {
                    Some(word) => self.skeletons(word, skeletons),
                    None => 0..0,
                },
            });
        }
        found
    }

    fn reading(&self, mention: &Mention<'_>) -> String {
        match mention.qualifier {
            None => mention.value.to_string(),
            Some((head, None)) => format!("{} {}", self.text(&[head]), mention.value),
            Some((head, Some(joiner))) => {
                format!("{} {}", self.text(&[head, joiner]), mention.value)
            }
        }
    }

    /// `numbers.numeric_diff`.
    fn diff(&self, before: &[Word<'_>], after: &[Word<'_>]) -> Vec<Change> {
        let (at_before, at_after) = (self.positions(before), self.positions(after));
        let same_contexts = at_before.len() == at_after.len()
            && at_before
                .iter()
                .zip(&at_after)
                .all(|(&i, &j)| context(before, i) == context(after, j));
        if same_contexts {
            return Vec::new();
        }
        let mut skeletons = Skeletons::default();
        let old = self.mentions(before, &at_before, &mut skeletons);
        let new = self.mentions(after, &at_after, &mut skeletons);
        let mut pairs: Vec<Option<usize>> = vec![None; new.len()];
        let skeletons = &skeletons;
        // (a subject or a lead is never empty where its skeletons are: `share` is false then)
        let rules: [&Pairing<'_>; 3] = [
            &|a, b| skeletons.share(a.subject_skeletons.clone(), b.subject_skeletons.clone()),
            &|a, b| skeletons.share(a.lead_skeletons.clone(), b.lead_skeletons.clone()),
            &|a, b| a.value == b.value,
        ];
        for same in rules {
            let mut taken: Vec<bool> = vec![false; old.len()];
            for i in pairs.iter().flatten() {
                taken[*i] = true;
            }
            let mut start = 0;
            for (j, mention) in new.iter().enumerate() {
                if let Some(i) = pairs[j] {
                    start = i + 1;
                    continue;
                }
                if let Some(i) = (start..old.len()).find(|&i| !taken[i] && same(&old[i], mention)) {
                    pairs[j] = Some(i);
                    taken[i] = true;
                    start = i + 1;
                }
            }
        }
        let mut changes = Vec::new();
        for (j, mention) in new.iter().enumerate() {
            let reading = self.reading(mention);
            match pairs[j] {
                None => changes.push((self.text(mention.subject), None, Some(reading))),
                Some(i) => {
                    let previous = self.reading(&old[i]);
                    if previous != reading {
                        let subject = if mention.subject.is_empty() {
                            old[i].subject
                        } else {
                            mention.subject
                        };
                        changes.push((self.text(subject), Some(previous), Some(reading)));
                    }
                }
            }
        }
        let paired: Vec<usize> = pairs.iter().flatten().copied().collect();
        for (i, mention) in old.iter().enumerate() {
            if !paired.contains(&i) {
                changes.push((
                    self.text(mention.subject),
                    Some(self.reading(mention)),
                    None,
                ));
            }
        }
        changes
    }
}

/// The `replace` opcodes of difflib's `SequenceMatcher(None, a, b, autojunk=False)`, as
/// `(i1, i2, j1, j2)`: the same matching blocks, found the same way (longest match first,
/// earliest on ties), so the same alignment. `a` and `b` are word ids below `ids`.
fn replacements(a: &[u32], b: &[u32], ids: usize) -> Vec<(usize, usize, usize, usize)> {
    // b2j, flat: the positions of id `x` in `b` are `b2j[starts[x]..starts[x + 1]]`, ascending.
    let mut starts = vec![0usize; ids + 1];
    for &x in b {
        starts[x as usize + 1] += 1;
    }
    for x in 0..ids {
        starts[x + 1] += starts[x];
    }
    let mut b2j = vec![0usize; b.len()];
    let mut fill = starts.clone();
    for (j, &x) in b.iter().enumerate() {
        b2j[fill[x as usize]] = j;
        fill[x as usize] += 1;
    }
    // difflib's `j2len` / `newj2len` dicts as two arrays: `row[j + 1]` is the length of the
    // match ending at `b[j]` (0 if none), and the entries set are listed to be cleared.
    let (mut row, mut next) = (vec![0usize; b.len() + 1], vec![0usize; b.len() + 1]);
    let (mut set, mut next_set) = (Vec::new(), Vec::new());
    let mut longest = |alo: usize, ahi: usize, blo: usize, bhi: usize| {
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0);
        for (i, &x) in a.iter().enumerate().take(ahi).skip(alo) {
            for &j in &b2j[starts[x as usize]..starts[x as usize + 1]] {
                if j < blo {
                    continue;
                }
                if j >= bhi {
                    break;
                }
                let k = row[j] + 1;
                next[j + 1] = k;
                next_set.push(j + 1);
                if k > bestsize {
                    (besti, bestj, bestsize) = (i + 1 - k, j + 1 - k, k);
                }
            }
            for &at in &set {
                row[at] = 0;
            }
            set.clear();
            std::mem::swap(&mut row, &mut next);
            std::mem::swap(&mut set, &mut next_set);
        }
        for &at in &set {
            row[at] = 0;
        }
        set.clear();
        while besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1] {
            (besti, bestj, bestsize) = (besti - 1, bestj - 1, bestsize + 1);
        }
        while besti + bestsize < ahi
            && bestj + bestsize < bhi
            && a[besti + bestsize] == b[bestj + bestsize]
        {
            bestsize += 1;
        }
        (besti, bestj, bestsize)
    };
    let mut queue = vec![(0, a.len(), 0, b.len())];
    let mut blocks = Vec::new();
    while let Some((alo, ahi, blo, bhi)) = queue.pop() {
        let (i, j, k) = longest(alo, ahi, blo, bhi);
        if k > 0 {
            blocks.push((i, j, k));
            if alo < i && blo < j {
                queue.push((alo, i, blo, j));
            }
            if i + k < ahi && j + k < bhi {
                queue.push((i + k, ahi, j + k, bhi));
            }
        }
    }
    blocks.sort_unstable();
    let mut merged: Vec<(usize, usize, usize)> = Vec::new();
    for (i, j, k) in blocks {
        match merged.last_mut() {
            Some((i1, j1, k1)) if *i1 + *k1 == i && *j1 + *k1 == j => *k1 += k,
            _ => merged.push((i, j, k)),
        }
    }
    merged.push((a.len(), b.len(), 0));
    let (mut i, mut j) = (0, 0);
    let mut found = Vec::new();
    for (ai, bj, size) in merged {
        if i < ai && j < bj {
            found.push((i, ai, j, bj));
        }
        (i, j) = (ai + size, bj + size);
    }
    found
}
