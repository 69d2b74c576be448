"""weft for Python: our own tests, each written once and run against
weft.EventLoop and against asyncio's own loop (as uvloop's tests are), so a
test that passes on asyncio and fails on Weft names a difference."""

import asyncio
import contextvars
import glob
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import weft

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "python", "examples")


def own_source_lines():
    with open(__file__, encoding="utf-8") as f:
        return f.read().splitlines()


class LoopTests:
    """Mixed into one TestCase per loop implementation (below)."""

    def new_loop(self):
        raise NotImplementedError

    def setUp(self):
        self.loop = self.new_loop()
        self.addCleanup(self.loop.close)

    def test_call_soon_order_args_and_context(self):
        var = contextvars.ContextVar("var", default="outer")
        ctx = contextvars.copy_context()
        ctx.run(var.set, "inner")
        seen = []
        self.loop.call_soon(seen.append, 1)
        self.loop.call_soon(lambda a, b: seen.append(a + b), 1, 1)
        self.loop.call_soon(lambda: seen.append(var.get()), context=ctx)
        self.loop.call_soon(lambda: seen.append(var.get()))
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(seen, [1, 2, "inner", "outer"])

    def test_cancelled_handle_does_not_run_and_drops_its_callback(self):
        seen = []
        handle = self.loop.call_soon(seen.append, "no")
        timer = self.loop.call_later(0.01, seen.append, "no either")
        handle.cancel()
        timer.cancel()
        self.assertTrue(handle.cancelled() and timer.cancelled())
        self.assertIsNone(handle._callback)
        self.assertEqual(repr(handle), "<Handle cancelled>")
        self.loop.run_until_complete(asyncio.sleep(0.03))
        self.assertEqual(seen, [])

    def test_timers_fire_in_order_and_not_early(self):
        fired = []
        start = self.loop.time()
        for delay in (0.03, 0.01, 0.02):
            self.loop.call_later(delay, lambda d=delay: fired.append((d, self.loop.time() - start)))
        when = self.loop.time() + 0.04
        timer = self.loop.call_at(when, self.loop.stop)
        self.assertEqual(timer.when(), when)
        self.loop.run_forever()
        self.assertEqual([d for d, _ in fired], [0.01, 0.02, 0.03])
        for delay, elapsed in fired:
            self.assertGreaterEqual(elapsed, delay - 0.001)

    def test_time_is_monotonic_seconds(self):
        a = self.loop.time()
        b = time.monotonic()
        self.assertLess(abs(a - b), 0.5)

    def test_exception_in_callback_goes_to_handler(self):
        contexts = []
        self.loop.set_exception_handler(lambda loop, context: contexts.append(context))

        def boom():
            raise ZeroDivisionError("boom")

        handle = self.loop.call_soon(boom)
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(len(contexts), 1)
        self.assertIsInstance(contexts[0]["exception"], ZeroDivisionError)
        self.assertIs(contexts[0]["handle"], handle)
        self.assertIn("Exception in callback", contexts[0]["message"])
        self.assertIn("boom", contexts[0]["message"])

    def test_keyboard_interrupt_leaves_run_forever_once(self):
        def interrupt():
            raise KeyboardInterrupt

        self.loop.call_soon(interrupt)
        with self.assertRaises(KeyboardInterrupt):
            self.loop.run_forever()
        # The loop is usable afterwards, and raises nothing again.
        self.assertEqual(self.loop.run_until_complete(asyncio.sleep(0, "again")), "again")

    def test_keyboard_interrupt_leaves_the_iteration_at_once(self):
        # As asyncio's _run_once(): the callbacks after the one that raised
        # wait for the next run, and run first in it.
        ran = []

        def interrupt():
            ran.append("interrupt")
            raise KeyboardInterrupt

        self.loop.call_soon(interrupt)
        self.loop.call_soon(ran.append, "after")
        with self.assertRaises(KeyboardInterrupt):
            self.loop.run_forever()
        self.assertEqual(ran, ["interrupt"])
        self.loop.call_soon(ran.append, "next run")
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual(ran, ["interrupt", "after", "next run"])

    def test_system_exit_from_a_task(self):
        async def leave():
            raise SystemExit(3)

        with self.assertRaises(SystemExit) as raised:
            self.loop.run_until_complete(leave())
        self.assertEqual(raised.exception.code, 3)

    def test_sigint_while_sleeping(self):
        # The loop sleeps in poll() (a timer 5 s ahead); a SIGINT from another
        # thread must leave run_forever() with KeyboardInterrupt at once.
        if threading.current_thread() is not threading.main_thread():
            self.skipTest("signals go to the main thread")
        self.loop.call_later(5, self.loop.stop)
        killer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        start = time.monotonic()
        killer.start()
        try:
            with self.assertRaises(KeyboardInterrupt):
                self.loop.run_forever()
        finally:
            killer.join()
        self.assertLess(time.monotonic() - start, 2.0)
        self.assertEqual(self.loop.run_until_complete(asyncio.sleep(0.01, "calm")), "calm")

    def test_call_soon_threadsafe_wakes_sleeping_loop(self):
        self.loop.call_later(5, self.loop.stop)
        seen = []
        thread = threading.Timer(0.05, self.loop.call_soon_threadsafe, (lambda: (seen.append(1), self.loop.stop()),))
        start = time.monotonic()
        thread.start()
        self.loop.run_forever()
        thread.join()
        self.assertEqual(seen, [1])
        self.assertLess(time.monotonic() - start, 1.0)

    def test_debug_mode_refuses_other_threads(self):
        self.loop.set_debug(True)
        errors = []

        def other_thread():
            try:
                self.loop.call_soon(print)
            except RuntimeError as exc:
                errors.append(str(exc))
            self.loop.call_soon_threadsafe(self.loop.stop)

        self.loop.call_soon(threading.Thread(target=other_thread).start)
        self.loop.run_forever()
        self.assertEqual(len(errors), 1)
        self.assertIn("Non-thread-safe operation", errors[0])

    def test_closed_loop_refuses(self):
        self.loop.close()
        with self.assertRaisesRegex(RuntimeError, "Event loop is closed"):
            self.loop.call_soon(print)
        with self.assertRaisesRegex(RuntimeError, "Event loop is closed"):
            self.loop.call_later(1, print)
        with self.assertRaisesRegex(RuntimeError, "Event loop is closed"):
            self.loop.call_soon_threadsafe(print)

    def test_sockets_and_subprocess(self):
        async def main():
            async def echo(reader, writer):
                writer.write(await reader.readline())
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(echo, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"weft\n")
            line = await reader.readline()
            writer.close()
            server.close()
            await server.wait_closed()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "print('child')", stdout=asyncio.subprocess.PIPE)
            out, _ = await proc.communicate()
            return line, out

        self.assertEqual(self.loop.run_until_complete(main()), (b"weft\n", b"child\n"))

    def test_to_thread_and_executor(self):
        async def main():
            a = await asyncio.to_thread(lambda: threading.get_ident())
            b = await self.loop.run_in_executor(None, sum, [1, 2, 3])
            return a, b

        ident, total = self.loop.run_until_complete(main())
        self.assertNotEqual(ident, threading.get_ident())
        self.assertEqual(total, 6)


