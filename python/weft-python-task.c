/* weft-python-task.c: asyncio's tasks as the inspector sees them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * asyncio's Task is not a WeftTask: it runs as plain callbacks (its __step
 * and __wakeup). While the loop records for an inspector
 * (weft_loop_get_recording()), this file recognises those callbacks, so that
 * - a step waiting in the ready queue is named by the task's coroutine and
 *   the line it resumes at, as a C task's step is (the Next panel, the
 *   highlighted source line of a stepped demo);
 * - each step is counted and timed, in a small TaskStats object the task
 *   carries as `_weft_stats` (asyncio's tasks take attributes);
 * - a task that finished in a step leaves a row in the loop's history.
 * Not recording, none of this runs: the callbacks are not even looked at.
 */
#include "weft-python-private.h"

#include <string.h>
#include <structmember.h>
#include <time.h>

typedef struct
{
  PyObject_HEAD
  unsigned long long runs;
  unsigned long long busy_ns;
  unsigned long long max_run_ns;
  double             born;       /* loop time when its first step was scheduled */
} WeftPyTaskStats;

static PyMemberDef stats_members[] = {
  { "runs", T_ULONGLONG, offsetof (WeftPyTaskStats, runs), READONLY, "Steps run while recording." },
  { "busy_ns", T_ULONGLONG, offsetof (WeftPyTaskStats, busy_ns), READONLY, "Time spent in them." },
  { "max_run_ns", T_ULONGLONG, offsetof (WeftPyTaskStats, max_run_ns), READONLY, "The longest one." },
  { "born", T_DOUBLE, offsetof (WeftPyTaskStats, born), READONLY, "Loop time it was first seen." },
  { NULL },
};

PyTypeObject WeftPyTaskStats_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_weft.TaskStats",
  .tp_doc = "What the inspector counts of an asyncio task's steps.",
  .tp_basicsize = sizeof (WeftPyTaskStats),
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_members = stats_members,
};

static PyObject *task_types;      /* (asyncio.Task, the pure-Python Task) */
static PyTypeObject *step_wrapper; /* _asyncio's TaskStepMethWrapper, once seen */

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static int
is_task (PyObject *object)
{
  if (task_types == NULL)
    {
      PyObject *c = _weft_py_asyncio_attr ("asyncio.tasks", "Task");
      PyObject *py = _weft_py_asyncio_attr ("asyncio.tasks", "_PyTask");

      if (c != NULL && py != NULL)
        task_types = PyTuple_Pack (2, c, py);
      Py_XDECREF (c);
      Py_XDECREF (py);
      if (task_types == NULL)
        {
          PyErr_Clear ();
          return 0;
        }
    }
  return PyObject_IsInstance (object, task_types) == 1;
}

/* The task whose step or wake-up @callback is (a new reference), or NULL. */
PyObject *
_weft_py_task_of (PyObject *callback)
{
  PyObject *owner = NULL;

  if (PyMethod_Check (callback))
    owner = Py_XNewRef (PyMethod_GET_SELF (callback));          /* the pure-Python Task */
  else if (PyCFunction_Check (callback))
    owner = Py_XNewRef (PyCFunction_GET_SELF (callback));       /* _asyncio's task_wakeup */
  else if (Py_TYPE (callback) == step_wrapper
           || (step_wrapper == NULL && strcmp (Py_TYPE (callback)->tp_name, "TaskStepMethWrapper") == 0))
    {
      step_wrapper = Py_TYPE (callback);                        /* _asyncio's __step */
      owner = PyObject_GetAttrString (callback, "__self__");
    }
  if (owner == NULL || !is_task (owner))
    {
      PyErr_Clear ();
      Py_CLEAR (owner);
    }
  return owner;
}

/* The task asyncio.sleep() puts to sleep, if @callback is the timer of a
 * sleep (futures._set_result_unless_cancelled, scheduled from the task's
 * step), else NULL: its timer is then listed as that task, at the line it
 * sleeps at. */
