from mentora.programmes.tests.conftest import programme, setup  # noqa: F401
