"""briefkit: bilingual EN/ES briefing packets from Markdown summaries."""

__version__ = "0.2.0"
