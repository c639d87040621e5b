# End-to-end tests: run.
