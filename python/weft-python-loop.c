/* weft-python-loop.c: _weft.Loop, the native half of weft.EventLoop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Scheduling (call_soon, call_later, call_at, call_soon_threadsafe), time(),
 * running, stopping and closing go straight to the WeftLoop; fd watches for
 * the selector (weft/events.py) too. asyncio's own checks and messages are
 * kept: a closed loop raises RuntimeError('Event loop is closed'); debug mode
 * checks the thread and the callback with asyncio's own methods.
 */
#include "weft-python-private.h"

#include <fcntl.h>
#include <math.h>

static GQuark py_loop_quark;

/* ------------------------------------------------------------- errors */

static void
take_pending (WeftPyLoop *self)
{
  PyObject *type, *value, *tb;

  PyErr_Fetch (&type, &value, &tb);
  PyErr_NormalizeException (&type, &value, &tb);
  if (tb != NULL && value != NULL)
    PyException_SetTraceback (value, tb);
  if (self->pending_exc == NULL)
    self->pending_exc = Py_NewRef (value);
  Py_XDECREF (type);
  Py_XDECREF (value);
  Py_XDECREF (tb);
}

/* A callback raised (the error is set). SystemExit and KeyboardInterrupt
 * leave run_forever() at once; anything else goes to the exception
 * handler with asyncio's context, as Handle._run() does. */
void
_weft_py_loop_callback_raised (WeftPyLoop *self,
                               PyObject   *handle)
{
  PyObject *type, *value, *tb, *r;

  if (PyErr_ExceptionMatches (PyExc_SystemExit) || PyErr_ExceptionMatches (PyExc_KeyboardInterrupt))
    {
      take_pending (self);
      /* As asyncio's _run_once(): the rest of the iteration waits for the
       * next run. stop() also quits GLib's main loop in GTK mode. */
      if (self->loop != NULL)
        weft_loop_interrupt (self->loop);
      r = PyObject_CallMethod ((PyObject *) self, "stop", NULL);
      if (r == NULL)
        PyErr_WriteUnraisable ((PyObject *) self);
      Py_XDECREF (r);
      return;
    }
  PyErr_Fetch (&type, &value, &tb);
  PyErr_NormalizeException (&type, &value, &tb);
  if (tb != NULL && value != NULL)
    PyException_SetTraceback (value, tb);
  r = PyObject_CallMethod ((PyObject *) self, "_weft_callback_failed", "OO", handle, value ? value : Py_None);
  Py_XDECREF (type);
  Py_XDECREF (value);
  Py_XDECREF (tb);
  if (r == NULL)
    {
      if (PyErr_ExceptionMatches (PyExc_SystemExit) || PyErr_ExceptionMatches (PyExc_KeyboardInterrupt))
        _weft_py_loop_callback_raised (self, handle);
      else
        PyErr_WriteUnraisable (handle);
    }
  Py_XDECREF (r);
}

/* Errors the C loop reports (a watched fd closed under it, a C callback's
 * error) go to the Python exception handler. */
static void
core_exception (WeftLoop                   *loop,
                const WeftExceptionContext *context,
                gpointer                    user_data)
{
  WeftPyLoop *self = user_data;
  PyGILState_STATE gil = PyGILState_Ensure ();
  PyObject *r;

  r = PyObject_CallMethod ((PyObject *) self, "_weft_core_exception", "ss",
                           context->message ? context->message : "Error in the event loop",
                           context->error ? context->error->message : "");
  if (r == NULL)
    _weft_py_loop_callback_raised (self, Py_None);
  Py_XDECREF (r);
  PyGILState_Release (gil);
}

static int
check_open (WeftPyLoop *self)
{
  if (self->loop == NULL || self->closed)
    {
      PyErr_SetString (PyExc_RuntimeError, "Event loop is closed");
      return -1;
    }
  return 0;
}

/* ------------------------------------------------------- the inspector */

/* The inspector's rows for asyncio's tasks: described by the loop thread
 * under the GIL (weft/events.py: _weft_task_rows), handed over as strings. */
