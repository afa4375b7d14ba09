#!/usr/bin/env python3
"""Consistency check for the out-of-sample labelled set (tests/quality/oos).

Exits non-zero and names the file and line of every inconsistency: missing
field, bad enum value, a surface that is not an exact substring of the text,
a split that does not follow the sha256 rule, duplicate ids, bad pair/case
records.  Run:  python tests/quality/oos/check_labels.py [DIRECTORY]

Importable too (``tests/quality/oos/test_oos_labels.py``): ``check_sentences``,
``check_pairs`` and ``check_search`` return the problems of one file as a list of
``"file:line: message"`` strings, empty when the file is consistent.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import sys
from collections.abc import Iterator
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
SENTENCES = "sentences.jsonl"
PAIRS = "dedupe_pairs.jsonl"
SEARCH = "search_cases.jsonl"

EVENT_TYPES = {
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
}
SUB_EVENTS = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Air/drone strike": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Chemical weapon": "Explosions/Remote violence",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}
ROLES = {"perpetrator", "target", "party", "mentioned"}
LEVELS = {"country", "governorate", "district", "city", "town", "village", "neighbourhood", "site"}
SPLITS = {"dev", "test"}
PAIR_KINDS = {
    "perpetrator_change": "distinct",
    "containment": "related",
    "revision": "same",
    "other_place": "distinct",
}
SEARCH_KINDS = {"proclitic", "actor_alias", "stem_collision"}
CLITICS = set("وبلفك")

SENTENCE_FIELDS = (
    "id",
    "text",
    "source",
    "actors",
    "places",
    "event_types",
    "sub_event_types",
    "casualties",
    "attribution",
    "denial",
    "denied_by",
    "split",
)
SOURCE_FIELDS = ("repo", "path", "commit", "outlet", "licence")
PAIR_FIELDS = ("id", "a", "b", "kind", "expected", "source")
SEARCH_FIELDS = ("id", "query", "should_find", "should_not_find", "kind", "note")


def expected_split(sid: str) -> str:
    """The split of a sentence id: first hex digit of sha256(id) 0-7 -> dev, 8-f -> test."""
    return "dev" if hashlib.sha256(sid.encode("utf-8")).hexdigest()[0] in "01234567" else "test"


def _missing(obj: Any, fields: tuple[str, ...], what: str = "record") -> list[str]:
    return [f"{what} missing field {f!r}" for f in fields if f not in obj]


def _records(fname: str, text: str, problems: list[str]) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) of every non-blank line; unparsable lines go to ``problems``."""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{fname}:{lineno}: not JSON: {e}")
            continue
        yield lineno, record


# --- sentences.jsonl --------------------------------------------------------------------------


def _source_problems(sid: str, src: Any) -> list[str]:
    if not isinstance(src, dict):
        return [f"{sid}: source is not an object"]
    out = _missing(src, SOURCE_FIELDS, "source")
    if not src.get("repo") or "/" not in src.get("repo", ""):
        out.append(f"{sid}: source.repo must be owner/name")
    if not src.get("licence"):
        out.append(f"{sid}: source.licence empty")
    return out


def _actor_problems(sid: str, text: str, actors: Any) -> list[str]:
    out: list[str] = []
    for a in actors:
        missing = _missing(a, ("name", "surface", "role"), "actor")
        if missing:
            out += missing
            continue
        if a["role"] not in ROLES:
            out.append(f"{sid}: bad actor role {a['role']!r}")
        if a["surface"] not in text:
            out.append(f"{sid}: actor surface {a['surface']!r} not in text")
        if not a["name"]:
            out.append(f"{sid}: empty actor name")
    return out


def _surface_full_problems(sid: str, text: str, place: Any) -> list[str]:
    out: list[str] = []
    sf = place["surface_full"]
    if sf not in text:
        out.append(f"{sid}: surface_full {sf!r} not in text")
    prefix = sf[: len(sf) - len(place["surface"])]
    if not sf.endswith(place["surface"]) or not prefix or any(ch not in CLITICS for ch in prefix):
        out.append(f"{sid}: surface_full {sf!r} is not clitic(s) + surface")
    return out


