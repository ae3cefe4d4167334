"""Writes about programmes and their participants, by subdomain: `design` (the programme,
its policy, organisations and copy), `questionnaire` (touchpoints, questions, matching
profiles), `pipeline` (transitions, invitations, applications, line-manager decisions),
`goals` (measurable goals and the primary outcome), `screening` (mentors' interviews) and
`reminders` (pending steps). Each write is atomic,
audited, and mails on commit."""
