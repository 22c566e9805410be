"""Translating: segments with protected spans, engines, the translation memory, TMX and the QA checks."""
