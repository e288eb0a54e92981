"""A personal reminder (to the owner's own DM) whose send ended in an unexpected way is settled
as "uncertain", and the owner must hear that it may not have gone out. Found by the chaos run: a
Discord DM reminder ended "uncertain" with no notice at all, because the failure notice skips
the owner's own DM ("a notice would fail the same way") — true of a refused DM, not of a send
that may well have landed."""

from __future__ import annotations

from datetime import timedelta

from tests.reminders.conftest import RecordingNotifier
from tests.reminders.test_engine import draft, now, started, stopped


class OnceSurprisedNotifier(RecordingNotifier):
    """The first send gets an answer nobody planned for; the next ones go through."""

    def __init__(self) -> None:
        super().__init__()
        self.surprised = False

    async def deliver(self, message) -> None:
        if not self.surprised:
            self.surprised = True
            raise RuntimeError("Session is closed")
        await super().deliver(message)


async def test_an_uncertain_personal_reminder_is_told_to_its_owner(db_url) -> None:
    notifier = OnceSurprisedNotifier()
    engine = await started(db_url, notifier)
    try:
        personal = draft(now() + timedelta(seconds=1), target_kind="user", target_id="U1")
        rec = engine.store.add_reminder(personal)
        engine.schedule(rec)
        (notice,) = await notifier.wait_for(1)
        await engine.dispatcher.join()
        assert notice.target_id == "U1" and "may not have gone out" in notice.text
        assert engine.store.get_delivery(rec.id, rec.next_fire_at).status == "uncertain"
    finally:
        await stopped(engine)
