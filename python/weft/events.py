"""weft.EventLoop: asyncio's event loop on a WeftLoop.

Scheduling is native (the _weft extension): call_soon, call_later, call_at,
call_soon_threadsafe, time, run_forever, stop and close go to the C loop, whose
one GSource runs Python callbacks beside C ones, in GLib's main loop. Everything
else -- sockets, transports, streams, SSL, subprocesses, executors, async
generators -- is asyncio's own SelectorEventLoop; its selector maps
register/modify/unregister onto Weft fd watches and is never asked to select().
"""

import asyncio
import collections
import heapq
import itertools
import math
import selectors
import signal
import sys
import threading

from asyncio import base_events, events, format_helpers, tasks
from asyncio.log import logger

import _weft

__all__ = ["EventLoop", "EventLoopPolicy", "new_event_loop", "run"]


class _Selector(selectors._BaseSelectorImpl):
    """asyncio's selector over Weft fd watches (select() is never called)."""

    def __init__(self):
        super().__init__()
        self._loop = None

    @staticmethod
    def _sides(events, data):
        reader = writer = None
        if isinstance(data, tuple) and len(data) == 2:
            reader, writer = data
        return (reader if events & selectors.EVENT_READ else None,
                writer if events & selectors.EVENT_WRITE else None)

    def _apply(self, fd, events, data, old_events, old_data):
        new = self._sides(events, data)
        old = self._sides(old_events, old_data)
        for writer in (0, 1):
            if new[writer] is not old[writer]:
                self._loop._weft_watch(fd, writer, new[writer])

    def register(self, fileobj, events, data=None):
        key = super().register(fileobj, events, data)
        try:
            self._apply(key.fd, events, data, 0, None)
        except BaseException:
            super().unregister(fileobj)
            raise
        return key

    def unregister(self, fileobj):
        key = super().unregister(fileobj)
        self._apply(key.fd, 0, None, key.events, key.data)
        return key

    def modify(self, fileobj, events, data=None):
        try:
            old = self._fd_to_key[self._fileobj_lookup(fileobj)]
        except KeyError:
            raise KeyError(f"{fileobj!r} is not registered") from None
        if not events or events & ~(selectors.EVENT_READ | selectors.EVENT_WRITE):
            raise ValueError(f"Invalid events: {events!r}")
        key = old._replace(events=events, data=data)
        self._fd_to_key[key.fd] = key
        self._apply(key.fd, events, data, old.events, old.data)
        return key

    def select(self, timeout=None):
        raise RuntimeError("a Weft loop polls through its GSource; "
                           "its selector's select() is never called")

    def close(self):
        for key in list(self._fd_to_key.values()):
            self._apply(key.fd, 0, None, key.events, key.data)
        super().close()


class EventLoop(_weft.Loop, asyncio.SelectorEventLoop):
    """An asyncio event loop whose scheduling is a WeftLoop.

    On the main thread it runs in GLib's default main context, so while
    Gtk.Application.run() or GLib.MainLoop.run() runs, its callbacks and tasks
    run too (see weft.glib); on other threads it gets a context of its own.
    """

    def __init__(self, selector=None):
        main = threading.current_thread() is threading.main_thread()
        _weft.Loop.__init__(self, private=not main)
        if selector is None:
            selector = _Selector()
        if not isinstance(selector, _Selector):
            raise TypeError("weft.EventLoop polls through Weft: it takes no other selector")
        selector._loop = self
        self._glib_quit = []       # quit() of GLib main loops running this loop (weft.glib)
        self._weft_attached = False
        asyncio.SelectorEventLoop.__init__(self, selector)
        if main:
            from . import glib
            glib._install_if_imported()

    def create_task(self, coro, *, name=None, context=None):
        task = super().create_task(coro, name=name, context=context)
        # The inspector lists tasks oldest first: while it looks (recording),
        # tasks are stamped with their order. Not otherwise: a stamp is a
        # dict per task, and the cyclic GC walks it (100,000 tasks: +15 %).
        if self._weft_recording:
            try:
                task._weft_order = next(_task_order)
            except AttributeError:
                pass   # a task factory's task that takes no attribute: listed after the others
        return task

    def __repr__(self):
        return (f"<{self.__class__.__name__} running={self.is_running()} "
                f"closed={self.is_closed()} debug={self.get_debug()}>")

    # running -----------------------------------------------------------

    def run_forever(self):
        self._check_closed()
        self._check_running()
        self._set_coroutine_origin_tracking(self._debug)
        old_agen_hooks = sys.get_asyncgen_hooks()
        wakeup = self._claim_wakeup_fd()
        try:
            self._thread_id = threading.get_ident()
            sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook,
                                   finalizer=self._asyncgen_finalizer_hook)
            events._set_running_loop(self)
            self._weft_run()
        finally:
            self._stopping = False
            self._thread_id = None
            events._set_running_loop(None)
            self._set_coroutine_origin_tracking(False)
            sys.set_asyncgen_hooks(*old_agen_hooks)
            self._release_wakeup_fd(wakeup)

    def _claim_wakeup_fd(self):
        # GLib's poll() restarts after EINTR: a signal's Python handler (the
        # KeyboardInterrupt of Ctrl+C) runs when the loop next wakes up. The
        # self-pipe as the signal wakeup fd wakes it at once.
        if threading.current_thread() is not threading.main_thread() or self._csock is None:
            return False
        try:
            old = signal.set_wakeup_fd(self._csock.fileno(), warn_on_full_buffer=False)
        except (ValueError, OSError):
            return False
        if old != -1:
            signal.set_wakeup_fd(old)   # someone else's: keep it
            return False
        return True

    @staticmethod
    def _release_wakeup_fd(claimed):
        if claimed:
            try:
                signal.set_wakeup_fd(-1)
            except (ValueError, OSError):
                pass

    def stop(self):
        if self._glib_quit:
            self._glib_quit[-1]()
        if not self._weft_attached:
            self._weft_stop()

    def close(self):
        if self.is_running():
            raise RuntimeError("Cannot close a running event loop")
        if self.is_closed():
            return
        try:
            super().close()
        finally:
            self._weft_close()

    def _run_once(self):
        raise RuntimeError("a Weft loop runs its iterations in C; use run_forever()")

    # reports from the C side ------------------------------------------

    def _weft_callback_failed(self, handle, exc):
        callback = getattr(handle, "_callback", None)
        args = getattr(handle, "_args", None) or ()
        source = format_helpers._format_callback_source(callback, args) if callback else repr(handle)
        context = {"message": f"Exception in callback {source}",
                   "exception": exc,
                   "handle": handle}
        tb = getattr(handle, "_source_traceback", None)
        if tb:
            context["source_traceback"] = tb
        self.call_exception_handler(context)

    def _weft_core_exception(self, message, detail):
        self.call_exception_handler({"message": f"{message}: {detail}" if detail else message})

    def _weft_task_rows(self, max_rows):
        """The inspector's rows for this loop's asyncio tasks (WeftTaskRow:
        id, name, state, awaits, runs, created at, busy ns, max run ns, age):
        the live ones, then the finished ones kept while recording."""
        rows = []
        now = self.time()
        current = tasks.current_task(self) if self.is_running() else None
        finished = self.__dict__.get("_weft_finished", ())
        kept = {row[0] for row in finished}
        live = [task for task in list(tasks._all_tasks) if task.get_loop() is self and id(task) not in kept]
        # Oldest first, as the loop lists its own tasks (asyncio's set of
        # tasks has no order: the rows came in a different one every time).
        live = heapq.nsmallest(max_rows, live, key=_created_order)
        rows = [_task_row(task, task is current, now) for task in live]
        rows.extend(list(finished)[-(max_rows - len(rows)):] if len(rows) < max_rows else ())
        return rows

    def _weft_task_finished(self, task):
        """A task finished in a step the inspector saw: its row is kept."""
        finished = self.__dict__.get("_weft_finished")
        if finished is None:
            finished = self._weft_finished = collections.deque(maxlen=self._weft_task_history())
        finished.append(_task_row(task, False, self.time()))

    def _weft_step_site(self, task):
        """(name, file:line) of @task's queued step: its coroutine, and the
        line it resumes at (or where it starts)."""
        coro = task.get_coro()
        code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
        where = _suspended_at(coro)[0] or _code_site(code)
        return getattr(coro, "__qualname__", None) or task.get_name(), where

    def _weft_report_slow(self, handle, seconds):
        logger.warning("Executing %s took %.3f seconds", base_events._format_handle(handle), seconds)


