/* weft-python-handle.c: _weft.Handle and _weft.TimerHandle
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What loop.call_soon() and friends return: asyncio's Handle / TimerHandle
 * interface (cancel, cancelled, when, get_context) over a Weft callback. The
 * scheduled Weft callback holds one reference to its handle; cancel() cancels
 * the Weft call (so it leaves the ready queue or the timer heap) and drops the
 * callback and its arguments at once, as asyncio does.
 */
#include "weft-python-private.h"

#include <math.h>
#include <structmember.h>

WeftPyHandle *
_weft_py_handle_new (PyTypeObject     *type,
                     WeftPyLoop       *loop,
                     PyObject         *callback,
                     PyObject *const  *args,
                     Py_ssize_t        nargs,
                     PyObject         *context)
{
  WeftPyHandle *self = PyObject_GC_New (WeftPyHandle, type);

  if (self == NULL)
    return NULL;
  self->args = PyTuple_New (nargs);
  for (Py_ssize_t i = 0; self->args != NULL && i < nargs; i++)
    PyTuple_SET_ITEM (self->args, i, Py_NewRef (args[i]));
  if (self->args == NULL)
    {
      self->callback = self->context = self->loop = NULL;
      self->source_traceback = self->repr = self->weakreflist = NULL;
      Py_DECREF (self);
      return NULL;
    }
  self->callback = Py_NewRef (callback);
  self->context = context != NULL && context != Py_None ? Py_NewRef (context) : PyContext_CopyCurrent ();
  self->loop = Py_NewRef ((PyObject *) loop);
  self->source_traceback = NULL;
  self->repr = NULL;
  self->weakreflist = NULL;
  self->token = NULL;
  self->when = 0;
  self->cancelled = 0;
  self->scheduled = 0;
  self->is_timer = type == &WeftPyTimerHandle_Type;
  PyObject_GC_Track (self);
  if (self->context == NULL)
    {
      Py_DECREF (self);
      return NULL;
    }
  return self;
}

static int
handle_traverse (WeftPyHandle *self,
                 visitproc     visit,
                 void         *arg)
{
  Py_VISIT (self->callback);
  Py_VISIT (self->args);
  Py_VISIT (self->context);
  Py_VISIT (self->loop);
  Py_VISIT (self->source_traceback);
  Py_VISIT (self->repr);
  return 0;
}

static int
handle_clear (WeftPyHandle *self)
{
  Py_CLEAR (self->callback);
  Py_CLEAR (self->args);
  Py_CLEAR (self->context);
  Py_CLEAR (self->loop);
  Py_CLEAR (self->source_traceback);
  Py_CLEAR (self->repr);
  return 0;
}

static void
handle_dealloc (WeftPyHandle *self)
{
  PyObject_GC_UnTrack (self);
  if (self->weakreflist != NULL)
    PyObject_ClearWeakRefs ((PyObject *) self);
  handle_clear (self);
  Py_TYPE (self)->tp_free ((PyObject *) self);
}

/* Runs the callback in its context; what it raises goes to the loop. */
static void
handle_call (WeftPyHandle *self)
{
  WeftPyLoop *loop = (WeftPyLoop *) self->loop;
  PyObject *callback = Py_NewRef (self->callback);
  PyObject *args = Py_NewRef (self->args);
  PyObject *context = Py_NewRef (self->context);
  PyObject *result = NULL;
  double start = loop->debug ? weft_loop_time (loop->loop) : 0;

  /* While an inspector records, a task's step is counted and timed. */
  PyObject *task = G_UNLIKELY (loop->loop != NULL && weft_loop_get_recording (loop->loop))
                   ? _weft_py_task_of (callback) : NULL;

  if (PyContext_Enter (context) == 0)
    {
      if (task == NULL)
        result = PyObject_Vectorcall (callback, &PyTuple_GET_ITEM (args, 0), PyTuple_GET_SIZE (args), NULL);
      else
        result = _weft_py_task_run_step (loop, task, callback, &PyTuple_GET_ITEM (args, 0), PyTuple_GET_SIZE (args));
      PyContext_Exit (context);
    }
  Py_XDECREF (task);
  if (result == NULL)
    _weft_py_loop_callback_raised (loop, (PyObject *) self);
  Py_XDECREF (result);
  if (loop->debug && loop->loop != NULL
      && weft_loop_time (loop->loop) - start >= loop->slow_callback_duration)
    {
      PyObject *r = PyObject_CallMethod (self->loop, "_weft_report_slow", "Od",
                                         (PyObject *) self, weft_loop_time (loop->loop) - start);
      if (r == NULL)
        _weft_py_loop_callback_raised (loop, (PyObject *) self);
      Py_XDECREF (r);
    }
  Py_DECREF (callback);
  Py_DECREF (args);
  Py_DECREF (context);
}

