/* test-loop.c: WeftLoop's asyncio semantics (FIFO, iterations, stop, close,
 * errors, debug mode, per-thread loops)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <sys/wait.h>
#include <unistd.h>

#include "weft-test-common.h"

#include <libglib-testing/signal-logger.h>

typedef struct
{
  WeftLoop *loop;
  GArray   *order;        /* int */
  GArray   *iterations;   /* guint64, loop->iteration at each call */
} Log;

typedef struct
{
  Log *log;
  int  value;
} Entry;

static void
log_init (Log *log)
{
  log->loop = test_loop_new ();
  log->order = g_array_new (FALSE, FALSE, sizeof (int));
  log->iterations = g_array_new (FALSE, FALSE, sizeof (guint64));
}

static void
log_clear (Log *log)
{
  g_array_unref (log->order);
  g_array_unref (log->iterations);
  test_loop_finish (log->loop);
}

static void
record (gpointer data)
{
  Entry *entry = data;

  g_array_append_val (entry->log->order, entry->value);
  g_array_append_val (entry->log->iterations, entry->log->loop->iteration);
}

static Entry *
entry_new (Log *log, int value)
{
  Entry *entry = g_new (Entry, 1);

  entry->log = log;
  entry->value = value;
  return entry;
}

static WeftHandle *
soon (Log *log, int value)
{
  return weft_loop_call_soon (log->loop, record, entry_new (log, value), g_free);
}

static void
test_call_soon_fifo (void)
{
  Log log;

  log_init (&log);
  for (int i = 0; i < 1000; i++)
    soon (&log, i);
  weft_loop_call_soon (log.loop, test_stop_loop, log.loop, NULL);
  g_assert_true (weft_loop_run_forever (log.loop, NULL));

  g_assert_cmpuint (log.order->len, ==, 1000);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpint (g_array_index (log.order, int, i), ==, i);
  log_clear (&log);
}

/* The ring of ready calls grows while its head is in the middle of it
 * (earlier calls ran): the calls still run in order, and their handles still
 * cancel the ones they name. */
static GArray *ring_order;

static void
ring_record (gpointer data)
{
  int value = GPOINTER_TO_INT (data);

  g_array_append_val (ring_order, value);
}

static void
test_ring_grows_wrapped (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftHandle *handles[300];
  guint expected = 0;

  ring_order = g_array_new (FALSE, FALSE, sizeof (int));
  for (int round = 0; round < 3; round++)
    {
      for (int i = 0; i < 50; i++)
        weft_loop_call_soon (loop, ring_record, GINT_TO_POINTER (-1), NULL);
      test_run_until_idle (loop);
    }
  g_array_set_size (ring_order, 0);
  /* From 64 entries to 512, three times while wrapped. */
  for (int i = 0; i < 300; i++)
    handles[i] = weft_loop_call_soon (loop, ring_record, GINT_TO_POINTER (i), NULL);
  for (int i = 0; i < 300; i += 3)
    weft_handle_cancel (handles[i]);
  test_run_until_idle (loop);

  for (int i = 0; i < 300; i++)
    if (i % 3 != 0)
      g_assert_cmpint (g_array_index (ring_order, int, expected++), ==, i);
  g_assert_cmpuint (ring_order->len, ==, expected);
  g_clear_pointer (&ring_order, g_array_unref);
  test_loop_finish (loop);
}

static void
schedule_next (gpointer data)
{
  Entry *entry = data;

  record (entry);
  soon (entry->log, entry->value + 100);
}

/* A callback scheduled during an iteration runs in the next one, after every
 * callback that was already queued. */
static void
test_next_iteration (void)
{
  Log log;

  log_init (&log);
  weft_loop_call_soon (log.loop, schedule_next, entry_new (&log, 1), g_free);
  soon (&log, 2);
  test_run_until_idle (log.loop);

  g_assert_cmpuint (log.order->len, ==, 3);
  g_assert_cmpint (g_array_index (log.order, int, 0), ==, 1);
  g_assert_cmpint (g_array_index (log.order, int, 1), ==, 2);
  g_assert_cmpint (g_array_index (log.order, int, 2), ==, 101);
  g_assert_cmpuint (g_array_index (log.iterations, guint64, 0), ==, g_array_index (log.iterations, guint64, 1));
  g_assert_cmpuint (g_array_index (log.iterations, guint64, 2), ==, g_array_index (log.iterations, guint64, 0) + 1);
  log_clear (&log);
}

