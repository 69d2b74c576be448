"""weft: asyncio's event loop in C, inside GLib's main loop.

    import weft
    weft.run(main())                       # asyncio.run() on Weft
    asyncio.set_event_loop_policy(weft.EventLoopPolicy())   # every new loop is Weft's

Inside a GTK app (PyGObject), while Gtk.Application.run() or GLib.MainLoop.run()
runs, the Weft loop is asyncio's running loop: asyncio.create_task() from a
signal handler just works. `python3 -m weft prog.py` runs an unmodified asyncio
program on Weft.
"""

import _weft

from .events import EventLoop, EventLoopPolicy, new_event_loop, run

Handle = _weft.Handle
TimerHandle = _weft.TimerHandle
__version__ = _weft.version()

__all__ = ["EventLoop", "EventLoopPolicy", "Handle", "TimerHandle", "new_event_loop", "run"]
