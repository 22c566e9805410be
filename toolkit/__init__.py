"""briefkit: bilingual EN/ES briefing packets from Markdown summaries."""

__version__ = "0.1.0"
