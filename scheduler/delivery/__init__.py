"""Getting a message to a platform: the notifier interface, retries, pacing and the ledger."""
