"""The core's consensus rules, registered through the same hook as a plugin's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from matrixkit.registry import RuleRegister


@hookimpl
def matrixkit_register_rules(register: RuleRegister) -> None:
    from matrixkit.rules import builtin_rules

    for rule in builtin_rules():
        register.rule(rule)
