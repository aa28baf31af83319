"""Which commands load a corpus, and the option that names it: read by the launcher before
Typer loads (`newsq.cli.launch`) and by the app, so the two cannot drift apart."""

#: The commands that load a corpus: the app registers each of them through
#: `newsq.cli.app.loading_command`, which takes no other name.
LOADING = frozenset(
    ("list", "search", "show", "stories", "story", "topics", "providers", "stats", "check")
) | {"sql", "export", "open", "fields"}
#: The names of the option that names a corpus (`newsq.cli.options.DataOption`).
DATA_OPTIONS = ("--data", "-d")
