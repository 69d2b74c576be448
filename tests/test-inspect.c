/* test-inspect.c: listing, pausing and stepping a loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "weft-test-common.h"
#include "weft-observer-private.h"

static void
append (gpointer data)
{
  g_string_append ((GString *) data, "x");
}

static void
append_and_schedule (gpointer data)
{
  g_string_append ((GString *) data, "y");
  weft_loop_call_soon (weft_get_running_loop (), append, data, NULL);
}

static gboolean
quit_main (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* A paused loop runs nothing while its context runs; each step runs exactly
 * one callback, the one listed first. */
static void
test_pause_and_step (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GString) log = g_string_new ("");
  g_autoptr(GMainLoop) main_loop = g_main_loop_new (weft_loop_get_context (loop), FALSE);
  g_autoptr(GArray) ready = NULL;
  GSource *timeout;

  weft_loop_call_soon (loop, append_and_schedule, log, NULL);
  weft_loop_call_soon (loop, append, log, NULL);
  weft_loop_set_paused (loop, TRUE);
  g_assert_true (weft_loop_get_paused (loop));

  timeout = g_timeout_source_new (30);
  g_source_set_callback (timeout, quit_main, main_loop, NULL);
  g_source_attach (timeout, weft_loop_get_context (loop));
  g_source_unref (timeout);
  g_main_loop_run (main_loop);
  g_assert_cmpstr (log->str, ==, "");

  ready = weft_loop_list_ready (loop);
  g_assert_cmpuint (ready->len, ==, 2);
  g_assert_cmpstr (g_array_index (ready, WeftCallInfo, 0).name, ==, "append_and_schedule");
  g_assert_cmpstr (g_array_index (ready, WeftCallInfo, 1).name, ==, "append");
  g_assert_nonnull (strstr (g_array_index (ready, WeftCallInfo, 1).where, "test-inspect.c:"));

  g_assert_true (weft_loop_step_callback (loop));
  g_assert_cmpstr (log->str, ==, "y");
  g_clear_pointer (&ready, g_array_unref);
  ready = weft_loop_list_ready (loop);
  /* Still in the same iteration: "append" runs next, then the new call. */
  g_assert_cmpuint (ready->len, ==, 2);
  g_assert_cmpstr (g_array_index (ready, WeftCallInfo, 0).name, ==, "append");
  g_assert_true (weft_loop_step_callback (loop));
  g_assert_cmpstr (log->str, ==, "yx");
  g_assert_cmpuint (weft_loop_step_iteration (loop), ==, 1);
  g_assert_cmpstr (log->str, ==, "yxx");
  g_assert_false (weft_loop_step_callback (loop));

  weft_loop_set_paused (loop, FALSE);
  weft_loop_call_soon (loop, append, log, NULL);
  test_run_until_idle (loop);
  g_assert_cmpstr (log->str, ==, "yxxx");
  test_loop_finish (loop);
}

static void
append_d (gpointer data)
{
  g_string_append ((GString *) data, "d");
}

/* A call's name and file:line travel in one static record, from the
 * macro (a light call) as from weft_loop_call_soon_at_site() with a destroy
 * notify (a slot); a record that cannot carry the queue's flag bits is
 * refused. */
static const WeftCallSite explicit_site __attribute__ ((aligned (8))) = { "explicit", "here.c:7" };

static void
test_call_site_record (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GString) log = g_string_new ("");
  g_autoptr(GArray) ready = NULL;
  char buffer[sizeof (WeftCallSite) * 2 + 8] __attribute__ ((aligned (8)));
  int line = __LINE__ + 2;
  g_autofree char *where = NULL;
  WeftHandle *handle = weft_loop_call_soon (loop, append, log, NULL);

  g_assert_nonnull (handle);
  g_assert_nonnull (weft_loop_call_soon_at_site (loop, &explicit_site, append, log, append_d));
  ready = weft_loop_list_ready (loop);
  g_assert_cmpuint (ready->len, ==, 2);
  where = g_strdup_printf ("test-inspect.c:%d", line);
  g_assert_cmpstr (g_array_index (ready, WeftCallInfo, 0).name, ==, "append");
  g_assert_true (g_str_has_suffix (g_array_index (ready, WeftCallInfo, 0).where, where));
  g_assert_cmpstr (g_array_index (ready, WeftCallInfo, 1).name, ==, "explicit");
  g_assert_cmpstr (g_array_index (ready, WeftCallInfo, 1).where, ==, "here.c:7");

  /* One byte off an aligned address: refused, nothing queued. */
  memcpy (buffer + 1, &explicit_site, sizeof explicit_site);
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*site*");
  g_assert_null (weft_loop_call_soon_at_site (loop, (const WeftCallSite *) (buffer + 1), append, log, NULL));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (weft_loop_step_iteration (loop), ==, 2);
  g_assert_cmpstr (log->str, ==, "xxd");
  test_loop_finish (loop);
}

