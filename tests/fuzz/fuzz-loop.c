/* fuzz-loop.c: model-based fuzzing of the loop, its timers and tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is a program of operations (call_soon, call_later / call_at with
 * any delay — 0, negative, huge, infinite, NaN —, cancel of live, run and
 * cancelled handles, tasks that yield N times, task cancellation, wait_for
 * with µs/ms timeouts, NaN delays (refused), gather of up to three tasks, stop, run one iteration,
 * advance the virtual clock). Each runs on a real WeftLoop driven
 * by a virtual clock, and on a small reference model written here from
 * asyncio's rules, independently of the loop's code: the order in which
 * callbacks and task steps run, what every cancel returns, how every task
 * ends, and how every wait_for (result, TIMEOUT or cancelled) and gather
 * (results, or the cancellation of a child) ends must agree.
 */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <weft.h>

#include "weft-loop-private.h"
#include "weft-task-private.h"
#include "weft-timeout-private.h"

#define MAX_ITEMS 256

/* ------------------------------------------------------------------ model */

typedef enum { ITEM_CALL, ITEM_TASK_STEP, ITEM_WAIT_FOR_TIMEOUT } ItemKind;

typedef struct
{
  ItemKind kind;
  int      id;        /* call id, or task index */
  gint64   when;      /* timers: deadline (ns); else 0 */
  guint64  seq;       /* timers: scheduling order */
  gboolean queued;
  gboolean cancelled;
  gboolean follow_up; /* odd calls schedule call_soon (id + 1000) when they run */
} ModelItem;

typedef struct
{
  int      yields_left;
  gboolean started;
  gboolean cancelled;
  gboolean finished;
} ModelTask;

/* wait_for (task, timeout): its timer cancels the task if it has not
 * finished; the wait then fails with TIMEOUT. */
typedef struct
{
  int      task;
  gboolean timed_out;
} ModelWaitFor;

/* gather of up to three tasks: succeeds iff none was cancelled. */
typedef struct
{
  int      children[3];
  int      n_children;
} ModelGather;

typedef struct
{
  ModelItem items[MAX_ITEMS * 4];
  int       n_items;
  int       ready[MAX_ITEMS * 8];   /* item indices, FIFO */
  int       n_ready;
  ModelTask tasks[32];
  int       n_tasks;
  ModelWaitFor wait_fors[32];
  int       n_wait_fors;
  ModelGather gathers[32];
  int       n_gathers;
  gint64    now;
  guint64   seq;
  GArray   *log;                    /* int: what ran, in order */
} Model;

static Model model;

/* ---------------------------------------------------------- real side */

typedef struct
{
  WeftHandle *handle;
  int         model_item;
} Call;

static WeftLoop  *loop;
static gint64     virtual_now;
static GArray    *real_log;
static Call       calls[MAX_ITEMS];
static int        n_calls;
static WeftTask  *tasks[32];
static int        task_yields[32];
static WeftFuture *wait_fors[32];
static WeftFuture *gathers[32];

static gint64
virtual_clock (gpointer data)
{
  return virtual_now;
}

static void
real_callback (gpointer data)
{
  int id = GPOINTER_TO_INT (data);

  g_array_append_val (real_log, id);
  if (id % 2 == 1 && id < 1000)
    weft_loop_call_soon (loop, real_callback, GINT_TO_POINTER (id + 1000), NULL);
}

static gpointer
real_task (gpointer data, GError **error)
{
  int index = GPOINTER_TO_INT (data);

  for (;;)
    {
      int mark = 2000 + index;

      g_array_append_val (real_log, mark);
      if (--task_yields[index] <= 0)
        return NULL;
      if (!weft_sleep (0, error))
        {
          mark = -(2000 + index);
          g_array_append_val (real_log, mark);
          return NULL;
        }
    }
}

/* ----------------------------------------------------------- model rules */

