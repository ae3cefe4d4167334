from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organisation `make run` shows: built from every app, so it sits above them."""

    name = "mentora.demo"
    label = "demo"
