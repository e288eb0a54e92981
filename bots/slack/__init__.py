"""The Slack adapter: slash command, buttons, modals, App Home and reminder delivery.

Nothing outside this package imports slack_bolt or slack_sdk; ``adapter.from_env`` is the only
entry point `iepbot run` uses.
"""
