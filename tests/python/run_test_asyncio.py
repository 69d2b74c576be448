#!/usr/bin/python3
"""CPython's own test_asyncio, run against Weft's event loop.

    run_test_asyncio.py [--loop weft|asyncio] [--json FILE] MODULE...

Each module runs with Weft's policy as the default (asyncio.run(),
new_event_loop(), IsolatedAsyncioTestCase all make weft.EventLoops), and the
modules that test a loop through mixins (test_events, test_sock_lowlevel,
test_sendfile, test_server, test_buffered_proto, test_subprocess) get their
mixins subclassed with a Weft loop factory in place of their Select/Epoll/Poll
variants. --loop asyncio runs exactly the same tests on asyncio's own loop,
for comparison. A module that created no Weft loop tested nothing: that is a
failure. Tests that fail on Weft for a reason that is not a defect are listed
in KNOWN, with the reason; any other failure fails the run.
"""

import argparse
import asyncio
import json
import os
import selectors
import sys
import time
import unittest

KNOWN = {
    # test id suffix: reason it cannot pass on a Weft loop
}

# Test classes that run asyncio's own loops with a given selector: replaced by
# the Weft subclass below (running them would test asyncio, not Weft).
STOCK_VARIANTS = {
    "test_events": {"KqueueEventLoopTests", "EPollEventLoopTests", "PollEventLoopTests", "SelectEventLoopTests"},
    "test_sock_lowlevel": {"KqueueEventLoopTests", "EPollEventLoopTests", "PollEventLoopTests", "SelectEventLoopTests"},
    "test_sendfile": {"KqueueEventLoopTests", "EPollEventLoopTests", "PollEventLoopTests", "SelectEventLoopTests"},
    "test_server": {"SelectorStartServerTests"},
    "test_buffered_proto": {"BufferedProtocolSelectorTests"},
}

MODULES = [
    "test_events", "test_sock_lowlevel", "test_sendfile", "test_server", "test_buffered_proto",
    "test_subprocess", "test_streams", "test_taskgroups", "test_timeouts", "test_waitfor",
    "test_threads", "test_locks", "test_queues", "test_futures2", "test_context", "test_ssl",
    "test_sslproto", "test_tasks", "test_runners",
]


def mixin_classes(name, mod, factory):
    """The module's loop mixins, subclassed with @factory as their loop."""
    from test.test_asyncio import utils as test_utils
    classes = []

    def make(cls_name, bases, attrs):
        attrs.setdefault("__module__", mod.__name__)
        classes.append(type(cls_name, bases, attrs))

    if name == "test_events":
        make("WeftEventLoopTests", (mod.UnixEventLoopTestsMixin, mod.SubprocessTestsMixin, test_utils.TestCase),
             {"create_event_loop": lambda self: factory()})
    elif name == "test_sock_lowlevel":
        make("WeftSockTests", (mod.BaseSockTestsMixin, test_utils.TestCase),
             {"create_event_loop": lambda self: factory()})
    elif name == "test_sendfile":
        make("WeftSendfileTests", (mod.SendfileTestsBase, test_utils.TestCase),
             {"create_event_loop": lambda self: factory()})
    elif name == "test_server":
        make("WeftStartServerTests", (mod.SelectorStartServerTests,),
             {"new_loop": lambda self: factory()})
    elif name == "test_buffered_proto":
        make("WeftBufferedProtocolTests", (mod.BufferedProtocolSelectorTests,),
             {"new_loop": lambda self: factory()})
    if name == "test_runners":
        # Its tests run asyncio.run() and Runner on BaseTest.new_loop(): a
        # mocked BaseEventLoop there; the loop under test here.
        def new_loop(self):
            loop = factory()
            loop.shutdown_ag_run = False
            shutdown = loop.shutdown_asyncgens

            async def shutdown_asyncgens():
                loop.shutdown_ag_run = True
                await shutdown()

            loop.shutdown_asyncgens = shutdown_asyncgens
            return loop

        mod.BaseTest.new_loop = new_loop
    return classes


def load(name, factory):
    mod = __import__("test.test_asyncio." + name, fromlist=["_"])
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    skip = STOCK_VARIANTS.get(name, set())
    for attr, obj in vars(mod).items():
        if (isinstance(obj, type) and issubclass(obj, unittest.TestCase)
                and obj.__module__ == mod.__name__ and attr not in skip):
            suite.addTests(loader.loadTestsFromTestCase(obj))
    for cls in mixin_classes(name, mod, factory):
        suite.addTests(loader.loadTestsFromTestCase(cls))
    return suite


class Result(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed.append(test.id())


def known_reason(test_id):
    for suffix, reason in KNOWN.items():
        if test_id.endswith(suffix):
            return reason
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop", choices=["weft", "asyncio"], default="weft")
    parser.add_argument("--json", help="write the counts and the failing tests here")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("modules", nargs="*", default=MODULES)
    args = parser.parse_args()

    created = [0]
    if args.loop == "weft":
        import weft
        original_init = weft.EventLoop.__init__

        def counting_init(self, *a, **kw):
            created[0] += 1
            original_init(self, *a, **kw)

        weft.EventLoop.__init__ = counting_init
        # The default policy, also after a test's set_event_loop_policy(None).
        asyncio.DefaultEventLoopPolicy = weft.EventLoopPolicy
        asyncio.events.DefaultEventLoopPolicy = weft.EventLoopPolicy
        asyncio.set_event_loop_policy(None)
        factory = weft.EventLoop
    else:
        factory = lambda: asyncio.SelectorEventLoop(selectors.EpollSelector())

    report = {"loop": args.loop, "modules": {}}
    status = 0
    for name in args.modules:
        before = created[0]
        start = time.monotonic()
        suite = load(name, factory)
        runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2 if args.verbose else 0,
                                         resultclass=Result)
        result = runner.run(suite)
        failing = [t.id() for t, _ in result.failures + result.errors]
        unexpected = [t for t in failing if known_reason(t) is None]
        entry = {
            "run": result.testsRun, "passed": len(result.passed), "failed": len(failing),
            "skipped": len(result.skipped), "expected_failures": len(result.expectedFailures),
            "loops": created[0] - before, "seconds": round(time.monotonic() - start, 1),
            "failing": failing, "unexpected": unexpected,
        }
        report["modules"][name] = entry
        line = (f"{name}: {entry['run']} run, {entry['passed']} passed, {entry['failed']} failed, "
                f"{entry['skipped']} skipped")
        if args.loop == "weft":
            line += f", {entry['loops']} Weft loops"
            if entry["loops"] == 0:
                line += " -- NO WEFT LOOP: this module tested nothing"
                status = 1
        print(line + f" ({entry['seconds']} s)", flush=True)
        for t in failing:
            reason = known_reason(t)
            print(f"  {'known' if reason else 'FAIL'}: {t}" + (f" ({reason})" if reason else ""), flush=True)
        if unexpected:
            status = 1
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
