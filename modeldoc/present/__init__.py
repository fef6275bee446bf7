"""How facts read: one voice for every output.

Writers, renderers, plots' alt text and legends, the diff and the verifier all show facts
through this layer, so a fact reads the same wherever it appears and changing how it reads
is one edit here. It sits below all of them and imports nothing from modeldoc but
`modeldoc.facts` (a test holds it to that).

- `numbers`: the one number format, signed numbers, percentages and confidence intervals.
- `metrics`: the metric registry (label, Hub name, direction, format) and the headline rule.
- `markdown`: repository text made literal Markdown.
- `card`: what every card output shares: the missing-fact marker, data and code values.
- `sections`: the card's sections, in the order every output shows them.
- `phrases`: SHAP directions, slice gaps and fairness differences in words.
- `limitations`: the limitations the facts show, as items every output lists.
- `limits`: how many items of a kind an output names before it stops.
"""