PyObject *
_weft_py_task_sleeping_on (WeftPyLoop *loop,
                           PyObject   *callback)
{
  static PyObject *current_task;
  PyObject *task;

  if (!PyFunction_Check (callback)
      || strcmp (PyUnicode_AsUTF8 (((PyCodeObject *) PyFunction_GET_CODE (callback))->co_name),
                 "_set_result_unless_cancelled") != 0)
    return NULL;
  if (current_task == NULL && (current_task = _weft_py_asyncio_attr ("asyncio.tasks", "current_task")) == NULL)
    {
      PyErr_Clear ();
      return NULL;
    }
  task = PyObject_CallOneArg (current_task, (PyObject *) loop);
  if (task == NULL || task == Py_None || !is_task (task))
    {
      PyErr_Clear ();
      Py_CLEAR (task);
    }
  return task;
}

/* @task's stats, made (born now) if it has none: a borrowed reference kept
 * by the task, or NULL. */
static WeftPyTaskStats *
stats_of (WeftPyLoop *loop,
          PyObject   *task)
{
  PyObject *found = PyObject_GetAttrString (task, "_weft_stats");
  WeftPyTaskStats *stats;

  if (found != NULL)
    {
      Py_DECREF (found);   /* the task keeps it */
      return Py_TYPE (found) == &WeftPyTaskStats_Type ? (WeftPyTaskStats *) found : NULL;
    }
  PyErr_Clear ();
  if ((stats = PyObject_New (WeftPyTaskStats, &WeftPyTaskStats_Type)) == NULL)
    {
      PyErr_Clear ();
      return NULL;
    }
  stats->runs = stats->busy_ns = stats->max_run_ns = 0;
  stats->born = loop->loop ? weft_loop_time (loop->loop) : 0;
  if (PyObject_SetAttrString (task, "_weft_stats", (PyObject *) stats) < 0)
    {
      PyErr_Clear ();
      Py_DECREF (stats);
      return NULL;
    }
  Py_DECREF (stats);   /* the task keeps it */
  return stats;
}

/* Names the queued step of @task: its coroutine, and where it resumes
 * (loop._weft_step_site()), both interned (code lines are finitely many). */
void
_weft_py_task_describe_step (WeftPyLoop  *loop,
                             PyObject    *task,
                             const char **name,
                             const char **where)
{
  PyObject *site = PyObject_CallMethod ((PyObject *) loop, "_weft_step_site", "O", task);
  const char *n, *w;

  stats_of (loop, task);
  if (site != NULL && PyArg_ParseTuple (site, "ss", &n, &w))
    {
      *name = g_intern_string (n);
      *where = *w ? g_intern_string (w) : NULL;
    }
  else
    PyErr_WriteUnraisable ((PyObject *) loop);
  Py_XDECREF (site);
}

/* Runs @callback (a step of @task) counted and timed; a task done after it
 * goes to the loop's history. */
PyObject *
_weft_py_task_run_step (WeftPyLoop       *loop,
                        PyObject         *task,
                        PyObject         *callback,
                        PyObject *const  *args,
                        Py_ssize_t        nargs)
{
  gint64 start = now_ns ();
  PyObject *result = PyObject_Vectorcall (callback, args, nargs, NULL);
  gint64 elapsed = now_ns () - start;
  WeftPyTaskStats *stats;
  PyObject *type, *value, *tb, *done;

  PyErr_Fetch (&type, &value, &tb);   /* what the step raised, kept for the caller */
  stats = stats_of (loop, task);

  if (stats != NULL)
    {
      stats->runs++;
      stats->busy_ns += (unsigned long long) elapsed;
      stats->max_run_ns = MAX (stats->max_run_ns, (unsigned long long) elapsed);
    }
  done = PyObject_CallMethod (task, "done", NULL);
  if (done == Py_True)
    {
      PyObject *r = PyObject_CallMethod ((PyObject *) loop, "_weft_task_finished", "O", task);

      if (r == NULL)
        PyErr_WriteUnraisable ((PyObject *) loop);
      Py_XDECREF (r);
    }
  else if (done == NULL)
    PyErr_Clear ();
  Py_XDECREF (done);
  PyErr_Restore (type, value, tb);
  return result;
}

int
_weft_py_task_init_types (void)
{
  return PyType_Ready (&WeftPyTaskStats_Type);
}
