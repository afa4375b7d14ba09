"""Kibana saved objects of ``deploy/kibana/``: reading them, checking them against the index
templates, and the saved-objects import API's request and answer. Pure: no sockets, no files
(``cli.commands.kibana`` reads the files and sends the request).

``KibanaError`` (a ``MarsadError``): the NDJSON does not parse, or there is none. A refused
import is not an exception: :func:`cli.kibana.importing.read_response` makes it a result.
"""

from cli.kibana.saved_objects import KibanaError

__all__ = ["KibanaError"]
