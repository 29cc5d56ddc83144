"""Notices: every e-mail the platform sends, queued, idempotent and chosen by the resident.

Other apps call `notices.services.notice_send`; the rest of the app decides when a phase notice
is due (`scheduler.py`), who wants it (`selectors.py`) and delivers it from a worker (`tasks.py`).
"""
