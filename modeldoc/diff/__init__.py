"""`modeldoc diff`: what changed between two builds (a pull request's base and head), from
their fact sheets alone, and whether the head keeps the base's gates.

`compare.compare` pairs the facts part by part (`results` for what the model does, `code`
for the code and the model file), `gates` holds the head to the base's gates, `report` holds
the result's types (`--format json`), `markdown` renders it for a pull request.
"""
