#!/usr/bin/env python3
"""Consistency check for the out-of-sample labelled set (tests/quality/oos).

Exits non-zero and names the file and line of every inconsistency: missing
field, bad enum value, a surface that is not an exact substring of the text,
a split that does not follow the sha256 rule, duplicate ids, bad pair/case
records.  Run:  python tests/quality/oos/check_labels.py
"""
import hashlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
EVENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians",
               "Protests", "Riots", "Strategic developments"}
SUB_EVENTS = {
    "Armed clash": "Battles", "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Air/drone strike": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Chemical weapon": "Explosions/Remote violence",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests", "Protest with intervention": "Protests",
    "Agreement": "Strategic developments", "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}
ROLES = {"perpetrator", "target", "party", "mentioned"}
LEVELS = {"country", "governorate", "district", "city", "town", "village", "neighbourhood", "site"}
SPLITS = {"dev", "test"}
PAIR_KINDS = {"perpetrator_change": "distinct", "containment": "related",
              "revision": "same", "other_place": "distinct"}
SEARCH_KINDS = {"proclitic", "actor_alias", "stem_collision"}
CLITICS = set("وبلفك")

errors = []


def err(fname, lineno, msg):
    errors.append(f"{fname}:{lineno}: {msg}")


def expected_split(sid):
    return "dev" if hashlib.sha256(sid.encode("utf-8")).hexdigest()[0] in "01234567" else "test"


def need(obj, fields, fname, lineno, what="record"):
    ok = True
    for f in fields:
        if f not in obj:
            err(fname, lineno, f"{what} missing field {f!r}")
            ok = False
    return ok


def check_sentences():
    fname = "sentences.jsonl"
    ids = {}
    for lineno, line in enumerate((HERE / fname).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            err(fname, lineno, f"not JSON: {e}")
            continue
        if not need(r, ["id", "text", "source", "actors", "places", "event_types", "sub_event_types",
                        "casualties", "attribution", "denial", "denied_by", "split"], fname, lineno):
            continue
        sid, text = r["id"], r["text"]
        if sid in ids:
            err(fname, lineno, f"duplicate id {sid} (first on line {ids[sid]})")
        ids[sid] = lineno
        n = len(text.split())
        if not 8 <= n <= 60:
            err(fname, lineno, f"{sid}: text has {n} words (8-60 expected)")
        src = r["source"]
        if isinstance(src, dict):
            need(src, ["repo", "path", "commit", "outlet", "licence"], fname, lineno, "source")
            if not src.get("repo") or "/" not in src.get("repo", ""):
                err(fname, lineno, f"{sid}: source.repo must be owner/name")
            if not src.get("licence"):
                err(fname, lineno, f"{sid}: source.licence empty")
        else:
            err(fname, lineno, f"{sid}: source is not an object")
        for a in r["actors"]:
            if not need(a, ["name", "surface", "role"], fname, lineno, "actor"):
                continue
            if a["role"] not in ROLES:
                err(fname, lineno, f"{sid}: bad actor role {a['role']!r}")
            if a["surface"] not in text:
                err(fname, lineno, f"{sid}: actor surface {a['surface']!r} not in text")
            if not a["name"]:
                err(fname, lineno, f"{sid}: empty actor name")
        for p in r["places"]:
            if not need(p, ["name", "surface", "level", "country"], fname, lineno, "place"):
                continue
            if p["level"] not in LEVELS:
                err(fname, lineno, f"{sid}: bad place level {p['level']!r}")
            if p["surface"] not in text:
                err(fname, lineno, f"{sid}: place surface {p['surface']!r} not in text")
            if not (isinstance(p["country"], str) and len(p["country"]) == 2 and p["country"].isupper()):
                err(fname, lineno, f"{sid}: bad country code {p['country']!r}")
            if "surface_full" in p:
                sf = p["surface_full"]
                if sf not in text:
                    err(fname, lineno, f"{sid}: surface_full {sf!r} not in text")
                if not sf.endswith(p["surface"]) or not sf[: len(sf) - len(p["surface"])] or \
                        any(ch not in CLITICS for ch in sf[: len(sf) - len(p["surface"])]):
                    err(fname, lineno, f"{sid}: surface_full {sf!r} is not clitic(s) + surface")
        for t in r["event_types"]:
            if t not in EVENT_TYPES:
                err(fname, lineno, f"{sid}: bad event type {t!r}")
        for s in r["sub_event_types"]:
            if s not in SUB_EVENTS:
                err(fname, lineno, f"{sid}: bad sub-event type {s!r}")
            elif SUB_EVENTS[s] not in r["event_types"]:
                err(fname, lineno, f"{sid}: sub-event {s!r} without its type {SUB_EVENTS[s]!r}")
        if r["event_types"] and not r["sub_event_types"]:
            err(fname, lineno, f"{sid}: event types without sub-event types")
        c = r["casualties"]
        if not isinstance(c, dict) or set(c) != {"killed", "injured"}:
            err(fname, lineno, f"{sid}: casualties must be {{killed, injured}}")
        else:
            for k, v in c.items():
                if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                    err(fname, lineno, f"{sid}: casualties.{k} must be a non-negative int or null")
        for a in r["attribution"]:
            if need(a, ["name", "surface"], fname, lineno, "attribution") and a["surface"] not in text:
                err(fname, lineno, f"{sid}: attribution surface {a['surface']!r} not in text")
        if not isinstance(r["denial"], bool):
            err(fname, lineno, f"{sid}: denial must be true/false")
        elif r["denial"] and not r["denied_by"]:
            err(fname, lineno, f"{sid}: denial without denied_by")
        elif not r["denial"] and r["denied_by"] is not None:
            err(fname, lineno, f"{sid}: denied_by set but denial false")
        if r["split"] not in SPLITS:
            err(fname, lineno, f"{sid}: bad split {r['split']!r}")
        elif r["split"] != expected_split(sid):
            err(fname, lineno, f"{sid}: split {r['split']!r} breaks the sha256 rule (expected {expected_split(sid)!r})")
    return ids


def check_pairs():
    fname = "dedupe_pairs.jsonl"
    path = HERE / fname
    if not path.exists():
        return
    seen = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            err(fname, lineno, f"not JSON: {e}")
            continue
        if not need(r, ["id", "a", "b", "kind", "expected", "source"], fname, lineno):
            continue
        if r["id"] in seen:
            err(fname, lineno, f"duplicate id {r['id']}")
        seen.add(r["id"])
        if r["kind"] not in PAIR_KINDS:
            err(fname, lineno, f"{r['id']}: bad kind {r['kind']!r}")
        elif r["expected"] != PAIR_KINDS[r["kind"]]:
            err(fname, lineno, f"{r['id']}: kind {r['kind']} expects {PAIR_KINDS[r['kind']]!r}, not {r['expected']!r}")
        if r["a"] == r["b"]:
            err(fname, lineno, f"{r['id']}: a and b are identical")
        if r.get("edited") and not r.get("edit"):
            err(fname, lineno, f"{r['id']}: edited pair without an 'edit' description")


def check_search(ids):
    fname = "search_cases.jsonl"
    path = HERE / fname
    if not path.exists():
        return
    texts = {}
    for line in (HERE / "sentences.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                r = json.loads(line)
                texts[r["id"]] = r["text"]
            except (json.JSONDecodeError, KeyError):
                pass
    seen = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            err(fname, lineno, f"not JSON: {e}")
            continue
        if not need(r, ["id", "query", "should_find", "should_not_find", "kind", "note"], fname, lineno):
            continue
        if r["id"] in seen:
            err(fname, lineno, f"duplicate id {r['id']}")
        seen.add(r["id"])
        if r["kind"] not in SEARCH_KINDS:
            err(fname, lineno, f"{r['id']}: bad kind {r['kind']!r}")
        if not r["should_find"]:
            err(fname, lineno, f"{r['id']}: should_find is empty")
        for ref in r["should_find"] + r["should_not_find"]:
            if isinstance(ref, str) and ref.startswith("oos-") and ref not in texts:
                err(fname, lineno, f"{r['id']}: unknown sentence id {ref}")


def main():
    ids = check_sentences()
    check_pairs()
    check_search(ids)
    if errors:
        for e in errors:
            print(e)
        print(f"{len(errors)} problem(s)")
        return 1
    print(f"ok: {len(ids)} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