class WeftLoopTests(LoopTests, unittest.TestCase):
    def new_loop(self):
        return weft.EventLoop()

    def test_is_weft(self):
        self.assertIsInstance(self.loop, asyncio.AbstractEventLoop)
        self.assertIsInstance(self.loop.call_soon(print), weft.Handle)
        self.assertIsInstance(self.loop.call_later(1, print), weft.TimerHandle)

    def test_inspector_sees_python_tasks(self):
        # What every inspector (in-process, remote, recordings) is sent:
        # weft_loop_snapshot()'s task rows, asyncio's tasks among them.
        async def sleeper():
            await asyncio.sleep(10)      # line A

        async def waiter(task):
            await task                   # line B

        async def gatherer(*tasks):
            await asyncio.gather(*tasks)  # line G

        async def main():
            a = asyncio.create_task(sleeper(), name="sleeper")
            b = asyncio.create_task(waiter(a), name="waiter")
            g = asyncio.create_task(gatherer(a, b), name="gatherer")
            await asyncio.sleep(0.01)
            rows = {row[1]: row for row in self.loop._weft_snapshot_tasks()}
            a.cancel()
            await asyncio.gather(b, g, return_exceptions=True)
            return rows

        rows = self.loop.run_until_complete(main())
        source = own_source_lines()
        line_a = next(i for i, text in enumerate(source, 1) if text.strip().endswith("# line A"))
        line_b = next(i for i, text in enumerate(source, 1) if text.strip().endswith("# line B"))
        self.assertEqual(rows["sleeper"][2], "suspended")
        self.assertEqual(rows["sleeper"][3], f"asyncio.sleep() at {__file__}:{line_a}")
        self.assertEqual(rows["sleeper"][4], f"{__file__}:{line_a - 1}")
        line_g = next(i for i, text in enumerate(source, 1) if text.strip().endswith("# line G"))
        self.assertEqual(rows["waiter"][3], f"task sleeper at {__file__}:{line_b}")
        self.assertEqual(rows["gatherer"][3], f"gather of task sleeper, task waiter at {__file__}:{line_g}")
        self.assertEqual([r[2] for r in rows.values() if r[1] not in ("sleeper", "waiter", "gatherer")], ["running"])

    def test_inspector_lists_python_tasks_oldest_first(self):
        # asyncio keeps its tasks in a weak set, which has no order: the
        # inspector's rows came in a different order at every snapshot.
        # While the loop records (an inspector looks), tasks are listed in
        # the order they were created; those created before, after them in
        # an order that does not change between snapshots.
        async def sleeper():
            await asyncio.sleep(10)

        async def main():
            before = [asyncio.create_task(sleeper(), name=f"b{i:02}") for i in range(20)]
            self.loop._weft_record(True)
            made = [asyncio.create_task(sleeper(), name=f"t{i:02}") for i in range(40)]
            await asyncio.sleep(0.01)
            snapshots = [[row[1] for row in self.loop._weft_snapshot_tasks()] for _ in range(3)]
            self.loop._weft_record(False)
            for task in before + made:
                task.cancel()
            await asyncio.gather(*before, *made, return_exceptions=True)
            return snapshots

        snapshots = self.loop.run_until_complete(main())
        names = snapshots[0]
        self.assertEqual([name for name in names if name.startswith("t")], [f"t{i:02}" for i in range(40)])
        self.assertLess(names.index(next(n for n in names if n.startswith("t"))),
                        names.index(next(n for n in names if n.startswith("b"))))
        self.assertEqual(sorted(n for n in names if n.startswith("b")), [f"b{i:02}" for i in range(20)])
        self.assertEqual(snapshots[1], names)
        self.assertEqual(snapshots[2], names)
        # (main() itself was created before recording: among the unstamped.)
        self.assertIn(next(n for n in names if not n.startswith(("t", "b"))), names)

    def test_no_stamp_unless_recording(self):
        # Stamping a task gives it a __dict__ that the cyclic GC walks: only
        # while the loop records.
        async def quick():
            return 1

        async def main():
            plain = asyncio.create_task(quick())
            self.loop._weft_record(True)
            seen = asyncio.create_task(quick())
            self.loop._weft_record(False)
            await asyncio.gather(plain, seen)
            return plain, seen

        plain, seen = self.loop.run_until_complete(main())
        self.assertFalse(hasattr(plain, "_weft_order"))
        self.assertTrue(hasattr(seen, "_weft_order"))

    def test_inspector_counts_steps_and_keeps_finished_tasks(self):
        # While recording (an inspector is attached), each step of a task is
        # counted and timed, and a finished task keeps its row, told apart
        # as done, failed or cancelled.
        self.loop._weft_record(True)

        async def stepper(n):
            for _ in range(n):
                await asyncio.sleep(0)
            time.sleep(0.002)           # the last step is busy for 2 ms

        async def fails():
            raise ValueError("no")

        async def forever():
            await asyncio.sleep(10)

        async def main():
            steps = asyncio.create_task(stepper(4), name="stepper")
            bad = asyncio.create_task(fails(), name="fails")
            gone = asyncio.create_task(forever(), name="forever")
            await asyncio.sleep(0)
            gone.cancel()
            await asyncio.gather(steps, bad, gone, return_exceptions=True)

        self.loop.run_until_complete(main())
        rows = {row[1]: row for row in self.loop._weft_snapshot_tasks()}
        self.assertEqual(rows["stepper"][2], "done")
        self.assertEqual(rows["stepper"][5], 5)               # 4 sleeps: 5 steps
        self.assertGreaterEqual(rows["stepper"][6], 2_000_000)  # busy ns
        self.assertEqual(rows["fails"][2], "failed")
        self.assertEqual(rows["fails"][3], "ValueError('no')")
        self.assertEqual(rows["forever"][2], "cancelled")
        self.assertEqual(rows["forever"][5], 2)

    def test_inspector_names_a_queued_step_by_its_resume_line(self):
        # A task's step in the ready queue reads as the coroutine and the
        # line it resumes at, as a C task's does (the stepped demos' cue).
        self.loop._weft_record(True)
        source = own_source_lines()
        seen, timers = [], []

        async def sleeper(woken):
            await woken                  # line R
            await asyncio.sleep(10)      # line S

        async def main():
            woken = self.loop.create_future()
            task = asyncio.create_task(sleeper(woken))
            seen.append(self.loop._weft_snapshot_calls(False))
            await asyncio.sleep(0)
            woken.set_result(None)       # its wake-up is queued now
            seen.append(self.loop._weft_snapshot_calls(False))
            await asyncio.sleep(0)
            timers.extend(self.loop._weft_snapshot_calls(True))
            task.cancel()

        self.loop.run_until_complete(main())
        line_r = next(i for i, text in enumerate(source, 1) if text.strip().endswith("# line R"))
        qual = "WeftLoopTests.test_inspector_names_a_queued_step_by_its_resume_line.<locals>.sleeper"
        self.assertIn((qual, f"{__file__}:{line_r - 1}"), seen[0])       # starts at its def
        self.assertIn((qual, f"{__file__}:{line_r}"), seen[1])           # resumes at its await
        # Its sleep's timer reads as the task, at the line it sleeps at.
        self.assertIn((qual, f"{__file__}:{line_r + 1}"), timers)

    def test_run_once_is_a_clear_error(self):
        with self.assertRaisesRegex(RuntimeError, "run_forever"):
            self.loop._run_once()


