"""The timing loop of the benchmarks' Python side (bench/measure.cpp is the C++ one, the same
rules): each contender runs once to warm up, then `runs` times, taking turns (the order rotates
each run, so no contender always goes first); setup and check run before and after each run,
untimed."""
import json
import time
from dataclasses import dataclass
from typing import Callable


def nothing():
    pass


@dataclass
class Contender:
    side: str                       # ours, raw or classic
    method: str                     # what it does, shown in the report
    work: Callable[[], None]        # timed
    setup: Callable[[], None] = nothing
    check: Callable[[], None] = nothing  # raises when the work did not do what it claims
    same_work: bool = True          # False: reported, but skips part of the work


def measure(contenders, runs):
    """The seconds of each contender's timed runs, in the contenders' order."""
    def timed_run(contender):
        contender.setup()
        start = time.perf_counter()
        contender.work()
        stop = time.perf_counter()
        contender.check()
        return stop - start

    for contender in contenders:
        timed_run(contender)  # warm-up, not counted
    seconds = [[] for _ in contenders]
    for run in range(runs):
        for k in range(len(contenders)):
            i = (k + run) % len(contenders)
            seconds[i].append(timed_run(contenders[i]))
    return seconds


def json_line(row, contender, seconds):
    """The line bench_orm prints for one contender; bench/run.py reads both."""
    return json.dumps({"row": row, "side": contender.side, "method": contender.method,
                       "same_work": contender.same_work,
                       "seconds": [round(s, 6) for s in seconds]})