static int
model_add (ItemKind kind, int id, gint64 when)
{
  ModelItem *item = &model.items[model.n_items];

  *item = (ModelItem) { kind, id, when, when ? model.seq++ : 0, TRUE, FALSE, kind == ITEM_CALL && id % 2 == 1 && id < 1000 };
  if (when == 0)
    model.ready[model.n_ready++] = model.n_items;
  return model.n_items++;
}

static int
compare_timers (const void *a, const void *b)
{
  const ModelItem *x = &model.items[*(const int *) a], *y = &model.items[*(const int *) b];

  if (x->when != y->when)
    return x->when < y->when ? -1 : 1;
  return x->seq < y->seq ? -1 : 1;
}

/* One iteration, asyncio's _run_once(): the ready queue as it is, then the
 * due timers in (deadline, scheduling) order; what they schedule waits. */
static void
model_iteration (void)
{
  int due[MAX_ITEMS * 4], n_due = 0, snapshot[MAX_ITEMS * 12], n = 0;

  for (int i = 0; i < model.n_items; i++)
    if (model.items[i].when != 0 && model.items[i].queued && model.items[i].when <= model.now)
      due[n_due++] = i;
  qsort (due, n_due, sizeof (int), compare_timers);
  for (int i = 0; i < model.n_ready; i++)
    snapshot[n++] = model.ready[i];
  for (int i = 0; i < n_due; i++)
    snapshot[n++] = due[i];
  model.n_ready = 0;

  for (int i = 0; i < n; i++)
    {
      ModelItem *item = &model.items[snapshot[i]];

      item->queued = FALSE;
      if (item->cancelled)
        continue;
      if (item->kind == ITEM_WAIT_FOR_TIMEOUT)
        {
          ModelWaitFor *wait = &model.wait_fors[item->id];
          ModelTask *task = &model.tasks[wait->task];

          if (!task->finished)
            {
              task->cancelled = TRUE;
              wait->timed_out = TRUE;
            }
        }
      else if (item->kind == ITEM_CALL)
        {
          g_array_append_val (model.log, item->id);
          if (item->follow_up)
            model_add (ITEM_CALL, item->id + 1000, 0);
        }
      else
        {
          ModelTask *task = &model.tasks[item->id];
          int mark = 2000 + item->id;

          if (task->cancelled && !task->started)
            task->finished = TRUE;        /* cancelled before it ever ran */
          else if (task->cancelled)
            {
              mark = -mark;
              g_array_append_val (model.log, mark);
              task->finished = TRUE;
            }
          else
            {
              task->started = TRUE;
              g_array_append_val (model.log, mark);
              if (--task->yields_left <= 0)
                task->finished = TRUE;
              else
                model_add (ITEM_TASK_STEP, item->id, 0);
            }
        }
    }
}

/* ------------------------------------------------------------- the program */

static gint64
delay_ns (guint8 kind, guint8 value)
{
  switch (kind % 6)
    {
    case 0: return 0;
    case 1: return -(gint64) value * 1000000;                 /* negative: as 0 */
    case 2: return (gint64) value * 1000;                     /* µs */
    case 3: return (gint64) value * 1000000;                  /* ms */
    case 4: return WEFT_TIME_NEVER;                           /* huge / inf */
    default: return (gint64) value * 1000000000;              /* s */
    }
}

static void
check_logs (void)
{
  if (real_log->len != model.log->len
      || memcmp (real_log->data, model.log->data, real_log->len * sizeof (int)) != 0)
    {
      g_printerr ("order differs: real %u entries, model %u entries\n", real_log->len, model.log->len);
      for (guint i = 0; i < MAX (real_log->len, model.log->len); i++)
        g_printerr ("  %3u: real %6d  model %6d\n", i,
                    i < real_log->len ? g_array_index (real_log, int, i) : 0,
                    i < model.log->len ? g_array_index (model.log, int, i) : 0);
      abort ();
    }
}

