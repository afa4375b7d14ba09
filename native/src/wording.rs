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

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustc_hash::{FxHashMap, FxHashSet};

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

/// The lexicons and limits of the rule, in the code page's bytes.
#[pyclass(module = "marsad_native", frozen)]
pub struct WordingRules {
    ignored: FxHashSet<Vec<u8>>,
    place_triggers: FxHashSet<Vec<u8>>,
    actor_triggers: FxHashSet<Vec<u8>>,
    day_words: FxHashSet<Vec<u8>>,
    months: FxHashSet<Vec<u8>>,
    names: FxHashSet<Vec<u8>>,
    /// Number words, clitic forms included, and the count each stands for.
    number_words: FxHashMap<Vec<u8>, String>,
    /// Function words, without clitic forms (a count's subject stops at one).
    function_words: FxHashSet<Vec<u8>>,
    /// Qualifier heads ("اكثر", "نحو"...), without clitic forms.
    qualifier_heads: FxHashSet<Vec<u8>>,
    max_other_changes: usize,
    max_other_change_share: f64,
    /// Byte → character of the code page.
    codepage: Vec<char>,
    /// Bytes that are simple characters (a normalized Arabic letter, an ASCII letter or digit).
    simple: [bool; 256],
    clitics: Vec<Vec<u8>>,
    suffixes: Vec<Vec<u8>>,
    weak: Vec<u8>,
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

/// One paragraph's words found only on its side, sorted into slots and content changes.
struct Side<'a> {
    words: Vec<Word<'a>>,
    /// Positions of the words the other side does not have, ascending.
    only: Vec<usize>,
    /// Skeletons of those words.
    only_skeletons: FxHashSet<Vec<u8>>,
    /// (position, slot), in ascending position.
    slots: Vec<(usize, Slot)>,
    /// Positions of the content changes (unexplained words outside name slots), ascending.
    content: Vec<usize>,
}

