# End-to-end tests: fetch.