static void
ignore_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GMainContext) context = g_main_context_new ();

  /* Programmer errors (NaN delays) give criticals by design; they must not
   * abort the run. */
  g_log_set_handler ("Weft", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING, ignore_log, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK);

  memset (&model, 0, sizeof model);
  model.log = g_array_new (FALSE, FALSE, sizeof (int));
  model.now = virtual_now = 1000 * WEFT_NS_PER_SEC;
  real_log = g_array_new (FALSE, FALSE, sizeof (int));
  n_calls = 0;
  loop = weft_loop_new_for_context (context);
  _weft_loop_set_clock (loop, virtual_clock, NULL);

  for (size_t i = 0; i + 2 < size && n_calls < MAX_ITEMS - 1 && model.n_tasks < 32; i += 3)
    {
      guint8 op = data[i], a = data[i + 1], b = data[i + 2];
      int id = n_calls * 2 + (a & 1);   /* odd ids schedule a follow-up */

      switch (op % 11)
        {
        case 0:   /* call_soon */
          calls[n_calls].handle = weft_loop_call_soon (loop, real_callback, GINT_TO_POINTER (id), NULL);
          calls[n_calls++].model_item = model_add (ITEM_CALL, id, 0);
          break;
        case 1:   /* call_later, any delay */
        case 2:   /* call_at */
          {
            gint64 d = delay_ns (a >> 1, b);
            gint64 when = d == WEFT_TIME_NEVER ? WEFT_TIME_NEVER : model.now + MAX (d, 0);
            WeftHandle *h;

            if (b == 0xff && (a >> 1) % 6 == 4)
              {
                /* NaN: a programmer error (a critical, ignored here); nothing is
                 * scheduled and the loop goes on. */
                h = op % 11 == 1 ? weft_loop_call_later (loop, NAN, real_callback, GINT_TO_POINTER (id), NULL)
                                 : weft_loop_call_at (loop, NAN, real_callback, GINT_TO_POINTER (id), NULL);
                if (h != NULL)
                  abort ();
                break;
              }

            if (op % 11 == 1)
              h = weft_loop_call_later (loop, d == WEFT_TIME_NEVER ? INFINITY : (double) d / 1e9,
                                        real_callback, GINT_TO_POINTER (id), NULL);
            else
              h = weft_loop_call_at (loop, d == WEFT_TIME_NEVER ? INFINITY : (double) when / 1e9,
                                     real_callback, GINT_TO_POINTER (id), NULL);
            /* Seconds in a double: take the deadline the loop settled on (the
             * model checks order, not float rounding). */
            when = _weft_handle_when_ns (h);
            calls[n_calls].handle = h;
            calls[n_calls++].model_item = model_add (ITEM_CALL, id, when);
          }
          break;
        case 3:   /* cancel a handle: live, already run, or already cancelled */
          if (n_calls > 0)
            {
              Call *call = &calls[a % n_calls];
              ModelItem *item = &model.items[call->model_item];
              gboolean expected = item->queued && !item->cancelled;

              if (expected)
                item->cancelled = TRUE;
              if (weft_handle_cancel (call->handle) != expected)
                abort ();
            }
          break;
        case 4:   /* a task that runs (a % 4) + 1 steps */
          {
            int index = model.n_tasks++;

            task_yields[index] = (a % 4) + 1;
            model.tasks[index] = (ModelTask) { (a % 4) + 1, FALSE, FALSE, FALSE };
            tasks[index] = weft_loop_create_task (loop, real_task, GINT_TO_POINTER (index), NULL);
            model_add (ITEM_TASK_STEP, index, 0);
          }
          break;
        case 5:   /* cancel a task */
          if (model.n_tasks > 0)
            {
              int index = a % model.n_tasks;
              gboolean expected = !model.tasks[index].finished;

              if (expected)
                model.tasks[index].cancelled = TRUE;
              if (weft_task_cancel (tasks[index], NULL) != expected)
                abort ();
            }
          break;
        case 6:   /* advance the virtual clock */
          {
            gint64 d = delay_ns (a >> 1, b);

            if (d > 0 && d < WEFT_TIME_NEVER / 4)
              model.now = virtual_now = model.now + d;
          }
          break;
        case 7:   /* wait_for (task, a positive timeout) */
          if (model.n_tasks > 0 && model.n_wait_fors < 32)
            {
              int index = a % model.n_tasks, w = model.n_wait_fors++;
              gint64 d = (b % 2 ? 1000 : 1000000) * (gint64) ((b >> 1) + 1);   /* µs or ms */
              WeftFuture *f = weft_wait_for (WEFT_FUTURE (tasks[index]), (double) d / 1e9);
              WeftHandle *h = _weft_wait_for_get_timer (f);

              model.wait_fors[w] = (ModelWaitFor) { index, FALSE };
              wait_fors[w] = f;
              /* A task already done: the wait is done at once, no timer. */
              if (h != NULL)
                model_add (ITEM_WAIT_FOR_TIMEOUT, w, _weft_handle_when_ns (h));
              else if (!model.tasks[index].finished)
                abort ();
            }
          break;
        case 8:   /* gather of up to three tasks */
          if (model.n_tasks > 0 && model.n_gathers < 32)
            {
              int g = model.n_gathers++, n = (b % 3) + 1;
              WeftFuture *children[3];

              for (int k = 0; k < n; k++)
                {
                  int index = (a + k * 7) % model.n_tasks;

                  model.gathers[g].children[k] = index;
                  children[k] = WEFT_FUTURE (tasks[index]);
                }
              model.gathers[g].n_children = n;
              gathers[g] = weft_gatherv (children, n, FALSE);
            }
          break;
        case 9:   /* stop: changes nothing for a loop driven an iteration at a time */
          weft_loop_stop (loop);
          break;
        default:  /* one iteration */
          weft_loop_step_iteration (loop);
          model_iteration ();
          check_logs ();
          break;
        }
    }

  /* Drain: everything due runs, and the task states agree. */
  for (int round = 0; round < 64; round++)
    {
      weft_loop_step_iteration (loop);
      model_iteration ();
    }
  check_logs ();
  for (int i = 0; i < model.n_tasks; i++)
    {
      if (weft_future_is_done (WEFT_FUTURE (tasks[i])) != model.tasks[i].finished)
        abort ();
      if (model.tasks[i].finished
          && weft_future_is_cancelled (WEFT_FUTURE (tasks[i])) != (model.tasks[i].cancelled))
        abort ();
    }
  for (int i = 0; i < model.n_wait_fors; i++)
    {
      ModelWaitFor *wait = &model.wait_fors[i];
      g_autoptr(GError) error = NULL;

      if (!weft_future_is_done (wait_fors[i]))
        abort ();
      if (weft_future_propagate (wait_fors[i], &error) == model.tasks[wait->task].cancelled)
        abort ();                   /* it succeeds iff its task was never cancelled */
      if (wait->timed_out && !g_error_matches (error, WEFT_ERROR, WEFT_ERROR_TIMEOUT))
        abort ();
      weft_future_unref (wait_fors[i]);
    }
  for (int i = 0; i < model.n_gathers; i++)
    {
      ModelGather *gather = &model.gathers[i];
      g_autoptr(GError) error = NULL;
      gboolean any_cancelled = FALSE;
      GPtrArray *results;

      for (int k = 0; k < gather->n_children; k++)
        any_cancelled |= model.tasks[gather->children[k]].cancelled;
      if (!weft_future_is_done (gathers[i]) || weft_future_is_cancelled (gathers[i]))
        abort ();
      results = weft_future_get_result (gathers[i], NULL);
      if (weft_future_propagate (gathers[i], &error) == any_cancelled)
        abort ();                   /* it succeeds iff no child was cancelled */
      if (any_cancelled && !g_error_matches (error, WEFT_ERROR, WEFT_ERROR_CANCELLED))
        abort ();
      if (!any_cancelled && (results == NULL || results->len != (guint) gather->n_children))
        abort ();
      weft_future_unref (gathers[i]);
    }
  for (int i = 0; i < model.n_tasks; i++)
    weft_task_unref (tasks[i]);

  weft_loop_close (loop);
  weft_loop_unref (loop);
  g_array_unref (real_log);
  g_array_unref (model.log);
  return 0;
}
