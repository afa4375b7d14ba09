"""Sample Arabic news sites served on loopback, and a seeded corpus generator.

Four fictional outlets publish articles cut from the packaged seed bulletins, each with its own
page chrome (menus, breaking-news ticker, share bar, related links, in-body "اقرأ أيضاً" line,
comment form, a donation appeal on one), RSS or Atom feeds, robots.txt and conditional GET; one
outlet serves windows-1256. :func:`generate_articles` builds thousands of distinct pages in the
same chrome for benchmarks.
"""

from devtools.demo.catalog import DemoArticle
from devtools.demo.corpus import GeneratedArticle, ParagraphOrigin, generate_articles
from devtools.demo.outlets import OUTLETS, Outlet
from devtools.demo.runner import demo_sources, run_demo_sites, write_sources_yaml
from devtools.demo.server import OutletEndpoint, RunningDemo, serve_demo_sites
from devtools.demo.sites import DemoSites, Resource

__all__ = [
    "OUTLETS",
    "DemoArticle",
    "DemoSites",
    "GeneratedArticle",
    "Outlet",
    "OutletEndpoint",
    "ParagraphOrigin",
    "Resource",
    "RunningDemo",
    "demo_sources",
    "generate_articles",
    "run_demo_sites",
    "serve_demo_sites",
    "write_sources_yaml",
]
