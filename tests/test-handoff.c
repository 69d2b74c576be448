/* test-handoff.c: a task that suspends hands the thread straight to the next
 * queued task step (weft-task.c: _weft_task_handoff()); nothing else may
 * change: the same callbacks run in the same iterations, in the same order,
 * as when every step goes through the loop's stack, and the loop still
 * returns to GLib within its budget.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "weft-observer-private.h"
#include "weft-task-private.h"
#include "weft-test-common.h"

/* ------------------------------------------------- the same run, both ways */

#define ROUNDS 60

typedef struct
{
  WeftLoop   *loop;
  GString    *log;
  WeftFuture *box[2];
  WeftTask   *pinger[2];
  WeftTask   *victim;
  WeftFuture *never;
} Run;

static Run *run;

static void
note (const char *what,
      int         round)
{
  g_string_append_printf (run->log, "%s %d @%" G_GUINT64_FORMAT "\n", what, round, run->loop->iteration);
}

static void
plain_callback (gpointer data)
{
  note ("callback", GPOINTER_TO_INT (data));
}

static void
timer_callback (gpointer data)
{
  note ("timer", GPOINTER_TO_INT (data));
}

static gpointer
child_body (gpointer data, GError **error)
{
  note ("child", GPOINTER_TO_INT (data));
  return data;
}

static gpointer
crowd_body (gpointer data, GError **error)
{
  note ("crowd", GPOINTER_TO_INT (data));
  weft_sleep (0, error);
  note ("crowd again", GPOINTER_TO_INT (data));
  return NULL;
}

static gpointer
victim_body (gpointer data, GError **error)
{
  if (weft_await (run->never, error) == NULL)
    note (g_error_matches (*error, WEFT_ERROR, WEFT_ERROR_CANCELLED) ? "victim cancelled" : "victim failed", 0);
  return NULL;
}

/* Two tasks hand a token back and forth through fresh futures (the bench's
 * ping-pong), and on the way: schedule plain callbacks, sleep(0), cancel a
 * third task, set a timer, run a nested iteration of the context, start a
 * child and await it, start a crowd of tasks (iterations too long for
 * hand-offs), and one of them finishes early while a third task awaits it. */
static gpointer
pinger_body (gpointer data, GError **error)
{
  int me = GPOINTER_TO_INT (data), other = 1 - me;
  int rounds = me == 0 ? ROUNDS : ROUNDS / 2;

  for (int i = 0; i < rounds; i++)
    {
      if (weft_await (run->box[me], error) == NULL && *error != NULL)
        return NULL;
      note (me == 0 ? "ping" : "pong", i);
      weft_future_unref (run->box[me]);
      run->box[me] = weft_loop_create_future (run->loop);
      if (i % 7 == 3)
        weft_loop_call_soon (run->loop, plain_callback, GINT_TO_POINTER (i), NULL);
      if (me == 1 && i % 5 == 2)
        {
          weft_sleep (0, error);
          note ("pong slept", i);
        }
      if (me == 0 && i == 11)
        weft_task_cancel (run->victim, NULL);
      if (me == 0 && i == 20)   /* iterations longer than hand-offs go */
        for (int k = 0; k < 3 * WEFT_LONG_ITERATION; k++)
          weft_task_unref (weft_loop_create_task (run->loop, crowd_body, GINT_TO_POINTER (k), NULL));
      if (me == 0 && i == 17)
        weft_handle_unref (weft_loop_call_later (run->loop, 0, timer_callback, GINT_TO_POINTER (i), NULL));
      if (me == 1 && i % 9 == 4)   /* a child, awaited at once: its first step is next */
        {
          g_autoptr(WeftTask) child = weft_loop_create_task (run->loop, child_body, GINT_TO_POINTER (i), NULL);

          note (weft_await (WEFT_FUTURE (child), error) == GINT_TO_POINTER (i) ? "child awaited" : "child lost", i);
        }
      if (me == 1 && i == 8)   /* cancelled before its first step: its body never runs */
        {
          g_autoptr(WeftTask) child = weft_loop_create_task (run->loop, child_body, GINT_TO_POINTER (-i), NULL);
          g_autoptr(GError) child_error = NULL;

          weft_task_cancel (child, NULL);
          weft_await (WEFT_FUTURE (child), &child_error);
          note (g_error_matches (child_error, WEFT_ERROR, WEFT_ERROR_CANCELLED) ? "child cancelled" : "child ran", i);
        }
      if (me == 1 && i == 13)
        {
          note ("nested begins", i);
          g_main_context_iteration (weft_loop_get_context (run->loop), FALSE);
          note ("nested ends", i);
        }
      weft_future_set_result (run->box[other], NULL, NULL);
    }
  note (me == 0 ? "ping done" : "pong done", rounds);
  return NULL;
}

