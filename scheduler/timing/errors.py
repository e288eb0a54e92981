"""The one error type of the timing package, and its chat-ready wording.

Every refusal is shown verbatim in Slack, Discord or the console, so each message is a single
short line in the user's language and always carries an example that does work: a user who got
the syntax wrong learns the right one from the error alone, without opening help.
"""

from __future__ import annotations

_MESSAGES: dict[str, dict[str, str]] = {
    "no_time": {
        "en": "I couldn't find a time at the start. Try `tomorrow 9am bring the draft` or "
        "`every monday 8am check caseload`.",
        "es": "No encontré una hora al principio. Prueba `mañana a las 9 llevar el borrador` o "
        "`cada lunes a las 8 revisar`.",
    },
    "past": {
        "en": "That time has already passed. Pick a future one, e.g. "
        "`tomorrow 9am bring the draft`.",
        "es": "Esa hora ya pasó. Elige una futura, p. ej. `mañana a las 9 llevar el borrador`.",
    },
    "bad_date": {
        "en": "That date doesn't exist. Check the day and month, e.g. `dec 3 9am send notice` "
        "or `YYYY-MM-DD 08:00 send notice`.",
        "es": "Esa fecha no existe. Revisa el día y el mes, p. ej. `3 de diciembre a las 9 enviar "
        "aviso`.",
    },
    "weekday_mismatch": {
        "en": "That date falls on a {actual}, not a {given}. Check it, e.g. `{actual} {date} 9am "
        "send notice`.",
        "es": "Esa fecha cae en {actual}, no en {given}. Revísala, p. ej. `{actual} {date} a las 9 "
        "enviar aviso`.",
    },
    "bad_time": {
        "en": "That time of day doesn't exist. Use e.g. `9am`, `3:30pm` or `15:30`.",
        "es": "Esa hora no existe. Usa p. ej. `a las 9`, `a las 15:30` o `a las 3 de la tarde`.",
    },
    "empty_message": {
        "en": "Add what to remind about after the time, e.g. `tomorrow 9am bring the draft`.",
        "es": "Añade qué recordar después de la hora, p. ej. `mañana a las 9 llevar el borrador`.",
    },
    "too_far": {
        "en": "I can only schedule up to one year ahead. Try e.g. `in 3 days call the district`.",
        "es": "Solo puedo programar hasta un año por delante. Prueba p. ej. "
        "`en 3 días llamar al distrito`.",
    },
    "too_long": {
        "en": "That reminder is too long (1,000 characters at most). Shorten it, e.g. "
        "`tomorrow 9am bring the draft`.",
        "es": "Ese recordatorio es demasiado largo (1.000 caracteres como máximo). Acórtalo, "
        "p. ej. `mañana a las 9 llevar el borrador`.",
    },
    "bad_recurrence": {
        "en": "I couldn't read that repeat. Try `every monday 8am check caseload`, "
        "`every weekday at 7:30 attendance` or `every 2 weeks team sync`.",
        "es": "No entendí la repetición. Prueba `cada lunes a las 8 revisar`, "
        "`cada día laborable a las 7:30 asistencia` o `cada 2 semanas reunión`.",
    },
    "bad_interval": {
        "en": "Repeat every 1 to 365 days or 1 to 52 weeks, e.g. `every 2 weeks team sync`.",
        "es": "Repite cada 1 a 365 días o cada 1 a 52 semanas, p. ej. `cada 2 semanas reunión`.",
    },
    "bad_month_day": {
        "en": "For a monthly reminder pick a day from 1 to 28, e.g. "
        "`every month on the 1st at 9am progress notes`.",
        "es": "Para un recordatorio mensual elige un día del 1 al 28, p. ej. "
        "`cada mes el día 1 a las 9 notas de progreso`.",
    },
    "bad_duration": {
        "en": "I couldn't read that length of time. Use e.g. `2d`, `3h`, `30m`, `1h30m` or "
        "`2 days`.",
        "es": "No entendí ese tiempo. Usa p. ej. `2d`, `3h`, `30m`, `1h30m` o `2 días`.",
    },
    "zero_duration": {
        "en": "The time must be more than zero, e.g. `2d` or `3 hours`.",
        "es": "El tiempo debe ser mayor que cero, p. ej. `2d` o `3 horas`.",
    },
    "negative_duration": {
        "en": "The time can't be negative. Use e.g. `2d` or `3 hours`.",
        "es": "El tiempo no puede ser negativo. Usa p. ej. `2d` o `3 horas`.",
    },
    "long_duration": {
        "en": "That is more than 365 days. Use a shorter time, e.g. `1w` or `30 days`.",
        "es": "Eso es más de 365 días. Usa un tiempo más corto, p. ej. `1 semana` o `30 días`.",
    },
    "bad_leads": {
        "en": "Reminder leads must each be between 1 hour and 365 days, e.g. `lead=14d,7d,1d`.",
        "es": "Cada aviso previo debe estar entre 1 hora y 365 días, p. ej. `lead=14d,7d,1d`.",
    },
    "bad_zone": {
        "en": "I don't know that time zone. Use a name like `America/Chicago` or `Central`.",
        "es": "No conozco esa zona horaria. Usa un nombre como `America/Chicago` o `Central`.",
    },
    "bad_cron": {
        "en": "That schedule isn't a valid 5-field cron expression, e.g. `0 9 * * mon` "
        "(Mondays at 09:00).",
        "es": "Ese horario no es una expresión cron válida de 5 campos, p. ej. `0 9 * * mon` "
        "(los lunes a las 09:00).",
    },
    "cron_dom_and_dow": {
        "en": "Limit either the day of the month or the day of the week, not both, e.g. "
        "`0 9 1 * *` or `0 9 * * mon`.",
        "es": "Limita el día del mes o el día de la semana, no ambos, p. ej. `0 9 1 * *` o "
        "`0 9 * * mon`.",
    },
    "cron_never": {
        "en": "That cron schedule never fires (no such date). Try e.g. `0 9 1 * *`.",
        "es": "Ese horario cron nunca se cumple (no existe esa fecha). Prueba p. ej. `0 9 1 * *`.",
    },
}

CODES = frozenset(_MESSAGES)


def norm_lang(lang: str | None) -> str:
    """Collapse locale tags (`es-MX`) to the two languages we write messages in; English is
    the fallback so an unexpected tag never turns into a crash in the chat."""
    if lang and lang.strip().lower().split("-")[0].split("_")[0] == "es":
        return "es"
    return "en"


class TimeError(ValueError):
    """A user-facing refusal: `str(err)` is the one-line chat reply, `code` is for callers and
    tests that must not depend on the wording."""

    def __init__(self, code: str, lang: str = "en", **fields: str) -> None:
        self.code = code
        template = _MESSAGES[code][norm_lang(lang)]
        # Collapse any stray whitespace so the reply stays one line whatever the fields hold.
        message = " ".join(template.format(**fields).split())
        super().__init__(message)