static void
py_task_rows (WeftLoop        *loop,
              GVariantBuilder *builder,
              guint            max_rows,
              gpointer         user_data)
{
  WeftPyLoop *self = user_data;
  PyGILState_STATE gil = PyGILState_Ensure ();
  PyObject *rows = PyObject_CallMethod ((PyObject *) self, "_weft_task_rows", "I", max_rows);

  if (rows == NULL || !PyList_Check (rows))
    PyErr_WriteUnraisable ((PyObject *) self);
  else
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE (rows); i++)
      {
        WeftTaskRow row;
        unsigned long long id, runs, busy, max_run;

        if (!PyArg_ParseTuple (PyList_GET_ITEM (rows, i), "KsssKsKKd", &id, &row.name, &row.state,
                               &row.awaits, &runs, &row.created_at, &busy, &max_run, &row.age))
          {
            PyErr_WriteUnraisable ((PyObject *) self);
            break;
          }
        row.id = id;
        row.runs = runs;
        row.busy_ns = busy;
        row.max_run_ns = max_run;
        weft_task_row_encode (builder, &row);
      }
  Py_XDECREF (rows);
  PyGILState_Release (gil);
}

/* _weft_snapshot_tasks(): the task rows of weft_loop_snapshot(), what every
 * inspector sees, as (id, name, state, awaits, created_at, runs, busy_ns)
 * tuples. */
static PyObject *
loop_snapshot_tasks (WeftPyLoop *self, PyObject *unused)
{
  GVariant *snapshot, *tasks;
  GVariantIter iter;
  WeftTaskRow row;
  PyObject *list;

  if (check_open (self) < 0)
    return NULL;
  snapshot = g_variant_ref_sink (weft_loop_snapshot (self->loop));
  tasks = g_variant_get_child_value (snapshot, 3);
  list = PyList_New (0);
  g_variant_iter_init (&iter, tasks);
  while (list != NULL && weft_task_row_decode (&iter, &row))
    {
      PyObject *item = Py_BuildValue ("(KssssKK)", (unsigned long long) row.id, row.name, row.state,
                                      row.awaits, row.created_at, (unsigned long long) row.runs,
                                      (unsigned long long) row.busy_ns);

      if (item == NULL || PyList_Append (list, item) < 0)
        Py_CLEAR (list);
      Py_XDECREF (item);
    }
  g_variant_unref (tasks);
  g_variant_unref (snapshot);
  return list;
}

/* _weft_snapshot_calls(timers): the ready queue (or the timers) as
 * inspectors see them, as (name, where) tuples. */
static PyObject *
loop_snapshot_calls (WeftPyLoop *self, PyObject *timers)
{
  GVariant *snapshot, *calls;
  GVariantIter iter;
  const char *name, *where;
  PyObject *list;

  if (check_open (self) < 0)
    return NULL;
  snapshot = g_variant_ref_sink (weft_loop_snapshot (self->loop));
  calls = g_variant_get_child_value (snapshot, PyObject_IsTrue (timers) == 1 ? 5 : 4);
  list = PyList_New (0);
  g_variant_iter_init (&iter, calls);
  while (list != NULL && g_variant_iter_next (&iter, PyObject_IsTrue (timers) == 1 ? "(&s&sd)" : "(&s&s)",
                                              &name, &where, NULL))
    {
      PyObject *item = Py_BuildValue ("(ss)", name, where);

      if (item == NULL || PyList_Append (list, item) < 0)
        Py_CLEAR (list);
      Py_XDECREF (item);
    }
  g_variant_unref (calls);
  g_variant_unref (snapshot);
  return list;
}

/* ------------------------------------------------------------ lifecycle */

static int
loop_init (WeftPyLoop *self,
           PyObject   *args,
           PyObject   *kwds)
{
  static char *kwlist[] = { "private", NULL };
  int private = 0;
  GMainContext *context = NULL;

  if (!PyArg_ParseTupleAndKeywords (args, kwds, "|p:Loop", kwlist, &private))
    return -1;
  if (self->loop != NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "the loop is initialised already");
      return -1;
    }
  if (private)
    {
      context = g_main_context_get_thread_default ();
      context = context ? g_main_context_ref (context) : g_main_context_new ();
    }
  self->loop = weft_loop_new_for_context (context);
  if (context)
    g_main_context_unref (context);
  if (self->loop == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "too many Weft event loops are alive (close the ones you no longer use)");
      return -1;
    }
  if (py_loop_quark == 0)
    py_loop_quark = g_quark_from_static_string ("weft-python-loop");
  g_object_set_qdata (G_OBJECT (self->loop), py_loop_quark, self);
  weft_loop_set_exception_handler (self->loop, core_exception, self, NULL);
  /* asyncio: one task step never runs inside another, so a nested main
   * loop inside a callback (a dialog's) holds this loop until it returns. */
  weft_loop_set_can_recurse (self->loop, FALSE);
  weft_loop_set_task_rows_func (self->loop, py_task_rows, self, NULL);
  _weft_py_use_gil_poll (weft_loop_get_context (self->loop));
  self->slow_callback_duration = 0.1;
  return 0;
}

