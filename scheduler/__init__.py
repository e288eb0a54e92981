"""Deadline rules, reminders, persistence and timing; platform-neutral."""
