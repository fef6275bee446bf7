"""Tools: plain Python that computes facts. No LangChain or LangGraph import here."""
