"""Start Celery with the clock set to FAKE_NOW (ISO datetime) and ticking, so the worker's
sweeps run on a known working day whatever day the tests run. Used by notify_stack.Worker."""

import datetime
import os
import sys

if os.environ.get("FAKE_NOW"):
    import time_machine

    time_machine.travel(datetime.datetime.fromisoformat(os.environ["FAKE_NOW"]), tick=True).start()

from celery.__main__ import main

sys.argv = ["celery", *sys.argv[1:]]
main()
