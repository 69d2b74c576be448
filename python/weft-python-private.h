/* weft-python-private.h: the _weft extension's types, shared by its files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * _weft makes a WeftLoop an asyncio event loop. weft.EventLoop (weft/events.py)
 * derives from _weft.Loop (this extension: scheduling, time, run, stop, close,
 * fd watches, all native on the WeftLoop) and asyncio's SelectorEventLoop (the
 * I/O machinery: transports, sockets, subprocesses, executors). A Python
 * callback is a _weft.Handle scheduled as an ordinary Weft callback, so it
 * shares the one GSource, the ready queue, the timers and the inspector with C
 * callbacks.
 *
 * The GIL: a loop run from Python (run_forever) holds the GIL while it runs
 * and lets go of it only while GLib polls (a poll function wraps g_poll). A
 * loop dispatched by someone else's main loop (Gtk.Application.run(), which
 * PyGObject calls without the GIL) takes the GIL per callback.
 */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <weft.h>

typedef struct
{
  PyObject_HEAD
  WeftLoop  *loop;           /* NULL once closed */
  PyObject  *pending_exc;    /* SystemExit / KeyboardInterrupt raised by a callback */
  int        debug;
  int        closed;
  double     slow_callback_duration;
} WeftPyLoop;

typedef struct
{
  PyObject_HEAD
  PyObject   *callback;
  PyObject   *args;          /* a tuple */
  PyObject   *context;
  PyObject   *loop;          /* the WeftPyLoop (an asyncio loop) */
  PyObject   *source_traceback;
  PyObject   *repr;          /* debug mode: repr kept after cancel() */
  PyObject   *weakreflist;
  WeftHandle *token;         /* NULL for call_soon_threadsafe */
  double      when;
  char        cancelled;
  char        scheduled;
  char        is_timer;
} WeftPyHandle;

extern PyTypeObject WeftPyLoop_Type;
extern PyTypeObject WeftPyHandle_Type;
extern PyTypeObject WeftPyTimerHandle_Type;

/* weft-python-module.c */
int         _weft_py_describe       (PyObject    *callable,
                                     const char **name,
                                     const char **where);
void        _weft_py_use_gil_poll   (GMainContext *context);
PyObject   *_weft_py_format_helper  (const char  *name);   /* asyncio.format_helpers.<name> */
PyObject   *_weft_py_asyncio_attr   (const char  *module,
                                     const char  *name);

/* weft-python-handle.c */
WeftPyHandle *_weft_py_handle_new   (PyTypeObject *type,
                                     WeftPyLoop   *loop,
                                     PyObject     *callback,
                                     PyObject *const *args,
                                     Py_ssize_t    nargs,
                                     PyObject     *context);
void        _weft_py_handle_run     (gpointer data);
void        _weft_py_handle_release (gpointer data);

/* weft-python-task.c */
PyObject   *_weft_py_task_of        (PyObject    *callback);
PyObject   *_weft_py_task_sleeping_on (WeftPyLoop *loop,
                                       PyObject   *callback);
void        _weft_py_task_describe_step (WeftPyLoop  *loop,
                                         PyObject    *task,
                                         const char **name,
                                         const char **where);
PyObject   *_weft_py_task_run_step  (WeftPyLoop       *loop,
                                     PyObject         *task,
                                     PyObject         *callback,
                                     PyObject *const  *args,
                                     Py_ssize_t        nargs);
int         _weft_py_task_init_types (void);

/* weft-python-loop.c */
WeftPyLoop *_weft_py_loop_for       (WeftLoop   *loop);
void        _weft_py_loop_callback_raised (WeftPyLoop *self,
                                           PyObject   *handle);
