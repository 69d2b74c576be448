/* weft-python-module.c: the _weft module: its types, the GIL while GLib polls,
 * and the names of Python callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-python-private.h"

#include <errno.h>

/* ------------------------------------------------------------ the GIL */

/* GLib's poll, without the GIL when the caller holds it (a loop run from
 * Python): other Python threads run while the loop sleeps. A signal that
 * interrupts the poll runs its Python handler here; what it raises
 * (KeyboardInterrupt) leaves the running loop's run_forever(). */
static gint
gil_poll (GPollFD *fds,
          guint    nfds,
          gint     timeout)
{
  PyThreadState *state;
  int result, saved;

  if (timeout == 0 || !PyGILState_Check ())
    return g_poll (fds, nfds, timeout);

  state = PyEval_SaveThread ();
  result = g_poll (fds, nfds, timeout);
  saved = errno;
  PyEval_RestoreThread (state);

  if (PyErr_CheckSignals () < 0)
    {
      WeftPyLoop *loop = _weft_py_loop_for (weft_get_running_loop ());

      if (loop != NULL)
        _weft_py_loop_callback_raised (loop, Py_None);
      else
        PyErr_WriteUnraisable (NULL);
    }
  errno = saved;
  return result;
}

void
_weft_py_use_gil_poll (GMainContext *context)
{
  GPollFunc current = g_main_context_get_poll_func (context);

  /* Someone else's poll function is left alone (the loop then keeps the GIL
   * while it sleeps). */
  if (current == g_poll)
    g_main_context_set_poll_func (context, gil_poll);
}

/* ---------------------------------------------------- callback names */

/* What the inspector and debug mode call a Python callback: its
 * __qualname__ and the file:line of its definition. Computed once per code
 * object (kept in the code object's extra slot) or type, as interned (so
 * permanent) strings. */
typedef struct
{
  const char *name;
  const char *where;
} Description;

static Py_ssize_t code_extra_index = -1;
static GHashTable *type_names;  /* PyTypeObject* -> interned name; under the GIL */

static const char *
intern_object (PyObject *text)
{
  const char *utf8 = text && PyUnicode_Check (text) ? PyUnicode_AsUTF8 (text) : NULL;

  if (utf8 == NULL)
    {
      PyErr_Clear ();
      return NULL;
    }
  return g_intern_string (utf8);
}

static const Description *
describe_function (PyFunctionObject *function)
{
  PyObject *code = function->func_code;
  Description *d = NULL;

  if (code_extra_index < 0 || _PyCode_GetExtra (code, code_extra_index, (void **) &d) < 0)
    {
      PyErr_Clear ();
      return NULL;
    }
  if (d == NULL)
    {
      PyCodeObject *co = (PyCodeObject *) code;
      const char *file = intern_object (co->co_filename);
      char *where = g_strdup_printf ("%s:%d", file ? file : "?", co->co_firstlineno);

      d = g_new (Description, 1);
      d->name = intern_object (function->func_qualname);
      d->where = g_intern_string (where);
      g_free (where);
      if (_PyCode_SetExtra (code, code_extra_index, d) < 0)
        {
          PyErr_Clear ();
          g_free (d);
          return NULL;
        }
    }
  return d;
}

int
_weft_py_describe (PyObject    *callable,
                   const char **name,
                   const char **where)
{
  const Description *d;
  PyTypeObject *type;

  *name = *where = NULL;
  if (PyMethod_Check (callable))
    callable = PyMethod_GET_FUNCTION (callable);
  if (PyFunction_Check (callable) && (d = describe_function ((PyFunctionObject *) callable)) != NULL)
    {
      *name = d->name;
      *where = d->where;
      return 0;
    }
  if (PyCFunction_Check (callable))
    {
      PyCFunctionObject *f = (PyCFunctionObject *) callable;

      *name = f->m_ml->ml_name;  /* static in its module */
      return 0;
    }
  type = Py_TYPE (callable);
  if (type_names == NULL)
    type_names = g_hash_table_new (NULL, NULL);
  if ((*name = g_hash_table_lookup (type_names, type)) == NULL)
    {
      *name = g_intern_string (type->tp_name);
      g_hash_table_insert (type_names, type, (gpointer) *name);
    }
  return 0;
}

/* -------------------------------------------------------------- asyncio */

PyObject *
_weft_py_asyncio_attr (const char *module,
                       const char *name)
{
  PyObject *mod = PyImport_ImportModule (module);
  PyObject *attr;

  if (mod == NULL)
    return NULL;
  attr = PyObject_GetAttrString (mod, name);
  Py_DECREF (mod);
  return attr;
}

PyObject *
_weft_py_format_helper (const char *name)
{
  return _weft_py_asyncio_attr ("asyncio.format_helpers", name);
}

/* -------------------------------------------------------------- module */

static PyObject *
weft_version (PyObject *module, PyObject *unused)
{
  return PyUnicode_FromString (PACKAGE_VERSION);
}

static PyMethodDef module_methods[] = {
  { "version", weft_version, METH_NOARGS, "libweft's version." },
  { NULL },
};

static struct PyModuleDef weft_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_weft",
  .m_doc = "The native half of the weft package: asyncio's event loop on a WeftLoop.",
  .m_size = -1,
  .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__weft (void);

PyMODINIT_FUNC
PyInit__weft (void)
{
  PyObject *module;

  if (PyType_Ready (&WeftPyLoop_Type) < 0
      || PyType_Ready (&WeftPyHandle_Type) < 0
      || PyType_Ready (&WeftPyTimerHandle_Type) < 0
      || _weft_py_task_init_types () < 0)
    return NULL;
  if (code_extra_index < 0)
    code_extra_index = _PyEval_RequestCodeExtraIndex (g_free);
  module = PyModule_Create (&weft_module);
  if (module == NULL)
    return NULL;
  if (PyModule_AddObjectRef (module, "Loop", (PyObject *) &WeftPyLoop_Type) < 0
      || PyModule_AddObjectRef (module, "Handle", (PyObject *) &WeftPyHandle_Type) < 0
      || PyModule_AddObjectRef (module, "TimerHandle", (PyObject *) &WeftPyTimerHandle_Type) < 0)
    {
      Py_DECREF (module);
      return NULL;
    }
  return module;
}
