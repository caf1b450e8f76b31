"""The core's consensus rules, registered through the same hook as a plugin's."""

from __future__ import annotations

from matrixkit.hookspecs import hookimpl
from matrixkit.registry import RuleRegister
from matrixkit.rules import builtin_rules


@hookimpl
def matrixkit_register_rules(register: RuleRegister) -> None:
    for rule in builtin_rules():
        register.rule(rule)
