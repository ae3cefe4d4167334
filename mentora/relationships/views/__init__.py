"""The pages of pairs at work, by subdomain."""
