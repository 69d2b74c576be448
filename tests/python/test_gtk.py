"""weft for Python inside a GTK 4 app (PyGObject), under Xvfb: the Weft loop
is asyncio's running loop while Gtk.Application.run() runs.

A real window with a real button, clicked with xdotool (spawned with
asyncio.create_subprocess_exec on the attached loop); its handler starts an
asyncio task with asyncio.create_task(). Also: run_until_complete() from a
handler is a clear error, a GLib timeout's set_result() wakes the awaiting
task at once, a nested main loop inside a task step never re-enters the loop,
and loop.stop() quits the application.
"""

import asyncio
import os
import shutil
import sys
import time
import unittest

import gi
gi.require_version("Gtk", "4.0")
from gi.repository import GLib, Gtk  # noqa: E402

import weft  # noqa: E402


class GtkTests(unittest.TestCase):
    def setUp(self):
        if not os.environ.get("DISPLAY"):
            self.skipTest("needs an X display (run under xvfb-run)")
        if shutil.which("xdotool") is None:
            self.skipTest("needs xdotool")
        asyncio.set_event_loop_policy(weft.EventLoopPolicy())
        self.addCleanup(asyncio.set_event_loop_policy, None)

    def test_application(self):
        app = Gtk.Application(application_id="org.weft.PythonTest")
        results = {}

        async def clicked_task(started):
            await asyncio.sleep(0.01)
            results["task_ran_after"] = time.monotonic() - started
            results["task_loop"] = asyncio.get_running_loop()

        def on_clicked(button):
            results["handler_loop"] = asyncio.get_running_loop()
            asyncio.create_task(clicked_task(time.monotonic()))
            try:
                asyncio.get_running_loop().run_until_complete(asyncio.sleep(0))
            except RuntimeError as exc:
                results["nested_run"] = str(exc)

        async def nested_loop_does_not_reenter():
            order = []

            async def other():
                order.append("other task")

            asyncio.create_task(other())
            nested = GLib.MainLoop()
            GLib.timeout_add(100, nested.quit)
            order.append("nested start")
            nested.run()        # inside this task's step: the loop must not run
            order.append("nested end")
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return order

        async def set_result_from_glib():
            future = asyncio.get_running_loop().create_future()
            fired = {}

            def from_glib():
                fired["at"] = time.monotonic()
                future.set_result("from GLib")
                return GLib.SOURCE_REMOVE

            GLib.timeout_add(50, from_glib)
            value = await future
            return value, time.monotonic() - fired["at"]

        async def drive(window, button):
            loop = asyncio.get_running_loop()
            for _ in range(200):
                if button.get_mapped() and button.get_width() > 0:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)
            ok, bounds = button.compute_bounds(window)
            x = int(bounds.get_x() + bounds.get_width() / 2)
            y = int(bounds.get_y() + bounds.get_height() / 2)
            surface = window.get_surface()
            xid = surface.get_xid() if hasattr(surface, "get_xid") else None
            args = ["xdotool"]
            args += ["mousemove", "--window", str(xid), str(x), str(y)] if xid else ["mousemove", str(x), str(y)]
            args += ["click", "1"]
            proc = await asyncio.create_subprocess_exec(*args)
            results["xdotool"] = await proc.wait()
            for _ in range(200):
                if "task_ran_after" in results:
                    break
                await asyncio.sleep(0.02)
            results["nested_order"] = await nested_loop_does_not_reenter()
            results["set_result"] = await set_result_from_glib()
            loop.stop()          # quits the application

        def on_activate(application):
            window = Gtk.ApplicationWindow(application=application, title="weft for Python")
            button = Gtk.Button(label="Start a task")
            button.connect("clicked", on_clicked)
            window.set_child(button)
            window.set_default_size(300, 200)
            window.present()
            results["activate_loop"] = asyncio.get_running_loop()
            asyncio.create_task(drive(window, button))
            GLib.timeout_add_seconds(20, lambda: (results.setdefault("timeout", True), app.quit()))

        app.connect("activate", on_activate)
        status = app.run([])

        self.assertEqual(status, 0)
        self.assertNotIn("timeout", results)
        loop = results["activate_loop"]
        self.assertIsInstance(loop, weft.EventLoop)
        self.assertEqual(results["xdotool"], 0)
        self.assertIs(results["handler_loop"], loop)
        self.assertIs(results["task_loop"], loop)
        self.assertLess(results["task_ran_after"], 1.0)
        self.assertIn("already running", results["nested_run"])
        self.assertEqual(results["nested_order"], ["nested start", "nested end", "other task"])
        value, latency = results["set_result"]
        self.assertEqual(value, "from GLib")
        self.assertLess(latency, 0.05)
        self.assertFalse(loop.is_running())
        loop.close()


if __name__ == "__main__":
    unittest.main()
