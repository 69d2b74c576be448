/* test-gather.c: weft_gather / weft_gatherv
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-test-common.h"

typedef struct
{
  double      delay;
  const char *result;   /* NULL: fail */
} Step;

static gpointer
after_delay (gpointer data, GError **error)
{
  Step *step = data;

  if (!weft_sleep (step->delay, error))
    return NULL;
  if (step->result == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failed after %g", step->delay);
  return (gpointer) step->result;
}

static void
test_results_in_order (void)
{
  WeftLoop *loop = test_loop_new ();
  Step s[3] = { { 0.003, "a" }, { 0.001, "b" }, { 0.002, "c" } };
  g_autoptr(WeftTask) t0 = weft_loop_create_task (loop, after_delay, &s[0], NULL);
  g_autoptr(WeftTask) t1 = weft_loop_create_task (loop, after_delay, &s[1], NULL);
  g_autoptr(WeftTask) t2 = weft_loop_create_task (loop, after_delay, &s[2], NULL);
  g_autoptr(WeftFuture) all = weft_gather (WEFT_FUTURE (t0), WEFT_FUTURE (t1), WEFT_FUTURE (t2), NULL);
  GPtrArray *results = test_run (loop, all);

  g_assert_cmpuint (results->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (results, 0), ==, "a");
  g_assert_cmpstr (g_ptr_array_index (results, 1), ==, "b");
  g_assert_cmpstr (g_ptr_array_index (results, 2), ==, "c");
  g_assert_true (weft_gather_get_child (all, 1) == WEFT_FUTURE (t1));
  test_loop_finish (loop);
}

static void
test_first_error_wins (void)
{
  WeftLoop *loop = test_loop_new ();
  TestExceptions ex;
  Step s[3] = { { 0.004, NULL }, { 0.001, NULL }, { 0.002, "c" } };
  g_autoptr(WeftTask) t0 = weft_loop_create_task (loop, after_delay, &s[0], NULL);
  g_autoptr(WeftTask) t1 = weft_loop_create_task (loop, after_delay, &s[1], NULL);
  g_autoptr(WeftTask) t2 = weft_loop_create_task (loop, after_delay, &s[2], NULL);
  g_autoptr(WeftFuture) all = weft_gather (WEFT_FUTURE (t0), WEFT_FUTURE (t1), WEFT_FUTURE (t2), NULL);
  g_autoptr(GError) error = NULL;

  test_exceptions_init (&ex, loop);
  g_assert_false (weft_loop_run_until_complete (loop, all, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "failed after 0.001");
  /* The other children keep running; the later error is not reported. */
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (t0), NULL));
  g_assert_cmpuint (ex.messages->len, ==, 0);
  test_exceptions_clear (&ex);
  test_loop_finish (loop);
}

static void
test_return_exceptions (void)
{
  WeftLoop *loop = test_loop_new ();
  Step s[3] = { { 0.002, "a" }, { 0.001, NULL }, { 0.003, "c" } };
  WeftFuture *futures[3];
  g_autoptr(WeftFuture) all = NULL;
  GPtrArray *results;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 3; i++)
    futures[i] = WEFT_FUTURE (weft_loop_create_task (loop, after_delay, &s[i], NULL));
  all = weft_gatherv (futures, 3, TRUE);
  for (int i = 0; i < 3; i++)
    weft_future_unref (futures[i]);
  results = test_run (loop, all);
  g_assert_cmpstr (g_ptr_array_index (results, 0), ==, "a");
  g_assert_null (g_ptr_array_index (results, 1));
  g_assert_cmpstr (g_ptr_array_index (results, 2), ==, "c");
  g_assert_false (weft_future_propagate (weft_gather_get_child (all, 1), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  test_loop_finish (loop);
}

static void
cancel_future (gpointer future)
{
  g_assert_true (weft_future_cancel (future, "all of you"));
}

static void
cancel_task (gpointer task)
{
  g_assert_true (weft_task_cancel (task, NULL));
}

/* Cancelling the gather cancels every child; as in asyncio, the gather fails
 * with a cancellation error but is not itself in the cancelled state. */
static void
test_broadcast_cancel (void)
{
  WeftLoop *loop = test_loop_new ();
  Step s[2] = { { 10, "a" }, { 10, "b" } };
  g_autoptr(WeftTask) t0 = weft_loop_create_task (loop, after_delay, &s[0], NULL);
  g_autoptr(WeftTask) t1 = weft_loop_create_task (loop, after_delay, &s[1], NULL);
  g_autoptr(WeftFuture) all = weft_gather (WEFT_FUTURE (t0), WEFT_FUTURE (t1), NULL);
  g_autoptr(GError) error = NULL;

  weft_loop_call_later (loop, 0.002, cancel_future, all, NULL);
  g_assert_false (weft_loop_run_until_complete (loop, all, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "all of you");
  g_assert_false (weft_future_is_cancelled (all));
  test_run_until_idle (loop);
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (t0)));
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (t1)));
  test_loop_finish (loop);
}

