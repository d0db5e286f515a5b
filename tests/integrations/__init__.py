"""LangChain's and LlamaIndex's Chroma integrations over huedb (scripts/test-integrations)."""
