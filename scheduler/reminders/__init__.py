"""Reminders: creating, listing and changing them, and the engine that fires them."""
