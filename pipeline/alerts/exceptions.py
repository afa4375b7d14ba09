"""The alerting errors, under one base::

AlertError (kernel.exceptions.MarsadError)
└── RuleConfigError     deploy/alerts.yaml is missing or invalid: the rule and the field
"""

from __future__ import annotations

from kernel.exceptions import MarsadError


class AlertError(MarsadError):
    """Base of the alerting errors."""


class RuleConfigError(AlertError):
    """The rules file cannot be read or a rule is invalid; the message names rule and field."""
