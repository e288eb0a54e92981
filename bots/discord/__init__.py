"""The Discord adapter: `/iep` as app commands, answers as embeds, reminders by DM.

Everything here is a thin translation layer: each declared verb becomes a subcommand whose
options are converted to the verb's typed values, a ``Reply`` becomes an embed and a view.
No business rule lives in this package.
"""
