"""The LLM path: choosing the chat model, and calling it through cache, budget and retry.

Nothing here is imported by the offline build: `langchain` and `openai` load only when an LLM
is configured (they take seconds to import).

    session.py   one build's session: backend, pre-flight, shared client; what provenance records
    drafting.py  a section drafted with tools, checked by the verifier, revised or replaced
    tools.py     the model's read-only look-ups, each answer a data block
    backend.py   the `llm` setting -> a `Backend`, its chat model, and the pre-flight check
    client.py    `ChatClient.send()`: cache -> budget -> retry -> the model, usage recorded
    cache.py     answers on disk, keyed by everything that shapes them
    retry.py     which failures are retried, and how long to wait
    usage.py     calls, tokens and cache hits; the `--max-tokens` budget; token estimates
    sanitize.py  repository text made safe to show the model
    errors.py    the exceptions, all `ModeldocError`s
"""
