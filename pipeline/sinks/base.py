"""What both engine adapters share: the flow of each call and the SinkError contract.

An adapter supplies its client's calls (``_put_template``, ``_get_indices``, ``_create_index``,
``_update_aliases``, ``_put_mapping``, ``_bulk``, ``_search``, ``_count``, ``_refresh``,
``_close``) and :meth:`_translate`, which turns its client's exceptions into
:class:`SinkError` (or returns None for anything else).

Versions: each kind is read and written through its alias ``{prefix}-{kind}``, which points
at the concrete index of one template version, ``{prefix}-{kind}-v{N}`` (``N`` is the
template file's ``version``). :meth:`EngineSink.ensure_templates` makes the first version and
its alias; a later template version is rolled out by a replay into its own index
(:meth:`~EngineSink.create_version`, ``bulk(..., version=N)``) and an atomic alias switch
(:meth:`~EngineSink.switch_alias`), so searches never stop answering.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pipeline.sinks.bodies import (
    KINDS,
    alias_name,
    bulk_failure,
    bulk_operations,
    index_version,
    template_body,
    template_version,
    version_index,
)
from pipeline.sinks.types import IndexAction, IndexVersion, KindStatus, SinkError

log = logging.getLogger(__name__)


class EngineSink:
    """The engine-independent half of a search sink (:class:`~pipeline.sinks.types.SearchSink`)."""

    def __init__(self, prefix: str, deploy_dir: Path | None = None) -> None:
        self._prefix = prefix
        self._deploy_dir = deploy_dir

    def _index(self, kind: str) -> str:
        return alias_name(self._prefix, kind)

    def _template(self, kind: str) -> dict[str, Any]:
        return template_body(kind, self._prefix, self._deploy_dir)

    def _translate(self, action: str, exc: Exception) -> SinkError | None:
        raise NotImplementedError

    @asynccontextmanager
    async def _guard(self, action: str) -> AsyncIterator[None]:
        try:
            yield
        except SinkError:
            raise
        except Exception as exc:
            error = self._translate(action, exc)
            if error is None:
                raise
            raise error from exc

    async def ensure_templates(self) -> None:
        """Install each kind's template; give a kind that has no index yet its first version.

        An alias already on the template's version gets the fields added to the template
        since (a mapping update); an alias on another version is left alone, with a warning
        naming the roll-out (replay into the new version, then switch the alias).
        """
        for kind in KINDS:
            body = self._template(kind)
            version = template_version(body)
            alias = self._index(kind)
            async with self._guard(f"install template {kind}"):
                await self._put_template(alias, body)
                current = await self._get_indices(alias)
            if not current:
                await self._create(kind, version, alias=True)
                continue
            versions = {index_version(self._prefix, kind, name) for name in current}
            if alias in current:
                log.warning(
                    "index %s was made before versioned indices: it keeps working; move it "
                    "with `marsad replay --to-index %d` then `marsad index switch %s %d "
                    "--replace-index`",
                    alias,
                    version,
                    kind,
                    version,
                )
            elif versions != {version}:
                log.warning(
                    "alias %s points at %s but the template is version %d: roll it out with "
                    "`marsad replay --to-index %d`, then `marsad index switch %s %d`",
                    alias,
                    ", ".join(sorted(current)),
                    version,
                    version,
                    kind,
                    version,
                )
                continue
            async with self._guard(f"update mapping of {alias}"):
                # an index made from an older copy of this version gets the fields added since
                await self._put_mapping(alias, body["template"]["mappings"])

    async def _create(self, kind: str, version: int, *, alias: bool) -> bool:
        """Create ``kind``'s index of ``version`` (with the alias if asked); False if it existed."""
        name = version_index(self._prefix, kind, version)
        aliases = {self._index(kind): {"is_write_index": True}} if alias else {}
        try:
            async with self._guard(f"create index {name}"):
                await self._create_index(name, aliases)
        except SinkError:
            async with self._guard(f"look up index {name}"):
                if name not in await self._get_indices(name):
                    raise
            return False  # another worker made it at the same moment
        log.info("created index %s%s", name, f" behind alias {self._index(kind)}" if alias else "")
        return True

    async def create_version(self, kind: str, version: int) -> bool:
        """Make ``kind``'s index of ``version`` from the current template (not yet searched).

        Refuses to make a version other than the template's: an index is only ever made from
        the template of its own version. Returns False if the index already existed.
        """
        name = version_index(self._prefix, kind, version)
        async with self._guard(f"look up index {name}"):
            if name in await self._get_indices(name):
                return False  # filled again (a backfill, or a resumed replay)
        body = self._template(kind)
        installed = template_version(body)
        if version != installed:
            raise SinkError(
                f"the {kind} template in the data files is version {installed}: an index of "
                f'version {version} cannot be made from it (change the template\'s "version" '
                "with its fields)",
                retriable=False,
            )
        async with self._guard(f"install template {kind}"):
            await self._put_template(self._index(kind), body)
        return await self._create(kind, version, alias=False)

    async def switch_alias(self, kind: str, version: int, *, replace_index: bool = False) -> None:
        """Point ``kind``'s alias at ``version``'s index, in one atomic step.

        ``replace_index``: an index made before versions holds the alias's name; it is deleted
        in the same step (only when asked: its documents are gone afterwards).
        """
        alias, target = self._index(kind), version_index(self._prefix, kind, version)
        async with self._guard(f"switch alias {alias}"):
            if target not in await self._get_indices(target):
                raise SinkError(
                    f"index {target} does not exist: fill it first (marsad replay "
                    f"--to-index {version})",
                    retriable=False,
                )
            current = await self._get_indices(alias)
            await self._refresh(target)  # searches after the switch see every document written
        actions: list[dict[str, Any]] = []
        if alias in current:
            if not replace_index:
                raise SinkError(
                    f"{alias} is an index, not an alias (made before versioned indices): "
                    "switching deletes it; say so with --replace-index",
                    retriable=False,
                )
            actions.append({"remove_index": {"index": alias}})
        else:
            actions += [
                {"remove": {"index": name, "alias": alias}} for name in current if name != target
            ]
        actions.append({"add": {"index": target, "alias": alias, "is_write_index": True}})
        async with self._guard(f"switch alias {alias}"):
            await self._update_aliases(actions)
        log.info("alias %s now points at %s (was %s)", alias, target, ", ".join(current) or "-")

    async def status(self, kind: str) -> KindStatus:
        """The alias, the template's version and every index of ``kind`` with its count."""
        alias = self._index(kind)
        version = template_version(self._template(kind))
        async with self._guard(f"status of {kind}"):
            found = await self._get_indices(f"{alias}-v*")
            found |= await self._get_indices(alias)
            indices = []
            for name in sorted(found, key=lambda n: index_version(self._prefix, kind, n) or 0):
                indices.append(
                    IndexVersion(
                        name=name,
                        version=index_version(self._prefix, kind, name),
                        documents=await self._count(name),
                        aliased=alias in found[name] or name == alias,
                    )
                )
        return KindStatus(kind, alias, version, tuple(indices))

    async def bulk(self, actions: Sequence[IndexAction], version: int | None = None) -> None:
        """Write every action (through the alias, or into ``version``'s index); raises
        SinkError unless the engine acknowledged them all."""
        if not actions:
            return
        async with self._guard(f"bulk of {len(actions)}"):
            response = await self._bulk(bulk_operations(actions, self._prefix, version))
        failure = bulk_failure(response)
        if failure is not None:
            raise failure

    async def search(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self._guard(f"search {kind}"):
            return await self._search(self._index(kind), body)

    async def count(self, kind: str) -> int:
        async with self._guard(f"count {kind}"):
            return await self._count(self._index(kind))

    async def refresh(self, kind: str) -> None:
        async with self._guard(f"refresh {kind}"):
            await self._refresh(self._index(kind))

    async def close(self) -> None:
        await self._close()

    # the engine's own calls
    async def _put_template(self, name: str, body: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _get_indices(self, name: str) -> dict[str, set[str]]:
        """Every index ``name`` (an index, an alias or a pattern) names, with its aliases;
        empty if none."""
        raise NotImplementedError

    async def _create_index(self, name: str, aliases: dict[str, dict[str, Any]]) -> None:
        raise NotImplementedError

    async def _update_aliases(self, actions: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    async def _put_mapping(self, name: str, mappings: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _bulk(self, operations: list[dict[str, Any]]) -> dict[str, Any]:
        raise NotImplementedError

    async def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    async def _count(self, index: str) -> int:
        raise NotImplementedError

    async def _refresh(self, index: str) -> None:
        raise NotImplementedError

    async def _close(self) -> None:
        raise NotImplementedError
