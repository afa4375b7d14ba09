"""Language from the share of Arabic-script letters."""

from __future__ import annotations

import pytest

from pipeline.text import arabic_share, detect_language


def test_share_counts_letters_only() -> None:
    # 8 Arabic letters (harakat are not letters), 5 Latin letters; digits and spaces ignored.
    assert arabic_share(["كَتَبَ الولد 123 hello"]) == pytest.approx(8 / 13)


def test_presentation_forms_count_as_arabic() -> None:
    assert arabic_share(["ﺃﺣﺮﺍﺭ"]) == 1.0


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["قال المرصد السوري إن AH-64E Apache سقطت"], "ar"),
        (["المرصد", "BBC"], "ar"),  # 6 of 9 letters
        (["حلب", "Aleppo city"], "other"),  # 3 of 13 letters
        (["Clashes continued on Saturday."], "other"),
        (["2014/11/16 — 15:30 !"], None),
        ([], None),
    ],
)
def test_detect_language(texts: list[str], language: str | None) -> None:
    assert detect_language(texts) == language


def test_exactly_half_is_arabic() -> None:
    assert detect_language(["حلب abc"]) == "ar"
