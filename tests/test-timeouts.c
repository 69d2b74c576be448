/* test-timeouts.c: weft_wait_for and timeout scopes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-test-common.h"

static gboolean inner_finished_cleanup;

/* Takes its time to honour a cancellation. */
static gpointer
slow_to_cancel (gpointer data, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (weft_sleep (10, &local))
    return (gpointer) "slept";
  g_assert_true (weft_sleep (0.02, NULL) || TRUE);
  inner_finished_cleanup = TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

static gpointer
quick (gpointer data, GError **error)
{
  weft_sleep (0.001, error);
  return (gpointer) "quick";
}

static void
test_wait_for_result (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, quick, NULL, NULL);
  g_autoptr(WeftFuture) waited = weft_wait_for (WEFT_FUTURE (task), 1.0);

  g_assert_cmpstr (test_run (loop, waited), ==, "quick");
  test_loop_finish (loop);
}

/* On timeout the inner task is cancelled, and the timeout is reported only
 * once the inner task has finished cancelling. */
static void
test_wait_for_waits_for_cancellation (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, slow_to_cancel, NULL, NULL);
  g_autoptr(WeftFuture) waited = weft_wait_for (WEFT_FUTURE (task), 0.005);
  g_autoptr(GError) error = NULL;

  g_assert_false (weft_loop_run_until_complete (loop, waited, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_TIMEOUT);
  g_assert_true (inner_finished_cleanup);
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (task)));
  test_loop_finish (loop);
}

static int started;

static gpointer
counts_start (gpointer data, GError **error)
{
  started++;
  return NULL;
}

static void
test_wait_for_zero_never_starts (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, counts_start, NULL, NULL);
  g_autoptr(WeftFuture) waited = weft_wait_for (WEFT_FUTURE (task), 0);
  g_autoptr(GError) error = NULL;

  g_assert_false (weft_loop_run_until_complete (loop, waited, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_TIMEOUT);
  g_assert_cmpint (started, ==, 0);
  test_loop_finish (loop);
}

static gpointer
nested_scopes (gpointer data, GError **error)
{
  WeftTimeout *outer = weft_timeout_enter (0.005);
  WeftTimeout *inner = weft_timeout_enter (0.005);
  g_autoptr(GError) local = NULL;

  g_assert_false (weft_sleep (10, &local));
  g_assert_error (local, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  /* Both expired: the inner scope lets the cancellation through... */
  g_assert_false (weft_timeout_leave (inner, &local));
  g_assert_error (local, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_true (weft_timeout_expired (outer));
  /* ...and only the outermost reports the timeout. */
  g_assert_false (weft_timeout_leave (outer, &local));
  g_assert_error (local, WEFT_ERROR, WEFT_ERROR_TIMEOUT);
  g_assert_cmpuint (weft_task_cancelling (weft_current_task ()), ==, 0);

  /* A scope that does not expire changes nothing. */
  outer = weft_timeout_enter (10);
  g_assert_true (weft_sleep (0.001, NULL));
  g_assert_true (weft_timeout_leave (outer, NULL));
  return (gpointer) "done";
}

static void
test_nested_timeouts (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, nested_scopes, NULL, NULL);

  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "done");
  test_loop_finish (loop);
}

static gboolean abandoned_scope_fired;

static gpointer
scope_lifetimes (gpointer data, GError **error)
{
  g_autoptr(GError) local = NULL;
  WeftTimeout *expired = weft_timeout_enter (0.001);
  WeftTimeout *left = weft_timeout_enter (10);
  g_autoptr(WeftTimeout) kept_expired = weft_timeout_ref (expired);
  g_autoptr(WeftTimeout) kept_left = weft_timeout_ref (left);

  /* A reference keeps a scope readable after weft_timeout_leave(). */
  g_assert_true (weft_timeout_leave (left, NULL));
  g_assert_false (weft_sleep (10, &local));
  g_assert_false (weft_timeout_leave (expired, &local));
  g_assert_error (local, WEFT_ERROR, WEFT_ERROR_TIMEOUT);
  g_assert_true (weft_timeout_expired (kept_expired));
  g_assert_false (weft_timeout_expired (kept_left));
  g_clear_error (&local);

  /* A scope dropped without leave() (g_autoptr on an early return) is
   * disarmed: it never cancels the task afterwards. */
  {
    g_autoptr(WeftTimeout) abandoned = weft_timeout_enter (0.002);

    g_assert_false (weft_timeout_expired (abandoned));
  }
  abandoned_scope_fired = !weft_sleep (0.02, NULL);
  return (gpointer) "done";
}

static void
test_scope_lifetimes (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, scope_lifetimes, NULL, NULL);

  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "done");
  g_assert_false (abandoned_scope_fired);
  g_assert_true (G_TYPE_IS_BOXED (WEFT_TYPE_TIMEOUT));
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Timeouts/scope-lifetimes", test_scope_lifetimes);
  g_test_add_func ("/Weft/Timeouts/wait-for-result", test_wait_for_result);
  g_test_add_func ("/Weft/Timeouts/wait-for-waits-for-cancellation", test_wait_for_waits_for_cancellation);
  g_test_add_func ("/Weft/Timeouts/wait-for-zero-never-starts", test_wait_for_zero_never_starts);
  g_test_add_func ("/Weft/Timeouts/nested", test_nested_timeouts);

  return g_test_run ();
}
