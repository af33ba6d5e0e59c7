from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ocop.demo"
    label = "demo"
