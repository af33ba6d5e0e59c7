from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "ocop.registry"
    label = "registry"