static void
nothing (gpointer data)
{
}

static void
note_time (gpointer data)
{
  g_array_append_val ((GArray *) data, (double) { weft_loop_time (weft_get_running_loop ()) });
}

static void
schedule_later (gpointer data)
{
  weft_loop_call_later (weft_get_running_loop (), 1.0, note_time, data, NULL);
}

/* F8 at a program's start, before any timer exists: what is ready runs (and
 * makes its timers), then the clock moves to the first timer, which runs.
 * (It did nothing: no timer was pending.) */
static void
test_step_to_next_timer_from_start (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  double t0;

  weft_loop_set_virtual_time (loop, TRUE);
  weft_loop_set_paused (loop, TRUE);
  t0 = weft_loop_time (loop);
  weft_loop_call_soon (loop, schedule_later, times, NULL);
  g_assert_cmpuint (weft_loop_step_to_next_timer (loop), ==, 2);   /* the call_soon, then the timer */
  g_assert_cmpuint (times->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (g_array_index (times, double, 0) - t0, 1.0, 1e-6);
  g_assert_cmpuint (weft_loop_step_to_next_timer (loop), ==, 0);   /* nothing left */
  test_loop_finish (loop);
}

/* Virtual time: paused, the clock stands still however long the learner
 * takes; a step with nothing ready moves it to the next deadline; resumed,
 * it runs on from there; turned off, pending timers keep their delays. */
static void
test_virtual_time (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  double t0;

  weft_loop_set_virtual_time (loop, TRUE);
  g_assert_true (weft_loop_get_virtual_time (loop));
  weft_loop_set_paused (loop, TRUE);
  t0 = weft_loop_time (loop);
  weft_loop_call_later (loop, 2.0, note_time, times, NULL);
  weft_loop_call_later (loop, 3.0, note_time, times, NULL);
  weft_loop_call_later (loop, 5.0, note_time, times, NULL);
  g_usleep (30000);
  g_assert_cmpfloat (weft_loop_time (loop), ==, t0);          /* stands still */

  g_assert_true (weft_loop_step_callback (loop));              /* jumps to +2 */
  g_assert_cmpuint (times->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (g_array_index (times, double, 0) - t0, 2.0, 1e-6);
  g_usleep (30000);
  g_assert_cmpfloat_with_epsilon (weft_loop_time (loop) - t0, 2.0, 1e-6);

  g_assert_cmpuint (weft_loop_step_to_next_timer (loop), ==, 1);   /* +3 */
  g_assert_cmpfloat_with_epsilon (g_array_index (times, double, 1) - t0, 3.0, 1e-6);

  /* Resumed, time runs from +3: a 20 ms timer fires 20 ms (real) later. */
  weft_loop_call_later (loop, 0.02, note_time, times, NULL);
  weft_loop_set_paused (loop, FALSE);
  while (times->len < 3)
    g_main_context_iteration (weft_loop_get_context (loop), TRUE);
  g_assert_cmpfloat (g_array_index (times, double, 2) - t0, >=, 3.02);
  g_assert_cmpfloat (g_array_index (times, double, 2) - t0, <, 4.0);

  /* Back on the real clock, the +5 timer is still about 2 s away. */
  weft_loop_set_virtual_time (loop, FALSE);
  {
    g_autoptr(GArray) timers = weft_loop_list_timers (loop);

    g_assert_cmpuint (timers->len, ==, 1);
    g_assert_cmpfloat (g_array_index (timers, WeftCallInfo, 0).when - weft_loop_time (loop), >, 1.5);
    g_assert_cmpfloat (g_array_index (timers, WeftCallInfo, 0).when - weft_loop_time (loop), <, 2.0);
  }
  test_loop_finish (loop);
}

static void
test_list_timers (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GArray) timers = NULL;
  double now = weft_loop_time (loop);
  WeftHandle *cancelled;

  weft_loop_call_at (loop, now + 3, nothing, NULL, NULL);
  weft_loop_call_at (loop, now + 1, append, NULL, NULL);
  cancelled = weft_loop_call_at (loop, now + 2, nothing, NULL, NULL);
  weft_loop_call_at (loop, now + 1, nothing, NULL, NULL);
  weft_handle_cancel (cancelled);
  timers = weft_loop_list_timers (loop);
  g_assert_cmpuint (timers->len, ==, 3);
  g_assert_cmpstr (g_array_index (timers, WeftCallInfo, 0).name, ==, "append");
  g_assert_cmpstr (g_array_index (timers, WeftCallInfo, 1).name, ==, "nothing");
  g_assert_cmpfloat (g_array_index (timers, WeftCallInfo, 1).when, ==, g_array_index (timers, WeftCallInfo, 0).when);
  g_assert_cmpfloat (g_array_index (timers, WeftCallInfo, 2).when, >, now + 2.9);
  test_loop_finish (loop);
}

static gpointer
child (gpointer data, GError **error)
{
  weft_sleep (10, error);
  return NULL;
}

static gpointer
parent (gpointer data, GError **error)
{
  WeftTask **out = data;

  *out = weft_loop_create_task (weft_get_running_loop (), child, NULL, NULL);
  g_assert_cmpint (weft_task_get_state (weft_current_task ()), ==, WEFT_TASK_STATE_RUNNING);
  return weft_await (WEFT_FUTURE (*out), error);
}

static void
test_task_states (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftTask *kid = NULL;
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, parent, &kid, NULL);
  g_autofree char *waits = NULL;
  g_autofree char *kid_waits = NULL;

  weft_loop_set_paused (loop, TRUE);
  g_assert_cmpint (weft_task_get_state (task), ==, WEFT_TASK_STATE_PENDING);
  g_assert_cmpstr (weft_task_state_to_string (WEFT_TASK_STATE_PENDING), ==, "pending");
  g_assert_true (weft_loop_step_callback (loop));        /* parent runs, awaits child */
  g_assert_cmpint (weft_task_get_state (task), ==, WEFT_TASK_STATE_SUSPENDED);
  g_assert_cmpint (weft_task_get_state (kid), ==, WEFT_TASK_STATE_PENDING);
  g_assert_true (weft_task_get_awaited (task) == WEFT_FUTURE (kid));
  waits = weft_task_describe_await (task);
  g_assert_cmpstr (waits, ==, "task child");
  g_assert_true (weft_loop_step_callback (loop));        /* child runs, sleeps */
  g_clear_pointer (&waits, g_free);
  waits = weft_task_describe_await (task);               /* the chain, through the child */
  g_assert_true (g_str_has_prefix (waits, "task child → sleep, "));
  kid_waits = weft_task_describe_await (kid);
  g_assert_true (g_str_has_prefix (kid_waits, "sleep, "));
  g_assert_cmpuint (weft_task_get_runs (kid), ==, 1);
  g_assert_true (strstr (weft_task_get_created_at (kid), "test-inspect.c:") != NULL);

  weft_task_cancel (kid, NULL);
  weft_loop_set_paused (loop, FALSE);
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), NULL));
  g_assert_cmpint (weft_task_get_state (kid), ==, WEFT_TASK_STATE_CANCELLED);
  g_assert_cmpint (weft_task_get_state (task), ==, WEFT_TASK_STATE_CANCELLED);
  weft_task_unref (kid);
  test_loop_finish (loop);
}

