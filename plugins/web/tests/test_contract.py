"""matrixkit's contract test kit over the commands the installed distribution maturity-matrixkit-web registers:
each is listed in ``matrixkit --help``, answers ``--help`` and refuses an unknown option as a usage error. (The
commands themselves run servers and databases; their behaviour is tested in test_cli.py and
test_operations.py.)"""

from __future__ import annotations

from matrixkit.testing.contract import CommandContract


class TestWebCommands(CommandContract):
    distribution = "maturity-matrixkit-web"
    command_names = ("serve", "web-admin")
