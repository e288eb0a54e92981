"""Word lists shared by the phrase parser, the recurrence grammar and the formatters.

Matching happens on accent-stripped, case-folded words so that `miércoles`, `Miercoles` and
`MIÉRCOLES` are one word: people type on phones, often without accents.
"""

from __future__ import annotations

import unicodedata

from content.i18n import tr

# Monday = 0, as in `datetime.weekday()`.
WEEKDAYS: dict[str, int] = {}
_WEEKDAY_FORMS = (
    ("monday", "mondays", "mon", "lunes", "lun"),
    ("tuesday", "tuesdays", "tue", "tues", "martes"),
    ("wednesday", "wednesdays", "wed", "miercoles", "mie"),
    ("thursday", "thursdays", "thu", "thur", "thurs", "jueves", "jue"),
    ("friday", "fridays", "fri", "viernes", "vie"),
    ("saturday", "saturdays", "sat", "sabado", "sabados", "sab"),
    ("sunday", "sundays", "sun", "domingo", "domingos", "dom"),
)
for _number, _forms in enumerate(_WEEKDAY_FORMS):
    for _form in _forms:
        WEEKDAYS[_form] = _number

MONTHS: dict[str, int] = {}
_MONTH_FORMS = (
    ("january", "jan", "enero", "ene"),
    ("february", "feb", "febrero"),
    ("march", "mar", "marzo"),
    ("april", "apr", "abril", "abr"),
    ("may", "mayo"),
    ("june", "jun", "junio"),
    ("july", "jul", "julio"),
    ("august", "aug", "agosto", "ago"),
    ("september", "sep", "sept", "septiembre", "setiembre", "set"),
    ("october", "oct", "octubre"),
    ("november", "nov", "noviembre"),
    ("december", "dec", "diciembre", "dic"),
)
for _number, _forms in enumerate(_MONTH_FORMS, start=1):
    for _form in _forms:
        MONTHS[_form] = _number

NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15,
}  # fmt: skip

# Unit word -> canonical unit. "seconds" exists for one-off phrases ("in 5 seconds").
UNITS: dict[str, str] = {}
_UNIT_FORMS = (
    ("seconds", ("s", "sec", "secs", "second", "seconds", "segundo", "segundos", "seg")),
    ("minutes", ("m", "min", "mins", "minute", "minutes", "minuto", "minutos")),
    ("hours", ("h", "hr", "hrs", "hour", "hours", "hora", "horas")),
    ("days", ("d", "day", "days", "dia", "dias")),
    ("weeks", ("w", "wk", "wks", "week", "weeks", "semana", "semanas", "sem")),
    ("months", ("month", "months", "mes", "meses")),
    ("years", ("year", "years", "ano", "anos")),
)
for _unit, _forms in _UNIT_FORMS:
    for _form in _forms:
        UNITS[_form] = _unit

EN_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ES_WEEKDAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
EN_WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ES_WEEKDAY_ABBR = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
EN_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
ES_MONTH_NAMES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
)  # fmt: skip
EN_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ES_MONTH_ABBR = (
    "ene",
    "feb",
    "mar",
    "abr",
    "may",
    "jun",
    "jul",
    "ago",
    "sept",
    "oct",
    "nov",
    "dic",
)


def fold(word: str) -> str:
    """Accent-strip and case-fold so matching is forgiving of phone keyboards."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def join_names(names: list[str], lang: str) -> str:
    """Human list joining; the Oxford comma is left out in both languages for brevity."""
    if len(names) == 1:
        return names[0]
    return tr(lang, "{items} and {last}", items=", ".join(names[:-1]), last=names[-1])
