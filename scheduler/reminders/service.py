"""What the chat verbs can do with reminders and tracked cases, with the rules that guard them.

Platform-neutral and synchronous: adapters call it from a worker thread. Every check happens
before anything is written, so a refused request leaves the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from content.i18n import N_, norm_lang, tr
from scheduler.errors import UserError
from scheduler.identity import Asker
from scheduler.limits import REMINDER_TEXT_MAX
from scheduler.reminders.calendar_export import build_ics
from scheduler.reminders.jobs import ReminderEngine, utcnow
from scheduler.store.records import (
    CaseDraft,
    CaseRecord,
    ReminderDraft,
    ReminderRecord,
    TrackedDeadlineDraft,
    TrackedDeadlineRecord,
)
from scheduler.store.store import Store
from scheduler.timing.recurrence import Recurrence
from scheduler.timing.zones import resolve_timezone

MAX_ACTIVE_PER_USER = 500
DEADLINE_REMINDER_HOUR = time(9, 0)


class ReminderRefused(UserError):
    """A request the rules do not allow; worded by the chat verb with ``text(lang)``."""

    MESSAGES = {
        "too_many": N_("You have {count} active reminders, the most is {most}."),
        "empty": N_("What should I remind you of? Add a few words after the time."),
        "too_long": N_(
            "That reminder is {length} characters; the most is {most}. "
            "Shorten it, or put a link to the details."
        ),
        "past": N_("That time has already passed. Try `tomorrow 9am`."),
        "no_such": N_("There is no reminder #{id}."),
        "not_yours": N_(
            "Reminder #{id} belongs to someone else; only its owner or an admin can change it."
        ),
    }


@dataclass(frozen=True)
class TrackResult:
    case: CaseRecord
    deadlines: list[TrackedDeadlineDraft]
    reminders: list[ReminderRecord]
    overdue: list[TrackedDeadlineDraft]


def _seconds(when: datetime) -> datetime:
    """Fire times are whole seconds: they key the ledger and the job ids."""
    return when.astimezone(UTC).replace(microsecond=0)


class ReminderService:
    def __init__(
        self,
        store: Store,
        engine: ReminderEngine | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.engine = engine
        self.now = now

    def _arm(self, reminders: Sequence[ReminderRecord]) -> None:
        if self.engine is not None:
            self.engine.arm_many(reminders)

    def _check_room(self, who: Asker, adding: int) -> None:
        active = self.store.list_reminders_for_owner(who.platform, who.user_id)
        if len(active) + adding > MAX_ACTIVE_PER_USER:
            raise ReminderRefused("too_many", count=len(active), most=MAX_ACTIVE_PER_USER)

    def create(
        self,
        who: Asker,
        *,
        target_kind: str,
        target_id: str,
        text: str,
        timezone: str,
        lang: str,
        first_fire: datetime,
        recurrence: Recurrence | None = None,
    ) -> ReminderRecord:
        text = text.strip()
        if not text:
            raise ReminderRefused("empty")
        if len(text) > REMINDER_TEXT_MAX:
            raise ReminderRefused(
                "too_long", length=f"{len(text):,}", most=f"{REMINDER_TEXT_MAX:,}"
            )
        if first_fire <= self.now():
            raise ReminderRefused("past")
        self._check_room(who, 1)
        record = self.store.add_reminder(
            ReminderDraft(
                platform=who.platform,
                workspace_id=who.workspace_id,
                owner_id=who.user_id,
                target_kind=target_kind,
                target_id=target_id,
                text=text,
                lang=lang,
                timezone=timezone,
                next_fire_at=_seconds(first_fire),
                recurrence=recurrence.to_json() if recurrence else None,
            )
        )
        self._arm([record])
        return record

    def visible(self, who: Asker) -> list[ReminderRecord]:
        """The asker's own reminders, plus those posting to the channel they are in."""
        found = {r.id: r for r in self.store.list_reminders_for_owner(who.platform, who.user_id)}
        if who.channel_id:
            for r in self.store.list_reminders_for_target(who.platform, who.channel_id):
                found.setdefault(r.id, r)
        far = datetime.max.replace(tzinfo=UTC)
        return sorted(found.values(), key=lambda r: (r.next_fire_at or far, r.id))

    def _editable(self, who: Asker, reminder_id: int) -> ReminderRecord:
        reminder = self.store.get_reminder(reminder_id)
        if reminder is None or reminder.platform != who.platform or reminder.status == "cancelled":
            raise ReminderRefused("no_such", id=reminder_id)
        if reminder.owner_id != who.user_id:
            in_channel = reminder.target_kind == "channel" and reminder.target_id == who.channel_id
            if not (who.is_admin and (in_channel or reminder.workspace_id == who.workspace_id)):
                raise ReminderRefused("not_yours", id=reminder_id)
        return reminder

    def cancel(self, who: Asker, reminder_id: int) -> ReminderRecord:
        reminder = self._editable(who, reminder_id)
        if self.engine is not None:
            self.engine.unschedule(reminder)
        self.store.cancel_reminder(reminder_id)
        return reminder

    def snooze(self, who: Asker, reminder_id: int, by: timedelta) -> ReminderRecord:
        """A pending reminder moves later by ``by``; a finished one comes back ``by`` from now."""
        reminder = self._editable(who, reminder_id)
        now = self.now()
        base = reminder.next_fire_at if reminder.status == "active" else None
        when = _seconds((base if base and base > now else now) + by)
        if self.engine is not None:
            self.engine.unschedule(reminder)
        self.store.reschedule(reminder_id, when)
        updated = self.store.get_reminder(reminder_id)
        assert updated is not None
        self._arm([updated])
        return updated

    def track(
        self,
        who: Asker,
        *,
        event: str,
        on: date,
        label: str,
        state: str | None,
        leads: Sequence[timedelta],
        timezone: str,
        lang: str,
        target_kind: str = "user",
        target_id: str | None = None,
    ) -> TrackResult:
        """Compute the deadlines and store the case, its deadlines and reminders in one go."""
        from scheduler.deadlines import compute_deadlines  # the rule tables load on first use

        zone = resolve_timezone(timezone)
        now = self.now()
        today = now.astimezone(zone).date()
        report = compute_deadlines(event, on, state=state, today=today, lang=lang)
        deadlines = [
            TrackedDeadlineDraft(d.id, d.title, d.due, d.citation, d.basis)
            for d in report.deadlines
        ]
        upcoming = [d for d in deadlines if d.due >= today]
        # The engine decides what is overdue: the opening of a window that has passed is not.
        late_ids = {d.id for d in report.deadlines if d.overdue}
        overdue = [d for d in deadlines if d.deadline_id in late_ids]
        drafts: list[ReminderDraft] = []
        for deadline in upcoming:
            due_at = datetime.combine(deadline.due, DEADLINE_REMINDER_HOUR, zone)
            times = [due_at - lead for lead in leads if due_at - lead > now]
            if not times and due_at > now:
                times = [due_at]
            for when in times:
                days = (deadline.due - when.astimezone(zone).date()).days
                drafts.append(
                    ReminderDraft(
                        platform=who.platform,
                        workspace_id=who.workspace_id,
                        owner_id=who.user_id,
                        target_kind=target_kind,
                        target_id=target_id or who.user_id,
                        text=deadline_reminder_text(label, deadline, days, lang),
                        lang=lang,
                        timezone=timezone,
                        next_fire_at=_seconds(when),
                        deadline_id=deadline.deadline_id,
                        kind="deadline",
                    )
                )
        self._check_room(who, len(drafts))
        case, reminders = self.store.add_case(
            CaseDraft(
                platform=who.platform,
                workspace_id=who.workspace_id,
                owner_id=who.user_id,
                channel_id=who.channel_id,
                label=label,
                event=event,
                event_date=on,
                state=state,
            ),
            deadlines,
            drafts,
        )
        self._arm(reminders)
        return TrackResult(case, deadlines, reminders, overdue)

    def cases(self, who: Asker) -> list[tuple[CaseRecord, list[TrackedDeadlineRecord]]]:
        return self.store.list_cases(who.platform, who.user_id)

    def calendar(self, who: Asker) -> bytes:
        return build_ics(self.cases(who), stamp=self.now())

    def forget(self, who: Asker) -> dict[str, int]:
        """Everything of this user goes: reminders (and their jobs), cases, settings, ledger."""
        if self.engine is not None:
            for reminder in self.store.list_reminders_for_owner(who.platform, who.user_id):
                self.engine.unschedule(reminder)
        return self.store.forget_user(who.platform, who.user_id)


def deadline_reminder_text(
    label: str, deadline: TrackedDeadlineDraft, days: int, lang: str = "en"
) -> str:
    """Written once, when the case is tracked, in the language of the person who tracked it:
    the stored text is what gets delivered, even years later."""
    if days == 0:
        when = tr(lang, "today")
    elif days == 1:
        when = tr(lang, "tomorrow")
    else:
        when = tr(lang, "in {n} days", n=days)
    if norm_lang(lang) == "en":
        due = f"{deadline.due:%a %d %b %Y}"
    else:
        from babel.dates import format_date

        due = str(format_date(deadline.due, "EEE d MMM y", locale=norm_lang(lang)))
    return tr(
        lang,
        "{label}: {title} is due {when}, {due} ({basis}; {citation}).",
        label=label,
        title=deadline.title,
        when=when,
        due=due,
        basis=deadline.basis,
        citation=deadline.citation,
    )
