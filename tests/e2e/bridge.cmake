# End-to-end tests: bridge.
