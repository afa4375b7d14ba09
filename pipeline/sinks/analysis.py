"""Place names protected from the Arabic stemmer: a ``stemmer_override`` filter generated from
the gazetteer, written into the index templates.

Lucene's light Arabic stemmer strips affixes by rule, so unrelated words meet on one stem:
``حماية`` (protection) and ``حماة`` (Hama) both become ``حما``, ``الرقي`` (progress) and
``الرقة`` (Raqqa) both ``رق``, ``حلبة`` (a ring) becomes ``حلب`` (Aleppo). The filter maps every
written form of a one-word place name, with the tagger's proclitics (``وحلب``, ``بحلب``,
``للرقة``...), to one term of its own, the name followed by :data:`MARK` (``حلب#``), which the
stemmer leaves alone and which no stemmed common word can produce. Names on the gazetteer's
``guarded`` list are common words first (``الباب``, ``التضامن``) and are not protected: their
common sense keeps its stem.

The rules are data in the template (an index analyzes with the rules of its own version), and
code makes them::

    python -m pipeline.sinks.analysis            # exit 1 if the templates are out of date
    python -m pipeline.sinks.analysis --write    # rewrite them, raising their version
    python -m pipeline.sinks.analysis --write --keep-version   # a version not yet deployed

A test checks the committed templates against the gazetteer, so an edit of ``places.yaml`` or
``stopwords.yaml`` that changes the list asks for a new template version (and a replay).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kernel.datafiles import data_file, deploy_dir
from pipeline.sinks.bodies import TEMPLATES
from pipeline.tagging.gazetteer import Gazetteer
from pipeline.tagging.matcher import Proclitics, variants

FILTER = "marsad_place_names"
"""The ``stemmer_override`` filter's name in the templates."""
ANALYZER = "marsad_arabic"
"""The stemming analyzer that gets the filter, just before its stemmer."""
STEMMER = "marsad_arabic_stemmer"
MARK = "#"
"""Appended to a protected name's term: the tokenizer never leaves it inside a word."""
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a]{2,}$")


def protected_forms(names: Iterable[tuple[str, bool]]) -> dict[str, str]:
    """``{written form: term}`` for one-word place names (``(normalized name, guarded)``).

    Each unguarded name is mapped from itself and its proclitic forms (the tagger's
    :func:`~pipeline.tagging.matcher.variants`). A form that is itself a place name (guarded or
    not) keeps that reading; a form two names claim goes to the reading with the shorter
    proclitic, and is left out when that does not decide.
    """
    pairs = [(name, guarded) for name, guarded in names if _ARABIC_WORD.match(name)]
    every = {name for name, _ in pairs}
    protected = sorted(
        {name for name, guarded in pairs if not guarded}
        - {name for name, guarded in pairs if guarded}
    )
    readings: dict[str, list[tuple[int, str]]] = {}
    for name in protected:
        for form, proclitic in variants(name, Proclitics.NAME):
            if form != name and form in every:
                continue  # another place's own name
            readings.setdefault(form, []).append((len(proclitic), name))
    forms: dict[str, str] = {}
    for form, options in readings.items():
        options.sort()
        if len(options) > 1 and options[0][0] == options[1][0] and options[0][1] != options[1][1]:
            continue  # two names, same proclitic length: ambiguous
        forms[form] = options[0][1]
    return forms


def override_rules(forms: Mapping[str, str]) -> list[str]:
    """``stemmer_override`` rules, one per name: ``"form, form, ... => name#"``, sorted."""
    by_name: dict[str, list[str]] = {}
    for form, name in forms.items():
        by_name.setdefault(name, []).append(form)
    return [
        f"{', '.join(sorted(written, key=lambda f: (len(f), f)))} => {name}{MARK}"
        for name, written in sorted(by_name.items())
    ]


def gazetteer_rules(gazetteer: Gazetteer) -> list[str]:
    """The rules of ``gazetteer``'s one-word names."""
    names = [(phrase, payload.guarded) for phrase, payload in gazetteer.names if " " not in phrase]
    return override_rules(protected_forms(names))


def with_rules(template: dict[str, Any], rules: list[str]) -> dict[str, Any]:
    """``template`` with the filter set to ``rules`` and placed before the stemmer."""
    analysis = template["template"]["settings"]["analysis"]
    analysis["filter"][FILTER] = {"type": "stemmer_override", "rules": rules}
    chain: list[str] = analysis["analyzer"][ANALYZER]["filter"]
    if FILTER not in chain:
        chain.insert(chain.index(STEMMER), FILTER)
    return template


def template_rules(template: dict[str, Any]) -> list[str] | None:
    """The rules a template carries (None when it has no such filter)."""
    found = template["template"]["settings"]["analysis"]["filter"].get(FILTER)
    return None if found is None else list(found["rules"])


def refresh_templates(
    gazetteer: Gazetteer, directory: Path, *, write: bool, keep_version: bool = False
) -> list[str]:
    """The kinds whose template (in ``directory``, a copy of ``deploy/``) is out of date;
    with ``write``, rewrite them with the new rules and the next version (the same version
    with ``keep_version``: a change not yet deployed that already raised it)."""
    rules = gazetteer_rules(gazetteer)
    stale = []
    for kind in TEMPLATES:
        path = data_file(f"index-templates/news-{kind}.json", directory)
        template = json.loads(path.read_text(encoding="utf-8"))
        if template_rules(template) == rules:
            continue
        stale.append(kind)
        if write:
            template["version"] = int(template["version"]) + (0 if keep_version else 1)
            text = json.dumps(with_rules(template, rules), ensure_ascii=False, indent=2)
            path.write_text(text + "\n", encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.sinks.analysis",
        description="check (or --write) the index templates' protected place names",
    )
    parser.add_argument("--deploy-dir", type=Path, default=None, help="a copy of deploy/")
    parser.add_argument("--write", action="store_true", help="rewrite stale templates")
    parser.add_argument(
        "--keep-version",
        action="store_true",
        help="do not raise the version (it was raised for a change not yet deployed)",
    )
    args = parser.parse_args(argv)
    folder = deploy_dir(args.deploy_dir)
    gazetteer = Gazetteer.load(folder / "lexicons")
    stale = refresh_templates(gazetteer, folder, write=args.write, keep_version=args.keep_version)
    if not stale:
        print("index templates: protected place names up to date")
        return 0
    verb = (
        ("rewrote" if args.keep_version else "rewrote (version raised)")
        if args.write
        else "out of date"
    )
    print(f"index templates {verb}: {', '.join(stale)}")
    return 0 if args.write else 1


if __name__ == "__main__":
    sys.exit(main())
