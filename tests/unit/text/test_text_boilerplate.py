"""The paragraph filter: each rule on real-looking lines, and the news lines it must keep."""

from __future__ import annotations

import pytest

from pipeline.text import DroppedParagraph, Reason, filter_paragraphs
from pipeline.text.boilerplate import classify, ends_like_sentence

BODY = (
    "كشف المرصد السوري لحقوق الإنسان عن فشل المفاوضات بين جبهة النصرة وتنظيم «الدولة الإسلامية»، "
    "حول إيقاف القتال والالتفات نحو محاربة نظام الأسد."
)
BODY_2 = "وكان التنظيم، المرتبط بالقاعدة، قد فقد السيطرة على مدينة أتارب في محافظة حلب."


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("اقرأ أيضاً: «داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية", Reason.READ_ALSO),
        ("إقرأ أيضا | السبهان للبنانيين: إما معنا أو مع حزب الله", Reason.READ_ALSO),
        ("اقرأ المزيد: التحالف يراقب قافلة التنظيم في البادية", Reason.READ_ALSO),
        ("شاهد أيضاً", Reason.READ_ALSO),
        ("- مواضيع ذات صلة", Reason.READ_ALSO),
        ("الإرهاب والتطرف منبعه إيران pic.twitter.com/xYz12AbCd", Reason.EMBEDDED_POST),
        ("— ثامر السبهان (@thamersabhan) September 9, 2017", Reason.EMBEDDED_POST),
        ("ادعم عنب بلدي", Reason.DONATION_APPEAL),
        ("سوريا بحاجة للصحافة الحرة.. ونحن بحاجتك لنبقى مستقلين", Reason.DONATION_APPEAL),
        ("دولار واحد شهريًا يصنع الفرق", Reason.DONATION_APPEAL),
        ("اضغط هنا للمساهمة", Reason.DONATION_APPEAL),
        ("للتبرع: حساب رقم 123456 في بنك الخليج", Reason.DONATION_APPEAL),
        ("اترك تعليقاً", Reason.COMMENT_PROMPT),
        ("التعليقات", Reason.COMMENT_PROMPT),
        (
            "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
            Reason.COMMENT_PROMPT,
        ),
        (
            "التعليقات المنشورة تعبر عن آراء أصحابها ولا تعبر بالضرورة عن رأي «السفير».",
            Reason.COMMENT_PROMPT,
        ),
        ("شارك الخبر: فيسبوك | تويتر | واتساب | تيليجرام", Reason.SHARE_BAR),
        ("Facebook Twitter WhatsApp Telegram", Reason.SHARE_BAR),
        ("تابعونا على تلغرام", Reason.SHARE_BAR),
        ("عاجل: اشتباكات عنيفة في ريف حلب الشمالي", Reason.BREAKING_TICKER),
        ("المصدر: شبكة شام - خاص", Reason.CREDIT_LINE),
        (
            "أفادت قناة KKTV الأمريكية بإصابة عسكريين اثنين بتحطم مروحية AH-64E Apache كانت في "
            "تحليق تدريبي …",
            Reason.TEASER_ELLIPSIS,
        ),
        (
            "أعلنت القيادة المركزية الأميركية، مقتل قياديين. وقال بيانٌ للقيادة...",
            Reason.TEASER_ELLIPSIS,
        ),
        ("دمشق وريفها::", Reason.SECTION_HEADING),
        ("مجانى", Reason.SHORT_UI_LINE),
        ("كويت نيوز", Reason.SHORT_UI_LINE),
        ("×", Reason.SHORT_UI_LINE),
        ("tag icon ع ع ع", None),  # five words: not short, and not a rule's business
        ("ع ع ع", Reason.SHORT_UI_LINE),
        ("16/11/2014", Reason.SHORT_UI_LINE),
    ],
)
def test_classify(line: str, reason: Reason | None) -> None:
    assert classify(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        BODY,
        "شارك في الاجتماع ممثلون عن الفصائل.",  # "شارك" = took part
        "التعليقات الروسية جاءت بعد ساعات من الهجوم.",
        "ولم يتسن الحصول على تعليق من الجيش.",
        "دعا الأمين العام الدول المانحة للتبرع لصالح اللاجئين السوريين.",
        "وكتب الوزير على تويتر.",
        "وقال المتحدث باسم الجيش:",  # introduces the quote that follows
        "وأكد المصدر ذلك.",  # three words, but a sentence
        'وقال السبهان، في تغريدة على حسابه "تويتر"، إن "الإرهاب والتطرف في العالم منبعه إيران".',
    ],
)
def test_news_lines_are_kept(line: str) -> None:
    assert classify(line) is None


