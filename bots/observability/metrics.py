"""Prometheus metrics of one replica, in a registry of its own.

Labels are drawn from closed sets (verb names, platform names, retry reasons) and anything else
becomes "other": a label value is stored for ever by every scraper, so nothing a user typed may
ever become one.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bots.adapters import PLATFORMS

REASONS = frozenset({"rate_limited", "transient"})
LATENESS_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


def _one_of(value: str, allowed: frozenset[str]) -> str:
    return value if value in allowed else "other"


class Metrics:
    """Counters and histograms for commands and deliveries; a DeliveryObserver for the
    dispatcher and a command observer for the router."""

    def __init__(self, verbs: frozenset[str] = frozenset()) -> None:
        self.verbs = verbs
        self.registry = CollectorRegistry()
        r = self.registry
        self.commands = Counter(
            "iepbot_commands", "Commands handled", ["verb", "platform"], registry=r
        )
        self.command_seconds = Histogram(
            "iepbot_command_duration_seconds",
            "Time to answer a command in the router",
            ["verb", "platform"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sent = Counter(
            "iepbot_reminders_sent", "Reminders delivered", ["platform"], registry=r
        )
        self.late = Counter(
            "iepbot_reminders_late", "Reminders delivered marked late", ["platform"], registry=r
        )
        self.retried = Counter(
            "iepbot_reminders_retried",
            "Reminder send attempts retried",
            ["platform", "reason"],
            registry=r,
        )
        self.failed = Counter(
            "iepbot_reminders_failed", "Reminders that finally failed", ["platform"], registry=r
        )
        self.lateness = Histogram(
            "iepbot_delivery_lateness_seconds",
            "Seconds between a reminder's fire time and its delivery",
            ["platform"],
            buckets=LATENESS_BUCKETS,
            registry=r,
        )
        self.leader = Gauge(
            "iepbot_scheduler_leader", "1 while this replica runs the scheduler", registry=r
        )
        self.elections = Counter(
            "iepbot_leader_elections", "Times this replica became the leader", registry=r
        )

    # -- the router's hook ------------------------------------------------------------------

    def command(self, verb: str, platform: str, seconds: float) -> None:
        labels = (_one_of(verb, self.verbs), _one_of(platform, PLATFORMS))
        self.commands.labels(*labels).inc()
        self.command_seconds.labels(*labels).observe(seconds)

    # -- the dispatcher's DeliveryObserver --------------------------------------------------

    def reminder_sent(self, platform: str, late: bool, lateness: float | None) -> None:
        p = _one_of(platform, PLATFORMS)
        self.sent.labels(p).inc()
        if late:
            self.late.labels(p).inc()
        if lateness is not None:
            self.lateness.labels(p).observe(lateness)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class DeliveryMetrics:
    """Adapts Metrics to the dispatcher's DeliveryObserver protocol."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def sent(self, platform: str, late: bool, lateness: float | None) -> None:
        self.metrics.reminder_sent(platform, late, lateness)

    def retried(self, platform: str, reason: str) -> None:
        self.metrics.retried.labels(_one_of(platform, PLATFORMS), _one_of(reason, REASONS)).inc()

    def failed(self, platform: str) -> None:
        self.metrics.failed.labels(_one_of(platform, PLATFORMS)).inc()
