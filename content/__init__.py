"""The content core: knowledge packs in YAML, their validation, and search over them."""