static void
test_recording (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GString) log = g_string_new ("");
  g_autoptr(GArray) records = NULL;

  double started, timer_due, ended;

  weft_loop_set_recording (loop, TRUE);
  started = weft_loop_time (loop);
  weft_loop_call_soon (loop, append, log, NULL);
  weft_loop_call_soon (loop, append, log, NULL);
  /* Late enough not to be due in the first iteration, even under valgrind. */
  timer_due = weft_handle_when (weft_loop_call_later (loop, 0.1, append, log, NULL));
  test_run_until_idle (loop);
  ended = weft_loop_time (loop);
  records = weft_loop_get_iterations (loop);
  g_assert_cmpuint (records->len, >=, 2);
  g_assert_cmpuint (g_array_index (records, WeftIterationRecord, 0).n_callbacks, ==, 3); /* 2 + the idle stopper */
  /* Iterations where timers fired are always recorded, the others sampled. */
  {
    gboolean timer_seen = FALSE;

    for (guint i = 1; i < records->len; i++)
      {
        WeftIterationRecord *r = &g_array_index (records, WeftIterationRecord, i);

        g_assert_cmpuint (r->index, >, g_array_index (records, WeftIterationRecord, i - 1).index);
        /* Each iteration lies within the run, and ran for a part of it. */
        g_assert_cmpfloat (r->start, >=, started);
        g_assert_cmpfloat (r->start + r->duration, <=, ended);
        g_assert_cmpfloat (r->duration, <=, ended - started);
        if (r->n_timers > 0 && strstr (r->callbacks, "append") != NULL)
          {
            /* Our timer (the others are stop_when_idle()'s): it fired no
             * earlier than its deadline, and the lateness says by how much. */
            timer_seen = TRUE;
            g_assert_cmpfloat (r->start, >=, timer_due);
            /* (Another timer of the same iteration may have been later still.) */
            g_assert_cmpfloat (r->max_lateness, >=, r->start - timer_due - 1e-6);
            g_assert_cmpfloat (r->max_lateness, <, 1.0);
          }
      }
    g_assert_true (timer_seen);
  }
  test_loop_finish (loop);
}

typedef struct
{
  WeftLoop *loop;
  gint64    until;       /* monotonic µs */
  guint     iterations;
  guint     at_least;    /* iterations, however long they take (sanitizers) */
} Spinner;