class AsyncioLoopTests(LoopTests, unittest.TestCase):
    def new_loop(self):
        return asyncio.SelectorEventLoop()


TICKER = """
import asyncio

async def ticker():
    for _ in range(40):
        await asyncio.sleep(0.05)

asyncio.run(ticker())
"""


class RemoteInspectorTests(unittest.TestCase):
    """What weft-inspector --attach sees of a Python program served with
    WEFT_INSPECT=1: its asyncio tasks, across the socket, kept up to date by
    the Changed stream; and WEFT_INSPECT_PAUSED=1 holds it for stepping."""

    def start(self, paused=False, program_text=TICKER):
        from gi.repository import Gio, GLib
        runtime = self.enterContext(tempfile.TemporaryDirectory())
        program = os.path.join(runtime, "ticker.py")
        with open(program, "w") as f:
            f.write(program_text)
        env = dict(os.environ, XDG_RUNTIME_DIR=runtime, WEFT_INSPECT="1")
        if paused:
            env["WEFT_INSPECT_PAUSED"] = "1"
        child = subprocess.Popen([sys.executable, "-m", "weft", program], env=env)
        self.addCleanup(child.wait, 30)
        self.addCleanup(child.kill)
        deadline = time.monotonic() + 10
        sockets = []
        while not sockets and time.monotonic() < deadline:
            time.sleep(0.02)
            sockets = glob.glob(os.path.join(runtime, "weft", f"{child.pid}-*"))
        self.assertTrue(sockets, "the program never served its loop")
        connection = Gio.DBusConnection.new_for_address_sync(
            f"unix:path={sockets[0]}", Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT, None, None)
        self.addCleanup(lambda: connection.is_closed() or connection.close_sync(None))
        return child, connection, GLib

    def call(self, connection, method, args=None):
        from gi.repository import Gio
        return connection.call_sync(None, "/org/weft/Loop", "org.weft.Inspector1", method, args,
                                    None, Gio.DBusCallFlags.NONE, 5000, None).unpack()

    def follow_task_1(self, connection, GLib, column, until, seconds):
        """Task-1's @column in every Changed signal, in order, until
        @until(values) or @seconds pass."""
        values = []

        def on_changed(connection, sender, path, interface, signal, parameters):
            serial, reset, tasks = parameters.unpack()
            values.extend(row[column] for row in tasks if row[1] == "Task-1")

        connection.signal_subscribe(None, "org.weft.Inspector1", "Changed", "/org/weft/Loop", None,
                                    0, on_changed)
        deadline = time.monotonic() + seconds
        while not until(values) and time.monotonic() < deadline:
            GLib.MainContext.default().iteration(False)
            time.sleep(0.005)
        while GLib.MainContext.default().iteration(False):
            pass
        return values

    def test_changed_streams_python_tasks(self):
        child, connection, GLib = self.start()
        runs = self.follow_task_1(connection, GLib, 4, lambda runs: len(runs) >= 5, 10)
        self.assertGreaterEqual(len(runs), 5, "no Changed signal carried the Python task")
        self.assertGreater(runs[-1], runs[0])            # its run count moves
        self.assertEqual(runs, sorted(runs))

    def test_last_state_reaches_the_peer_when_the_program_ends(self):
        # The loop's close publishes once more, with the asyncio tasks as
        # they ended: an inspector left attached shows Task-1 done, not
        # suspended in its last sleep for ever. (The ticker ends 1 ms after a
        # publication, well within the next one's interval.)
        child, connection, GLib = self.start(program_text=TICKER.replace(
            "asyncio.sleep(0.05)\n", "asyncio.sleep(0.05)\n    await asyncio.sleep(0.001)\n"))
        states = self.follow_task_1(connection, GLib, 2, lambda states: connection.is_closed(), 30)
        self.assertEqual(child.wait(30), 0)
        self.assertIn("suspended", states)
        self.assertEqual(states[-1], "done")

    def test_inspect_paused_holds_the_program_until_stepped(self):
        child, connection, GLib = self.start(paused=True)
        snapshot = self.call(connection, "GetSnapshot")[0]
        self.assertTrue(snapshot[1])                      # paused
        time.sleep(0.3)
        self.assertEqual(self.call(connection, "GetSnapshot")[0][0], snapshot[0])   # no iteration ran
        ready = self.call(connection, "GetSnapshot")[0][4]
        self.assertTrue(ready, "nothing is queued to step")
        self.call(connection, "Step", GLib.Variant("(s)", ("callback",)))
        deadline = time.monotonic() + 5
        while self.call(connection, "GetSnapshot")[0][4] == ready and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertNotEqual(self.call(connection, "GetSnapshot")[0][4], ready)   # one callback ran
        self.assertIsNone(child.poll())                   # and it is still held
        self.call(connection, "SetPaused", GLib.Variant("(b)", (False,)))
        self.assertEqual(child.wait(30), 0)               # resumed, it runs to the end