/* From close() (@alive) or from the object's dealloc. */
static void
loop_release (WeftPyLoop *self,
              gboolean    alive)
{
  WeftLoop *loop = self->loop;

  if (loop == NULL)
    return;
  if (weft_loop_is_running (loop))
    return;  /* only from close(), which refuses a running loop */
  self->loop = NULL;
  g_object_set_qdata (G_OBJECT (loop), py_loop_quark, NULL);
  /* A served loop publishes its last state as it closes: from close() that
   * still has the asyncio tasks (finished, as the inspector should show them
   * once the program is gone); from dealloc this object cannot be called. */
  if (!alive)
    weft_loop_set_task_rows_func (loop, NULL, NULL, NULL);
  /* Drops every pending call: their destroy notifies release the handles. */
  weft_loop_close (loop);
  weft_loop_set_task_rows_func (loop, NULL, NULL, NULL);
  weft_loop_unref (loop);
}

static int
loop_traverse (WeftPyLoop *self,
               visitproc   visit,
               void       *arg)
{
  Py_VISIT (self->pending_exc);
  return 0;
}

static int
loop_clear (WeftPyLoop *self)
{
  Py_CLEAR (self->pending_exc);
  return 0;
}

static void
loop_dealloc (WeftPyLoop *self)
{
  PyObject_GC_UnTrack (self);
  loop_release (self, FALSE);
  loop_clear (self);
  Py_TYPE (self)->tp_free ((PyObject *) self);
}

/* WeftLoop -> its Python loop (borrowed), or NULL. */
WeftPyLoop *
_weft_py_loop_for (WeftLoop *loop)
{
  return loop && py_loop_quark ? g_object_get_qdata (G_OBJECT (loop), py_loop_quark) : NULL;
}

/* ----------------------------------------------------------- scheduling */

static int
parse_context (const char   *method,
               PyObject     *kwnames,
               PyObject *const *kwargs,
               PyObject    **context)
{
  *context = NULL;
  if (kwnames == NULL)
    return 0;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE (kwnames); i++)
    {
      PyObject *key = PyTuple_GET_ITEM (kwnames, i);

      if (!PyUnicode_Check (key) || PyUnicode_CompareWithASCIIString (key, "context") != 0)
        {
          PyErr_Format (PyExc_TypeError, "%s() got an unexpected keyword argument '%S'", method, key);
          return -1;
        }
      *context = kwargs[i];
    }
  if (*context == Py_None)
    *context = NULL;
  if (*context != NULL && !PyContext_CheckExact (*context))
    {
      PyErr_Format (PyExc_TypeError, "an instance of Context was expected, got %R", *context);
      return -1;
    }
  return 0;
}

/* Debug mode: asyncio's own thread and callback checks. */
static int
debug_checks (WeftPyLoop *self,
              PyObject   *callback,
              const char *method,
              gboolean    check_thread)
{
  PyObject *r;

  if (check_thread)
    {
      r = PyObject_CallMethod ((PyObject *) self, "_check_thread", NULL);
      if (r == NULL)
        return -1;
      Py_DECREF (r);
    }
  r = PyObject_CallMethod ((PyObject *) self, "_check_callback", "Os", callback, method);
  if (r == NULL)
    return -1;
  Py_DECREF (r);
  return 0;
}

static int
set_source_traceback (WeftPyHandle *handle)
{
  PyObject *extract = _weft_py_format_helper ("extract_stack");
  PyFrameObject *frame = PyEval_GetFrame ();
  PyObject *tb;

  if (extract == NULL)
    return -1;
  tb = PyObject_CallFunctionObjArgs (extract, frame ? (PyObject *) frame : Py_None, NULL);
  Py_DECREF (extract);
  if (tb == NULL)
    return -1;
  Py_XSETREF (handle->source_traceback, tb);
  return 0;
}

