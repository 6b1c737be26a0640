"""The `chizheng` console script: the management commands under a shorter name.

`chizheng import students FILE`, `chizheng token create USER` and `chizheng demo` are
the same as `python manage.py import students FILE` and so on.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chizheng", *sys.argv[1:]])
