"""One module per chat verb: a function of typed values returning a platform-neutral Reply.

``declare`` is how a verb is declared (read its docstring to add one); ``builtin`` declares
them all.
"""
