"""Matching rounds, by subdomain: running a round, reviewing and publishing its proposals,
mentees choosing among suggestions, and introductions both sides accept."""