/* One callback per iteration, each 20 µs long, until @until and at_least. */
static void
spin (gpointer data)
{
  Spinner *s = data;
  gint64 end = g_get_monotonic_time () + 20;

  while (g_get_monotonic_time () < end)
    ;
  s->iterations++;
  if (end < s->until || s->iterations < s->at_least)
    weft_loop_call_soon (s->loop, spin, s, NULL);
  else
    weft_loop_stop (s->loop);
}

/* Recording samples iterations: a loop spinning through thousands of short
 * ones gets one recorded per millisecond or so (by the clock reads it makes
 * anyway), far more than one in RECORD_EVERY (1,024) and far fewer than all;
 * paused, every stepped iteration is recorded. */
static void
test_recording_samples (void)
{
  WeftLoop *loop = test_loop_new ();
  Spinner spinner = { loop, 0, 0, 2000 };
  g_autoptr(GArray) records = NULL;
  guint recorded = 0;
  guint64 first;

  weft_loop_set_recording (loop, TRUE);
  weft_loop_set_dispatch_budget (loop, 1.0);   /* one dispatch: no sample at its start */
  spinner.until = g_get_monotonic_time () + 60 * 1000;
  weft_loop_call_soon (loop, spin, &spinner, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  records = weft_loop_get_iterations (loop);
  for (guint i = 0; i < records->len; i++)
    recorded += g_array_index (records, WeftIterationRecord, i).n_callbacks > 0;
  g_test_message ("%u iterations, %u recorded", spinner.iterations, recorded);
  g_assert_cmpuint (spinner.iterations, >, 1000);
  g_assert_cmpuint (recorded, >=, 15);                          /* ~60 by the clock */
  g_assert_cmpuint (recorded, <, spinner.iterations / 4);

  /* Paused: each step is an iteration, each recorded. */
  weft_loop_set_paused (loop, TRUE);
  spinner.until = G_MAXINT64;
  weft_loop_call_soon (loop, spin, &spinner, NULL);
  first = weft_loop_get_iteration (loop);
  for (int i = 0; i < 10; i++)
    g_assert_cmpuint (weft_loop_step_iteration (loop), ==, 1);
  g_clear_pointer (&records, g_array_unref);
  records = weft_loop_get_iterations (loop);
  recorded = 0;
  for (guint i = 0; i < records->len; i++)
    recorded += g_array_index (records, WeftIterationRecord, i).index > first;
  g_assert_cmpuint (recorded, ==, 10);
  weft_loop_set_paused (loop, FALSE);
  spinner.until = 0;
  g_assert_true (weft_loop_run_forever (loop, NULL));
  test_loop_finish (loop);
}

static gpointer
fails (gpointer data, GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "broken");
  return NULL;
}

static gpointer
quick (gpointer data, GError **error)
{
  return NULL;
}

static gpointer
sleeps (gpointer data, GError **error)
{
  weft_sleep (10, error);
  return NULL;
}

/* Finished tasks are remembered as snapshots, cancelled and failed told
 * apart, in a bounded history that does not keep the loop alive. */
static void
test_task_history (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GArray) finished = NULL;
  TestExceptions ex;
  WeftTask *task;

  test_exceptions_init (&ex, loop);
  weft_loop_set_recording (loop, TRUE);
  weft_loop_set_task_history (loop, 3);
  weft_task_unref (weft_loop_create_task (loop, fails, NULL, NULL));
  task = weft_loop_create_task (loop, sleeps, NULL, NULL);
  weft_loop_step_iteration (loop);
  weft_task_cancel (task, "enough");
  weft_task_unref (task);
  for (int i = 0; i < 3; i++)
    weft_task_unref (weft_loop_create_task (loop, quick, NULL, NULL));
  weft_loop_step_iteration (loop);
  weft_loop_step_iteration (loop);
  test_run_until_idle (loop);

  finished = weft_loop_list_finished_tasks (loop);
  g_assert_cmpuint (finished->len, ==, 3);     /* bounded: the two oldest fell out */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (g_array_index (finished, WeftTaskRecord, i).name, ==, "quick");
  g_clear_pointer (&finished, g_array_unref);

  weft_loop_set_task_history (loop, 10);
  weft_task_unref (weft_loop_create_task (loop, fails, NULL, NULL));
  task = weft_loop_create_task (loop, sleeps, NULL, NULL);
  weft_loop_step_iteration (loop);
  weft_task_cancel (task, "enough");
  weft_task_unref (task);
  test_run_until_idle (loop);
  finished = weft_loop_list_finished_tasks (loop);
  g_assert_cmpuint (finished->len, ==, 2);
  g_assert_cmpstr (g_array_index (finished, WeftTaskRecord, 0).name, ==, "fails");
  g_assert_cmpint (g_array_index (finished, WeftTaskRecord, 0).state, ==, WEFT_TASK_STATE_FAILED);
  g_assert_cmpstr (g_array_index (finished, WeftTaskRecord, 0).error_message, ==, "broken");
  g_assert_cmpint (g_array_index (finished, WeftTaskRecord, 1).state, ==, WEFT_TASK_STATE_CANCELLED);
  g_assert_cmpstr (g_array_index (finished, WeftTaskRecord, 1).error_message, ==, "enough");
  g_assert_cmpuint (ex.messages->len, ==, 2);   /* the two failures, never retrieved */
  test_exceptions_clear (&ex);
  test_loop_finish (loop);
}

