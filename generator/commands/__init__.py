"""One module per command, each a thin orchestration over the rooms below; no command imports another."""
