"""The command line: a thin shell over the Python API.

launch.py     the `newsq` entry point: a corpus's scan starts before Typer loads
loading.py    which commands load a corpus, and the option that names it
app.py        the commands, each a few lines over the API; errors as messages
options.py    every option, defined once, and the decorators that add them
run.py        what every command starts from: the corpus loaded, the output chosen
complete.py   shell completion of topics, providers and ids
"""