def _place_problems(sid: str, text: str, places: Any) -> list[str]:
    out: list[str] = []
    for p in places:
        missing = _missing(p, ("name", "surface", "level", "country"), "place")
        if missing:
            out += missing
            continue
        if p["level"] not in LEVELS:
            out.append(f"{sid}: bad place level {p['level']!r}")
        if p["surface"] not in text:
            out.append(f"{sid}: place surface {p['surface']!r} not in text")
        country = p["country"]
        if not (isinstance(country, str) and len(country) == 2 and country.isupper()):
            out.append(f"{sid}: bad country code {country!r}")
        if "surface_full" in p:
            out += _surface_full_problems(sid, text, p)
    return out


def _event_problems(sid: str, event_types: Any, sub_event_types: Any) -> list[str]:
    out = [f"{sid}: bad event type {t!r}" for t in event_types if t not in EVENT_TYPES]
    for s in sub_event_types:
        if s not in SUB_EVENTS:
            out.append(f"{sid}: bad sub-event type {s!r}")
        elif SUB_EVENTS[s] not in event_types:
            out.append(f"{sid}: sub-event {s!r} without its type {SUB_EVENTS[s]!r}")
    if event_types and not sub_event_types:
        out.append(f"{sid}: event types without sub-event types")
    return out


def _casualty_problems(sid: str, c: Any) -> list[str]:
    if not isinstance(c, dict) or set(c) != {"killed", "injured"}:
        return [f"{sid}: casualties must be {{killed, injured}}"]
    return [
        f"{sid}: casualties.{k} must be a non-negative int or null"
        for k, v in c.items()
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0)
    ]


def _attribution_problems(sid: str, text: str, r: Any) -> list[str]:
    out: list[str] = []
    for a in r["attribution"]:
        missing = _missing(a, ("name", "surface"), "attribution")
        out += missing
        if not missing and a["surface"] not in text:
            out.append(f"{sid}: attribution surface {a['surface']!r} not in text")
    if not isinstance(r["denial"], bool):
        out.append(f"{sid}: denial must be true/false")
    elif r["denial"] and not r["denied_by"]:
        out.append(f"{sid}: denial without denied_by")
    elif not r["denial"] and r["denied_by"] is not None:
        out.append(f"{sid}: denied_by set but denial false")
    return out


def _split_problems(sid: str, split: Any) -> list[str]:
    if split not in SPLITS:
        return [f"{sid}: bad split {split!r}"]
    expected = expected_split(sid)
    if split != expected:
        return [f"{sid}: split {split!r} breaks the sha256 rule (expected {expected!r})"]
    return []


def sentence_problems(r: Any) -> list[str]:
    """Problems of one sentence record (without file:line), except duplicate ids."""
    missing = _missing(r, SENTENCE_FIELDS)
    if missing:
        return missing
    sid, text = r["id"], r["text"]
    out: list[str] = []
    n = len(text.split())
    if not 8 <= n <= 60:
        out.append(f"{sid}: text has {n} words (8-60 expected)")
    out += _source_problems(sid, r["source"])
    out += _actor_problems(sid, text, r["actors"])
    out += _place_problems(sid, text, r["places"])
    out += _event_problems(sid, r["event_types"], r["sub_event_types"])
    out += _casualty_problems(sid, r["casualties"])
    out += _attribution_problems(sid, text, r)
    out += _split_problems(sid, r["split"])
    return out


def _check_sentences_text(text: str, fname: str = SENTENCES) -> tuple[list[str], dict[str, int]]:
    problems: list[str] = []
    ids: dict[str, int] = {}
    for lineno, r in _records(fname, text, problems):
        found = sentence_problems(r)
        if not _missing(r, SENTENCE_FIELDS):
            sid = r["id"]
            if sid in ids:
                found.insert(0, f"duplicate id {sid} (first on line {ids[sid]})")
            ids[sid] = lineno
        problems += [f"{fname}:{lineno}: {msg}" for msg in found]
    return problems, ids


def check_sentences_text(text: str, fname: str = SENTENCES) -> list[str]:
    """Problems of the sentences file whose content is ``text``."""
    return _check_sentences_text(text, fname)[0]


def check_sentences(directory: pathlib.Path = HERE) -> list[str]:
    """Problems of ``directory``/sentences.jsonl (the file must exist)."""
    return check_sentences_text((directory / SENTENCES).read_text(encoding="utf-8"))


# --- dedupe_pairs.jsonl -----------------------------------------------------------------------


