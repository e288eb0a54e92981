"""Scheduled community posts (a weekly tip, a meeting reminder) configured in YAML."""