/* The Weft callback of a Python call (its data is the handle). */
void
_weft_py_handle_run (gpointer data)
{
  WeftPyHandle *self = data;
  PyGILState_STATE gil = 0;
  int held = PyGILState_Check ();

  if (!held)
    gil = PyGILState_Ensure ();
  if (!self->cancelled)
    {
      self->scheduled = 0;
      handle_call (self);
    }
  if (!held)
    PyGILState_Release (gil);
}

/* The destroy notify of a Python call: drops the scheduled reference. */
void
_weft_py_handle_release (gpointer data)
{
  PyGILState_STATE gil = 0;
  int held = PyGILState_Check ();

  if (!held)
    gil = PyGILState_Ensure ();
  Py_DECREF ((PyObject *) data);
  if (!held)
    PyGILState_Release (gil);
}

static PyObject *
handle_cancel (WeftPyHandle *self,
               PyObject     *unused)
{
  WeftHandle *token = self->token;

  if (self->cancelled)
    Py_RETURN_NONE;
  self->cancelled = 1;
  self->token = NULL;
  if (self->loop != NULL && ((WeftPyLoop *) self->loop)->debug)
    {
      /* Keep a description of the callback for repr(), as asyncio does. */
      PyObject *repr = PyObject_Repr ((PyObject *) self);

      if (repr == NULL)
        return NULL;
      Py_XSETREF (self->repr, repr);
    }
  Py_CLEAR (self->callback);
  Py_CLEAR (self->args);
  self->args = PyTuple_New (0);
  self->callback = Py_NewRef (Py_None);
  self->scheduled = 0;
  /* Drops the scheduled reference (the destroy notify runs now): last. */
  if (token != NULL)
    weft_handle_cancel (token);
  Py_RETURN_NONE;
}

static PyObject *
handle_cancelled (WeftPyHandle *self,
                  PyObject     *unused)
{
  return PyBool_FromLong (self->cancelled);
}

static PyObject *
handle_get_context (WeftPyHandle *self,
                    PyObject     *unused)
{
  return Py_NewRef (self->context);
}

static PyObject *
handle_when (WeftPyHandle *self,
             PyObject     *unused)
{
  return PyFloat_FromDouble (self->when);
}

/* asyncio's Handle.__repr__: <Handle callback(args) at file:line>. */
static PyObject *
handle_repr (WeftPyHandle *self)
{
  PyObject *format, *info, *result;
  const char *kind = self->is_timer ? "TimerHandle" : "Handle";

  if (self->repr != NULL)
    return Py_NewRef (self->repr);
  format = _weft_py_format_helper ("_format_callback_source");
  if (format == NULL)
    return NULL;
  info = self->callback != NULL && self->callback != Py_None
    ? PyObject_CallFunctionObjArgs (format, self->callback, self->args, NULL)
    : PyUnicode_FromString ("");
  Py_DECREF (format);
  if (info == NULL)
    return NULL;
  if (self->is_timer)
    {
      PyObject *when = PyFloat_FromDouble (self->when);

      result = when ? PyUnicode_FromFormat ("<%s%s when=%R %U>", kind, self->cancelled ? " cancelled" : "",
                                            when, info) : NULL;
      Py_XDECREF (when);
    }
  else if (PyUnicode_GET_LENGTH (info) == 0)
    result = PyUnicode_FromFormat ("<%s%s>", kind, self->cancelled ? " cancelled" : "");
  else
    result = PyUnicode_FromFormat ("<%s%s %U>", kind, self->cancelled ? " cancelled" : "", info);
  Py_DECREF (info);
  return result;
}