impl Side<'_> {
    fn slot_of(&self, i: usize) -> Option<Slot> {
        self.slots.iter().find(|(at, _)| *at == i).map(|&(_, s)| s)
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

impl WordingRules {
    fn encode(&self, text: &str) -> Option<Vec<u8>> {
        text.chars()
            .map(|c| self.codepage.iter().position(|&d| d == c).map(|b| b as u8))
            .collect()
    }

    fn lexicon(&self, words: Vec<String>) -> FxHashSet<Vec<u8>> {
        words.iter().filter_map(|w| self.encode(w)).collect()
    }

    /// `lexicon.skeletons`: consonant skeletons of a word's forms (clitic, suffix removed).
    fn skeletons(&self, word: Word<'_>, out: &mut Vec<Vec<u8>>) {
        out.clear();
        let mut add = |stem: Word<'_>| {
            let consonants: Vec<u8> = stem
                .iter()
                .copied()
                .filter(|b| !self.weak.contains(b))
                .collect();
            if consonants.len() >= 2 && !out.contains(&consonants) {
                out.push(consonants);
            }
        };
        let forms = std::iter::once(word).chain(
            self.clitics
                .iter()
                .filter(|c| word.starts_with(c) && word.len() - c.len() >= 2)
                .map(|c| &word[c.len()..]),
        );
        for form in forms {
            add(form);
            for suffix in &self.suffixes {
                if form.ends_with(suffix) && form.len() - suffix.len() >= 3 {
                    add(&form[..form.len() - suffix.len()]);
                }
            }
        }
    }

    fn number(&self, word: Word<'_>) -> bool {
        // a word of simple characters that is not alphabetic has a digit
        !is_alpha(word) || self.number_words.contains_key(word)
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
                && (self.months.contains(words[n]) || (is_digit_word(words[n]) && number <= 31))
        })
    }

    fn own_slot(&self, word: Word<'_>) -> Option<Slot> {
        if self.day_words.contains(word) {
            Some(Slot::Day)
        } else if self.months.contains(word) {
            Some(Slot::Date)
        } else if self.names.contains(word) {
            Some(Slot::Name)
        } else {
            None
        }
    }

    /// `events._Side._slot`.
    fn slot(&self, side: &Side<'_>, i: usize, number: bool, ignored: bool) -> Option<Slot> {
        let words = &side.words;
        if number {
            return self.is_date_number(words, i).then_some(Slot::Date);
        }
        let kind = self.own_slot(words[i]);
        if kind.is_some() || i == 0 || ignored {
            return kind;
        }
        let previous = words[i - 1];
        if self.place_triggers.contains(previous) {
            return Some(Slot::Place);
        }
        if self.actor_triggers.contains(previous) {
            return Some(Slot::Actor);
        }
        if side.only.binary_search(&(i - 1)).is_ok() {
            side.slot_of(i - 1)
        } else {
            None
        }
    }

    /// `events._Side.explain`.
    fn explain(
        &self,
        side: &mut Side<'_>,
        skeletons: &FxHashMap<Word<'_>, Vec<Vec<u8>>>,
        other_only_skeletons: &FxHashSet<Vec<u8>>,
    ) {
        for at in 0..side.only.len() {
            let i = side.only[at];
            let word = side.words[i];
            let number = self.number(word);
            let ignored = self.ignored.contains(word);
            let kind = self.slot(side, i, number, ignored);
            let disjoint = || {
                skeletons[word]
                    .iter()
                    .all(|s| !other_only_skeletons.contains(s))
            };
            if let Some(kind) = kind {
                if disjoint() {
                    side.slots.push((i, kind));
                }
                continue;
            }
            if number || ignored || !disjoint() {
                continue;
            }
            side.content.push(i);
        }
    }

    fn side<'a>(
        &self,
        words: Vec<Word<'a>>,
        only_words: &FxHashSet<Word<'a>>,
        skeletons: &mut FxHashMap<Word<'a>, Vec<Vec<u8>>>,
    ) -> Side<'a> {
        let only = (0..words.len())
            .filter(|&i| only_words.contains(words[i]))
            .collect();
        let mut only_skeletons = FxHashSet::default();
        let mut found = Vec::new();
        for &word in only_words {
            self.skeletons(word, &mut found);
            only_skeletons.extend(found.iter().cloned());
            skeletons.insert(word, found.clone());
        }
        Side {
            words,
            only,
            only_skeletons,
            slots: Vec::new(),
            content: Vec::new(),
        }
    }

    /// `events._aligned`: a name on one side where the other side has another unexplained
    /// word, aligning the words as difflib does.
    fn aligned(&self, here: &Side<'_>, there: &Side<'_>, changes: usize) -> Outcome {
        let (this, other) = (&here.words, &there.words);
        let content = |side: &Side<'_>, i: usize| side.content.binary_search(&i).is_ok();
        for (i1, i2, j1, j2) in replacements(this, other) {
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
                let text = |side: &Side<'_>, at: Vec<usize>| {
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
        let (a, b) = (a.concat(), b.concat());
        let (mut these, mut those) = (Vec::new(), Vec::new());
        self.skeletons(&a, &mut these);
        self.skeletons(&b, &mut those);
        these.iter().any(|s| those.contains(s))
    }

    /// The rule on two word lists.
    fn compare_words(&self, this: Vec<Word<'_>>, other: Vec<Word<'_>>) -> Outcome {
        let this_set: FxHashSet<Word<'_>> = this.iter().copied().collect();
        let other_set: FxHashSet<Word<'_>> = other.iter().copied().collect();
        if this_set == other_set {
            return (false, Vec::new(), Vec::new(), 0);
        }
        let this_only: FxHashSet<Word<'_>> = this_set.difference(&other_set).copied().collect();
        let other_only: FxHashSet<Word<'_>> = other_set.difference(&this_set).copied().collect();
        let shorter = this.len().min(other.len());
        let mut skeletons = FxHashMap::default();
        let mut here = self.side(this, &this_only, &mut skeletons);
        let mut there = self.side(other, &other_only, &mut skeletons);
        self.explain(&mut here, &skeletons, &there.only_skeletons);
        self.explain(&mut there, &skeletons, &here.only_skeletons);
        let changes = here.content.len() + there.content.len();
        let revision = (false, Vec::new(), Vec::new(), changes);
        if here.slots.is_empty() && there.slots.is_empty() {
            return revision;
        }
        let limit =
            (self.max_other_changes as f64).max(self.max_other_change_share * shorter as f64);
        if changes as f64 > limit {
            return revision;
        }
        for kind in SLOTS {
            let these = here.names(kind, &self.codepage);
            if these.is_empty() {
                continue;
            }
            let those = there.names(kind, &self.codepage);
            if !those.is_empty() {
                return (true, these, those, changes);
            }
        }
        let faces =
            |names: &Side<'_>, words: &Side<'_>| !names.slots.is_empty() && words.unexplained();
        if !faces(&here, &there) && !faces(&there, &here) {
            return revision; // no name faces an unexplained word
        }
        self.aligned(&here, &there, changes)
    }

    /// The words of a stored text, or None if it is not made of simple characters.
    fn words<'a>(&self, text: &'a [u8]) -> Option<Vec<Word<'a>>> {
        let words: Vec<Word<'a>> = text.split(|&b| b == b' ').collect();
        let simple = words
            .iter()
            .all(|w| !w.is_empty() && w.iter().all(|&b| self.simple[b as usize]));
        simple.then_some(words)
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
            ignored: FxHashSet::default(),
            place_triggers: FxHashSet::default(),
            actor_triggers: FxHashSet::default(),
            day_words: FxHashSet::default(),
            months: FxHashSet::default(),
            names: FxHashSet::default(),
            number_words: FxHashMap::default(),
            function_words: FxHashSet::default(),
            qualifier_heads: FxHashSet::default(),
            max_other_changes,
            max_other_change_share,
            codepage,
            simple,
            clitics: Vec::new(),
            suffixes: Vec::new(),
            weak: Vec::new(),
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
        rules.weak = encoded(&rules, &[WEAK])?.concat();
        rules.joiners = encoded(&rules, &["من", "عن"])?;
        rules.waw = encoded(&rules, &["و"])?.concat();
        rules.ignored = rules.lexicon(ignored);
        rules.place_triggers = rules.lexicon(place_triggers);
        rules.actor_triggers = rules.lexicon(actor_triggers);
        rules.day_words = rules.lexicon(day_words);
        rules.months = rules.lexicon(months);
        rules.names = rules.lexicon(names);
        rules.number_words = number_words
            .into_iter()
            .filter_map(|(word, count)| Some((rules.encode(&word)?, count)))
            .collect();
        rules.function_words = rules.lexicon(function_words);
        rules.qualifier_heads = rules.lexicon(qualifier_heads);
        Ok(rules)
    }

    /// `(other_event, this_names, other_names, content_changes)` for two canonical texts in
    /// the stored encoding, as `compare_wording(this.split(" "), other.split(" "))` gives it
    /// on the decoded texts; or None when a text is not made of simple characters.
    fn compare(&self, this: &Bound<'_, PyBytes>, other: &Bound<'_, PyBytes>) -> Option<Outcome> {
        let this = self.words(this.as_bytes())?;
        let other = self.words(other.as_bytes())?;
        Some(self.compare_words(this, other))
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

/// `numbers.Mention`, its position left out.
struct Mention<'a> {
    value: String,
    qualifier: Vec<Word<'a>>,
    subject: Vec<Word<'a>>,
    lead: Option<Word<'a>>,
    date: bool,
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
    fn count(&self, word: Word<'_>) -> Option<String> {
        if is_alpha(word) {
            return self.number_words.get(word).cloned();
        }
        let run = digits(word)?;
        let trimmed = &run[run.iter().position(|&b| b != b'0').unwrap_or(run.len())..];
        Some(if trimmed.is_empty() {
            "0".to_string()
        } else {
            self.text(&[trimmed])
        })
    }

    /// `numbers._positions`.
    fn positions(&self, words: &[Word<'_>]) -> Vec<usize> {
        (0..words.len())
            .filter(|&i| self.number(words[i]))
            .collect()
    }

    /// `numbers._head`: the qualifier head a word is, clitics allowed.
    fn head<'a>(&self, word: Word<'a>) -> Option<Word<'a>> {
        std::iter::once(word)
            .chain(
                self.clitics
                    .iter()
                    .filter(|c| word.starts_with(c) && word.len() - c.len() >= 2)
                    .map(|c| &word[c.len()..]),
            )
            .find(|form| self.qualifier_heads.contains(*form))
    }

    /// `numbers._qualifier`, as its words.
    fn qualifier<'a>(&self, words: &[Word<'a>], position: usize) -> Vec<Word<'a>> {
        if position >= 1 {
            let previous = words[position - 1];
            if self.joiners.iter().any(|j| j.as_slice() == previous) && position >= 2 {
                if let Some(head) = self.head(words[position - 2]) {
                    return vec![head, previous];
                }
            }
            if let Some(head) = self.head(previous) {
                return vec![head];
            }
        }
        Vec::new()
    }

    /// `numbers._subject`.
    fn subject<'a>(&self, words: &[Word<'a>], position: usize) -> Vec<Word<'a>> {
        let mut subject = Vec::new();
        for &word in words.iter().skip(position + 1).take(2) {
            if self.function_words.contains(word) || self.count(word).is_some() {
                break;
            }
            if !subject.is_empty() && word.starts_with(&self.waw) {
                break;
            }
            subject.push(word);
        }
        if subject.is_empty() && position >= 1 {
            let previous = words[position - 1];
            if !self.function_words.contains(previous) && self.count(previous).is_none() {
                return vec![previous];
            }
        }
        subject
    }

    /// `numbers.mentions` at `positions`.
    fn mentions<'a>(&self, words: &[Word<'a>], positions: &[usize]) -> Vec<Mention<'a>> {
        let mut found = Vec::new();
        for &position in positions {
            let Some(value) = self.count(words[position]) else {
                continue;
            };
            let qualifier = self.qualifier(words, position);
            let lead_at = position as isize - qualifier.len() as isize;
            found.push(Mention {
                value,
                subject: self.subject(words, position),
                lead: (lead_at >= 1).then(|| words[lead_at as usize - 1]),
                qualifier,
                date: self.is_date_number(words, position),
            });
        }
        found
    }

    fn reading(&self, mention: &Mention<'_>) -> String {
        if mention.qualifier.is_empty() {
            mention.value.clone()
        } else {
            format!("{} {}", self.text(&mention.qualifier), mention.value)
        }
    }

    fn related(&self, a: Option<Word<'_>>, b: Option<Word<'_>>) -> bool {
        let (Some(a), Some(b)) = (a, b) else {
            return false;
        };
        let (mut these, mut those) = (Vec::new(), Vec::new());
        self.skeletons(a, &mut these);
        self.skeletons(b, &mut those);
        these.iter().any(|s| those.contains(s))
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
        let old: Vec<Mention<'_>> = self
            .mentions(before, &at_before)
            .into_iter()
            .filter(|m| !m.date)
            .collect();
        let new: Vec<Mention<'_>> = self
            .mentions(after, &at_after)
            .into_iter()
            .filter(|m| !m.date)
            .collect();
        let mut pairs: Vec<Option<usize>> = vec![None; new.len()];
        let rules: [&Pairing<'_>; 3] = [
            &|a, b| self.related(a.subject.first().copied(), b.subject.first().copied()),
            &|a, b| self.related(a.lead, b.lead),
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
                None => changes.push((self.text(&mention.subject), None, Some(reading))),
                Some(i) => {
                    let previous = self.reading(&old[i]);
                    if previous != reading {
                        let subject = if mention.subject.is_empty() {
                            &old[i].subject
                        } else {
                            &mention.subject
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
                    self.text(&mention.subject),
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
/// earliest on ties), so the same alignment.
fn replacements(a: &[Word<'_>], b: &[Word<'_>]) -> Vec<(usize, usize, usize, usize)> {
    let mut b2j: FxHashMap<Word<'_>, Vec<usize>> = FxHashMap::default();
    for (j, &word) in b.iter().enumerate() {
        b2j.entry(word).or_default().push(j);
    }
    let longest = |alo: usize, ahi: usize, blo: usize, bhi: usize| {
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0);
        let mut j2len: FxHashMap<usize, usize> = FxHashMap::default();
        for (i, &word) in a.iter().enumerate().take(ahi).skip(alo) {
            let mut next: FxHashMap<usize, usize> = FxHashMap::default();
            for &j in b2j.get(word).map_or(&[][..], Vec::as_slice) {
                if j < blo {
                    continue;
                }
                if j >= bhi {
                    break;
                }
                let k = j
                    .checked_sub(1)
                    .and_then(|p| j2len.get(&p))
                    .copied()
                    .unwrap_or(0)
                    + 1;
                next.insert(j, k);
                if k > bestsize {
                    (besti, bestj, bestsize) = (i + 1 - k, j + 1 - k, k);
                }
            }
            j2len = next;
        }
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