typedef enum { SOON, AT, THREADSAFE } Kind;

/* call_soon / call_at / call_soon_threadsafe: args[first] is the callback. */
static PyObject *
schedule (WeftPyLoop       *self,
          Kind              kind,
          const char       *method,
          double            when,
          PyObject *const  *args,
          Py_ssize_t        nargs,
          PyObject         *kwnames)
{
  PyObject *context;
  WeftPyHandle *handle;
  const char *name, *where;

  if (parse_context (method, kwnames, args + nargs, &context) < 0)
    return NULL;
  if (nargs < 1)
    {
      PyErr_Format (PyExc_TypeError, "%s() missing the callback argument", method);
      return NULL;
    }
  if (check_open (self) < 0)
    return NULL;
  if (self->debug && debug_checks (self, args[0], method, kind != THREADSAFE) < 0)
    return NULL;

  handle = _weft_py_handle_new (kind == AT ? &WeftPyTimerHandle_Type : &WeftPyHandle_Type,
                                self, args[0], args + 1, nargs - 1, context);
  if (handle == NULL)
    return NULL;
  if (self->debug && set_source_traceback (handle) < 0)
    {
      Py_DECREF (handle);
      return NULL;
    }
  _weft_py_describe (args[0], &name, &where);
  if (G_UNLIKELY (weft_loop_get_recording (self->loop)))
    {
      PyObject *task = _weft_py_task_of (args[0]);

      if (task == NULL && kind == AT)
        task = _weft_py_task_sleeping_on (self, args[0]);

      if (task != NULL)
        _weft_py_task_describe_step (self, task, &name, &where);
      Py_XDECREF (task);
    }

  Py_INCREF (handle);  /* the scheduled reference, dropped by _weft_py_handle_release */
  switch (kind)
    {
    case SOON:
      handle->token = weft_loop_call_soon_full (self->loop, _weft_py_handle_run, handle,
                                                _weft_py_handle_release, name, where);
      break;
    case AT:
      handle->when = when;
      handle->scheduled = 1;
      handle->token = weft_loop_call_at_full (self->loop, when, _weft_py_handle_run, handle,
                                              _weft_py_handle_release, name, where);
      break;
    case THREADSAFE:
      if (!weft_loop_call_soon_threadsafe_full (self->loop, _weft_py_handle_run, handle,
                                                _weft_py_handle_release, name, where))
        {
          Py_DECREF (handle);
          Py_DECREF (handle);
          PyErr_SetString (PyExc_RuntimeError, "Event loop is closed");
          return NULL;
        }
      break;
    }
  return (PyObject *) handle;
}

static PyObject *
loop_call_soon (WeftPyLoop *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
  return schedule (self, SOON, "call_soon", 0, args, nargs, kwnames);
}

static PyObject *
loop_call_soon_threadsafe (WeftPyLoop *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
  return schedule (self, THREADSAFE, "call_soon_threadsafe", 0, args, nargs, kwnames);
}

static int
time_arg (PyObject   *value,
          const char *none_message,
          double     *out)
{
  if (value == Py_None)
    {
      PyErr_SetString (PyExc_TypeError, none_message);
      return -1;
    }
  if (!PyFloat_Check (value) && !PyLong_Check (value))
    {
      PyErr_Format (PyExc_TypeError, "a number was expected, got %R", value);
      return -1;
    }
  *out = PyFloat_AsDouble (value);
  if (*out == -1.0 && PyErr_Occurred ())
    return -1;
  if (isnan (*out))
    *out = INFINITY;  /* never due, as asyncio's heap would treat it */
  return 0;
}

