"""Adapters (console, Slack, Discord), the shared command router and the CLI."""