/* TimerHandles order by when, as asyncio's do. */
static PyObject *
timer_richcompare (PyObject *a,
                   PyObject *b,
                   int       op)
{
  double wa, wb;

  if (!PyObject_TypeCheck (a, &WeftPyTimerHandle_Type) || !PyObject_TypeCheck (b, &WeftPyTimerHandle_Type))
    Py_RETURN_NOTIMPLEMENTED;
  if (op == Py_EQ || op == Py_NE)
    {
      int same = a == b;

      if (!same)
        {
          WeftPyHandle *x = (WeftPyHandle *) a, *y = (WeftPyHandle *) b;

          same = x->when == y->when && x->cancelled == y->cancelled
              && x->callback == y->callback && x->args == y->args;
        }
      return PyBool_FromLong (op == Py_EQ ? same : !same);
    }
  wa = ((WeftPyHandle *) a)->when;
  wb = ((WeftPyHandle *) b)->when;
  Py_RETURN_RICHCOMPARE (wa, wb, op);
}

static Py_hash_t
timer_hash (PyObject *self)
{
  return _Py_HashDouble (self, ((WeftPyHandle *) self)->when);
}

static PyMethodDef handle_methods[] = {
  { "cancel", (PyCFunction) handle_cancel, METH_NOARGS, "Cancels the call." },
  { "cancelled", (PyCFunction) handle_cancelled, METH_NOARGS, "Whether the call was cancelled." },
  { "get_context", (PyCFunction) handle_get_context, METH_NOARGS, "The contextvars context the callback runs in." },
  { NULL },
};

static PyMethodDef timer_methods[] = {
  { "when", (PyCFunction) handle_when, METH_NOARGS, "When the timer fires, on the loop's clock." },
  { NULL },
};

static PyObject *
get_cancelled (WeftPyHandle *self,
               void         *closure)
{
  return PyBool_FromLong (self->cancelled);
}

static PyObject *
get_scheduled (WeftPyHandle *self,
               void         *closure)
{
  return PyBool_FromLong (self->scheduled);
}

static PyObject *
get_when (WeftPyHandle *self,
          void         *closure)
{
  return PyFloat_FromDouble (self->when);
}

static PyGetSetDef handle_getset[] = {
  { "_cancelled", (getter) get_cancelled, NULL, NULL, NULL },
  { "_scheduled", (getter) get_scheduled, NULL, NULL, NULL },
  { "_when", (getter) get_when, NULL, NULL, NULL },
  { NULL },
};

static PyMemberDef handle_members[] = {
  { "_callback", T_OBJECT, offsetof (WeftPyHandle, callback), READONLY, NULL },
  { "_args", T_OBJECT, offsetof (WeftPyHandle, args), READONLY, NULL },
  { "_context", T_OBJECT, offsetof (WeftPyHandle, context), READONLY, NULL },
  { "_loop", T_OBJECT, offsetof (WeftPyHandle, loop), READONLY, NULL },
  { "_source_traceback", T_OBJECT, offsetof (WeftPyHandle, source_traceback), 0, NULL },
  { "_repr", T_OBJECT, offsetof (WeftPyHandle, repr), READONLY, NULL },
  { NULL },
};

PyTypeObject WeftPyHandle_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "weft.Handle",
  .tp_doc = "A call scheduled with call_soon() (asyncio.Handle's interface).",
  .tp_basicsize = sizeof (WeftPyHandle),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
  .tp_dealloc = (destructor) handle_dealloc,
  .tp_traverse = (traverseproc) handle_traverse,
  .tp_clear = (inquiry) handle_clear,
  .tp_repr = (reprfunc) handle_repr,
  .tp_weaklistoffset = offsetof (WeftPyHandle, weakreflist),
  .tp_methods = handle_methods,
  .tp_members = handle_members,
  .tp_getset = handle_getset,
};

PyTypeObject WeftPyTimerHandle_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "weft.TimerHandle",
  .tp_doc = "A call scheduled with call_later() or call_at() (asyncio.TimerHandle's interface).",
  .tp_basicsize = sizeof (WeftPyHandle),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_base = &WeftPyHandle_Type,
  .tp_dealloc = (destructor) handle_dealloc,
  .tp_traverse = (traverseproc) handle_traverse,
  .tp_clear = (inquiry) handle_clear,
  .tp_repr = (reprfunc) handle_repr,
  .tp_richcompare = timer_richcompare,
  .tp_hash = timer_hash,
  .tp_methods = timer_methods,
};
