"""Background jobs: one shape for every feature's long work (imports, exports, and whatever comes next).

- `models.Job`: the abstract model a job extends (owner, state, message, times, attempts).
- `state.job_move`: the one way a job changes state (conditional, so a double click or a second
  worker moves it once; `attempts` fences a worker whose job was queued again without it).
- `files`: what a job keeps beside its row (encrypted store, progress with the heartbeat, cancel).
- `registry`: each app declares its job models (`register`) in its `jobs.py`, found at start-up;
  the heartbeat (`heartbeat`), the sweep (`sweep`) and the restart (`services.job_restart`) walk it.
- `parallel.Spread`: a job's per-row CPU work spread over the machine's cores.

See docs/architecture.md, "Background jobs".
"""