static gboolean
has_warning (GPtrArray *warnings, const char *pattern)
{
  for (guint i = 0; i < warnings->len; i++)
    if (g_pattern_match_simple (pattern, g_ptr_array_index (warnings, i)))
      return TRUE;
  return FALSE;
}

static void
slow (gpointer data)
{
  g_usleep (60000);
}

static gpointer
poller (gpointer data, GError **error)
{
  for (int i = 0; i < 150; i++)
    weft_sleep (0, error);
  return NULL;
}

static gpointer
waits_on_orphan (gpointer data, GError **error)
{
  /* Created here and handed to nobody: nothing can ever complete it. */
  g_autoptr(WeftFuture) orphan = weft_loop_create_future (weft_get_running_loop ());

  weft_await (orphan, error);
  return NULL;
}

static gpointer
waits_on_shared (gpointer data, GError **error)
{
  g_autoptr(WeftFuture) shared = weft_loop_create_future (weft_get_running_loop ());

  *(WeftFuture **) data = weft_future_ref (shared);   /* someone else can complete it */
  weft_await (shared, error);
  return NULL;
}

static WeftTask *cycle_a;

static gpointer
cycle_b (gpointer data, GError **error)
{
  return weft_await (WEFT_FUTURE (cycle_a), error);
}

static gpointer
cycle_start (gpointer data, GError **error)
{
  g_autoptr(WeftTask) b = weft_loop_create_task (weft_get_running_loop (), cycle_b, NULL, NULL);

  return weft_await (WEFT_FUTURE (b), error);
}

/* The linter: slow callbacks, busy polling, errors never retrieved, tasks
 * that can never wake, await cycles. */
static gpointer
hog (gpointer data,
     GError **error)
{
  g_usleep (30000);   /* 30 ms in one step */
  weft_sleep (0, NULL);
  return NULL;
}

/* Hogs the loop in its first step, then waits (for ever: until cancelled). */
static gpointer
hog_then_wait (gpointer data,
               GError **error)
{
  g_usleep (30000);
  weft_sleep (3600, error);
  return NULL;
}

/* Without debug mode, a task step that holds the loop longer than the
 * slow-callback duration is a warning (while recording), once per task:
 * for a finished task, and for one still waiting. */
static void
test_slow_step_warning (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  guint found = 0;

  weft_loop_set_recording (loop, TRUE);
  weft_loop_set_slow_callback_duration (loop, 0.02);
  g_assert_false (weft_loop_get_debug (loop));
  weft_task_unref (weft_loop_create_task (loop, hog, NULL, NULL));
  weft_task_unref (weft_loop_create_task (loop, hog, NULL, NULL));
  test_run_until_idle (loop);
  warnings = weft_loop_lint (loop);
  for (guint i = 0; i < warnings->len; i++)
    {
      const char *text = g_ptr_array_index (warnings, i);

      if (g_pattern_match_simple ("task hog ran * ms in one step without yielding to the loop (it waits at *) (×2)", text))
        found += 2;   /* the same text twice: counted on one line */
      else if (g_pattern_match_simple ("task hog ran * ms in one step without yielding to the loop (it waits at *)", text))
        found++;
    }
  g_assert_cmpuint (found, ==, 2);   /* each task once */

  {
    g_autoptr(WeftTask) waiter = weft_loop_create_task (loop, hog_then_wait, NULL, NULL);
    g_autoptr(GPtrArray) again = NULL, once_more = NULL;
    guint live = 0;

    test_run_until_idle (loop);
    g_assert_false (weft_future_is_done (WEFT_FUTURE (waiter)));
    again = weft_loop_lint (loop);
    once_more = weft_loop_lint (loop);
    for (guint i = 0; i < again->len; i++)
      live += g_pattern_match_simple ("task hog_then_wait ran * ms in one step without yielding to the loop (it waits at *test-inspect.c:*)",
                                      g_ptr_array_index (again, i));
    g_assert_cmpuint (live, ==, 1);
    g_assert_cmpuint (once_more->len, ==, again->len);   /* not again */
    weft_task_cancel (waiter, NULL);
    test_run_until_idle (loop);
  }
  test_loop_finish (loop);
}

/* The same warning again counts on the last line instead of taking a new
 * one: a program that blocks every second filled the Warnings view with one
 * line. */
