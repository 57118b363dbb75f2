"""Examples of extending hmtl (see the README's "Extend hmtl")."""