/* stop() before run_forever(): exactly one iteration runs. */
static void
test_stop_before_run (void)
{
  Log log;

  log_init (&log);
  weft_loop_call_soon (log.loop, schedule_next, entry_new (&log, 1), g_free);
  weft_loop_stop (log.loop);
  g_assert_true (weft_loop_run_forever (log.loop, NULL));
  g_assert_cmpuint (log.order->len, ==, 1);
  g_assert_false (weft_loop_is_running (log.loop));

  /* The callback it scheduled runs in the next run. */
  weft_loop_stop (log.loop);
  g_assert_true (weft_loop_run_forever (log.loop, NULL));
  g_assert_cmpuint (log.order->len, ==, 2);
  g_assert_cmpint (g_array_index (log.order, int, 1), ==, 101);
  log_clear (&log);
}

static void
stop_and_record (gpointer data)
{
  Entry *entry = data;

  record (entry);
  weft_loop_stop (entry->log->loop);
  soon (entry->log, 99);
}

/* stop() from a callback lets the rest of the current iteration run. */
static void
test_stop_finishes_iteration (void)
{
  Log log;

  log_init (&log);
  weft_loop_call_soon (log.loop, stop_and_record, entry_new (&log, 1), g_free);
  soon (&log, 2);
  soon (&log, 3);
  g_assert_true (weft_loop_run_forever (log.loop, NULL));
  g_assert_cmpuint (log.order->len, ==, 3);
  g_assert_cmpint (g_array_index (log.order, int, 2), ==, 3);
  log_clear (&log);
}

static void
interrupt_and_record (gpointer data)
{
  Entry *entry = data;

  record (entry);
  weft_loop_interrupt (entry->log->loop);
}

/* interrupt() from a callback leaves at once: the rest of the iteration runs
 * first thing in the next run, before what the next iteration added. */
static void
test_interrupt_leaves_iteration (void)
{
  Log log;

  log_init (&log);
  weft_loop_interrupt (log.loop);   /* not running: does nothing */
  soon (&log, 1);
  weft_loop_call_soon (log.loop, interrupt_and_record, entry_new (&log, 2), g_free);
  soon (&log, 3);
  g_assert_true (weft_loop_run_forever (log.loop, NULL));
  g_assert_cmpuint (log.order->len, ==, 2);
  g_assert_cmpint (g_array_index (log.order, int, 1), ==, 2);

  weft_loop_stop (log.loop);
  g_assert_true (weft_loop_run_forever (log.loop, NULL));
  g_assert_cmpuint (log.order->len, ==, 3);
  g_assert_cmpint (g_array_index (log.order, int, 2), ==, 3);
  log_clear (&log);
}

static void
test_cancelled_never_runs (void)
{
  Log log;
  WeftHandle *a, *b, *t;

  log_init (&log);
  a = soon (&log, 1);
  b = soon (&log, 2);
  t = weft_loop_call_later (log.loop, 0.0001, record, entry_new (&log, 3), g_free);
  g_assert_true (weft_handle_cancel (b));
  g_assert_true (weft_handle_is_cancelled (b));
  g_assert_false (weft_handle_cancel (b));
  g_assert_true (weft_handle_cancel (t));
  test_run_until_idle (log.loop);

  g_assert_cmpuint (log.order->len, ==, 1);
  g_assert_cmpint (g_array_index (log.order, int, 0), ==, 1);
  /* The handle that ran is gone: cancelling it is a harmless no-op. */
  g_assert_false (weft_handle_cancel (a));
  g_assert_false (weft_handle_is_cancelled (a));
  log_clear (&log);
}

typedef struct
{
  WeftLoop   *loop;
  GString    *order;
  WeftHandle *self;
  gboolean    was_running;
} Light;

static void
light_a (gpointer data)
{
  g_string_append_c (((Light *) data)->order, 'a');
}

static void
light_b (gpointer data)
{
  g_string_append_c (((Light *) data)->order, 'b');
}

static void
light_heavy (gpointer data)
{
  g_string_append_c (((Light *) data)->order, 'h');
}

static void
light_self (gpointer data)
{
  Light *l = data;

  g_string_append_c (l->order, 's');
  l->was_running = _weft_handle_is_running (l->self);
  weft_handle_ref (l->self);      /* pinned while it runs: remembered after */
}

static void
light_no_destroy (gpointer data)
{
}

/* Calls without a destroy notify live only in their ready-queue entry (no
 * slot): their handles cancel, pin, list and go stale like the others, and
 * they keep their place among calls with slots. */