def test_title_repeated_as_first_paragraph() -> None:
    title = "«داعش» تطلب هدنة فورية بعد قتال عنيف مع المعارضة السورية"
    result = filter_paragraphs(
        ["داعش تطلب هدنة فوريّة بعد قتال عنيف مع المعارضة السورية", BODY], title
    )
    assert result.kept == (BODY,)
    assert result.dropped == (
        DroppedParagraph("داعش تطلب هدنة فوريّة بعد قتال عنيف مع المعارضة السورية", "title_repeat"),
    )


def test_repeats_inside_a_page_are_dropped_after_the_first() -> None:
    result = filter_paragraphs([BODY, BODY_2, BODY.replace("«", '"').replace("»", '"')])
    assert result.kept == (BODY, BODY_2)
    assert [d.reason for d in result.dropped] == ["duplicate_in_page"]


def test_a_repeated_ui_line_keeps_its_own_reason() -> None:
    result = filter_paragraphs(["تابعونا على تلغرام", BODY, "تابعونا على تلغرام"])
    assert [d.reason for d in result.dropped] == ["share_bar", "share_bar"]


def test_a_donation_block_takes_its_short_lead_in_but_not_the_body_around_it() -> None:
    lead_in = "الإعلام الموجّه يشوه الحقيقة في بلادنا ويطيل أمد الحرب.."
    result = filter_paragraphs(
        [
            BODY,
            lead_in,
            "سوريا بحاجة للصحافة الحرة.. ونحن بحاجتك لنبقى مستقلين",
            "ادعم عنب بلدي",
            BODY_2,
        ]
    )
    assert result.kept == (BODY, BODY_2)
    assert [(d.reason, d.text) for d in result.dropped] == [
        ("donation_appeal", lead_in),
        ("donation_appeal", "سوريا بحاجة للصحافة الحرة.. ونحن بحاجتك لنبقى مستقلين"),
        ("donation_appeal", "ادعم عنب بلدي"),
    ]


def test_a_comment_block_takes_adjacent_form_labels() -> None:
    result = filter_paragraphs([BODY, "اترك تعليقاً", "الاسم *", "البريد الإلكتروني *"])
    assert result.kept == (BODY,)
    assert [d.reason for d in result.dropped] == ["comment_prompt"] * 3


def test_blank_paragraphs_are_skipped_and_text_is_stripped() -> None:
    result = filter_paragraphs(["", "   ", f"  {BODY}\n"])
    assert result.kept == (BODY,)
    assert result.dropped == ()


def test_order_is_kept() -> None:
    result = filter_paragraphs([BODY_2, "شاهد أيضاً", BODY])
    assert result.kept == (BODY_2, BODY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("انتهى.", True),
        ("هل انتهى؟", True),
        ('قال "انتهى."', True),
        ("قال «انتهى».", True),
        ("ويطيل أمد الحرب..", False),
        ("وقال بيانٌ للقيادة...", False),
        ("تحليق تدريبي …", False),
        ("دمشق وريفها::", False),
    ],
)
def test_ends_like_sentence(text: str, expected: bool) -> None:
    assert ends_like_sentence(text) is expected


def test_paragraphs_from_an_embedded_post_are_dropped() -> None:
    tweet = "الإرهاب والتطرف في العالم منبعه إيران وابنها البكر حزب الشيطان — ثامر السبهان"
    quote = 'وقال السبهان، في تغريدة، إن "الإرهاب والتطرف في العالم منبعه إيران".'
    result = filter_paragraphs(
        [quote, "الإرهاب والتطرف في العالم منبعه إيران وابنها البكر حزب الشيطان", BODY],
        embedded=[tweet],
    )
    assert result.kept == (quote, BODY)
    assert result.dropped == (
        DroppedParagraph(
            "الإرهاب والتطرف في العالم منبعه إيران وابنها البكر حزب الشيطان", "embedded_post"
        ),
    )
