"""Test support: a local Slack Web API double and helpers to sign requests as Slack does.

Import from the modules directly (``tests.support.slack_double``, ``tests.support.signing``).
The Slack reference data they use lives in ``../shared/slack-reference`` (override with the
``SLACK_REFERENCE_DIR`` environment variable).
"""