static void
test_light_calls (void)
{
  Light l = { test_loop_new (), g_string_new (NULL), NULL, FALSE };
  WeftHandle *a, *b, *c, *h, *a2;
  g_autoptr(GArray) ready = NULL;
  WeftCallInfo *info;

  a = weft_loop_call_soon (l.loop, light_a, &l, NULL);
  h = weft_loop_call_soon (l.loop, light_heavy, &l, light_no_destroy);   /* a slot */
  b = weft_loop_call_soon (l.loop, light_b, &l, NULL);
  c = weft_loop_call_soon (l.loop, light_b, &l, NULL);
  l.self = weft_loop_call_soon (l.loop, light_self, &l, NULL);
  g_assert_true (a != b && b != c && (guintptr) a != 0);
  g_assert_true (weft_handle_get_loop (a) == l.loop);

  ready = weft_loop_list_ready (l.loop);
  g_assert_cmpuint (ready->len, ==, 5);
  info = &g_array_index (ready, WeftCallInfo, 0);
  g_assert_cmpstr (info->name, ==, "light_a");
  g_assert_nonnull (strstr (info->where, "test-loop.c:"));
  g_assert_true (info->handle == a);
  g_assert_cmpstr (g_array_index (ready, WeftCallInfo, 1).name, ==, "light_heavy");

  g_assert_true (weft_handle_cancel (b));
  g_assert_true (weft_handle_is_cancelled (b));
  g_assert_false (weft_handle_cancel (b));
  g_assert_true (isnan (weft_handle_when (b)));
  weft_handle_ref (c);
  g_assert_true (weft_handle_cancel (c));
  g_clear_pointer (&ready, g_array_unref);
  ready = weft_loop_list_ready (l.loop);
  g_assert_cmpuint (ready->len, ==, 3);                 /* cancelled ones are not listed */

  test_run_until_idle (l.loop);
  g_assert_cmpstr (l.order->str, ==, "ahs");             /* FIFO across light and slot calls */
  g_assert_true (l.was_running);
  g_assert_false (_weft_handle_is_running (l.self));

  /* Gone once run or dropped, unless pinned. */
  g_assert_false (weft_handle_cancel (a));
  g_assert_false (weft_handle_is_cancelled (a));
  g_assert_null (weft_handle_get_loop (a));
  g_assert_null (weft_handle_get_loop (b));
  g_assert_false (weft_handle_is_cancelled (b));
  g_assert_true (weft_handle_get_loop (c) == l.loop);
  g_assert_true (weft_handle_is_cancelled (c));
  g_assert_false (weft_handle_cancel (c));
  weft_handle_unref (c);
  g_assert_null (weft_handle_get_loop (c));
  g_assert_true (weft_handle_get_loop (l.self) == l.loop);
  g_assert_false (weft_handle_is_cancelled (l.self));
  weft_handle_unref (l.self);
  g_assert_null (weft_handle_get_loop (l.self));
  weft_handle_unref (h);                                  /* not pinned: nothing */

  /* A later call never gets an old call's token. */
  a2 = weft_loop_call_soon (l.loop, light_a, &l, NULL);
  g_assert_true (a2 != a && a2 != b && a2 != c);
  g_assert_true (weft_handle_cancel (a2));
  test_run_until_idle (l.loop);
  g_assert_cmpstr (l.order->str, ==, "ahs");
  g_string_free (l.order, TRUE);
  test_loop_finish (l.loop);
}

/* A stale handle must not cancel the unrelated callback that reuses its slot. */
static void
test_stale_handle (void)
{
  Log log;
  WeftHandle *old, *fresh;

  log_init (&log);
  old = soon (&log, 1);
  test_run_until_idle (log.loop);
  fresh = soon (&log, 2);
  g_assert_true (old != fresh);
  g_assert_false (weft_handle_cancel (old));
  test_run_until_idle (log.loop);
  g_assert_cmpuint (log.order->len, ==, 2);
  g_assert_cmpint (g_array_index (log.order, int, 1), ==, 2);

  /* A pinned handle remembers what happened to it. */
  fresh = weft_handle_ref (weft_loop_call_later (log.loop, 10, record, entry_new (&log, 3), g_free));
  g_assert_true (weft_handle_cancel (fresh));
  test_run_until_idle (log.loop);
  g_assert_true (weft_handle_is_cancelled (fresh));
  weft_handle_unref (fresh);
  /* Unpinning a plain handle does nothing. */
  weft_handle_unref (soon (&log, 4));
  test_run_until_idle (log.loop);
  g_assert_cmpuint (log.order->len, ==, 3);
  log_clear (&log);
}

