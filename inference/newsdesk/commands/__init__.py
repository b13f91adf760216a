"""One module per ``newsdesk`` sub-command; each has ``register(subparsers)``.

A command module imports nothing heavy at module level: ``newsdesk --help`` must answer
without torch.
"""
