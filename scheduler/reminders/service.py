"""What the chat verbs can do with reminders and tracked cases, with the rules that guard them.

Platform-neutral and synchronous: adapters call it from a worker thread. Every check happens
before anything is written, so a refused request leaves the store exactly as it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from content.errors import UserError
from content.i18n import N_, norm_lang, tr
from scheduler.identity import Asker
from scheduler.limits import REMINDER_TEXT_MAX
from scheduler.reminders.calendar_export import build_ics
from scheduler.reminders.jobs import ReminderEngine, utcnow
from scheduler.store.ledger import ALREADY, NO_DELIVERY, STALE
from scheduler.store.records import (
    CaseDraft,
    CaseRecord,
    ReminderDraft,
    ReminderRecord,
    TrackedDeadlineDraft,
    TrackedDeadlineRecord,
    leads_text,
)
from scheduler.store.store import Store
from scheduler.timing import latest_allowed
from scheduler.timing.recurrence import Recurrence, next_fire
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
        "too_far": N_(
            "That would move reminder #{id} past {latest}, the latest a reminder can be set. "
            "Pick a shorter time."
        ),
        "not_for_you": N_(
            "Reminder #{id} is not yours: only the person who set it and the person it is "
            "for can use its buttons."
        ),
        "not_delivered": N_("Reminder #{id} has not been delivered yet."),
        "not_repeating": N_("Reminder #{id} does not repeat, so there is no next one to skip."),
        "already": N_("Reminder #{id} was already handled that way for this delivery."),
        "stale": N_("Reminder #{id} has come round again since that message; use the newest one."),
        "not_later": N_("Pick a time that has not passed yet."),
        "finished": N_("Reminder #{id} has no next time left."),
    }


# The button and command actions on a delivered reminder (see ``ReminderService.act``).
ACTIONS = ("done", "snooze", "skip", "stop")


@dataclass(frozen=True)
class TrackResult:
    case: CaseRecord
    deadlines: list[TrackedDeadlineDraft]
    reminders: list[ReminderRecord]
    overdue: list[TrackedDeadlineDraft]


def _seconds(when: datetime) -> datetime:
    """Fire times are whole seconds (they key the ledger and the job ids), rounded *up*: a
    reminder may be up to a second late, never early."""
    whole = when.astimezone(UTC).replace(microsecond=0)
    return whole + timedelta(seconds=1) if when.microsecond else whole


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
        active = self.store.list_reminders_for_owner(
            who.platform, who.user_id, workspace_id=who.scope
        )
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
        """The asker's own reminders, those someone set for them, and those posting to the
        channel they are in (walled: in the asker's workspace only)."""
        store, scope = self.store, who.scope
        found = {
            r.id: r
            for r in store.list_reminders_for_owner(who.platform, who.user_id, workspace_id=scope)
        }
        for r in store.list_reminders_for_target(who.platform, who.user_id, workspace_id=scope):
            if r.target_kind == "user":
                found.setdefault(r.id, r)
        if who.channel_id:
            for r in store.list_reminders_for_target(
                who.platform, who.channel_id, workspace_id=scope
            ):
                found.setdefault(r.id, r)
        far = datetime.max.replace(tzinfo=UTC)
        return sorted(found.values(), key=lambda r: (r.next_fire_at or far, r.id))

    def _editable(self, who: Asker, reminder_id: int) -> ReminderRecord:
        """The reminder if ``who`` may change it. One they cannot even see (someone else's
        personal reminder) is refused exactly like an id that does not exist, so ids of other
        people's reminders cannot be probed; "belongs to someone else" is only said of a
        reminder the asker can see in the channel's list."""
        reminder = self.store.get_reminder(reminder_id)
        if (
            reminder is None
            or reminder.platform != who.platform
            or reminder.status == "cancelled"
            # Another workspace's reminder does not exist from here: not even "someone else's".
            or (who.walled and reminder.workspace_id != who.workspace_id)
        ):
            raise ReminderRefused("no_such", id=reminder_id)
        if reminder.owner_id != who.user_id and not _recipient(reminder, who):
            in_channel = reminder.target_kind == "channel" and reminder.target_id == who.channel_id
            if who.is_admin and (in_channel or reminder.workspace_id == who.workspace_id):
                return reminder
            raise ReminderRefused("not_yours" if in_channel else "no_such", id=reminder_id)
        return reminder

    def act(
        self,
        who: Asker,
        reminder_id: int,
        action: str,
        *,
        fire_at: datetime | None = None,
        until: datetime | None = None,
    ) -> ReminderRecord:
        """Done, snooze (until ``until``), skip the next one, or stop, for one delivery.

        ``fire_at`` names the delivery (a button carries it); None means the latest one (the
        text commands). Only the reminder's owner and the person it is for may act, never an
        admin on their behalf: these are personal to-dos. The ledger row records the action
        in the same transaction as the change, so a second press of the same button on the
        same message is refused instead of snoozing twice. A repeating reminder snoozed past its
        next occurrence carries on from the snoozed time.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        reminder = self.store.get_reminder(reminder_id)
        if reminder is None or reminder.platform != who.platform:
            raise ReminderRefused("no_such", id=reminder_id)
        if reminder.owner_id != who.user_id and not _recipient(reminder, who):
            raise ReminderRefused("not_for_you", id=reminder_id)
        if fire_at is None:
            latest = self.store.latest_delivery(reminder_id)
            if latest is None:
                raise ReminderRefused("not_delivered", id=reminder_id)
            fire_at = latest.fire_at
        if reminder.status == "cancelled":
            # Stopped already (by the other person, or a double click on Stop).
            raise ReminderRefused("already" if action == "stop" else "no_such", id=reminder_id)
        rule = Recurrence.from_json(reminder.recurrence) if reminder.recurrence else None
        nxt, status = reminder.next_fire_at, reminder.status
        if action == "snooze":
            if until is None or until <= self.now():
                raise ReminderRefused("not_later")
            nxt, status = _seconds(until), "active"
        elif action == "skip":
            if rule is None:
                raise ReminderRefused("not_repeating", id=reminder_id)
            if reminder.next_fire_at is None:
                raise ReminderRefused("finished", id=reminder_id)
            nxt = next_fire(rule, reminder.next_fire_at)
            status = "active" if nxt is not None else "done"
        elif action == "stop":
            nxt, status = None, "cancelled"
        outcome, _ = self.store.act_on_delivery(
            reminder_id, fire_at, action, next_fire_at=nxt, status=status
        )
        if outcome == ALREADY:
            raise ReminderRefused("already", id=reminder_id)
        if outcome == STALE:
            raise ReminderRefused("stale", id=reminder_id)
        if outcome == NO_DELIVERY:
            raise ReminderRefused("not_delivered", id=reminder_id)
        if self.engine is not None and nxt != reminder.next_fire_at:
            self.engine.unschedule(reminder)
        updated = self.store.get_reminder(reminder_id)
        assert updated is not None
        if updated.status == "active" and nxt != reminder.next_fire_at:
            self._arm([updated])
        return updated

    def cancel(self, who: Asker, reminder_id: int) -> ReminderRecord:
        reminder = self._editable(who, reminder_id)
        if self.engine is not None:
            self.engine.unschedule(reminder)
        self.store.cancel_reminder(reminder_id, workspace_id=who.scope)
        return reminder

    def snooze(
        self,
        who: Asker,
        reminder_id: int,
        by: timedelta | None = None,
        *,
        until: datetime | None = None,
    ) -> ReminderRecord:
        """A pending reminder moves later by ``by``; a finished one comes back ``by`` from now.
        With ``until`` instead, the next time becomes exactly that (it must not have passed)."""
        reminder = self._editable(who, reminder_id)
        now = self.now()
        if until is not None:
            if until <= now:
                raise ReminderRefused("not_later")
            when = _seconds(until)
        else:
            if by is None:
                raise ValueError("snooze needs by or until")
            base = reminder.next_fire_at if reminder.status == "active" else None
            when = _seconds((base if base and base > now else now) + by)
        latest = latest_allowed(now)
        if when > latest:
            day = latest.astimezone(resolve_timezone(reminder.timezone)).date()
            raise ReminderRefused("too_far", id=reminder_id, latest=day.isoformat())
        if self.engine is not None:
            self.engine.unschedule(reminder)
        self.store.reschedule(reminder_id, when, workspace_id=who.scope)
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
        from content.deadlines import compute_deadlines  # the rule tables load on first use

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
                leads=leads_text(tuple(leads)),
            ),
            deadlines,
            drafts,
        )
        self._arm(reminders)
        return TrackResult(case, deadlines, reminders, overdue)

    def cases(self, who: Asker) -> list[tuple[CaseRecord, list[TrackedDeadlineRecord]]]:
        return self.store.list_cases(who.platform, who.user_id, workspace_id=who.scope)

    def calendar(self, who: Asker, lang: str = "en") -> bytes:
        """The person's tracked deadlines and own reminders as one .ics, in ``lang``."""
        return self._calendar(who.platform, who.user_id, lang, who.scope)

    def _calendar(self, platform: str, user_id: str, lang: str, scope: str | None = None) -> bytes:
        """``scope``: only that workspace's cases and reminders (a walled asker)."""
        return build_ics(
            [
                _in_language(case, deadlines, lang)
                for case, deadlines in self.store.list_cases(platform, user_id, workspace_id=scope)
            ],
            reminders=self.store.list_reminders_for_owner(platform, user_id, workspace_id=scope),
            stamp=self.now(),
            lang=lang,
            remind_at=DEADLINE_REMINDER_HOUR,
        )

    # -- calendar feeds: a private address per person, served by `iepbot run` -----------------

    def feed_exists(self, who: Asker) -> datetime | None:
        """When the asker's feed address was made, or None when they have none."""
        return self.store.feed_created(who.platform, who.user_id)

    def new_feed(self, who: Asker, lang: str) -> str:
        """A new secret for the asker's feed; any older address stops working at once.

        The secret is returned once, to be shown to its owner, and stored only as its SHA-256:
        it is as good as a password to the person's calendar."""
        secret = secrets.token_urlsafe(FEED_SECRET_BYTES)
        self.store.set_feed(who.platform, who.workspace_id, who.user_id, feed_hash(secret), lang)
        return secret

    def feed(self, secret: str) -> bytes | None:
        """The calendar behind a feed secret, or None for an unknown (or revoked) one.

        In the owner's language setting when they have one now (`/iep lang es` after making
        the feed changes the feed too), else the language the feed was made in."""
        if not FEED_SECRET.fullmatch(secret):
            return None
        owner = self.store.feed_owner(feed_hash(secret))
        if owner is None:
            return None
        chosen = self.store.get_settings(owner.platform, "user", owner.owner_id).lang
        return self._calendar(owner.platform, owner.owner_id, chosen or owner.lang)

    def forget(self, who: Asker) -> dict[str, int]:
        """Everything of this user goes: reminders (and their jobs), those others set for them,
        cases, settings, ledger."""
        if self.engine is not None:
            for reminder in self.store.list_reminders_for_owner(
                who.platform, who.user_id, workspace_id=who.scope
            ):
                self.engine.unschedule(reminder)
            for reminder in self.store.list_reminders_for_target(
                who.platform, who.user_id, workspace_id=who.scope
            ):
                if _recipient(reminder, who):
                    self.engine.unschedule(reminder)
        return self.store.forget_user(who.platform, who.user_id, workspace_id=who.scope)

    def forget_workspace(self, platform: str, workspace_id: str) -> dict[str, int]:
        """A workspace uninstalled iepbot: its reminders (and their jobs), cases and settings
        go, in one transaction."""
        if self.engine is not None:
            for reminder in self.store.reminders_of_workspace(platform, workspace_id):
                self.engine.unschedule(reminder)
        return self.store.forget_workspace(platform, workspace_id)


def _in_language(
    case: CaseRecord, deadlines: list[TrackedDeadlineRecord], lang: str
) -> tuple[CaseRecord, list[TrackedDeadlineRecord]]:
    """A case's deadlines with their title and basis in ``lang``: they were stored in the
    language of the day the case was tracked, and the calendar follows the person's language
    now. The stored dates stay (they are what the reminders were set for)."""
    from content.deadlines import DeadlineInputError, compute_deadlines

    try:
        report = compute_deadlines(case.event, case.event_date, state=case.state, lang=lang)
    except DeadlineInputError:  # a state dropped from the tables since: keep the stored words
        return case, deadlines
    words = {d.id: (d.title, d.basis) for d in report.deadlines}
    return case, [
        dataclasses.replace(d, title=words[d.deadline_id][0], basis=words[d.deadline_id][1])
        if d.deadline_id in words
        else d
        for d in deadlines
    ]


FEED_SECRET_BYTES = 32  # 256 bits of randomness: not guessable, not enumerable
FEED_SECRET = re.compile(r"[A-Za-z0-9_-]{20,100}")


def feed_hash(secret: str) -> str:
    """What the store keeps of a feed secret. A plain SHA-256 is enough: the secret is random
    and long, so there is no dictionary to try against it (unlike a password)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _recipient(reminder: ReminderRecord, who: Asker) -> bool:
    """Whether ``who`` is the person a reminder is delivered to (someone set it for them)."""
    return reminder.target_kind == "user" and reminder.target_id == who.user_id


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