static void
check_running (gpointer data)
{
  WeftLoop *loop = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WeftFuture) future = weft_loop_create_future (loop);

  g_assert_true (weft_get_running_loop () == loop);
  g_assert_true (weft_loop_is_running (loop));
  g_assert_false (weft_loop_run_until_complete (loop, future, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (weft_loop_run_forever (loop, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE);
  weft_future_cancel (future, NULL);
  weft_loop_stop (loop);
}

static void
test_running_and_closed (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  WeftFuture *future;

  g_assert_null (weft_get_running_loop ());
  weft_loop_call_soon (loop, check_running, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  g_assert_null (weft_get_running_loop ());

  future = weft_loop_create_future (loop);
  weft_loop_close (loop);
  g_assert_false (weft_loop_run_forever (loop, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (weft_loop_run_until_complete (loop, future, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CLOSED);

  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*event loop is closed*");
  g_assert_null (weft_loop_call_soon (loop, test_stop_loop, loop, NULL));
  g_test_assert_expected_messages ();
  g_assert_false (weft_loop_call_soon_threadsafe (loop, test_stop_loop, loop, NULL));
  weft_future_unref (future);
  test_loop_finish (loop);
}

static void
report_error (gpointer data)
{
  WeftLoop *loop = data;
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
  WeftExceptionContext context = { .message = "callback failed", .error = error };

  weft_loop_call_exception_handler (loop, &context);
}

static void
check_context (WeftLoop *loop, const WeftExceptionContext *context, gpointer user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup_printf ("%s: %s in %s", context->message, context->error->message, context->callback_name));
  g_assert_nonnull (context->handle);
}

static void
test_exception_handler_receives (void)
{
  Log log;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  log_init (&log);
  weft_loop_set_exception_handler (log.loop, check_context, seen, NULL);
  weft_loop_call_soon (log.loop, report_error, log.loop, NULL);
  soon (&log, 1);
  test_run_until_idle (log.loop);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "callback failed: boom in report_error");
  g_assert_cmpuint (log.order->len, ==, 1);

  /* The default handler logs a warning, with where the call was scheduled in
   * debug mode; the loop keeps running. */
  weft_loop_set_exception_handler (log.loop, NULL, NULL, NULL);
  weft_loop_set_debug (log.loop, TRUE);
  weft_loop_call_soon (log.loop, report_error, log.loop, NULL);
  soon (&log, 2);
  g_test_expect_message ("Weft", G_LOG_LEVEL_WARNING, "callback failed: boom*callback report_error*scheduled at *test-loop.c:*");
  test_run_until_idle (log.loop);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (log.order->len, ==, 2);
  log_clear (&log);
}

static void
slow_callback (gpointer data)
{
  g_usleep (20000);
}

static void
test_debug_slow_callback (void)
{
  WeftLoop *loop = test_loop_new ();

  g_assert_false (weft_loop_get_debug (loop));
  weft_loop_set_debug (loop, TRUE);
  g_assert_cmpfloat (weft_loop_get_slow_callback_duration (loop), ==, 0.1);
  weft_loop_set_slow_callback_duration (loop, 0.01);
  weft_loop_call_soon (loop, slow_callback, NULL, NULL);
  g_test_expect_message ("Weft", G_LOG_LEVEL_WARNING, "Executing callback slow_callback (scheduled at *test-loop.c:*) took 0.0*");
  test_run_until_idle (loop);
  g_test_assert_expected_messages ();

  /* Not in debug mode: no timing, no warning. */
  weft_loop_set_debug (loop, FALSE);
  weft_loop_call_soon (loop, slow_callback, NULL, NULL);
  test_run_until_idle (loop);
  test_loop_finish (loop);
}

static void
test_debug_env (void)
{
  WeftLoop *loop;

  g_setenv ("WEFT_DEBUG", "1", TRUE);
  loop = test_loop_new ();
  g_assert_true (weft_loop_get_debug (loop));
  test_loop_finish (loop);
  g_setenv ("WEFT_DEBUG", "0", TRUE);
  loop = test_loop_new ();
  g_assert_false (weft_loop_get_debug (loop));
  test_loop_finish (loop);
}

static void
test_time (void)
{
  WeftLoop *loop = test_loop_new ();
  double smallest_step = 1;
  gint64 mono = test_monotonic_ns ();
  double c = weft_loop_time (loop);

  /* Better than ms resolution: the smallest step seen between reads (a
   * preempted pair on a loaded machine does not count against it). */
  for (int i = 0; i < 100000 && smallest_step >= 1e-4; i++)
    {
      double a = weft_loop_time (loop), b = weft_loop_time (loop);

      g_assert_cmpfloat (b, >=, a);
      if (b > a)
        smallest_step = MIN (smallest_step, b - a);
    }
  g_assert_cmpfloat (smallest_step, <, 1e-4);
  g_assert_cmpfloat (fabs (c - mono / 1e9), <, 0.01); /* CLOCK_MONOTONIC */
  test_loop_finish (loop);
}

static gpointer
thread_loops (gpointer data)
{
  WeftLoop *main_loop = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  WeftLoop *loop;

  g_main_context_push_thread_default (context);
  g_assert_null (weft_get_event_loop ());
  loop = weft_loop_new ();
  g_assert_true (weft_loop_get_context (loop) == context);
  weft_set_event_loop (loop);
  g_assert_true (weft_get_event_loop () == loop);
  g_assert_true (weft_get_event_loop () != main_loop);
  weft_loop_call_soon (loop, test_stop_loop, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  test_loop_finish (loop);
  g_assert_null (weft_get_event_loop ());       /* freeing a loop unsets it */
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
test_per_thread (void)
{
  WeftLoop *loop = test_loop_new ();
  GThread *thread;

  weft_set_event_loop (loop);
  g_assert_true (weft_get_event_loop () == loop);
  thread = g_thread_new ("loop", thread_loops, loop);
  g_thread_join (thread);
  g_assert_true (weft_get_event_loop () == loop);
  weft_set_event_loop (NULL);
  g_assert_null (weft_get_event_loop ());
  test_loop_finish (loop);
}

static void
count_destroy (gpointer data)
{
  (*(int *) data)++;
}

static void
never (gpointer data)
{
  g_assert_not_reached ();
}

/* close() drops pending callbacks and timers without running them, and frees
 * their data. */
static void
test_close_drops_pending (void)
{
  WeftLoop *loop = test_loop_new ();
  int destroyed = 0;

  weft_loop_call_soon (loop, never, &destroyed, count_destroy);
  weft_loop_call_later (loop, 5, never, &destroyed, count_destroy);
  weft_loop_call_at (loop, INFINITY, never, &destroyed, count_destroy);
  g_assert_true (weft_loop_call_soon_threadsafe (loop, never, &destroyed, count_destroy));
  weft_loop_close (loop);
  g_assert_cmpint (destroyed, ==, 4);
  weft_loop_close (loop);
  test_loop_finish (loop);
}

static void
test_bad_input (void)
{
  WeftLoop *loop = test_loop_new ();

  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*!isnan (delay)*");
  g_assert_null (weft_loop_call_later (loop, NAN, never, NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*callback != NULL*");
  g_assert_null (weft_loop_call_soon (loop, NULL, NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*loop != NULL*");
  g_assert_null (weft_loop_call_soon (NULL, never, NULL, NULL));
  g_test_assert_expected_messages ();
  /* +inf never fires; a huge delay is a timer far away; both are fine. */
  g_assert_true (isinf (weft_handle_when (weft_loop_call_later (loop, INFINITY, never, NULL, NULL))));
  g_assert_cmpfloat (weft_handle_when (weft_loop_call_later (loop, 1e300, never, NULL, NULL)), >, 1e9);
  g_assert_true (isnan (weft_handle_when (NULL)));
  g_assert_false (weft_handle_cancel (NULL));
  test_run_until_idle (loop);
  test_loop_finish (loop);
}

/* stop() before the future is done makes run_until_complete() fail clearly;
 * the future is untouched and a later run can still complete it. */
static void
test_run_until_complete_stopped (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftFuture) future = weft_loop_create_future (loop);
  g_autoptr(GError) error = NULL;

  weft_loop_call_soon (loop, test_stop_loop, loop, NULL);
  g_assert_false (weft_loop_run_until_complete (loop, future, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE);
  g_assert_false (weft_future_is_done (future));
  g_assert_false (weft_loop_is_running (loop));

  weft_future_set_result (future, (gpointer) "later", NULL);
  g_assert_cmpstr (test_run (loop, future), ==, "later");
  test_loop_finish (loop);
}

typedef struct
{
  WeftLoop       *loop;
  GtSignalLogger *logger;
  gboolean        running_seen;
} PropsCheck;

static void
check_running_from_callback (gpointer user_data)
{
  PropsCheck *check = user_data;
  gboolean running = FALSE;

  /* run_forever() notified "running" before this callback ran. */
  gt_signal_logger_assert_emission_pop (check->logger, check->loop, "notify::running", NULL);
  g_object_get (check->loop, "running", &running, NULL);
  check->running_seen = running;
  weft_loop_stop (check->loop);
}

/* WeftLoop is a GObject: its state is properties that notify, once per change,
 * so a GTK widget can bind to them. */
static void
test_properties (void)
{
  g_autoptr(WeftLoop) loop = test_loop_new ();
  g_autoptr(GtSignalLogger) logger = gt_signal_logger_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = NULL;
  PropsCheck check = { loop, logger, FALSE };
  GParamSpec *pspec = NULL;
  gboolean closed = TRUE, debug = TRUE, bound = FALSE;

  g_assert_true (WEFT_IS_LOOP (loop));
  g_object_get (loop, "context", &context, "closed", &closed, NULL);
  g_assert_true (context == weft_loop_get_context (loop));
  g_assert_false (closed);

  gt_signal_logger_connect (logger, loop, "notify");

  /* debug: set through the property or the setter, notified once per change. */
  weft_loop_set_debug (loop, FALSE);
  g_object_set (loop, "debug", TRUE, NULL);
  gt_signal_logger_assert_emission_pop (logger, loop, "notify", &pspec);
  g_assert_cmpstr (g_param_spec_get_name (pspec), ==, "debug");
  g_assert_true (weft_loop_get_debug (loop));
  weft_loop_set_debug (loop, TRUE);                           /* no change */
  gt_signal_logger_assert_no_emissions (logger);
  weft_loop_set_debug (loop, FALSE);
  gt_signal_logger_assert_emission_pop (logger, loop, "notify", &pspec);
  g_object_get (loop, "debug", &debug, NULL);
  g_assert_false (debug);

  /* A binding follows "paused", as a GtkToggleButton's "active" would. */
  g_object_bind_property (loop, "paused", loop, "debug", G_BINDING_DEFAULT);
  weft_loop_set_paused (loop, TRUE);
  gt_signal_logger_assert_emission_pop (logger, loop, "notify", &pspec);
  g_assert_cmpstr (g_param_spec_get_name (pspec), ==, "paused");
  gt_signal_logger_assert_emission_pop (logger, loop, "notify", &pspec);
  g_assert_cmpstr (g_param_spec_get_name (pspec), ==, "debug");
  bound = weft_loop_get_debug (loop);
  g_assert_true (bound);
  weft_loop_set_paused (loop, FALSE);
  gt_signal_logger_assert_emission_pop (logger, loop, "notify", &pspec);
  gt_signal_logger_assert_emission_pop (logger, loop, "notify", &pspec);
  g_assert_false (weft_loop_get_debug (loop));

  g_object_set (loop, "slow-callback-duration", 0.25, NULL);
  gt_signal_logger_assert_emission_pop (logger, loop, "notify", &pspec);
  g_assert_cmpfloat_with_epsilon (weft_loop_get_slow_callback_duration (loop), 0.25, 1e-9);

  /* running: notified when a run starts and when it returns. */
  g_clear_pointer (&logger, gt_signal_logger_free);
  logger = check.logger = gt_signal_logger_new ();
  gt_signal_logger_connect (logger, loop, "notify::running");
  weft_loop_call_soon (loop, check_running_from_callback, &check, NULL);
  g_assert_true (weft_loop_run_forever (loop, &error));
  g_assert_no_error (error);
  g_assert_true (check.running_seen);
  gt_signal_logger_assert_emission_pop (logger, loop, "notify::running", NULL);
  g_assert_false (weft_loop_is_running (loop));
  gt_signal_logger_assert_no_emissions (logger);

  /* closed: once. */
  gt_signal_logger_connect (logger, loop, "notify::closed");
  weft_loop_close (loop);
  gt_signal_logger_assert_emission_pop (logger, loop, "notify::closed", NULL);
  weft_loop_close (loop);
  gt_signal_logger_assert_no_emissions (logger);
  g_object_get (loop, "closed", &closed, NULL);
  g_assert_true (closed);
}


static gpointer
sleep_forever (gpointer data, GError **error)
{
  int *steps = data;

  for (;;)
    {
      (*steps)++;
      if (!weft_sleep (0.001, error))
        return NULL;
    }
}

static void
add_thousand (gpointer data)
{
  (*(int *) data) += 1000;
}

/* Dropping the last reference to a loop with a pending task closes it: the
 * task is reported and unwound, nothing runs on, the loop is freed. */
static void
test_last_unref_pending_task (void)
{
  WeftLoop *loop = test_loop_new ();
  GMainContext *context = g_main_context_ref (weft_loop_get_context (loop));
  TestExceptions ex;
  WeftTask *task;
  int steps = 0;

  test_exceptions_init (&ex, loop);
  task = weft_loop_create_task (loop, sleep_forever, &steps, add_thousand);
  weft_task_unref (task);
  _weft_loop_run_iteration (loop);
  g_assert_cmpint (steps, ==, 1);
  g_object_add_weak_pointer (G_OBJECT (loop), (gpointer *) &loop);
  weft_loop_unref (loop);
  g_assert_null (loop);
  /* Reported, and its data freed by the unwinding. */
  g_assert_cmpuint (ex.messages->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (ex.messages, 0), "Task was destroyed but it is pending"));
  g_assert_cmpint (steps, ==, 1001);
  /* Nothing is left on the context to run it on. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (context, FALSE);
  g_usleep (5000);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpint (steps, ==, 1001);
  g_main_context_unref (context);
  test_exceptions_clear (&ex);
}

static void
count_call (gpointer data)
{
  (*(int *) data)++;
}

static void
no_destroy (gpointer data)
{
}

/* A handle from 2^25 reuses of its slot ago does not cancel the slot's new
 * call: the slot retires when its generations run out. (Calls with a destroy
 * notify have slots; light calls have tokens that are never reused.) */
static void
test_stale_handle_wrap (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftHandle *stale, *fresh;
  int ran = 0;
  guint32 index;

  stale = weft_loop_call_soon (loop, count_call, &ran, no_destroy);
  _weft_loop_run_iteration (loop);
  g_assert_cmpint (ran, ==, 1);
  /* Reuse the stale handle's slot until its generation came round. */
  index = (guint32) ((guintptr) stale & WEFT_TOKEN_MASK (WEFT_TOKEN_SLOT_BITS));
  for (guint64 i = 0; i < ((guint64) 1 << WEFT_TOKEN_GEN_BITS) - 1; i++)
    {
      guint32 again = _weft_slot_table_alloc (&loop->slots);

      if (again != index)
        {
          _weft_slot_table_free (&loop->slots, again);
          break;
        }
      _weft_slot_table_free (&loop->slots, again);
    }
  fresh = weft_loop_call_soon (loop, count_call, &ran, no_destroy);
  g_assert_true (fresh != stale);
  g_assert_false (weft_handle_cancel (stale));
  g_assert_false (weft_handle_is_cancelled (fresh));
  _weft_loop_run_iteration (loop);
  g_assert_cmpint (ran, ==, 2);
  g_assert_cmpuint (loop->slots.n_retired, ==, 1);
  test_loop_finish (loop);
}

/* A handle of a freed loop does not cancel a call of the loop that later
 * gets the same registry id. */
static void
test_stale_handle_other_loop (void)
{
  WeftLoop *old = test_loop_new ();
  guint old_id = old->id;
  WeftHandle *stale = weft_loop_call_soon (old, count_call, NULL, NULL);
  WeftLoop *loop = NULL;
  WeftHandle *fresh;
  int ran = 0;

  test_loop_finish (old);
  /* Ids are reused round-robin: go round once. */
  for (guint i = 0; i < WEFT_MAX_LOOPS && loop == NULL; i++)
    {
      WeftLoop *next = test_loop_new ();

      if (next->id == old_id)
        loop = next;
      else
        weft_loop_unref (next);
    }
  g_assert_nonnull (loop);
  fresh = weft_loop_call_soon (loop, count_call, &ran, NULL);
  g_assert_false (weft_handle_cancel (stale));
  g_assert_false (weft_handle_is_cancelled (fresh));
  _weft_loop_run_iteration (loop);
  g_assert_cmpint (ran, ==, 1);
  test_loop_finish (loop);
}

static void
never_called (gpointer data)
{
  g_assert_not_reached ();
}

/* A task unwound by close() that tries to run its loop again is refused, as
 * in a running loop. */
static gpointer
reenter_on_close (gpointer data, GError **error)
{
  gboolean *refused = data;
  WeftLoop *loop = weft_get_event_loop ();

  if (weft_sleep (10, error))
    return NULL;
  /* Unwinding: the loop is closing. */
  {
    g_autoptr(WeftFuture) future = NULL;
    g_autoptr(GError) local = NULL;

    g_assert_true (weft_get_running_loop () == loop);
    future = weft_loop_create_future (loop);
    weft_loop_call_soon (loop, never_called, NULL, NULL);
    *refused = !weft_loop_run_until_complete (loop, future, &local)
               && g_error_matches (local, WEFT_ERROR, WEFT_ERROR_INVALID_STATE);
  }
  return NULL;
}

static void
test_close_refuses_nested_run (void)
{
  WeftLoop *loop = test_loop_new ();
  TestExceptions ex;
  gboolean refused = FALSE;

  test_exceptions_init (&ex, loop);
  weft_set_event_loop (loop);
  weft_task_unref (weft_loop_create_task (loop, reenter_on_close, &refused, NULL));
  _weft_loop_run_iteration (loop);
  weft_loop_close (loop);
  g_assert_true (refused);
  weft_set_event_loop (NULL);
  test_exceptions_clear (&ex);
  test_loop_finish (loop);
}

/* A child forked from inside a callback has no running loop (as in asyncio)
 * and can run a loop of its own. */
static void
note_ran (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
fork_in_callback (gpointer data)
{
  pid_t child = fork ();
  int status = -1;

  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      WeftLoop *own;
      gboolean ran = FALSE;
      gboolean ok;

      if (weft_get_running_loop () != NULL)
        _exit (2);
      own = weft_loop_new_for_context (g_main_context_new ());
      weft_loop_call_soon (own, note_ran, &ran, NULL);
      weft_loop_stop (own);
      ok = weft_loop_run_forever (own, NULL);
      _exit (ok && ran ? 0 : 3);
    }
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status));
  *(int *) data = WEXITSTATUS (status);
}

static void
test_fork_in_callback (void)
{
  WeftLoop *loop = weft_loop_new ();
  int child_status = -1;

  weft_loop_call_soon (loop, fork_in_callback, &child_status, NULL);
  weft_loop_stop (loop);
  weft_loop_run_forever (loop, NULL);
  g_assert_cmpint (child_status, ==, 0);
  weft_loop_unref (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Loop/call-soon-fifo", test_call_soon_fifo);
  g_test_add_func ("/Weft/Loop/next-iteration", test_next_iteration);
  g_test_add_func ("/Weft/Loop/stop-before-run", test_stop_before_run);
  g_test_add_func ("/Weft/Loop/stop-finishes-iteration", test_stop_finishes_iteration);
  g_test_add_func ("/Weft/Loop/interrupt-leaves-iteration", test_interrupt_leaves_iteration);
  g_test_add_func ("/Weft/Loop/cancelled-never-runs", test_cancelled_never_runs);
  g_test_add_func ("/Weft/Loop/stale-handle", test_stale_handle);
  g_test_add_func ("/Weft/Loop/light-calls", test_light_calls);
  g_test_add_func ("/Weft/Loop/stale-handle-wrap", test_stale_handle_wrap);
  g_test_add_func ("/Weft/Loop/ring-grows-wrapped", test_ring_grows_wrapped);
  g_test_add_func ("/Weft/Loop/stale-handle-other-loop", test_stale_handle_other_loop);
  g_test_add_func ("/Weft/Loop/running-and-closed", test_running_and_closed);
  g_test_add_func ("/Weft/Loop/exception-handler", test_exception_handler_receives);
  g_test_add_func ("/Weft/Loop/debug-slow-callback", test_debug_slow_callback);
  g_test_add_func ("/Weft/Loop/debug-env", test_debug_env);
  g_test_add_func ("/Weft/Loop/time", test_time);
  g_test_add_func ("/Weft/Loop/per-thread", test_per_thread);
  g_test_add_func ("/Weft/Loop/close-drops-pending", test_close_drops_pending);
  g_test_add_func ("/Weft/Loop/bad-input", test_bad_input);
  g_test_add_func ("/Weft/Loop/run-until-complete-stopped", test_run_until_complete_stopped);
  g_test_add_func ("/Weft/Loop/properties", test_properties);
  g_test_add_func ("/Weft/Loop/last-unref-pending-task", test_last_unref_pending_task);
  g_test_add_func ("/Weft/Loop/close-refuses-nested-run", test_close_refuses_nested_run);
  g_test_add_func ("/Weft/Loop/fork-in-callback", test_fork_in_callback);

  return g_test_run ();
}
