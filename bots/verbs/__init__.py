"""One module per chat verb; each turns the text after the verb into a platform-neutral Reply."""
