/* test-shield.c: weft_shield
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-test-common.h"

static gpointer
important (gpointer data, GError **error)
{
  /* Far beyond the 2 ms cancel, even on a loaded machine under valgrind. */
  if (!weft_sleep (0.2, error))
    return NULL;
  return (gpointer) "saved";
}

static gpointer
awaits_shielded (gpointer data, GError **error)
{
  g_autoptr(WeftFuture) shield = weft_shield (data);

  return weft_await (shield, error);
}

static void
cancel_task (gpointer task)
{
  weft_task_cancel (task, NULL);
}

/* Cancelling the task that awaits a shield cancels the shield, not the inner
 * task, which is kept alive and finishes. */
static void
test_shield_keeps_inner (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftTask *inner = weft_loop_create_task (loop, important, NULL, NULL);
  g_autoptr(WeftTask) outer = weft_loop_create_task (loop, awaits_shielded, inner, NULL);
  g_autoptr(GError) error = NULL;

  weft_loop_call_later (loop, 0.002, cancel_task, outer, NULL);
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (outer), &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_false (weft_future_is_done (WEFT_FUTURE (inner)));
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (inner)), ==, "saved");
  weft_task_unref (inner);
  test_loop_finish (loop);
}

static void
test_shield_result (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) inner = weft_loop_create_task (loop, important, NULL, NULL);
  g_autoptr(WeftFuture) shield = weft_shield (WEFT_FUTURE (inner));

  g_assert_cmpstr (test_run (loop, shield), ==, "saved");
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Shield/keeps-inner", test_shield_keeps_inner);
  g_test_add_func ("/Weft/Shield/result", test_shield_result);

  return g_test_run ();
}
