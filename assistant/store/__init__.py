"""Crash-safe local storage for everything the person tells Begleiter.

Usage::

    from assistant.store import open_store, Store

    store = open_store(data_dir)          # DATA_DIR/store, 0700; lock; repair
    if store.recovery_notice:             # prompt key, e.g. "system.store_recovered"
        say(store.recovery_notice); store.recovery_told()
    now = clock.now()                     # every datetime must be timezone-aware
    c = store.checkins.add(now, mood=4, energy=3, contact=False)
    store.checkins.recent(since)          # -> list[CheckIn], oldest first
    s = store.steps.offer("steps.message_friend", "Anna kurz schreiben", now)
    store.steps.accept(s.id, now, label=None)   # or .decline(id, now)
    store.steps.mark_done(s.id, now); store.steps.open(); store.steps.offered_since(since)
    store.journal.add(now, exercise="thought_journal", question="exercise.tj.ask", text="...")
    r = store.reminders.add("Spaziergang mit Anna", when, repeat=None | "daily" | "weekdays" | "weekly")
    store.reminders.update(r.id, times_spoken=1, snoozed_until=...); store.reminders.cancel(r.id)
    store.reminders.active()              # -> list[Reminder], soonest first
    store.settings.get(); store.settings.update(address="sie", speech_rate=150)
    store.prompt_history.record(key, variant, now); store.prompt_history.used_since(key, since)
    store.safety_events.add("acute", now) # level and time only, never the words
    store.safety_plan.get(); store.safety_plan.save(plan, now)
    store.who5.add(now, [3, 2, 4, 1, 3]) # raw 0..25 and percent computed
    store.wipe()                          # spoken "forget": delete all, stay open
    store.close()                         # or: with open_store(...) as store:

Records are dataclasses (:mod:`assistant.store.records`) with a string ``id``.
Each method that changes something is one atomic, durable write: when it
returns, the record survives a crash or power cut. Unknown ids and bad values
raise :class:`StoreUsageError` (a programming error); disk problems raise
:class:`StoreError` subclasses with one German sentence (a second process on
the same folder: :class:`StoreLockedError`). ``open_store(dir, read_only=True)``
(used by ``export``) needs no lock and changes nothing. A store is meant for
one thread (TinyDB is not thread-safe); the lock keeps other processes out. File layout, crash
safety and performance: docs/storage.md.
"""

from assistant.store.database import Store, open_store
from assistant.store.errors import (StoreError, StoreLockedError, StoreReadOnlyError,
                                    StoreUsageError, StoreVersionError, StoreWriteError)
from assistant.store.records import (CheckIn, JournalEntry, PersonSettings, PromptUse, Reminder,
                                     SafetyEvent, SafetyPlan, Step, Who5Result)

__all__ = ["Store", "open_store", "StoreError", "StoreLockedError", "StoreReadOnlyError",
           "StoreUsageError", "StoreVersionError", "StoreWriteError", "CheckIn", "JournalEntry",
           "PersonSettings", "PromptUse", "Reminder", "SafetyEvent", "SafetyPlan", "Step",
           "Who5Result"]
