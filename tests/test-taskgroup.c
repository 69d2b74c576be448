/* test-taskgroup.c: WeftTaskGroup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "weft-test-common.h"

typedef struct
{
  double delay;
  gboolean fail;
  gboolean finished;
  gboolean cancelled;
} Job;

static gpointer
job (gpointer data, GError **error)
{
  Job *j = data;

  if (!weft_sleep (j->delay, error))
    {
      j->cancelled = TRUE;
      return NULL;
    }
  j->finished = TRUE;
  if (j->fail)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "job after %g failed", j->delay);
  return NULL;
}

static gpointer
run_group (gpointer data, GError **error)
{
  Job *jobs = data;
  g_autoptr(WeftTaskGroup) group = weft_task_group_new ();

  for (int i = 0; i < 3; i++)
    weft_task_group_create_task (group, job, &jobs[i], NULL);
  if (!weft_task_group_wait (group, error))
    return NULL;
  return (gpointer) "all done";
}

static void
test_waits_for_all (void)
{
  WeftLoop *loop = test_loop_new ();
  Job jobs[3] = { { 0.003 }, { 0.001 }, { 0.002 } };
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, run_group, jobs, NULL);

  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "all done");
  for (int i = 0; i < 3; i++)
    g_assert_true (jobs[i].finished);
  test_loop_finish (loop);
}

static void
test_first_failure_cancels_rest (void)
{
  WeftLoop *loop = test_loop_new ();
  Job jobs[3] = { { 10 }, { 0.001, TRUE }, { 10 } };
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, run_group, jobs, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (jobs[0].cancelled);
  g_assert_true (jobs[2].cancelled);
  g_assert_false (weft_future_is_cancelled (WEFT_FUTURE (task)));
  test_loop_finish (loop);
}

static void
test_errors_collected (void)
{
  WeftLoop *loop = test_loop_new ();
  /* Both failures happen in the same iteration (sleep(0)), before either
   * one's done callback can cancel the other: deterministic. */
  Job jobs[3] = { { 0, TRUE }, { 0, TRUE }, { 0 } };
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, run_group, jobs, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "2 tasks failed:"));
  test_loop_finish (loop);
}

static gpointer
shared_group (gpointer data, GError **error)
{
  Job *jobs = data;
  WeftTaskGroup *group = weft_task_group_new ();
  WeftTaskGroup *other_owner = weft_task_group_ref (group);

  WeftTask *first = weft_task_group_create_task (group, job, &jobs[0], NULL);

  weft_task_group_create_task (group, job, &jobs[1], NULL);
  /* One owner letting go cancels nothing... */
  weft_task_group_unref (group);
  g_assert_null (weft_await (WEFT_FUTURE (first), NULL));
  g_assert_true (jobs[0].finished);
  g_assert_false (jobs[1].cancelled);
  /* ...the last one cancels the tasks still running. */
  weft_task_group_unref (other_owner);
  g_assert_true (weft_sleep (0.001, NULL));
  g_assert_true (jobs[1].cancelled);
  g_assert_false (jobs[1].finished);
  return (gpointer) "done";
}

static void
test_shared_ownership (void)
{
  WeftLoop *loop = test_loop_new ();
  Job jobs[2] = { { 0.001 }, { 10 } };
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, shared_group, jobs, NULL);

  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "done");
  test_loop_finish (loop);
}

static void
mark_destroyed (gpointer data)
{
  ((Job *) data)->cancelled = TRUE;
}

/* Once a task failed, the group refuses new ones (asyncio's RuntimeError):
 * a critical, no task, and the data handed over is freed. */
static gpointer
create_after_abort (gpointer data, GError **error)
{
  Job *jobs = data;
  g_autoptr(WeftTaskGroup) group = weft_task_group_new ();
  g_autoptr(GError) local = NULL;
  WeftTask *late;
  GPtrArray *errors;

  weft_task_group_create_task (group, job, &jobs[0], NULL);
  /* The failure cancels this body's sleep. */
  g_assert_false (weft_sleep (10, &local));
  g_assert_error (local, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  weft_task_uncancel (weft_current_task ());
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*task group that is shutting down*");
  late = weft_task_group_create_task (group, job, &jobs[1], mark_destroyed);
  g_test_assert_expected_messages ();
  g_assert_null (late);
  g_assert_true (jobs[1].cancelled);   /* its data was given back */
  g_assert_false (weft_task_group_wait (group, error));
  errors = weft_task_group_get_errors (group);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), G_IO_ERROR, G_IO_ERROR_FAILED);
  return NULL;
}

static void
test_create_after_abort (void)
{
  WeftLoop *loop = test_loop_new ();
  Job jobs[2] = { { 0.001, TRUE }, { 0.001 } };
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, create_after_abort, jobs, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_false (jobs[1].finished);
  test_loop_finish (loop);
}

static gpointer
group_with_location (gpointer data, GError **error)
{
  g_autoptr(WeftTaskGroup) group = weft_task_group_new ();
  WeftTask *child = weft_task_group_create_task (group, job, data, NULL);

  /* Like weft_loop_create_task(): named after its function, created here. */
  g_assert_cmpstr (weft_task_get_name (child), ==, "job");
  g_assert_nonnull (strstr (weft_task_get_created_at (child), "test-taskgroup.c:"));
  if (!weft_task_group_wait (group, error))
    return NULL;
  return (gpointer) "located";
}

static void
test_child_location (void)
{
  WeftLoop *loop = test_loop_new ();
  Job j = { 0.001 };
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, group_with_location, &j, NULL);

  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "located");
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/TaskGroup/shared-ownership", test_shared_ownership);
  g_test_add_func ("/Weft/TaskGroup/waits-for-all", test_waits_for_all);
  g_test_add_func ("/Weft/TaskGroup/first-failure-cancels-rest", test_first_failure_cancels_rest);
  g_test_add_func ("/Weft/TaskGroup/errors-collected", test_errors_collected);
  g_test_add_func ("/Weft/TaskGroup/create-after-abort", test_create_after_abort);
  g_test_add_func ("/Weft/TaskGroup/child-location", test_child_location);

  return g_test_run ();
}
