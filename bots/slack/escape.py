"""Text going to and coming from Slack.

Slack's mrkdwn treats ``<...>`` as markup: ``<!channel>`` pings a channel, ``<@U123>`` a person.
Everything a user typed is therefore escaped (``&``, ``<``, ``>``) before it is shown, which
alone makes those sequences inert; the bare words ``@channel``, ``@here`` and ``@everyone`` are
broken with an invisible word joiner as well, because mentions are also sent disabled but a
second line of defence costs nothing.

Incoming slash-command text arrives the other way round: Slack escapes ``&<>`` and turns
typed mentions into tokens. ``from_slack`` undoes that so the core stores what the person
meant, in plain words, and never a live mention token.
"""

from __future__ import annotations

import re

_WORD_JOINER = "\u2060"
_BROADCAST_WORDS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
# A channel link is safe to keep live (it notifies nobody) and the router writes them itself.
_CHANNEL_LINK = re.compile(r"&lt;#([CG][A-Z0-9]{1,20})&gt;")
_SPECIAL = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>")
_OTHER_SPECIAL = re.compile(r"<!([^>|]*)(?:\|([^>]*))?>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]*)(?:\|([^>]*))?>")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,5}$")
# An invisible separator around a person the router named (``SlackSyntax.write_user``): such a
# mention is kept live. Incoming text is stripped of the mark, so nobody can type one.
PERSON_MARK = "\u2063"
_PERSON_LINK = re.compile(f"{PERSON_MARK}&lt;@([UW][A-Z0-9]{{1,20}})&gt;{PERSON_MARK}")


def escape(text: str) -> str:
    """Plain text -> mrkdwn that shows exactly these characters and pings nobody."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST_WORDS.sub(lambda m: "@" + _WORD_JOINER + m.group(1), text)


def escape_keep_channels(text: str) -> str:
    """``escape`` for text the router wrote, which may hold ``<#C123>`` channel links and
    people it named itself (shown as their names; ephemeral replies and DMs ping nobody)."""
    return _PERSON_LINK.sub(r"<@\1>", _CHANNEL_LINK.sub(r"<#\1>", escape(text)))


def strip_marks(text: str) -> str:
    """Typed text without ``PERSON_MARK``: only the router may write a live mention."""
    return text.replace(PERSON_MARK, "")


def from_slack(text: str) -> str:
    """Slash-command text -> what the person typed, with mentions as inert words.

    Channel references (``<#C123|name>``) stay: the router reads them as reminder targets.
    """
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), strip_marks(text))
    text = _SUBTEAM.sub(lambda m: "@" + (m.group(1) or "group"), text)
    text = _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _OTHER_SPECIAL.sub(lambda m: m.group(2) or m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut plain text to ``limit`` characters (before escaping, so no entity is split)."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ellipsis))].rstrip() + ellipsis


def clip_mrkdwn(text: str, limit: int) -> str:
    """Cut already-escaped mrkdwn without leaving half an entity or half a ``<link>``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = _PARTIAL_ENTITY.sub("", cut)
    opened, closed = cut.rfind("<"), cut.rfind(">")
    if opened > closed:
        cut = cut[:opened]
    return cut.rstrip() + "…"


def safe_url(url: str) -> str | None:
    """A URL fit to sit inside ``<url|title>``, or None: only http(s), no markup characters."""
    url = url.strip()
    if not re.match(r"^https?://[^\s]+$", url):
        return None
    return url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
