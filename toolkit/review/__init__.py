"""Editor review: a packet's translations out to review files and corrections back into the memory."""
