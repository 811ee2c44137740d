"""Conversations without an LLM: follow-up resolution, name-like mentions, word lists, the cited reply."""