static void
test_repeated_warning (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  guint blocked = 0, other = 0;

  weft_loop_set_recording (loop, TRUE);
  for (int i = 0; i < 3; i++)
    _weft_observers_warning (loop, "the loop was blocked in %s for %.1f s", "tick", 0.7);
  _weft_observers_warning (loop, "something else");
  _weft_observers_warning (loop, "the loop was blocked in %s for %.1f s", "tick", 0.7);
  warnings = weft_loop_lint (loop);
  for (guint i = 0; i < warnings->len; i++)
    {
      const char *text = g_ptr_array_index (warnings, i);

      g_test_message ("%s", text);
      if (g_str_has_prefix (text, "the loop was blocked"))
        {
          /* First the three, counted on one line; then the one after the other warning. */
          g_assert_cmpstr (text, ==, blocked == 0 ? "the loop was blocked in tick for 0.7 s (×3)"
                                                  : "the loop was blocked in tick for 0.7 s");
          blocked++;
        }
      other += g_str_equal (text, "something else");
    }
  g_assert_cmpuint (blocked, ==, 2);
  g_assert_cmpuint (other, ==, 1);
  test_loop_finish (loop);
}

static gpointer
await_named (gpointer data,
             GError **error)
{
  return weft_await (data, error);
}

/* A named future (a GIO call's, say) reads as its operation, not "a future". */
static void
test_named_future (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftFuture *future = weft_loop_create_future (loop);
  WeftTask *task;
  g_autofree char *awaits = NULL;

  weft_future_set_name (future, "g_file_read_async");
  g_assert_cmpstr (weft_future_get_name (future), ==, "g_file_read_async");
  task = weft_loop_create_task (loop, await_named, future, NULL);
  weft_loop_step_iteration (loop);
  awaits = weft_task_describe_await (task);
  g_assert_cmpstr (awaits, ==, "g_file_read_async");
  weft_future_set_result (future, NULL, NULL);
  test_run (loop, WEFT_FUTURE (task));
  weft_task_unref (task);
  weft_future_unref (future);
  test_loop_finish (loop);
}

static void
test_lint (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  WeftFuture *shared = NULL;
  TestExceptions ex;

  test_exceptions_init (&ex, loop);
  weft_loop_set_recording (loop, TRUE);
  /* (50 ms, not 10: under TSan a task's first step on a fresh stack can take
   * 25-30 ms, and any other callback over the duration is a fatal warning.) */
  weft_loop_set_slow_callback_duration (loop, 0.05);
  weft_loop_set_debug (loop, TRUE);    /* single callbacks are timed in debug mode */
  weft_loop_call_soon (loop, slow, NULL, NULL);
  weft_task_unref (weft_loop_create_task (loop, poller, NULL, NULL));
  weft_task_unref (weft_loop_create_task (loop, fails, NULL, NULL));
  weft_task_unref (weft_loop_create_task (loop, waits_on_orphan, NULL, NULL));
  weft_task_unref (weft_loop_create_task (loop, waits_on_shared, &shared, NULL));
  cycle_a = weft_loop_create_task (loop, cycle_start, NULL, NULL);
  g_test_expect_message ("Weft", G_LOG_LEVEL_WARNING, "Executing callback slow*took*");
  test_run_until_idle (loop);
  g_test_assert_expected_messages ();

  warnings = weft_loop_lint (loop);
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("lint: %s", (char *) g_ptr_array_index (warnings, i));
  g_assert_true (has_warning (warnings, "slow ran * ms without returning to the loop (scheduled at *test-inspect.c:*)"));
  g_assert_true (has_warning (warnings, "task poller mostly wakes itself (* of * runs after sleep(0)): busy polling?"));
  g_assert_true (has_warning (warnings, "Task error was never retrieved: broken; task fails"));
  g_assert_true (has_warning (warnings, "task waits_on_orphan waits for a future it created and nothing else references*"));
  g_assert_false (has_warning (warnings, "task waits_on_shared *"));
  g_assert_true (has_warning (warnings, "await cycle: cycle_start → cycle_b → cycle_start"));
  g_assert_false (has_warning (warnings, "await cycle: cycle_b*"));   /* reported once */

  weft_task_cancel (cycle_a, NULL);
  weft_task_unref (cycle_a);
  weft_future_set_result (shared, NULL, NULL);
  weft_future_unref (shared);
  weft_loop_close (loop);          /* reports the orphan's task, still pending */
  test_exceptions_clear (&ex);
  test_loop_finish (loop);
}

/* Runs 3 ms, yields, runs 1 ms. */
static gpointer
two_busy_steps (gpointer data, GError **error)
{
  test_spin_for (3000000);
  if (!weft_sleep (0, error))
    return NULL;
  test_spin_for (1000000);
  return (gpointer) "done";
}

/* While recording, each task's busy time and longest step are measured and
 * reach the snapshot; otherwise nothing is measured. */
