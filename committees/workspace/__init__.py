"""The staff's workspace: where they land after signing in, and what waits for them there.

The workspace is Wagtail's own dashboard, with one panel per committee the person works for
(`panels.py`). Each app says what waits in a committee through the `workspace_items` hook, so
that this package never imports the apps to its right (`committees` <- `proposals` <- `voting`):
`selectors.py` gathers the items and adds the committees app's own (the next meeting, rounds
changing phase soon). `landing.py` chooses where a person lands after signing in, and
`language.py` keeps the admin in the person's own language.
"""
