"""Command-line arguments → calls of the pipeline stages: the ``fundflow`` commands, one thin module per group."""
