"""Every `/iep` verb, declared once (the API is described in ``bots.verbs.declare``).

The order is the order of `help` and of Discord's subcommands. Functions are named as
"module:function" so that a lookup never imports the reminder machinery.
"""

from __future__ import annotations

from bots.verbs.declare import Kind, Param, Verb, register
from content.explain import MAX_PASSAGE
from content.i18n import N_
from scheduler.limits import REMINDER_TEXT_MAX

MAX_TERM = 200  # the longest term or question the search is asked

EVENT_CHOICES = (
    ("consent", N_("Parent consent to evaluate (Part B)")),
    ("eligibility", N_("Eligibility decided")),
    ("iep", N_("IEP meeting held (annual review)")),
    ("evaluation", N_("Last evaluation (reevaluation)")),
    ("birthdate", N_("Child's birthdate (transition, age 3)")),
    ("referral", N_("Referral to early intervention (Part C)")),
)
SCOPE_CHOICES = (("me", N_("just me")), ("server", N_("the whole server (Manage Server)")))
LANG_CHOICES = (("en", "English"), ("es", "Español"))

_EVENT = Param("event", Kind.EVENT, N_("What happened"), choices=EVENT_CHOICES)
_DATE = Param("date", Kind.DATE, N_("When (YYYY-MM-DD)"), arg="on")
_STATE = Param(
    "state", Kind.STATE, N_("Your state's rules (optional)"), required=False, keyword=True
)
_SCOPE = Param(
    "scope", Kind.CHOICE, N_("Whose setting"), required=False, default="me", choices=SCOPE_CHOICES
)
_REMINDER = Param("reminder", Kind.REMINDER, N_("Its number, see /iep reminders"))
# The delivery a button sits on (its fire time, epoch seconds): buttons act on it once.
_AT = Param("at", Kind.INSTANT, "", required=False, keyword=True, hidden=True)

