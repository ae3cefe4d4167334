"""The pages of programmes, by subdomain: `design` (the programme and its design), `goals`
(measurable goals), `questionnaire` (touchpoints and questions), `pipeline` (the managers'
pipeline, screening and line-manager approvals) and `participants` (a participant's own
pages)."""
