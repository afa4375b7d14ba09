"""``marsad kibana import``: load the saved objects of ``deploy/kibana/`` into Kibana.

The objects (data views, Arabic saved searches, the dashboard and its visualizations and map)
are first checked against the index templates (:mod:`cli.kibana.checks`); data views are
renamed for ``MARSAD_INDEX_PREFIX``; then the NDJSON is posted to the saved-objects import API
(:mod:`cli.kibana.importing`). ``--dashboards opensearch`` imports into OpenSearch Dashboards:
data views and saved searches only (it has no Kibana 8 maps or dashboards of that format).

Exit codes: 0 every object imported; 1 the objects do not check, the import was refused or
some objects failed, or Kibana could not be reached.
"""

from __future__ import annotations

import argparse
import sys

import httpx

from cli.kibana.checks import Fields, problems, template_fields
from cli.kibana.importing import build_request, read_response
from cli.kibana.saved_objects import (
    Dashboards,
    KibanaError,
    SavedObject,
    describe,
    for_dashboards,
    parse_ndjson,
    to_ndjson,
    with_prefix,
)
from kernel.datafiles import deploy_dir
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.sinks.bodies import template_body

TIMEOUT_SECONDS = 60.0


def read_objects(settings: Settings) -> list[SavedObject]:
    """Every saved object of ``kibana/*.ndjson`` in the data files, in file order."""
    folder = deploy_dir(settings.deploy_dir) / "kibana"
    paths = sorted(folder.glob("*.ndjson"))
    if not paths:
        raise KibanaError(f"no saved objects (*.ndjson) in {folder}")
    return [
        obj for path in paths for obj in parse_ndjson(path.read_text(encoding="utf-8"), path.name)
    ]


def read_templates(settings: Settings, prefix: str = "news") -> dict[str, Fields]:
    """Index pattern (``prefix`` filled in) to the fields of its template, for every template."""
    templates: dict[str, Fields] = {}
    for path in sorted((deploy_dir(settings.deploy_dir) / "index-templates").glob("news-*.json")):
        kind = path.stem.removeprefix("news-")
        body = template_body(kind, prefix, settings.deploy_dir)
        for pattern in body["index_patterns"]:
            templates[pattern] = template_fields(body)
    return templates


def import_objects(settings: Settings, args: argparse.Namespace) -> int:
    objects = read_objects(settings)
    found = problems(objects, read_templates(settings))
    if found:
        print("marsad kibana import: the saved objects do not check:", file=sys.stderr)
        for problem in found:
            print(f"  {problem}", file=sys.stderr)
        return 1
    target = Dashboards(args.dashboards)
    kept, dropped = for_dashboards(with_prefix(objects, settings.index_prefix), target)
    for obj in dropped:
        print(f"skipped (not supported by OpenSearch Dashboards): {describe(obj)}")
    url = args.url or settings.kibana_url
    request = build_request(
        url, to_ndjson(kept), target, space=args.space, overwrite=args.overwrite
    )
    auth = None
    if settings.kibana_username:
        password = settings.kibana_password.get_secret_value() if settings.kibana_password else ""
        auth = httpx.BasicAuth(settings.kibana_username, password)
    try:
        response = httpx.post(
            request.url,
            params=request.params,
            headers=request.headers,
            files=request.files(),
            auth=auth,
            timeout=TIMEOUT_SECONDS,
        )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        print(f"marsad kibana import: cannot reach {request.url}: {exc}", file=sys.stderr)
        return 1
    result = read_response(response.status_code, response.content)
    print(result.summary(len(kept)), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def run_import(args: argparse.Namespace) -> int:
    try:
        return import_objects(Settings(), args)
    except MarsadError as exc:
        print(f"marsad kibana import: {exc}", file=sys.stderr)
        return 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("kibana", help="Kibana saved objects of deploy/kibana/")
    actions = parser.add_subparsers(dest="kibana_command", required=True, metavar="ACTION")
    importing = actions.add_parser(
        "import", help="check the saved objects, then post them to the saved-objects import API"
    )
    importing.add_argument("--url", help="Kibana's base URL (default: MARSAD_KIBANA_URL)")
    importing.add_argument("--space", help="the Kibana space to import into (default: default)")
    importing.add_argument(
        "--overwrite", action="store_true", help="replace objects that already exist"
    )
    importing.add_argument(
        "--dashboards",
        choices=[d.value for d in Dashboards],
        default=Dashboards.KIBANA.value,
        help="kibana (everything) or opensearch (OpenSearch Dashboards: data views and "
        "saved searches only)",
    )
    importing.set_defaults(func=run_import)
