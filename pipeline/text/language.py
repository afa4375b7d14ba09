"""Language of an extracted article, from the share of Arabic-script letters.

trafilatura leaves ``language`` empty on Arabic pages (it needs an optional model); counting
letters is cheap and reliable for the question that matters here: is this an Arabic article?
Persian and Urdu pages, also in Arabic script, come out as ``"ar"``: telling them apart needs
their own letters (``پ چ ژ گ ک ی``) and is left to a later stage if it is ever needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ARABIC = "ar"
OTHER = "other"
ARABIC_SHARE_THRESHOLD = 0.5

# A letter is a word character that is neither a digit nor "_"; an Arabic letter is one in
# the Arabic, Arabic Supplement, Arabic Extended-B/A or Presentation Forms-A/-B blocks.
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile(
    r"(?=[^\W\d_])[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"
)


def arabic_share(texts: Iterable[str]) -> float | None:
    """Share of Arabic-script letters among all letters, or None when there are no letters."""
    letters = arabic = 0
    for text in texts:
        letters += len(_LETTER.findall(text))
        arabic += len(_ARABIC_LETTER.findall(text))
    return arabic / letters if letters else None


def detect_language(texts: Iterable[str]) -> str | None:
    """``"ar"`` when at least half the letters are Arabic script, ``"other"`` when fewer are,
    None when the texts contain no letter at all."""
    share = arabic_share(texts)
    if share is None:
        return None
    return ARABIC if share >= ARABIC_SHARE_THRESHOLD else OTHER