static void
test_busy_time (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) quiet = weft_loop_create_task (loop, two_busy_steps, NULL, NULL);
  g_autoptr(WeftTask) timed = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariantIter) tasks = NULL;
  WeftTaskRow row;
  double busy, max_run;
  gboolean found = FALSE;

  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (quiet)), ==, "done");
  g_assert_cmpfloat (weft_task_get_busy_time (quiet, NULL), ==, 0);

  weft_loop_set_recording (loop, TRUE);
  timed = weft_loop_create_task (loop, two_busy_steps, NULL, NULL);
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (timed)), ==, "done");
  busy = weft_task_get_busy_time (timed, &max_run);
  g_test_message ("busy %.2f ms, longest step %.2f ms", busy * 1e3, max_run * 1e3);
  /* Steps are timed with the cycle counter, calibrated to about 0.1 %. */
  g_assert_cmpfloat (busy, >=, 0.004 * 0.99);
  g_assert_cmpfloat (max_run, >=, 0.003 * 0.99);
  g_assert_cmpfloat (max_run, <, busy);

  /* The finished task's record in the snapshot carries them. */
  snapshot = g_variant_ref_sink (weft_loop_snapshot (loop));
  g_variant_get (snapshot, "(tbsa(tssststtd)a(ss)a(ssd)asa(tdduuds))", NULL, NULL, NULL, &tasks, NULL, NULL, NULL, NULL);
  while (weft_task_row_decode (tasks, &row))
    if (row.id == weft_task_get_id (timed))
      {
        found = TRUE;
        g_assert_cmpuint (row.busy_ns, >=, 4000000 * 0.99);
        g_assert_cmpuint (row.max_run_ns, >=, 3000000 * 0.99);
        g_assert_cmpuint (row.runs, ==, 2);
        g_assert_cmpstr (row.state, ==, "done");
      }
  g_assert_true (found);
  test_loop_finish (loop);
}

static int child_await_line, parent_await_line;

static gpointer
waits_on_future (gpointer data, GError **error)
{
  child_await_line = __LINE__ + 1;
  return weft_await (data, error);
}

static gpointer
waits_on_child (gpointer data, GError **error)
{
  parent_await_line = __LINE__ + 1;
  return weft_await (data, error);
}

static guint64
histogram_total (GVariant *details)
{
  g_autoptr(GVariant) histogram = g_variant_lookup_value (details, "run-histogram", G_VARIANT_TYPE ("au"));
  const guint32 *counts;
  gsize n;
  guint64 total = 0;

  g_assert_nonnull (histogram);
  counts = g_variant_get_fixed_array (histogram, &n, sizeof (guint32));
  g_assert_cmpuint (n, ==, WEFT_RUN_HISTOGRAM_BUCKETS);
  for (gsize i = 0; i < n; i++)
    total += counts[i];
  return total;
}

/* The detail pane's data: where a task awaits (file:line, through the
 * weft_await macro), its await chain hop by hop, its run-time histogram; and
 * for a finished task, its record. */
static void
test_describe_task (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftFuture) future = NULL;
  g_autoptr(WeftTask) child = NULL, parent = NULL;
  g_autoptr(GVariant) details = NULL, done = NULL;
  g_autofree char *child_at = NULL, *parent_at = NULL;
  g_autofree const char **chain = NULL;
  const char *state = NULL;
  guint64 runs = 0, parent_id = G_MAXUINT64;
  guint64 last_run_iteration = 0;

  weft_loop_set_recording (loop, TRUE);
  future = weft_loop_create_future (loop);
  child = weft_loop_create_task (loop, waits_on_future, future, NULL);
  weft_task_set_name (child, "child");
  parent = weft_loop_create_task (loop, waits_on_child, child, NULL);
  weft_task_set_name (parent, "parent");
  for (int i = 0; i < 3; i++)
    weft_loop_step_iteration (loop);

  child_at = g_strdup_printf ("%s:%d", __FILE__, child_await_line);
  parent_at = g_strdup_printf ("%s:%d", __FILE__, parent_await_line);
  g_assert_cmpstr (weft_task_get_await_location (child), ==, child_at);
  g_assert_cmpstr (weft_task_get_await_location (parent), ==, parent_at);

  details = g_variant_ref_sink (weft_loop_describe_task (loop, weft_task_get_id (parent)));
  g_assert_nonnull (details);
  g_assert_true (g_variant_lookup (details, "state", "&s", &state));
  g_assert_cmpstr (state, ==, "suspended");
  g_assert_true (g_variant_lookup (details, "runs", "t", &runs));
  g_assert_cmpuint (runs, ==, 1);
  g_assert_cmpuint (histogram_total (details), ==, runs);
  g_assert_true (g_variant_lookup (details, "last-run-iteration", "t", &last_run_iteration));
  g_assert_cmpuint (last_run_iteration, >=, 1);
  g_assert_cmpuint (last_run_iteration, <=, weft_loop_get_iteration (loop));
  g_assert_true (g_variant_lookup (details, "parent", "t", &parent_id));
  g_assert_cmpuint (parent_id, ==, 0);
  g_assert_true (g_variant_lookup (details, "await-chain", "^a&s", &chain));
  g_assert_cmpuint (g_strv_length ((char **) chain), ==, 2);
  g_test_message ("await chain: %s | %s", chain[0], chain[1]);
  g_assert_true (g_str_has_prefix (chain[0], "task child"));
  g_assert_nonnull (strstr (chain[0], parent_at));
  g_assert_true (g_str_has_prefix (chain[1], "a future"));
  g_assert_nonnull (strstr (chain[1], child_at));

  /* Finished: from the history, with no await left. */
  weft_future_set_result (future, (gpointer) "ok", NULL);
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (parent)), ==, "ok");
  done = g_variant_ref_sink (weft_loop_describe_task (loop, weft_task_get_id (parent)));
  g_assert_nonnull (done);
  g_assert_true (g_variant_lookup (done, "state", "&s", &state));
  g_assert_cmpstr (state, ==, "done");
  g_assert_false (g_variant_lookup (done, "await-chain", "^a&s", NULL));
  /* Its histogram stays with its record: the detail pane shows it beside
   * the runs and busy time it counts. */
  g_assert_true (g_variant_lookup (done, "runs", "t", &runs));
  g_assert_cmpuint (runs, ==, 2);
  g_assert_cmpuint (histogram_total (done), ==, runs);
  g_assert_null (weft_task_get_await_location (parent));

  g_assert_null (weft_loop_describe_task (loop, 987654321));
  test_loop_finish (loop);
}

