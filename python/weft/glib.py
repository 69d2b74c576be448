"""weft.glib: the Weft loop is asyncio's running loop while GLib's runs.

With weft's policy set (or after install()), GLib.MainLoop.run() and
Gio.Application.run() -- so Gtk.Application.run() and Adw.Application.run() --
run with the main thread's weft.EventLoop as asyncio's running loop: its
callbacks and tasks run in GLib's main loop, asyncio.create_task() and
ensure_future() work from any GTK signal handler, loop.stop() quits the GLib
main loop, and run_until_complete() there is a clear RuntimeError ("This
event loop is already running"), not a hang. A nested main loop (a dialog's)
never re-enters the loop: its GSource does not recurse.
"""

import contextlib
import sys
import threading

from asyncio import events

_installed = False


def install():
    """Wraps GLib.MainLoop.run and Gio.Application.run (PyGObject) once."""
    global _installed
    if _installed:
        return
    from gi.repository import Gio, GLib
    _wrap(GLib.MainLoop, "run")
    _wrap(Gio.Application, "run")
    _installed = True


def _install_if_imported():
    if not _installed and "gi.repository.GLib" in sys.modules:
        install()


def _wrap(cls, name):
    original = getattr(cls, name)
    if getattr(original, "_weft_wrapped", False):
        return

    def run(self, *args, **kwargs):
        loop = _main_loop()
        if loop is None:
            return original(self, *args, **kwargs)
        with attached(loop, self.quit):
            return original(self, *args, **kwargs)

    run._weft_wrapped = True
    run.__doc__ = original.__doc__
    run.__name__ = name
    setattr(cls, name, run)


def _main_loop():
    """The main thread's weft.EventLoop, if weft's policy makes the loops."""
    from .events import EventLoop, EventLoopPolicy
    if threading.current_thread() is not threading.main_thread():
        return None
    running = events._get_running_loop()
    if isinstance(running, EventLoop):
        return running
    policy = events.get_event_loop_policy()
    if not isinstance(policy, EventLoopPolicy):
        return None
    loop = policy.get_event_loop()
    return loop if isinstance(loop, EventLoop) and not loop.is_closed() else None


@contextlib.contextmanager
def attached(loop, quit):
    """While the block runs GLib's main loop, @loop is asyncio's running loop;
    loop.stop() calls @quit. What a callback raised to stop the program
    (KeyboardInterrupt, SystemExit) is raised when the block ends."""
    if loop.is_running():
        # Nested: a dialog's main loop inside a callback, or GLib run from
        # run_forever(). stop() quits the innermost one.
        loop._glib_quit.append(quit)
        try:
            yield
        finally:
            loop._glib_quit.pop()
        return
    loop._check_closed()
    old_hooks = sys.get_asyncgen_hooks()
    loop._thread_id = threading.get_ident()
    loop._weft_attached = True
    loop._set_coroutine_origin_tracking(loop._debug)
    sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook,
                           finalizer=loop._asyncgen_finalizer_hook)
    events._set_running_loop(loop)
    loop._glib_quit.append(quit)
    try:
        yield
    finally:
        loop._glib_quit.pop()
        events._set_running_loop(None)
        loop._thread_id = None
        loop._weft_attached = False
        loop._set_coroutine_origin_tracking(False)
        sys.set_asyncgen_hooks(*old_hooks)
    exc = loop._weft_take_pending()
    if exc is not None:
        raise exc
