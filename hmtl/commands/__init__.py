"""Command-line entry points (`hmtl <subcommand>`)."""
