"""Start-up of a demo-data worker process. Kept apart from the loader: a spawned process
must run ``django.setup()`` before it may import any module that defines models."""


def setup() -> None:
    import django

    django.setup()
