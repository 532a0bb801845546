"""Documents: contexts, the field catalogue, templates read once, the check, rendering, privacy and PDF/A."""
