"""The installation tables migration 0003 creates are the ones slack_sdk's SQLAlchemy stores
read and write (declared there in plain SQLAlchemy, as scheduler/ never imports slack_sdk)."""

from __future__ import annotations

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, inspect

from scheduler.store import open_store
from scheduler.store.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES


def _shape(table: Table) -> dict[str, tuple[str, bool, bool, int | None]]:
    return {
        c.name: (
            type(c.type).__name__,
            bool(c.nullable),
            bool(c.primary_key),
            getattr(c.type, "length", None),
        )
        for c in table.columns
    }


def _indexes(table: Table) -> set[tuple[str, tuple[str, ...]]]:
    return {(str(i.name), tuple(c.name for c in i.columns)) for i in table.indexes}


def test_models_are_slack_sdks_tables() -> None:
    meta = MetaData()
    pairs = [
        (
            SLACK_INSTALLATIONS,
            SQLAlchemyInstallationStore.build_installations_table(meta, "slack_installations"),
        ),
        (SLACK_BOTS, SQLAlchemyInstallationStore.build_bots_table(meta, "slack_bots")),
        (
            SLACK_OAUTH_STATES,
            SQLAlchemyOAuthStateStore.build_oauth_states_table(meta, "slack_oauth_states"),
        ),
    ]
    for ours, theirs in pairs:
        assert _shape(ours) == _shape(theirs), ours.name
        assert _indexes(ours) == _indexes(theirs), ours.name


def test_migration_creates_them(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/x.sqlite3")
    try:
        found = inspect(store.engine)
        for table in (SLACK_INSTALLATIONS, SLACK_BOTS, SLACK_OAUTH_STATES):
            assert {c["name"] for c in found.get_columns(table.name)} == set(table.c.keys())
        assert "workspace_id" in {c["name"] for c in found.get_columns("settings")}
    finally:
        store.close()


class _Tokens:
    """Stands in for the installation store: tenant -> current bot token."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.lookups = 0

    async def bot_token(self, tenant: str) -> str | None:
        self.lookups += 1
        return self.tokens.get(tenant)


async def test_clients_follow_a_changed_token_after_their_ttl() -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from bots.slack.installations import Clients, NotInstalled

    now = [0.0]
    clients = Clients(lambda token: AsyncWebClient(token=token), ttl=60, clock=lambda: now[0])
    tokens = _Tokens()
    clients.installations = tokens  # type: ignore[assignment]
    with pytest.raises(NotInstalled):
        await clients.get("T1")
    tokens.tokens["T1"] = "xoxb-old"
    first = await clients.get("T1")
    assert first.token == "xoxb-old"
    tokens.tokens["T1"] = "xoxb-new"
    assert await clients.get("T1") is first  # within the TTL: no lookup
    now[0] = 61
    second = await clients.get("T1")
    assert second.token == "xoxb-new"
    now[0] = 200
    assert await clients.get("T1") is second  # same token: same client
    assert tokens.lookups == 4
    del tokens.tokens["T1"]
    clients.forget("T1")
    with pytest.raises(NotInstalled):
        await clients.get("T1")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_stores_work_on_the_migrated_database(backend: str, tmp_path) -> None:
    """slack_sdk's stores on iepbot's own engine, on both databases: save, find per
    workspace, delete one workspace's, and one-time OAuth states."""
    from contextlib import nullcontext

    from slack_sdk.oauth.installation_store.models.installation import Installation

    from bots.slack.installations import Installations, OAuthStates
    from tests.store.pg_helpers import postgres_schema

    place = (
        nullcontext(f"sqlite:///{tmp_path}/x.sqlite3")
        if backend == "sqlite"
        else postgres_schema("iepbot_test_oauth")
    )
    with place as url:
        store = open_store(url)
        try:
            installations = Installations("1111.2222", store.engine)
            for team in ("T1", "T2"):
                await installations.async_save(
                    Installation(
                        app_id="A1",
                        enterprise_id=None,
                        team_id=team,
                        bot_token=f"xoxb-{team}",
                        bot_id="B1",
                        bot_user_id="UB",
                        bot_scopes="chat:write",
                        user_id="U1",
                    )
                )
            assert await installations.bot_token("T1") == "xoxb-T1"
            await installations.async_delete_all(enterprise_id=None, team_id="T1")
            assert await installations.bot_token("T1") is None
            assert await installations.bot_token("T2") == "xoxb-T2"
            states = OAuthStates(store.engine)
            state = await states.async_issue()
            assert await states.async_consume(state) is True
            assert await states.async_consume(state) is False  # one use only
        finally:
            store.close()
