"""The spark plugin: summaries from a local OpenAI-compatible model server, never a cloud one."""
