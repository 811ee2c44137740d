"""Texts -> unit vectors: the Encoder protocol and its implementations, batching, the on-disk vector cache."""
