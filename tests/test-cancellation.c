/* test-cancellation.c: cancelling tasks (asyncio's test_tasks cancellation cases)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-test-common.h"

/* Catches the cancellation and goes on. */
static gpointer
ignores_cancel (gpointer data, GError **error)
{
  g_autoptr(GError) local = NULL;

  g_assert_false (weft_sleep (10, &local));
  g_assert_error (local, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_cmpstr (local->message, ==, "please");
  g_assert_cmpuint (weft_task_cancelling (weft_current_task ()), ==, 1);
  g_assert_cmpuint (weft_task_uncancel (weft_current_task ()), ==, 0);
  if (!weft_sleep (0.001, error))
    return NULL;
  return (gpointer) "carried on";
}

static void
cancel_task (gpointer task)
{
  g_assert_true (weft_task_cancel (task, "please"));
}

static void
test_caught_and_ignored (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, ignores_cancel, NULL, NULL);

  weft_loop_call_later (loop, 0.005, cancel_task, task, NULL);
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "carried on");
  g_assert_false (weft_future_is_cancelled (WEFT_FUTURE (task)));
  g_assert_false (weft_task_cancel (task, NULL));   /* done: FALSE */
  test_loop_finish (loop);
}

static int steps_after_self_cancel;

static gpointer
cancels_itself (gpointer data, GError **error)
{
  g_assert_true (weft_task_cancel (weft_current_task (), NULL));
  steps_after_self_cancel++;               /* still running until the next await */
  weft_sleep (0, error);
  steps_after_self_cancel++;
  return NULL;
}

static void
test_self_cancel (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, cancels_itself, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (task)));
  g_assert_cmpint (steps_after_self_cancel, ==, 2);
  test_loop_finish (loop);
}

static gpointer
awaits_inner (gpointer data, GError **error)
{
  return weft_await (data, error);
}

/* Cancelling a task cancels the future it awaits. */
static void
test_reaches_inner (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftFuture) inner = weft_loop_create_future (loop);
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, awaits_inner, inner, NULL);
  g_autoptr(GError) error = NULL;

  weft_loop_call_later (loop, 0.002, cancel_task, task, NULL);
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_true (weft_future_is_cancelled (inner));
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (task)));
  test_loop_finish (loop);
}

static int never_ran;

static gpointer
must_not_run (gpointer data, GError **error)
{
  never_ran++;
  return NULL;
}

static void
test_cancel_before_start (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, must_not_run, NULL, NULL);

  g_assert_true (weft_task_cancel (task, NULL));
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), NULL));
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (task)));
  g_assert_cmpint (never_ran, ==, 0);
  test_loop_finish (loop);
}

static gpointer
counts_cancels (gpointer data, GError **error)
{
  g_autoptr(GError) local = NULL;
  WeftTask *self = weft_current_task ();

  weft_task_cancel (self, NULL);
  weft_task_cancel (self, NULL);
  g_assert_cmpuint (weft_task_cancelling (self), ==, 2);
  g_assert_false (weft_sleep (0, &local));
  g_assert_cmpuint (weft_task_uncancel (self), ==, 1);
  g_assert_cmpuint (weft_task_uncancel (self), ==, 0);
  /* Fully uncancelled: the next await is not cancelled. */
  g_assert_true (weft_sleep (0, error));
  return (gpointer) "ok";
}

static void
test_cancelling_counts (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, counts_cancels, NULL, NULL);

  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "ok");
  test_loop_finish (loop);
}

static WeftTask *cycle_head;

static gpointer
cycle_tail (gpointer data, GError **error)
{
  return weft_await (WEFT_FUTURE (cycle_head), error);
}

static gpointer
cycle_first (gpointer data, GError **error)
{
  g_autoptr(WeftTask) tail = weft_loop_create_task (weft_get_running_loop (), cycle_tail, NULL, NULL);

  *(WeftTask **) data = weft_task_ref (tail);
  return weft_await (WEFT_FUTURE (tail), error);
}

/* Two tasks awaiting each other: cancelling one must not recurse forever
 * through the cycle; both end cancelled. */
static void
test_cancel_await_cycle (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) tail = NULL;
  g_autoptr(GError) error = NULL;

  cycle_head = weft_loop_create_task (loop, cycle_first, &tail, NULL);
  weft_loop_step_iteration (loop);
  weft_loop_step_iteration (loop);
  g_assert_nonnull (tail);
  g_assert_true (weft_task_cancel (cycle_head, "break it"));
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (tail), &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (cycle_head)));
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (tail)));
  g_clear_pointer (&cycle_head, weft_task_unref);
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Cancellation/caught-and-ignored", test_caught_and_ignored);
  g_test_add_func ("/Weft/Cancellation/self-cancel", test_self_cancel);
  g_test_add_func ("/Weft/Cancellation/reaches-inner", test_reaches_inner);
  g_test_add_func ("/Weft/Cancellation/before-start", test_cancel_before_start);
  g_test_add_func ("/Weft/Cancellation/counts", test_cancelling_counts);
  g_test_add_func ("/Weft/Cancellation/await-cycle", test_cancel_await_cycle);

  return g_test_run ();
}