def _code_site(code):
    return f"{code.co_filename}:{code.co_firstlineno}" if code is not None else ""


_ASYNCIO_DIR = asyncio.__file__.rsplit("/", 1)[0] + "/"


def _suspended_at(coro):
    """(file:line of the innermost frame of @coro's await chain outside
    asyncio itself, the asyncio function it is in, if any)."""
    site, inside = "", ""
    for _ in range(64):
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            if frame.f_code.co_filename.startswith(_ASYNCIO_DIR):
                inside = inside or f"asyncio.{frame.f_code.co_name}()"
            else:
                site = f"{frame.f_code.co_filename}:{frame.f_lineno}"
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        if coro is None:
            break
    return site, inside


def _describe_awaited(future):
    if future is None:
        return ""
    if isinstance(future, asyncio.Task):
        return f"task {future.get_name()}"
    children = getattr(future, "_children", None)
    if children is not None:
        names = [f"task {c.get_name()}" if isinstance(c, asyncio.Task) else "a future" for c in children[:3]]
        more = f" and {len(children) - 3} more" if len(children) > 3 else ""
        return f"gather of {', '.join(names)}{more}"
    return "a future"


_task_order = itertools.count()


def _created_order(task):
    # Tasks created before recording began have no stamp: after the others,
    # in a stable order (their ids), so rows do not move between snapshots.
    return (getattr(task, "_weft_order", math.inf), id(task))


def _task_row(task, running, now):
    coro = task.get_coro()
    if task.done():
        state = ("cancelled" if task.cancelled()
                 else "failed" if task.exception() is not None else "done")
        awaits = "" if state != "failed" else repr(task.exception())
    else:
        waiter = getattr(task, "_fut_waiter", None)
        state = "running" if running else "suspended" if waiter is not None else "pending"
        where, inside = _suspended_at(coro)
        awaits = inside or _describe_awaited(waiter)
        if where:
            awaits = f"{awaits} at {where}" if awaits else f"at {where}"
    stats = getattr(task, "_weft_stats", None)
    runs, busy, longest, age = ((stats.runs, stats.busy_ns, stats.max_run_ns, max(now - stats.born, 0.0))
                                if stats is not None else (0, 0, 0, 0.0))
    return (id(task), task.get_name(), state, awaits, runs,
            _code_site(getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)), busy, longest, age)


class EventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """asyncio's default policy, with weft.EventLoop as its loops."""

    _loop_factory = EventLoop

    def __init__(self):
        super().__init__()
        from . import glib
        glib._install_if_imported()


def new_event_loop():
    """A new weft.EventLoop."""
    return EventLoop()


def run(main, *, debug=None):
    """asyncio.run(main) on a new weft.EventLoop."""
    with asyncio.Runner(debug=debug, loop_factory=EventLoop) as runner:
        return runner.run(main)