static double
loop_now (WeftPyLoop *self)
{
  struct timespec ts;

  if (self->loop != NULL)
    return weft_loop_time (self->loop);
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* call_at(when, ...) and call_later(delay, ...): args[0] is the time. */
static PyObject *
schedule_timer (WeftPyLoop       *self,
                const char       *method,
                const char       *none_message,
                gboolean          relative,
                PyObject *const  *args,
                Py_ssize_t        nargs,
                PyObject         *kwnames)
{
  double t;

  if (nargs < 1)
    {
      PyErr_Format (PyExc_TypeError, "%s() missing the %s argument", method, relative ? "delay" : "when");
      return NULL;
    }
  if (time_arg (args[0], none_message, &t) < 0)
    return NULL;
  return schedule (self, AT, method, relative ? loop_now (self) + t : t, args + 1, nargs - 1, kwnames);
}

static PyObject *
loop_call_at (WeftPyLoop *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
  return schedule_timer (self, "call_at", "when cannot be None", FALSE, args, nargs, kwnames);
}

static PyObject *
loop_call_later (WeftPyLoop *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
  return schedule_timer (self, "call_later", "delay must not be None", TRUE, args, nargs, kwnames);
}

static PyObject *
loop_time (WeftPyLoop *self, PyObject *unused)
{
  return PyFloat_FromDouble (loop_now (self));
}

/* ---------------------------------------------------- asyncio handles, fds */

/* An asyncio Handle run by the loop: a reader or writer of @fd, or (fd -1)
 * one given to _add_callback() (signal handlers). */
typedef struct
{
  PyObject *loop;
  PyObject *handle;
  int       fd;
  gboolean  writer;
} AsyncioCall;

static void
asyncio_call_free (gpointer data)
{
  AsyncioCall *call = data;
  PyGILState_STATE gil = PyGILState_Ensure ();

  Py_DECREF (call->loop);
  Py_DECREF (call->handle);
  PyGILState_Release (gil);
  g_free (call);
}

static void
asyncio_call_run (gpointer data)
{
  AsyncioCall *call = data;
  PyGILState_STATE gil = PyGILState_Ensure ();
  PyObject *loop = Py_NewRef (call->loop);
  PyObject *handle = Py_NewRef (call->handle);
  PyObject *cancelled = PyObject_GetAttrString (handle, "_cancelled");
  PyObject *r = NULL;
  int is_cancelled = cancelled ? PyObject_IsTrue (cancelled) : -1;

  Py_XDECREF (cancelled);
  if (is_cancelled == 1 && call->fd >= 0)
    r = PyObject_CallMethod (loop, call->writer ? "_remove_writer" : "_remove_reader", "i", call->fd);
  else if (is_cancelled == 0)
    r = PyObject_CallMethod (handle, "_run", NULL);
  else if (is_cancelled == 1)
    r = Py_NewRef (Py_None);
  if (r == NULL)
    _weft_py_loop_callback_raised ((WeftPyLoop *) loop, handle);
  Py_XDECREF (r);
  Py_DECREF (handle);
  Py_DECREF (loop);
  PyGILState_Release (gil);
}

static AsyncioCall *
asyncio_call_new (WeftPyLoop *self,
                  PyObject   *handle,
                  int         fd,
                  gboolean    writer)
{
  AsyncioCall *call = g_new (AsyncioCall, 1);

  call->loop = Py_NewRef ((PyObject *) self);
  call->handle = Py_NewRef (handle);
  call->fd = fd;
  call->writer = writer;
  return call;
}

/* _add_callback(handle): runs an asyncio Handle in the next iteration. */
static PyObject *
loop_add_callback (WeftPyLoop *self, PyObject *handle)
{
  PyObject *callback;
  const char *name = NULL, *where = NULL;

  if (check_open (self) < 0)
    return NULL;
  callback = PyObject_GetAttrString (handle, "_callback");
  if (callback != NULL)
    _weft_py_describe (callback, &name, &where);
  Py_XDECREF (callback);
  PyErr_Clear ();
  weft_loop_call_soon_full (self->loop, asyncio_call_run, asyncio_call_new (self, handle, -1, FALSE),
                            asyncio_call_free, name, where);
  Py_RETURN_NONE;
}

/* _add_callback_signalsafe(handle): the same from a signal handler. */
static PyObject *
loop_add_callback_signalsafe (WeftPyLoop *self, PyObject *handle)
{
  AsyncioCall *call;

  if (check_open (self) < 0)
    return NULL;
  call = asyncio_call_new (self, handle, -1, FALSE);
  /* Refused while closing (asyncio drops it too): not taken over. */
  if (!weft_loop_call_soon_threadsafe_full (self->loop, asyncio_call_run, call,
                                            asyncio_call_free, "signal handler", NULL))
    asyncio_call_free (call);
  Py_RETURN_NONE;
}

/* _weft_watch(fd, writer, handle): the selector's side of an fd: handle is
 * the asyncio Handle to run while fd is readable (writable), or None. */
static PyObject *
loop_watch (WeftPyLoop *self, PyObject *args)
{
  int fd, writer;
  PyObject *handle;
  AsyncioCall *call;
  gboolean ok;

  if (!PyArg_ParseTuple (args, "ipO:_weft_watch", &fd, &writer, &handle))
    return NULL;
  if (handle == Py_None)
    {
      /* Also while closing: the selector gives its fds up. */
      if (self->loop != NULL)
        writer ? weft_loop_remove_writer (self->loop, fd) : weft_loop_remove_reader (self->loop, fd);
      Py_RETURN_NONE;
    }
  if (check_open (self) < 0)
    return NULL;
  if (fcntl (fd, F_GETFD) < 0)
    return PyErr_SetFromErrno (PyExc_OSError);
  call = asyncio_call_new (self, handle, fd, writer);
  ok = writer
    ? weft_loop_add_writer (self->loop, fd, asyncio_call_run, call, asyncio_call_free)
    : weft_loop_add_reader (self->loop, fd, asyncio_call_run, call, asyncio_call_free);
  if (!ok)
    {
      asyncio_call_free (call);  /* refused: not taken over */
      PyErr_Format (PyExc_ValueError, "cannot watch fd %d (is it open?)", fd);
      return NULL;
    }
  Py_RETURN_NONE;
}

/* -------------------------------------------------------------- running */

static PyObject *
loop_run_native (WeftPyLoop *self, PyObject *unused)
{
  GError *error = NULL;
  gboolean ok;
  PyObject *exc;

  if (check_open (self) < 0)
    return NULL;
  Py_CLEAR (self->pending_exc);
  ok = weft_loop_run_forever (self->loop, &error);
  if ((exc = self->pending_exc) != NULL)
    {
      self->pending_exc = NULL;
      g_clear_error (&error);
      PyErr_SetObject ((PyObject *) Py_TYPE (exc), exc);
      Py_DECREF (exc);
      return NULL;
    }
  if (!ok)
    {
      PyErr_SetString (PyExc_RuntimeError, error->message);
      g_error_free (error);
      return NULL;
    }
  Py_RETURN_NONE;
}

/* The exception a callback raised while GLib (not run_forever) ran the
 * loop, for the code that started GLib's main loop to raise. */
static PyObject *
loop_take_pending (WeftPyLoop *self, PyObject *unused)
{
  PyObject *exc = self->pending_exc;

  self->pending_exc = NULL;
  return exc ? exc : Py_NewRef (Py_None);
}

static PyObject *
loop_stop_native (WeftPyLoop *self, PyObject *unused)
{
  if (self->loop != NULL)
    weft_loop_stop (self->loop);
  Py_RETURN_NONE;
}

static PyObject *
loop_close_native (WeftPyLoop *self, PyObject *unused)
{
  if (self->loop != NULL && weft_loop_is_running (self->loop))
    {
      PyErr_SetString (PyExc_RuntimeError, "Cannot close a running event loop");
      return NULL;
    }
  self->closed = 1;
  loop_release (self, TRUE);
  Py_RETURN_NONE;
}

/* _weft_record(on): records for an inspector, as serving one does. */
static PyObject *
loop_record (WeftPyLoop *self, PyObject *on)
{
  if (check_open (self) < 0)
    return NULL;
  weft_loop_set_recording (self->loop, PyObject_IsTrue (on) == 1);
  Py_RETURN_NONE;
}

/* _weft_task_history(): how many finished tasks the inspector keeps. */
static PyObject *
loop_task_history (WeftPyLoop *self, PyObject *unused)
{
  return PyLong_FromUnsignedLong (self->loop != NULL ? weft_loop_get_task_history (self->loop) : 0);
}

/* ----------------------------------------------------------- attributes */

/* asyncio's _debug and _closed, kept in the struct for the hot paths; the
 * closure is the field's offset. */
static PyObject *
get_flag (WeftPyLoop *self, void *closure)
{
  return PyBool_FromLong (*(int *) ((char *) self + (gsize) closure));
}

static int
set_flag (WeftPyLoop *self, PyObject *value, void *closure)
{
  int flag = value ? PyObject_IsTrue (value) : 0;

  if (flag < 0)
    return -1;
  *(int *) ((char *) self + (gsize) closure) = flag;
  return 0;
}

static PyObject *
get_slow (WeftPyLoop *self, void *closure)
{
  return PyFloat_FromDouble (self->slow_callback_duration);
}

static int
set_slow (WeftPyLoop *self, PyObject *value, void *closure)
{
  double v = value ? PyFloat_AsDouble (value) : 0.1;

  if (v == -1.0 && PyErr_Occurred ())
    return -1;
  self->slow_callback_duration = v;
  return 0;
}

/* Whether the loop records (an inspector is attached, or recording is on):
 * create_task() stamps the order of tasks only then. */
static PyObject *
get_recording (WeftPyLoop *self, void *closure)
{
  return PyBool_FromLong (self->loop != NULL && weft_loop_get_recording (self->loop));
}

static PyGetSetDef loop_getset[] = {
  { "_weft_recording", (getter) get_recording, NULL, NULL, NULL },
  { "_debug", (getter) get_flag, (setter) set_flag, NULL, (void *) offsetof (WeftPyLoop, debug) },
  { "_closed", (getter) get_flag, (setter) set_flag, NULL, (void *) offsetof (WeftPyLoop, closed) },
  { "slow_callback_duration", (getter) get_slow, (setter) set_slow, NULL, NULL },
  { NULL },
};

#define FASTCALL_KW (METH_FASTCALL | METH_KEYWORDS)

static PyMethodDef loop_methods[] = {
  { "call_soon", (PyCFunction) (void (*) (void)) loop_call_soon, FASTCALL_KW,
    "call_soon(callback, *args, context=None): runs callback(*args) in the next iteration." },
  { "call_soon_threadsafe", (PyCFunction) (void (*) (void)) loop_call_soon_threadsafe, FASTCALL_KW,
    "call_soon_threadsafe(callback, *args, context=None): call_soon() from any thread." },
  { "call_at", (PyCFunction) (void (*) (void)) loop_call_at, FASTCALL_KW,
    "call_at(when, callback, *args, context=None): runs callback(*args) at loop time when." },
  { "call_later", (PyCFunction) (void (*) (void)) loop_call_later, FASTCALL_KW,
    "call_later(delay, callback, *args, context=None): runs callback(*args) delay seconds from now." },
  { "time", (PyCFunction) loop_time, METH_NOARGS, "The loop's clock (CLOCK_MONOTONIC), in seconds." },
  { "_add_callback", (PyCFunction) loop_add_callback, METH_O, NULL },
  { "_add_callback_signalsafe", (PyCFunction) loop_add_callback_signalsafe, METH_O, NULL },
  { "_weft_watch", (PyCFunction) loop_watch, METH_VARARGS, NULL },
  { "_weft_run", (PyCFunction) loop_run_native, METH_NOARGS, NULL },
  { "_weft_stop", (PyCFunction) loop_stop_native, METH_NOARGS, NULL },
  { "_weft_close", (PyCFunction) loop_close_native, METH_NOARGS, NULL },
  { "_weft_take_pending", (PyCFunction) loop_take_pending, METH_NOARGS, NULL },
  { "_weft_snapshot_tasks", (PyCFunction) loop_snapshot_tasks, METH_NOARGS, NULL },
  { "_weft_snapshot_calls", (PyCFunction) loop_snapshot_calls, METH_O, NULL },
  { "_weft_record", (PyCFunction) loop_record, METH_O, NULL },
  { "_weft_task_history", (PyCFunction) loop_task_history, METH_NOARGS, NULL },
  { NULL },
};

PyTypeObject WeftPyLoop_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_weft.Loop",
  .tp_doc = "The native half of weft.EventLoop: a WeftLoop.",
  .tp_basicsize = sizeof (WeftPyLoop),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .tp_new = PyType_GenericNew,
  .tp_init = (initproc) loop_init,
  .tp_dealloc = (destructor) loop_dealloc,
  .tp_traverse = (traverseproc) loop_traverse,
  .tp_clear = (inquiry) loop_clear,
  .tp_methods = loop_methods,
  .tp_getset = loop_getset,
};
