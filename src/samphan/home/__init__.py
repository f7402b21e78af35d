"""The project's own pages, above every app: the home page, the uploaded files and the
first-run ``setup`` command. Nothing below imports this package."""
