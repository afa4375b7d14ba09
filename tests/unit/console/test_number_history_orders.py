"""The rocket bulletin's count on the cluster page, whatever order the worker processed its
three versions in: the real deduplicator makes the diffs, in each of the six orders, and the
page's reading of them is one sequence 15 → more than 10 → more than 5 (by publication).

The worker's order changes from run to run (pages come from four partitions), which is how a
grouping that only merged on a diff's "before" showed two sequences in some runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import permutations

import pytest

from cli.console.render import number_histories
from kernel.settings import Settings
from pipeline.dedupe import ArticleInput, Deduplicator
from pipeline.enrich import enrichment_parts

START = "وبعد هذا الكمين والخسائر التي منيت بها الفرقة الرابعة، استهدفت قوات الأسد حي جوبر"
END = "بالاضافة لعشرات القذائف والصواريخ تسببت بسقوط عدد من الجرحى بين المدنيين."
# the three versions of devtools/demo/seeds/003_575a162d0ffe51db.txt, oldest first
VERSIONS = [
    f"{START} وبلدة عين ترما بـ 15 صاروخ فيل شديد التدمير بالإضافة لعشرات القذائف والصواريخ "
    "تسببت بسقوط عدد من الجرحى في صفوف المدنيين.",
    f"{START} وبلدة عين ترما بأكثر من 10 صواريخ فيل شديدة التدمير {END}",
    f"{START} بأكثر من 5 صواريخ فيل شديدة التدمير {END}",
]
PUBLISHED = [datetime(2017, 9, 9, h, tzinfo=UTC) for h in (8, 14, 19)]


@pytest.mark.parametrize("order", list(permutations(range(3))))
def test_one_sequence_in_publication_order(order: tuple[int, ...]) -> None:
    _, config = enrichment_parts(Settings())
    dedup = Deduplicator(config)
    docs: dict[int, dict[str, object]] = {}
    for rank, version in enumerate(order):
        verdict = dedup.process(
            ArticleInput(
                f"{version:032d}",
                "maydan",
                f"https://maydan.example/{version}",
                PUBLISHED[version],
                PUBLISHED[version] + timedelta(minutes=5),
                "",
                (VERSIONS[version],),
            )
        )
        (paragraph,) = verdict.paragraphs
        docs[version] = {
            "outlet": "الميدان",
            "cluster_id": paragraph.cluster_id,
            "published_at": PUBLISHED[version].isoformat(),
            "indexed_at": f"2026-12-07T04:00:0{rank}",
            "numeric_diff": [change.as_json() for change in paragraph.numeric_diff],
        }
    assert len({doc["cluster_id"] for doc in docs.values()}) == 1  # one cluster in every order
    (history,) = number_histories([docs[v] for v in range(3)])
    assert [value.split()[-1] for value in history.values] == ["15", "10", "5"], history
