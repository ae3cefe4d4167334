from mentora.rounds.tests.conftest import cohort  # noqa: F401
