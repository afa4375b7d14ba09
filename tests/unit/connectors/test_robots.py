from connectors.fetch import USER_AGENT, parse_retry_after
from connectors.robots import MAX_CRAWL_DELAY_S, rules_from_response

ROBOTS = """User-agent: *
Disallow: /private/
Crawl-delay: 2

User-agent: MarsadBot
Disallow: /no-bots/
Crawl-delay: 500
"""


def test_rules_for_our_user_agent() -> None:
    rules = rules_from_response(200, ROBOTS, now=0)
    assert not rules.allows(USER_AGENT, "https://x.example/no-bots/1")
    assert rules.allows(USER_AGENT, "https://x.example/private/1")  # our own group applies
    assert rules.crawl_delay(USER_AGENT) == MAX_CRAWL_DELAY_S
    assert not rules.expired(now=3600) and rules.expired(now=2 * 86400)


def test_missing_robots_allows_and_server_trouble_disallows_for_a_while() -> None:
    missing = rules_from_response(404, "", now=0)
    assert missing.allows(USER_AGENT, "https://x.example/anything")
    trouble = rules_from_response(503, "", now=0)
    assert not trouble.allows(USER_AGENT, "https://x.example/anything")
    assert trouble.expired(now=601)


def test_retry_after_values() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412420) == 60
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412540) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
