"""The command line: the only layer that prints errors and picks exit codes."""
