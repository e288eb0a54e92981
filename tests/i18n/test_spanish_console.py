"""A Spanish user on the console path: the router's replies as text, and delivered reminders."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from bots.context import Context
from bots.render_text import render_text
from bots.router import route
from scheduler.identity import Asker
from scheduler.reminders.service import ReminderService
from scheduler.reminders.texts import failed_notice, missed_notice, reminder_text
from scheduler.store.database import open_store

IEPBOT = str(Path(sys.executable).with_name("iepbot"))
NOW = datetime(2026, 10, 28, 15, 0, tzinfo=UTC)  # a Wednesday
ANA = Asker(user_id="ana", lang="es", timezone="America/Chicago")
BOB = Asker(user_id="bob", timezone="America/Chicago")


@pytest.fixture
def ctx(library, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'es.sqlite3'}")
    context = Context(library, store=store, reminders=ReminderService(store))
    with time_machine.travel(NOW, tick=False):
        yield context
    store.close()


def say(ctx: Context, text: str, asker: Asker = ANA) -> str:
    return render_text(route(ctx, text, asker))


def test_help_and_a_router_error_are_in_spanish(ctx) -> None:
    help_text = say(ctx, "help")
    assert help_text.startswith("# Cómo usar /iep")
    assert "Comandos:" in help_text and "Privacidad:" in help_text
    assert "remind me mañana a las 9 llevar el borrador" in help_text
    assert say(ctx, "help", BOB).startswith("# How to use /iep")


@pytest.mark.parametrize(
    ("command", "spanish"),
    [
        ("remind me", "¿Cuándo y qué te recuerdo?"),
        ("remind me ayer a las 9 algo", "Esa hora ya pasó"),
        ("cancel", "¿Qué recordatorio?"),
        ("cancel 999", "No existe el recordatorio #999"),
        ("snooze 1", "¿Qué recordatorio y por cuánto tiempo?"),
        ("track consent 2026-09-15", "Da una etiqueta de caso corta, no un nombre"),
        ("track consent 2026-02-31 case=AB-7", "Esa fecha no existe"),
        ("track nope 2026-09-15 case=AB-7", "Evento desconocido"),
        ("deadlines consent 2026-02-31", "febrero de 2026 tiene 28 días"),
        ("deadlines consent", "Necesito un evento y una fecha"),
        ("deadlines party 2026-09-15", "Evento desconocido 'party'"),
        ("deadlines consent 2026-09-15 state=ZZ", "Estado desconocido 'ZZ'"),
        ("timezone Mars/Olympus", "No conozco esa zona horaria"),
        ("lang fr", "Elige `en` (English) o `es` (Español)"),
        ("compare", "¿Qué dos términos comparo?"),
    ],
)
def test_bad_input_is_refused_in_spanish(ctx, command, spanish) -> None:
    reply = route(ctx, command, ANA)
    assert not reply.ok and reply.lang == "es"
    assert spanish in render_text(reply)
    assert ctx.store.list_reminders_for_owner("console", "ana") == []


def test_lang_setting_switches_the_answers(ctx) -> None:
    assert say(ctx, "lang es", BOB) == "# Tu idioma ahora es Español"
    assert say(ctx, "help", BOB).startswith("# Cómo usar /iep")
    assert say(ctx, "lang en", BOB) == "# Your language is now English"


def test_reminder_confirmation_and_list_are_in_spanish(ctx) -> None:
    made = say(ctx, "remind me mañana a las 9 llevar el borrador")
    assert made.startswith("# Recordatorio #1 listo")
    assert "Cuándo: jue 29 oct 2026, 09:00 CDT" in made
    assert "Para: a ti (un mensaje directo)" in made and "Qué: llevar el borrador" in made
    listed = say(ctx, "reminders")
    assert "Tus recordatorios (1)" in listed and "una vez" in listed
    assert say(ctx, "snooze 1 2 días").startswith("# Recordatorio #1 pospuesto")
    assert say(ctx, "cancel 1").startswith("# Recordatorio #1 cancelado")


def test_delivered_reminder_texts_are_in_the_reminders_language(ctx) -> None:
    route(ctx, "remind me el próximo martes a las 8 revisar el caso", ANA)
    [record] = ctx.store.list_reminders_for_owner("console", "ana")
    assert record.lang == "es"
    due = record.next_fire_at
    assert reminder_text(record, due, None) == "⏰ Recordatorio (#1): revisar el caso"
    late = reminder_text(record, due, timedelta(hours=2, minutes=5))
    assert "(con 2 h 5 min de retraso: tocaba el mar 3 nov 2026, 08:00 CST" in late
    assert missed_notice(record, due).startswith("Te perdiste el recordatorio #1, del mar 3 nov")
    assert failed_notice(record, "channel_not_found").startswith("No pude entregar")


def test_tracked_deadlines_and_their_reminders_are_in_spanish(ctx) -> None:
    reply = route(ctx, "track consent 2026-10-01 case=AB-7 state=TX", ANA)
    text = render_text(reply)
    assert text.startswith("# Seguimiento de AB-7: consent el 2026-10-01")
    assert "Informe de la evaluación inicial (FIIE)" in text
    assert "recordatorio(s) programado(s) para ti" in text
    stored = ctx.store.list_reminders_for_owner("console", "ana")
    assert stored and all(r.lang == "es" and r.kind == "deadline" for r in stored)
    first = min(stored, key=lambda r: r.next_fire_at)
    assert "Informe de la evaluación inicial (FIIE) vence en" in first.text
    assert "45 días escolares después del consentimiento" in first.text
    delivered = reminder_text(first, first.next_fire_at, None)
    assert delivered.startswith("⏰ Recordatorio de fecha límite (#")


def test_deadline_names_and_rules_are_in_spanish(ctx) -> None:
    text = say(ctx, "deadlines consent 2026-09-15")
    assert text.startswith(
        "# Fechas límite tras el consentimiento para evaluar del 2026-09-15 (mar.),"
        " reglas federales"
    ) or text.startswith(
        "# Fechas límite tras el consentimiento para evaluar del 2026-09-15 (mar), reglas federales"
    )
    assert "Evaluación inicial (60 días naturales después del consentimiento)" in text
    assert "cae en sábado; la ley no la mueve" in text
    assert "Información legal, no asesoría legal" in text
    english = say(ctx, "deadlines consent 2026-09-15", BOB)
    assert "Initial evaluation (60 calendar days after consent)" in english


def test_the_console_answers_a_spanish_user_in_spanish(tmp_path) -> None:
    """The real `iepbot console` process: `lang es` sticks, then help, an error, a reminder."""
    done = subprocess.run(
        [IEPBOT, "console", "--db", f"sqlite:///{tmp_path / 'c.sqlite3'}"],
        input="lang es\nhelp\ncancel\nremind me en 1 segundo traer el borrador\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TZ": "America/Chicago"},
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "# Tu idioma ahora es Español" in out
    assert "# Cómo usar /iep" in out
    assert "! ¿Qué recordatorio?" in out
    assert "# Recordatorio #1 listo" in out


def test_spanish_help_shows_commands_that_work_and_spanish_verbs_work_too(ctx) -> None:
    shown = say(ctx, "ayuda")
    assert "`/iep reminders`" in shown and "`/iep recordatorios`" not in shown
    assert "`/iep remind me mañana a las 9 llevar el borrador`" in shown
    made = say(ctx, "recuérdame mañana a las 9 llevar el borrador")
    assert "Recordatorio #1 listo" in made and "llevar el borrador" in made
    listed = say(ctx, "recordatorios")
    assert "Tus recordatorios (1)" in listed
    assert "Recordatorio #1 cancelado" in say(ctx, "cancelar 1")