def run_program(path, *, weft_loop):
    argv = [sys.executable, "-m", "weft", path] if weft_loop else [sys.executable, path]
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True).stdout


class TutorialTests(unittest.TestCase):
    """The three programs of the asyncio tutorial, unchanged, with
    `python3 -m weft` and with plain python3: the same output, line by line."""

    def check(self, name, expect):
        path = os.path.join(EXAMPLES, name)
        results = {}
        for weft_loop in (True, False):
            start = time.monotonic()
            out = run_program(path, weft_loop=weft_loop)
            results[weft_loop] = (out, time.monotonic() - start)
        for weft_loop, (out, elapsed) in results.items():
            with self.subTest(weft=weft_loop):
                expect(self, out.splitlines(), elapsed)
        return results

    def test_greet(self):
        def expect(self, lines, elapsed):
            self.assertEqual(lines, ["Hello, World!"])
        self.check("greet.py", expect)

    def test_callbacks(self):
        def expect(self, lines, elapsed):
            self.assertEqual(len(lines), 2)
            self.assertTrue(all(line.startswith("Callback at ") for line in lines))
            first = time.strptime(lines[0][12:], "%X")
            second = time.strptime(lines[1][12:], "%X")
            gap = (time.mktime(second) - time.mktime(first)) % 86400
            self.assertIn(gap, (2, 3))   # call_later(2), on whole-second clocks
            self.assertGreaterEqual(elapsed, 3.0)
        self.check("callbacks.py", expect)

    def test_countdown(self):
        def expect(self, lines, elapsed):
            self.assertEqual(lines, ["Countdown: 3", "Countdown: 2", "Countdown: 1", "Countdown finished!"])
            self.assertGreaterEqual(elapsed, 3.0)
        self.check("countdown.py", expect)

    def test_python_m_weft_runs_on_weft(self):
        code = "import asyncio; asyncio.run(asyncio.sleep(0)); print(type(asyncio.new_event_loop()).__module__)"
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"weft-which-{os.getpid()}.py")
        with open(path, "w") as f:
            f.write(code)
        self.addCleanup(os.unlink, path)
        self.assertEqual(run_program(path, weft_loop=True).strip(), "weft.events")
        self.assertEqual(run_program(path, weft_loop=False).strip(), "asyncio.unix_events")

    def test_python_m_weft_bad_program(self):
        result = subprocess.run([sys.executable, "-m", "weft", "/nonexistent.py"],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 2)
        self.assertIn("no such program", result.stderr)


if __name__ == "__main__":
    unittest.main()