DECLARED = (
    Verb(
        "ask",
        "bots.verbs.lookup:lookup_verb",
        "ask 504 plan",
        N_("explain a term (or just type the term)"),
        summary=N_("Explain a term in plain language"),
        params=(
            Param(
                "term",
                Kind.TERM,
                N_("A term or question, e.g. 504 plan, FAPE, what is an IEP"),
                max_length=MAX_TERM,
            ),
        ),
        cheap=True,
        shareable=True,
        aliases=("define", "what"),
    ),
    Verb(
        "topics",
        "bots.verbs.topics:topics_verb",
        "topics",
        N_("browse everything I can explain"),
        summary=N_("Browse everything I can explain"),
        cheap=True,
        shareable=True,
        aliases=("topic", "temas"),
    ),
    Verb(
        "compare",
        "bots.verbs.compare:compare_verb",
        "compare iep 504",
        N_("two terms side by side"),
        summary=N_("Two terms side by side"),
        params=(
            Param("first", Kind.TERM, N_("e.g. IEP"), max_length=MAX_TERM),
            Param("second", Kind.TERM, N_("e.g. 504 plan"), max_length=MAX_TERM),
        ),
        parse="bots.verbs.compare:parse_compare",
        cheap=True,
        shareable=True,
        aliases=("comparar",),
    ),
    Verb(
        "explain",
        "bots.verbs.explain:explain_verb",
        "explain We propose an FBA",
        N_("the terms in a text you paste (not stored)"),
        summary=N_("Explain the terms in a passage you paste (not stored)"),
        params=(
            Param(
                "text",
                Kind.TEXT,
                N_("Text from a school letter or report, up to 2,000 characters; leave out names"),
                max_length=MAX_PASSAGE,
            ),
        ),
        cheap=True,
        shareable=False,  # the passage may name a child: never re-posted
        aliases=("explicar", "explica"),
    ),
    Verb(
        "deadlines",
        "bots.verbs.deadlines:deadlines_command",
        "deadlines consent 2026-09-15 state=TX",
        N_(
            "legal due dates after an event (referral, consent, eligibility, iep, "
            "evaluation, birthdate)"
        ),
        summary=N_("Legal due dates after an event"),
        params=(_EVENT, _DATE, _STATE),
        parse="bots.verbs.deadlines:parse_deadlines",
        shareable=True,
        aliases=("deadline", "plazos"),
    ),
    Verb(
        "track",
        "bots.verbs.tracking:track_verb",
        "track consent 2026-09-15 case=AB-7",
        N_("due dates plus reminders 14, 7 and 1 days before each (lead=, state=, to=)"),
        summary=N_("Follow a case's deadlines with reminders"),
        form=N_("Track a case"),
        params=(
            _EVENT,
            _DATE,
            Param(
                "case",
                Kind.TEXT,
                N_("A case label, never a name (e.g. AB-7)"),
                keyword=True,
                max_length=40,
            ),
            _STATE,
            Param(
                "lead",
                Kind.LEADS,
                N_("When to remind before each deadline (default 14d,7d,1d)"),
                required=False,
                keyword=True,
                max_length=60,
            ),
            Param(
                "to",
                Kind.TARGET,
                N_("Post reminders in this channel instead of a DM (Manage Server)"),
                required=False,
                keyword=True,
            ),
        ),
        parse="bots.verbs.tracking:parse_track",
        changes_home=True,
        aliases=("seguir",),
    ),
    Verb(
        "remind",
        "bots.verbs.reminders:remind_verb",
        N_("remind me tomorrow 9am bring the draft"),
        N_("a one-off or repeating reminder, to you, someone else (@name) or a channel"),
        summary=N_("A one-off or repeating reminder"),
        form=N_("New reminder"),
        params=(
            Param(
                "when",
                Kind.TEXT,
                N_("e.g. tomorrow 9am, in 2 hours, every monday 8am"),
                max_length=100,
            ),
            Param(
                "what",
                Kind.TEXT,
                N_("What to remind of (never a student's name)"),
                max_length=REMINDER_TEXT_MAX,
            ),
            Param(
                "to",
                Kind.TARGET,
                N_("Post it in this channel instead of a DM (Manage Server)"),
                required=False,
            ),
            Param(
                "person",
                Kind.PERSON,
                N_("Remind someone else instead, by direct message"),
                required=False,
                arg="to",
            ),
        ),
        parse="bots.verbs.reminders:parse_remind",
        changes_home=True,
        usage_translated=True,
        aliases=("recuerdame", "recordar"),
    ),
    Verb(
        "reminders",
        "bots.verbs.reminders:reminders_verb",
        "reminders",
        N_("your reminders and this channel's, with their ids"),
        summary=N_("Your reminders and this channel's"),
        aliases=("reminder", "list", "recordatorio", "recordatorios"),
    ),
    Verb(
        "cancel",
        "bots.verbs.reminders:cancel_verb",
        "cancel 42",
        N_("stop one"),
        summary=N_("Stop a reminder"),
        params=(_REMINDER,),
        parse="bots.verbs.reminders:parse_cancel",
        changes_home=True,
        lists=True,
        aliases=("cancelar",),
    ),
    Verb(
        "snooze",
        "bots.verbs.reminders:snooze_verb",
        "snooze 42 2d",
        N_("push one later (30m, 3h, 2d, 1w)"),
        summary=N_("Push a reminder later"),
        params=(
            Param("reminder", Kind.REMINDER, N_("Its number")),
            Param("by", Kind.DURATION, N_("How long: 30m, 3h, 2d, 1w"), max_length=20),
            _AT,
        ),
        parse="bots.verbs.reminders:parse_snooze",
        changes_home=True,
        lists=True,
        aliases=("posponer",),
    ),
    Verb(
        "done",
        "bots.verbs.reminders:done_verb",
        "done 42",
        N_("mark a delivered reminder done"),
        summary=N_("Mark a delivered reminder done"),
        params=(_REMINDER, _AT),
        parse="bots.verbs.reminders:parse_done",
        changes_home=True,
        aliases=("hecho", "listo"),
    ),
    Verb(
        "skip",
        "bots.verbs.reminders:skip_verb",
        "skip 42",
        N_("skip the next time of a repeating reminder"),
        summary=N_("Skip the next time of a repeating reminder"),
        params=(_REMINDER, _AT),
        parse="bots.verbs.reminders:parse_skip",
        changes_home=True,
        aliases=("saltar",),
    ),
    Verb(
        "stop",
        "bots.verbs.reminders:stop_verb",
        "stop 42",
        N_("stop a reminder for good (same as cancel)"),
        summary=N_("Stop a reminder for good"),
        params=(_REMINDER, _AT),
        parse="bots.verbs.reminders:parse_stop",
        changes_home=True,
        aliases=("parar", "detener"),
    ),
    Verb(
        "calendar",
        "bots.verbs.tracking:calendar_verb",
        "calendar feed",
        N_("an .ics of your reminders and deadlines; `feed`: a live calendar address"),
        summary=N_("Your reminders and deadlines in your calendar"),
        params=(
            Param(
                "get",
                Kind.CHOICE,
                N_("A file, or an address your calendar follows"),
                required=False,
                choices=(
                    ("file", N_("an .ics file to import")),
                    ("feed", N_("a private address to subscribe to")),
                    ("reset", N_("a new address; the old one stops working")),
                ),
                arg="action",
            ),
        ),
        parse="bots.verbs.tracking:parse_calendar",
        aliases=("calendario",),
    ),
    Verb(
        "timezone",
        "bots.verbs.settings:timezone_verb",
        "timezone America/Chicago",
        N_("your timezone (admins: `timezone workspace ...` for everyone)"),
        summary=N_("Your timezone, or the server's"),
        params=(
            Param(
                "zone",
                Kind.ZONE,
                N_("e.g. America/Chicago (empty: show it)"),
                required=False,
                max_length=64,
            ),
            _SCOPE,
        ),
        parse="bots.verbs.settings:parse_timezone",
        changes_home=True,
        aliases=("tz", "zona"),
    ),
    Verb(
        "lang",
        "bots.verbs.settings:lang_verb",
        "lang es",
        N_("English or Spanish"),
        summary=N_("English or Spanish / inglés o español"),
        params=(
            Param(
                "language",
                Kind.CHOICE,
                N_("The language of my answers"),
                required=False,
                choices=LANG_CHOICES,
            ),
            _SCOPE,
        ),
        parse="bots.verbs.settings:parse_lang",
        changes_home=True,
        aliases=("language", "idioma"),
    ),
    Verb(
        "forget",
        "bots.verbs.settings:forget_verb",
        "forget",
        N_("delete everything the bot stores about you"),
        summary=N_("Delete everything the bot stores about you"),
        changes_home=True,
        aliases=("olvidame", "olvidar"),
    ),
    Verb(
        "help",
        "bots.router:help_verb",
        "help",
        N_("this list"),
        summary=N_("How to use /iep"),
        cheap=True,
        aliases=("?", "ayuda"),
    ),
)

for _verb in DECLARED:
    register(_verb)


def param(verb: str, name: str) -> Param:
    """A declared parameter, for a text parser that converts one value the declared way."""
    from bots.verbs.declare import VERBS

    return next(p for p in VERBS[verb].params if p.name == name)