static gpointer
watcher_body (gpointer data, GError **error)
{
  weft_await (WEFT_FUTURE (run->pinger[1]), error);
  note ("pong awaited", 0);
  return NULL;
}

typedef enum { PLAIN, DEBUG, RECORDING, OBSERVED } Mode;

/* An observer of every step (as Sysprof's marks): each step's begin and end,
 * paired, for the task that runs, however it began and ended. */
static WeftTask *in_step;
static guint64   step_begins, step_ends;

static void
on_step_begin (WeftLoop *loop, gpointer data, WeftTask *task)
{
  g_assert_null (in_step);
  g_assert_true (task == _weft_current_task);
  in_step = task;
  step_begins++;
}

static void
on_step_end (WeftLoop *loop, gpointer data, WeftTask *task)
{
  g_assert_true (in_step == task);
  g_assert_true (task == _weft_current_task);
  in_step = NULL;
  step_ends++;
}

static const WeftObserver step_watcher = {
  .name = "test: every step",
  .task_step_begin = on_step_begin,
  .task_step_end = on_step_end,
};
static guint step_watcher_id;

static char *
run_scenario (Mode     mode,
              guint64 *handoffs)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) watcher = NULL;
  g_autoptr(GError) error = NULL;
  Run r = { loop, g_string_new (NULL) };

  run = &r;
  weft_loop_set_debug (loop, mode == DEBUG);
  weft_loop_set_recording (loop, mode == RECORDING);
  step_begins = step_ends = 0;
  if (mode == OBSERVED)
    _weft_loop_observe (loop, step_watcher_id, loop);
  r.never = weft_loop_create_future (loop);
  r.box[0] = weft_loop_create_future (loop);
  r.box[1] = weft_loop_create_future (loop);
  weft_future_set_result (r.box[0], NULL, NULL);
  r.victim = weft_loop_create_task (loop, victim_body, NULL, NULL);
  r.pinger[0] = weft_loop_create_task (loop, pinger_body, GINT_TO_POINTER (0), NULL);
  r.pinger[1] = weft_loop_create_task (loop, pinger_body, GINT_TO_POINTER (1), NULL);
  watcher = weft_loop_create_task (loop, watcher_body, NULL, NULL);
  g_assert_true (weft_loop_run_until_complete (loop, WEFT_FUTURE (watcher), &error));
  g_assert_no_error (error);
  /* Ping waits for a token that does not come: cancelled, it ends. */
  weft_task_cancel (r.pinger[0], NULL);
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (r.pinger[0]), &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_clear_error (&error);
  note ("end", 0);
  *handoffs = loop->handoffs;
  /* Each step counted once, whoever began it. */
  g_string_append_printf (r.log, "runs %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n", r.pinger[0]->runs,
                          r.pinger[1]->runs);
  if (mode == OBSERVED)
    {
      g_assert_null (in_step);
      g_assert_cmpuint (step_begins, ==, step_ends);
      g_assert_cmpuint (step_begins, >=, r.pinger[0]->runs + r.pinger[1]->runs);
      _weft_loop_observe (loop, step_watcher_id, NULL);
    }
  if (mode == RECORDING)
    {
      /* Recording saw the steps that hand-offs began: timed, and their last
       * iteration noted. */
      for (int i = 0; i < 2; i++)
        {
          g_assert_cmpuint (_weft_task_peek_stats (r.pinger[i])->busy_ns, >, 0);
          g_assert_cmpuint (_weft_task_peek_stats (r.pinger[i])->last_run_iteration, >, ROUNDS / 4);
        }
    }
  /* Every step's reference went back: only ours are left. */
  g_assert_cmpuint (r.pinger[0]->parent.ref_count, ==, 1);
  g_assert_cmpuint (r.pinger[1]->parent.ref_count, ==, 1);
  g_assert_cmpuint (r.victim->parent.ref_count, ==, 1);
  g_assert_cmpuint (watcher->parent.ref_count, ==, 1);

  weft_task_unref (r.victim);
  weft_task_unref (r.pinger[0]);
  weft_task_unref (r.pinger[1]);
  weft_future_unref (r.box[0]);
  weft_future_unref (r.box[1]);
  weft_future_unref (r.never);
  test_loop_finish (loop);
  run = NULL;
  return g_string_free (r.log, FALSE);
}

/* Debug mode times every callback on the loop's stack: no hand-off. The
 * same run without it hands off, and must not differ by one line; nor while
 * an inspector records (hand-offs but in the recorded iterations). */