/* A child that shrugs off its cancellation and runs on for 500 ms. */
static gpointer
stubborn (gpointer data, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (weft_sleep (10, &local))
    return NULL;
  weft_task_uncancel (weft_current_task ());
  weft_sleep (0.5, error);
  return g_strdup ("done anyway");
}

static gpointer
await_gather (gpointer data, GError **error)
{
  return weft_await (data, error);
}

/* asyncio: a task awaiting a gather sees CancelledError as soon as the first
 * child is cancelled, not once the slowest child is done. */
static void
test_cancel_awaiting_task (void)
{
  WeftLoop *loop = test_loop_new ();
  Step s = { 10, "a" };
  g_autoptr(WeftTask) quick = weft_loop_create_task (loop, after_delay, &s, NULL);
  g_autoptr(WeftTask) slow = weft_loop_create_task (loop, stubborn, NULL, NULL);
  g_autoptr(WeftFuture) all = weft_gather (WEFT_FUTURE (slow), WEFT_FUTURE (quick), NULL);
  g_autoptr(WeftTask) waiter = weft_loop_create_task (loop, await_gather, all, NULL);
  g_autoptr(GError) error = NULL;
  double start;

  weft_task_set_result_destroy (slow, g_free);
  weft_loop_call_later (loop, 0.002, (WeftCallback) cancel_task, waiter, NULL);
  start = weft_loop_time (loop);
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (waiter), &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_cmpfloat (weft_loop_time (loop) - start, <, 0.25);
  g_assert_false (weft_future_is_done (WEFT_FUTURE (slow)));
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (slow)), ==, "done anyway");
  test_loop_finish (loop);
}

/* A child cancelled on its own fails the gather with a cancellation error,
 * but the gather itself is not cancelled. */
static void
test_cancelled_child (void)
{
  WeftLoop *loop = test_loop_new ();
  Step s[2] = { { 10, "a" }, { 0.005, "b" } };
  g_autoptr(WeftTask) t0 = weft_loop_create_task (loop, after_delay, &s[0], NULL);
  g_autoptr(WeftTask) t1 = weft_loop_create_task (loop, after_delay, &s[1], NULL);
  g_autoptr(WeftFuture) all = weft_gather (WEFT_FUTURE (t0), WEFT_FUTURE (t1), NULL);
  g_autoptr(GError) error = NULL;

  weft_loop_call_later (loop, 0.001, cancel_future, t0, NULL);
  g_assert_false (weft_loop_run_until_complete (loop, all, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_false (weft_future_is_cancelled (all));
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (t1)), ==, "b");
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Gather/results-in-order", test_results_in_order);
  g_test_add_func ("/Weft/Gather/first-error-wins", test_first_error_wins);
  g_test_add_func ("/Weft/Gather/return-exceptions", test_return_exceptions);
  g_test_add_func ("/Weft/Gather/broadcast-cancel", test_broadcast_cancel);
  g_test_add_func ("/Weft/Gather/cancelled-child", test_cancelled_child);
  g_test_add_func ("/Weft/Gather/cancel-awaiting-task", test_cancel_awaiting_task);

  return g_test_run ();
}
