from django.apps import AppConfig


class HomeConfig(AppConfig):
    """What each person sees first: the front door and the dashboard, drawn from every app."""

    name = "mentora.home"
    label = "home"
