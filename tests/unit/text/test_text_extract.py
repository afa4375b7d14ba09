"""Extraction on hand-written Arabic news pages built from the seed bulletins.

Each fixture page ``tests/fixtures/pages/<name>.html`` has a ``<name>.body.txt`` beside it:
the seed paragraphs of its article body, one per line. Every one of them must be kept, in
order, and nothing else; the boilerplate that trafilatura lets through must be dropped with
the right reason.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.text import DroppedParagraph, ExtractionError, decode_body, extract_page

PAGES = Path(__file__).parents[2] / "fixtures" / "pages"


def body_of(name: str) -> tuple[str, ...]:
    lines = (PAGES / f"{name}.body.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if line)


def load(name: str) -> str:
    return decode_body((PAGES / f"{name}.html").read_bytes(), None).text


@pytest.mark.parametrize(
    ("name", "title", "published", "site_name", "encoding"),
    [
        (
            "assafir_nusra_talks",
            "فشل مفاوضات «النصرة» و«داعش» ومبادرة دي ميستورا تتعثر",
            date(2014, 11, 15),
            "السفير",
            "utf-8",
        ),
        (
            "kuwaitnews_daesh_truce",
            "«داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية",
            date(2014, 1, 9),
            "كويت نيوز",
            "windows-1256",
        ),
        (
            "enabbaladi_talks_failed",
            "تنظيم «الدولة» يرفض وقف القتال مع جبهة النصرة",
            date(2014, 11, 16),
            "عنب بلدي",
            "utf-8",
        ),
        (
            "shaam_field_roundup",
            "أبرز الأحداث الميدانية في سوريا ليوم السبت 09-09-2017",
            date(2017, 9, 9),
            "شبكة شام الإخبارية",
            "utf-8",
        ),
        (
            "orient_sabhan_tweet",
            "السبهان يجدد هجومه على حزب الله وإيران",
            date(2017, 9, 9),
            "أورينت نت",
            "utf-8",
        ),
    ],
)
def test_every_seed_paragraph_is_kept_with_metadata(
    name: str, title: str, published: date, site_name: str, encoding: str
) -> None:
    decoded = decode_body((PAGES / f"{name}.html").read_bytes(), None)
    page = extract_page(decoded.text)
    assert (decoded.encoding, decoded.method) == (encoding, "meta")
    assert page.paragraphs == body_of(name)
    assert (page.title, page.published, page.site_name, page.language) == (
        title,
        published,
        site_name,
        "ar",
    )


def test_assafir_drops_read_also_share_bar_and_comment_policy() -> None:
    page = extract_page(load("assafir_nusra_talks"))
    assert page.dropped == (
        DroppedParagraph(
            "اقرأ أيضاً: «داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية", "read_also"
        ),
        DroppedParagraph("شارك الخبر: فيسبوك | تويتر | واتساب | تيليجرام", "share_bar"),
        DroppedParagraph(
            "التعليقات المنشورة تعبر عن آراء أصحابها ولا تعبر بالضرورة عن رأي «السفير».",
            "comment_prompt",
        ),
    )


def test_enabbaladi_drops_the_donation_appeal_inside_the_body() -> None:
    page = extract_page(load("enabbaladi_talks_failed"))
    assert page.dropped == (
        DroppedParagraph(
            "اقرأ أيضاً: «جبهة النصرة» تسيطر على مواقع «جبهة ثوار سوريا» في جبل الزاوية", "read_also"
        ),
        DroppedParagraph(
            "الإعلام الموجّه يشوه الحقيقة في بلادنا ويطيل أمد الحرب..", "donation_appeal"
        ),
        DroppedParagraph(
            "سوريا بحاجة للصحافة الحرة.. ونحن بحاجتك لنبقى مستقلين", "donation_appeal"
        ),
        DroppedParagraph("ادعم عنب بلدي", "donation_appeal"),
        DroppedParagraph("دولار واحد شهريًا يصنع الفرق", "donation_appeal"),
    )


def test_kuwaitnews_drops_the_repeated_title_and_nothing_of_the_comment_form_survives() -> None:
    page = extract_page(load("kuwaitnews_daesh_truce"))
    assert page.dropped == (
        DroppedParagraph(
            "«داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية", "title_repeat"
        ),
    )
    text = "\n".join(page.paragraphs)
    for boilerplate in ("شاهد أيضاً", "اترك تعليقاً", "لن يتم نشر عنوان بريدك", "مجانى", "عاجل"):
        assert boilerplate not in text


def test_orient_drops_the_embedded_tweet_and_the_follow_line() -> None:
    page = extract_page(load("orient_sabhan_tweet"))
    assert page.dropped == (
        DroppedParagraph(
            "الإرهاب والتطرف في العالم منبعه إيران وابنها البكر حزب الشيطان "
            "pic.twitter.com/xYz12AbCd",
            "embedded_post",
        ),
        DroppedParagraph("— ثامر السبهان (@thamersabhan) September 9, 2017", "embedded_post"),
        DroppedParagraph("تابعونا على تلغرام", "share_bar"),
    )


def test_shaam_bulletin_drops_section_headings_and_the_credit_line() -> None:
    page = extract_page(load("shaam_field_roundup"))
    headings = [d.text for d in page.dropped if d.reason == "section_heading"]
    assert headings == [
        "دمشق وريفها::", "البادية السورية::", "حلب::", "إدلب::", "حماة::", "حمص::", "درعا::",
        "ديرالزور::", "الرقة::", "القنيطرة::",
    ]  # fmt: skip
    assert page.dropped[-1] == DroppedParagraph("المصدر: شبكة شام - خاص", "credit_line")
    assert len(page.dropped) == 11


def test_a_text_only_tweet_without_links_is_recognised_by_its_markup() -> None:
    html = (
        load("orient_sabhan_tweet")
        .replace(' <a href="https://t.co/xYz12AbCd">pic.twitter.com/xYz12AbCd</a>', "")
        .replace("— ثامر السبهان (@thamersabhan)", "— ثامر السبهان")
    )
    page = extract_page(html)
    assert page.paragraphs == body_of("orient_sabhan_tweet")
    assert [d.reason for d in page.dropped] == ["embedded_post", "embedded_post", "share_bar"]
    assert page.dropped[0].text == "الإرهاب والتطرف في العالم منبعه إيران وابنها البكر حزب الشيطان"


def test_windows_1256_page_without_its_meta_is_detected() -> None:
    raw = (PAGES / "kuwaitnews_daesh_truce.html").read_bytes()
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
    assert meta in raw
    decoded = decode_body(raw.replace(meta, b""), None)
    assert (decoded.encoding, decoded.method) == ("windows-1256", "detected")
    assert extract_page(decoded.text).paragraphs == body_of("kuwaitnews_daesh_truce")


def test_date_from_the_url_when_the_page_has_none() -> None:
    html = (
        load("orient_sabhan_tweet")
        .replace('<meta property="article:published_time" content="2017-09-09T14:10:00+03:00">', "")
        .replace("تاريخ النشر: 2017-09-09", "")
    )
    # The body links to /news/2017/09/07/...: that is not this page's date.
    assert extract_page(html).published is None
    page = extract_page(html, url="https://orient.example/news/2017/09/08/sabhan-hezbollah")
    assert page.published == date(2017, 9, 8)


def test_a_page_without_an_article_raises() -> None:
    html = (
        "<html dir='rtl'><body><nav><a href='/'>الرئيسية</a> <a href='/news'>أخبار</a></nav>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    )
    # trafilatura keeps the footer line; the filter drops it as a short UI line.
    with pytest.raises(
        ExtractionError, match=r"^no article text found \(1 paragraph, all boilerplate\)$"
    ):
        extract_page(html)


def test_a_page_of_boilerplate_only_raises_and_says_so() -> None:
    html = (
        "<html dir='rtl'><body><article><p>شاهد أيضاً</p><p>ادعم عنب بلدي</p>"
        "<p>تابعونا على تلغرام</p></article></body></html>"
    )
    with pytest.raises(
        ExtractionError, match=r"^no article text found \(3 paragraphs, all boilerplate\)$"
    ):
        extract_page(html)


def test_empty_html_raises() -> None:
    with pytest.raises(ExtractionError, match=r"^no article text found$"):
        extract_page("")


def test_language_other_for_an_english_page() -> None:
    html = (
        "<html><body><article><p>Clashes continued on Saturday in the eastern countryside of "
        "Deir ez-Zor, activists said, as government forces advanced towards the city.</p>"
        "<p>The coalition said it was monitoring the convoy of buses in the desert.</p>"
        "</article></body></html>"
    )
    page = extract_page(html)
    assert page.language == "other"
    assert len(page.paragraphs) == 2