static void
test_same_order (void)
{
  guint64 handoffs_plain = 0, handoffs_debug = 0, handoffs_recording = 0, handoffs_observed = 0;
  g_autofree char *plain = run_scenario (PLAIN, &handoffs_plain);
  g_autofree char *debug = run_scenario (DEBUG, &handoffs_debug);
  g_autofree char *recording = run_scenario (RECORDING, &handoffs_recording);
  g_autofree char *observed = run_scenario (OBSERVED, &handoffs_observed);

  g_test_message ("%" G_GUINT64_FORMAT " hand-offs (%" G_GUINT64_FORMAT " in debug mode, %" G_GUINT64_FORMAT
                  " recording, %" G_GUINT64_FORMAT " observed)", handoffs_plain, handoffs_debug, handoffs_recording,
                  handoffs_observed);
#ifdef WEFT_TASK_HANDOFF
  g_assert_cmpuint (handoffs_plain, >=, ROUNDS / 2);
  g_assert_cmpuint (handoffs_recording, >=, ROUNDS / 4);
  g_assert_cmpuint (handoffs_observed, >=, ROUNDS / 4);   /* (how many depends on the budget's clock) */
#endif
  g_assert_cmpuint (handoffs_debug, ==, 0);
  g_assert_nonnull (strstr (plain, "victim cancelled"));
  g_assert_nonnull (strstr (plain, "timer 17"));
  g_assert_nonnull (strstr (plain, "nested ends 13"));
  g_assert_nonnull (strstr (plain, "pong awaited"));
  g_assert_nonnull (strstr (plain, "child awaited 22"));
  g_assert_nonnull (strstr (plain, "child cancelled 8"));
  g_assert_cmpstr (plain, ==, debug);
  g_assert_cmpstr (recording, ==, debug);
  g_assert_cmpstr (observed, ==, debug);
}

/* ---------------------------------------------------- the loop still yields */

static WeftFuture *turn[2];
static gboolean    glib_ran;
static guint64     exchanges;

static gpointer
endless_pinger (gpointer data, GError **error)
{
  int me = GPOINTER_TO_INT (data), other = 1 - me;

  /* Bounded, so that a loop that never yields fails instead of hanging. */
  while (!glib_ran && exchanges < 50 * 1000 * 1000)
    {
      if (weft_await (turn[me], error) == NULL && *error != NULL)
        return NULL;
      weft_future_unref (turn[me]);
      turn[me] = weft_loop_create_future (weft_future_get_loop (turn[other]));
      exchanges++;
      weft_future_set_result (turn[other], NULL, NULL);
    }
  if (!weft_future_is_done (turn[other]))
    weft_future_set_result (turn[other], NULL, NULL);   /* the other one stops too */
  return NULL;
}

static gboolean
glib_source (gpointer data)
{
  glib_ran = TRUE;
  return G_SOURCE_REMOVE;
}

/* Two tasks that hand off to each other for ever: the dispatch still ends
 * within the loop's budget, so GLib's other sources (GTK's input and frames)
 * get their turn: a timeout of the same priority fires. */
static void
test_budget_kept (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) a = NULL, b = NULL;
  g_autoptr(GSource) timeout = g_timeout_source_new (20);
  gint64 start = g_get_monotonic_time ();

  glib_ran = FALSE;
  exchanges = 0;
  turn[0] = weft_loop_create_future (loop);
  turn[1] = weft_loop_create_future (loop);
  weft_future_set_result (turn[0], NULL, NULL);
  g_source_set_callback (timeout, glib_source, NULL, NULL);
  g_source_attach (timeout, weft_loop_get_context (loop));
  a = weft_loop_create_task (loop, endless_pinger, GINT_TO_POINTER (0), NULL);
  b = weft_loop_create_task (loop, endless_pinger, GINT_TO_POINTER (1), NULL);
  while (!weft_future_is_done (WEFT_FUTURE (a)) || !weft_future_is_done (WEFT_FUTURE (b)))
    g_main_context_iteration (weft_loop_get_context (loop), TRUE);
  g_test_message ("the timeout fired after %" G_GUINT64_FORMAT " exchanges, %.1f ms, %" G_GUINT64_FORMAT
                  " hand-offs", exchanges, (g_get_monotonic_time () - start) / 1e3, loop->handoffs);
  g_assert_true (glib_ran);
#ifdef WEFT_TASK_HANDOFF
  g_assert_cmpuint (loop->handoffs, >, exchanges / 2);
#endif
  weft_future_unref (turn[0]);
  weft_future_unref (turn[1]);
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  step_watcher_id = _weft_observer_register (&step_watcher);
  g_test_add_func ("/Weft/Handoff/same-order", test_same_order);
  g_test_add_func ("/Weft/Handoff/budget-kept", test_budget_kept);
  return g_test_run ();
}