def pair_problems(r: Any) -> list[str]:
    """Problems of one dedupe pair record (without file:line), except duplicate ids."""
    missing = _missing(r, PAIR_FIELDS)
    if missing:
        return missing
    rid, kind, expected = r["id"], r["kind"], r["expected"]
    out: list[str] = []
    if kind not in PAIR_KINDS:
        out.append(f"{rid}: bad kind {kind!r}")
    elif expected != PAIR_KINDS[kind]:
        out.append(f"{rid}: kind {kind} expects {PAIR_KINDS[kind]!r}, not {expected!r}")
    if r["a"] == r["b"]:
        out.append(f"{rid}: a and b are identical")
    if r.get("edited") and not r.get("edit"):
        out.append(f"{rid}: edited pair without an 'edit' description")
    return out


def check_pairs_text(text: str, fname: str = PAIRS) -> list[str]:
    """Problems of the dedupe pairs file whose content is ``text``."""
    problems: list[str] = []
    seen: set[str] = set()
    for lineno, r in _records(fname, text, problems):
        found = pair_problems(r)
        if not _missing(r, PAIR_FIELDS):
            if r["id"] in seen:
                found.insert(0, f"duplicate id {r['id']}")
            seen.add(r["id"])
        problems += [f"{fname}:{lineno}: {msg}" for msg in found]
    return problems


def check_pairs(directory: pathlib.Path = HERE) -> list[str]:
    """Problems of ``directory``/dedupe_pairs.jsonl (none if the file does not exist)."""
    path = directory / PAIRS
    if not path.exists():
        return []
    return check_pairs_text(path.read_text(encoding="utf-8"))


# --- search_cases.jsonl -----------------------------------------------------------------------


def sentence_texts(sentences_text: str) -> dict[str, str]:
    """id -> text of every parsable sentence record."""
    texts: dict[str, str] = {}
    for line in sentences_text.splitlines():
        if line.strip():
            try:
                r = json.loads(line)
                texts[r["id"]] = r["text"]
            except (json.JSONDecodeError, KeyError):
                pass
    return texts


def search_problems(r: Any, texts: dict[str, str]) -> list[str]:
    """Problems of one search case (without file:line), except duplicate ids."""
    missing = _missing(r, SEARCH_FIELDS)
    if missing:
        return missing
    rid = r["id"]
    out: list[str] = []
    if r["kind"] not in SEARCH_KINDS:
        out.append(f"{rid}: bad kind {r['kind']!r}")
    if not r["should_find"]:
        out.append(f"{rid}: should_find is empty")
    out += [
        f"{rid}: unknown sentence id {ref}"
        for ref in r["should_find"] + r["should_not_find"]
        if isinstance(ref, str) and ref.startswith("oos-") and ref not in texts
    ]
    return out


def check_search_text(text: str, texts: dict[str, str], fname: str = SEARCH) -> list[str]:
    """Problems of the search cases file whose content is ``text`` (``texts``: id -> sentence)."""
    problems: list[str] = []
    seen: set[str] = set()
    for lineno, r in _records(fname, text, problems):
        found = search_problems(r, texts)
        if not _missing(r, SEARCH_FIELDS):
            if r["id"] in seen:
                found.insert(0, f"duplicate id {r['id']}")
            seen.add(r["id"])
        problems += [f"{fname}:{lineno}: {msg}" for msg in found]
    return problems


def check_search(directory: pathlib.Path = HERE) -> list[str]:
    """Problems of ``directory``/search_cases.jsonl (none if the file does not exist)."""
    path = directory / SEARCH
    if not path.exists():
        return []
    texts = sentence_texts((directory / SENTENCES).read_text(encoding="utf-8"))
    return check_search_text(path.read_text(encoding="utf-8"), texts)


# --- command ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Print every problem of the labelled set in DIRECTORY (default: this one); 1 if any."""
    args = sys.argv[1:] if argv is None else argv
    directory = pathlib.Path(args[0]) if args else HERE
    errors, ids = _check_sentences_text((directory / SENTENCES).read_text(encoding="utf-8"))
    errors += check_pairs(directory)
    errors += check_search(directory)
    if errors:
        for e in errors:
            print(e)
        print(f"{len(errors)} problem(s)")
        return 1
    print(f"ok: {len(ids)} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