/* The one codec: what weft_task_row_encode() writes, weft_task_row_decode()
 * reads back, field by field, with NULL strings written as "". */
static void
test_task_row_codec (void)
{
  WeftTaskRow in = { 7, "worker", "suspended", NULL, 3, "a.c:12", 1500, 900, 2.5 }, out;
  GVariantBuilder builder;
  g_autoptr(GVariant) rows = NULL;
  GVariantIter iter;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_ARRAY);
  weft_task_row_encode (&builder, &in);
  in.id = 8;
  in.awaits = "sleep, 1.0 s";
  weft_task_row_encode (&builder, &in);
  rows = g_variant_ref_sink (g_variant_builder_end (&builder));
  {
    g_autoptr(GVariant) first = g_variant_get_child_value (rows, 0);

    g_assert_true (g_variant_is_of_type (first, WEFT_TASK_ROW_TYPE));
  }
  g_variant_iter_init (&iter, rows);
  g_assert_true (weft_task_row_decode (&iter, &out));
  g_assert_cmpuint (out.id, ==, 7);
  g_assert_cmpstr (out.name, ==, "worker");
  g_assert_cmpstr (out.state, ==, "suspended");
  g_assert_cmpstr (out.awaits, ==, "");
  g_assert_cmpuint (out.runs, ==, 3);
  g_assert_cmpstr (out.created_at, ==, "a.c:12");
  g_assert_cmpuint (out.busy_ns, ==, 1500);
  g_assert_cmpuint (out.max_run_ns, ==, 900);
  g_assert_cmpfloat (out.age, ==, 2.5);
  g_assert_true (weft_task_row_decode (&iter, &out));
  g_assert_cmpuint (out.id, ==, 8);
  g_assert_cmpstr (out.awaits, ==, "sleep, 1.0 s");
  g_assert_false (weft_task_row_decode (&iter, &out));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Inspect/pause-and-step", test_pause_and_step);
  g_test_add_func ("/Weft/Inspect/recording-samples", test_recording_samples);
  g_test_add_func ("/Weft/Inspect/call-site-record", test_call_site_record);
  g_test_add_func ("/Weft/Inspect/virtual-time", test_virtual_time);
  g_test_add_func ("/Weft/Inspect/repeated-warning", test_repeated_warning);
  g_test_add_func ("/Weft/Inspect/step-to-next-timer-from-start", test_step_to_next_timer_from_start);
  g_test_add_func ("/Weft/Inspect/busy-time", test_busy_time);
  g_test_add_func ("/Weft/Inspect/describe-task", test_describe_task);
  g_test_add_func ("/Weft/Inspect/list-timers", test_list_timers);
  g_test_add_func ("/Weft/Inspect/task-states", test_task_states);
  g_test_add_func ("/Weft/Inspect/recording", test_recording);
  g_test_add_func ("/Weft/Inspect/task-history", test_task_history);
  g_test_add_func ("/Weft/Inspect/lint", test_lint);
  g_test_add_func ("/Weft/Inspect/named-future", test_named_future);
  g_test_add_func ("/Weft/Inspect/slow-step-warning", test_slow_step_warning);
  g_test_add_func ("/Weft/Inspect/task-row-codec", test_task_row_codec);

  return g_test_run ();
}
