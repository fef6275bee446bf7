"""`python -m modeldoc` runs the command line."""

from modeldoc.cli import app

app(prog_name="modeldoc")
