"""Writes about pairs and groups at work, by subdomain. Each service is atomic and audited;
what a pair writes never reaches the audit log, e-mails to others or any page but theirs."""
