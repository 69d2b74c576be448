/* weft-sysprof.c: Weft in Sysprof's timeline, beside GLib's and GTK's marks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The second observer of the core (the first is the inspector server). When
 * the process runs under Sysprof it emits marks in the group "Weft":
 * "iteration" for each loop iteration of at least MIN_MARK_NS (message: the
 * iteration's number and its callbacks), "task step" for each task step of at
 * least MIN_MARK_NS (message: the task's name and where it waits next, or
 * where it was created), and "slow callback" for every callback that runs
 * past the loop's slow-callback duration (message: its name). Shorter ones
 * are below what a timeline shows at frame scale, and marking them all would
 * flood the capture from a busy loop.
 *
 * Sysprof hands a program its capture as GTK expects it: SYSPROF_TRACE_FD
 * (sysprof-cli --use-trace-fd) names a file descriptor to write a capture to;
 * under the Sysprof app (SYSPROF_CONTROL_FD) marks go through the collector
 * GLib itself uses. Without either, no loop is observed: zero cost.
 */
#include "config.h"

#ifdef HAVE_SYSPROF

#include <stdlib.h>
#include <sysprof-capture.h>
#include <unistd.h>

#include "weft-inspect.h"
#include "weft-observer-private.h"
#include "weft-sysprof-private.h"
#include "weft-task-private.h"

#define MIN_MARK_NS (20 * G_GINT64_CONSTANT (1000))

typedef struct
{
  gint64 iteration_start;
  guint  callbacks;
  gint64 callback_start;
  gint64 step_start;
} LoopMarks;

static guint observer_id;
static GMutex writer_lock;
static SysprofCaptureWriter *writer;   /* SYSPROF_TRACE_FD, else NULL */

static void
flush_writer (void)
{
  g_mutex_lock (&writer_lock);
  if (writer != NULL)
    sysprof_capture_writer_flush (writer);
  g_mutex_unlock (&writer_lock);
}

/* Whether marks have somewhere to go; opens the SYSPROF_TRACE_FD capture once. */
static gboolean
sysprof_active (void)
{
  static gsize checked;
  static gboolean active;

  if (g_once_init_enter (&checked))
    {
      const char *trace_fd = g_getenv ("SYSPROF_TRACE_FD");

      if (trace_fd != NULL)
        {
          int fd = (int) g_ascii_strtoll (trace_fd, NULL, 10);

          if (fd > 2 && (writer = sysprof_capture_writer_new_from_fd (dup (fd), 0)) != NULL)
            atexit (flush_writer);
        }
      active = writer != NULL || sysprof_collector_is_active ();
      g_once_init_leave (&checked, 1);
    }
  return active;
}

static void
mark (gint64      start,
      gint64      duration,
      const char *name,
      const char *message)
{
  if (writer != NULL)
    {
      g_mutex_lock (&writer_lock);
      sysprof_capture_writer_add_mark (writer, start, -1, getpid (), (guint64) duration, "Weft", name, message);
      g_mutex_unlock (&writer_lock);
    }
  else
    sysprof_collector_mark (start, duration, "Weft", name, message);
}

static void
on_loop_created (WeftLoop *loop)
{
  if (sysprof_active ())
    {
      _weft_loop_observe (loop, observer_id, g_new0 (LoopMarks, 1));
      _weft_loop_want_callback_hooks (loop, observer_id, TRUE);   /* a mark per callback */
    }
}

static void
on_loop_closing (WeftLoop *loop,
                 gpointer  data)
{
  _weft_loop_observe (loop, observer_id, NULL);
  g_free (data);
  flush_writer ();
}

static void
on_iteration_begin (WeftLoop *loop,
                    gpointer  data,
                    gint64    now,
                    guint     n_timers,
                    gint64    max_lateness)
{
  LoopMarks *marks = data;

  marks->iteration_start = SYSPROF_CAPTURE_CURRENT_TIME;
  marks->callbacks = 0;
}

static void
on_iteration_end (WeftLoop *loop,
                  gpointer  data)
{
  LoopMarks *marks = data;
  gint64 duration = SYSPROF_CAPTURE_CURRENT_TIME - marks->iteration_start;

  if (marks->iteration_start != 0 && duration >= MIN_MARK_NS)
    {
      char message[64];

      g_snprintf (message, sizeof message, "iteration %" G_GUINT64_FORMAT ": %u callbacks",
                  weft_loop_get_iteration (loop), marks->callbacks);
      mark (marks->iteration_start, duration, "iteration", message);
    }
}

static void
on_callback_begin (WeftLoop   *loop,
                   gpointer    data,
                   const char *name)
{
  LoopMarks *marks = data;

  marks->callbacks++;
  marks->callback_start = SYSPROF_CAPTURE_CURRENT_TIME;
}

static void
on_callback_end (WeftLoop   *loop,
                 gpointer    data,
                 const char *name)
{
  LoopMarks *marks = data;
  gint64 duration = SYSPROF_CAPTURE_CURRENT_TIME - marks->callback_start;

  if (duration >= weft_loop_get_slow_callback_duration (loop) * 1e9)
    mark (marks->callback_start, duration, "slow callback", name ? name : "(unnamed)");
}

static void
on_task_step_begin (WeftLoop *loop,
                    gpointer  data,
                    WeftTask *task)
{
  ((LoopMarks *) data)->step_start = SYSPROF_CAPTURE_CURRENT_TIME;
}

static void
on_task_step_end (WeftLoop *loop,
                  gpointer  data,
                  WeftTask *task)
{
  LoopMarks *marks = data;
  gint64 duration = SYSPROF_CAPTURE_CURRENT_TIME - marks->step_start;

  if (duration >= MIN_MARK_NS)
    {
      const char *where = task->fiber_done ? task->created_at : task->await_at;
      g_autofree char *message = g_strdup_printf ("%s %s %s", task->name,
                                                  task->fiber_done ? "returned; created at" : "waits at",
                                                  where ? where : "(unknown)");

      mark (marks->step_start, duration, "task step", message);
    }
}

const WeftObserver _weft_sysprof_observer = {
  .name = "Sysprof marks",
  .loop_created = on_loop_created,
  .loop_closing = on_loop_closing,
  .iteration_begin = on_iteration_begin,
  .iteration_end = on_iteration_end,
  .callback_begin = on_callback_begin,
  .callback_end = on_callback_end,
  .task_step_begin = on_task_step_begin,
  .task_step_end = on_task_step_end,
};

void
_weft_sysprof_register (void)
{
  observer_id = _weft_observer_register (&_weft_sysprof_observer);
}

#else

#include "weft-sysprof-private.h"

void
_weft_sysprof_register (void)
{
}

#endif
