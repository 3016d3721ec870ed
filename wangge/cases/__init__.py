"""Cases (事件 / 社情民意): one workflow for every matter a resident raises.

- `choices` states, actions, sources, levels; `workflow.TRANSITIONS` the one transition table and
  the pure deadline rules; `steps` what each action changes; `services` the only writes
  (`case_create`, `case_act`, `case_reporter_add`, `case_deadline_mark`); `selectors` the scoped reads;
  `tasks.sweep_deadlines` the periodic sweep (every ten minutes; `manage.py cases_sweep` runs it now).
- Working time comes from `wangge.core.worktime` over the holiday calendar (`core.Holiday`).

Settings (config/settings.py, from the environment):
  WANGGE_OFFICE_HOURS      "08:30-12:00,14:00-17:30"  office periods of a working day
  WANGGE_CASE_RATING_DAYS  3                          working days to rate before a case closes unrated

Notifications: `notifications.py` registers a kind per case action (who is told, in what words) with
`wangge.core.notifications`, which writes the rows and delivers them through the queue.
"""
