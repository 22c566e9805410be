"""Reading: packet files and Markdown summaries (with citations, footnotes and images) into the model."""
