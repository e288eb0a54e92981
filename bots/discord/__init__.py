"""The Discord adapter: `/iep` as app commands, answers as embeds, reminders by DM.

Everything here is a thin translation layer: options become router text, a ``Reply`` becomes
an embed and a view. No business rule lives in this package.
"""
