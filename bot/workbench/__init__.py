"""`mosovo-bot workbench`: the real bot on a web page at 127.0.0.1, with no Slack workspace.

``slack`` is the demo's in-process Web API keeping what each person would see in Slack (their
ephemerals, modals and Home); ``bench`` is the people acting on the real Bolt app with signed
requests; ``server`` serves the page (``static/``) and its JSON API; ``words`` holds the page's
own few words.
"""
