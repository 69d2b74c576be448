/* weft-task-group.c: WeftTaskGroup, asyncio.TaskGroup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Structured concurrency: a group's tasks all finish before
 * weft_task_group_wait() returns. The first task that fails cancels the
 * others, and the parent task too if it is still in the group's body, so that
 * it reaches weft_task_group_wait() promptly; the errors are collected.
 */
#include "config.h"

#include "weft-error.h"
#include "weft-task-private.h"

/**
 * WeftTaskGroup:
 *
 * asyncio.TaskGroup: structured concurrency inside a task. Every task created
 * in the group has finished when weft_task_group_wait() returns; the first
 * failure cancels the others and the errors are collected.
 */
G_DEFINE_BOXED_TYPE (WeftTaskGroup, weft_task_group, weft_task_group_ref, weft_task_group_unref)

struct _WeftTaskGroup
{
  guint       ref_count;      /* the user's and the children's */
  guint       user_refs;      /* weft_task_group_ref()/unref() */
  WeftLoop   *loop;
  WeftTask   *parent;
  GPtrArray  *tasks;          /* WeftTask, all created in the group */
  GPtrArray  *errors;         /* GError */
  guint       n_pending;
  WeftFuture *all_done;       /* set while wait() waits */
  gboolean    aborting;
  gboolean    waiting;
  gboolean    finished;
  gboolean    parent_cancel_requested;
};

static WeftTaskGroup *
group_ref (WeftTaskGroup *group)
{
  group->ref_count++;
  return group;
}

static void
group_unref (WeftTaskGroup *group)
{
  if (--group->ref_count > 0)
    return;
  g_ptr_array_unref (group->tasks);
  g_ptr_array_unref (group->errors);
  weft_task_unref (group->parent);
  g_free (group);
}

/**
 * weft_task_group_new:
 *
 * Opens a task group in the current task.
 *
 * Returns: (transfer full): the group, or %NULL outside a task
 */
WeftTaskGroup *
weft_task_group_new (void)
{
  WeftTask *parent = weft_current_task ();
  WeftTaskGroup *group;

  if (parent == NULL)
    {
      g_critical ("Weft: weft_task_group_new() called outside a task");
      return NULL;
    }

  group = g_new0 (WeftTaskGroup, 1);
  group->ref_count = 1;
  group->user_refs = 1;
  group->loop = parent->parent.loop;
  group->parent = weft_task_ref (parent);
  group->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_task_unref);
  group->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  return group;
}

static void
abort_children (WeftTaskGroup *group)
{
  group->aborting = TRUE;
  for (guint i = 0; i < group->tasks->len; i++)
    weft_task_cancel (g_ptr_array_index (group->tasks, i), NULL);
}

static void
child_done (WeftFuture *future,
            gpointer    user_data)
{
  WeftTaskGroup *group = user_data;

  group->n_pending--;
  if (future->state == WEFT_FUTURE_ERROR)
    {
      future->error_retrieved = TRUE;
      g_ptr_array_add (group->errors, g_error_copy (future->error));
      if (!group->aborting)
        {
          abort_children (group);
          if (!group->waiting && !group->finished)
            {
              group->parent_cancel_requested = TRUE;
              weft_task_cancel (group->parent, NULL);
            }
        }
    }
  if (group->n_pending == 0 && group->all_done != NULL)
    weft_future_set_result (group->all_done, NULL, NULL);
}

/**
 * weft_task_group_create_task_full: (rename-to weft_task_group_create_task)
 * @group: a #WeftTaskGroup that is not finished
 * @func: (scope notified) (closure data) (destroy data_destroy): the task's body
 * @data: data for @func
 * @data_destroy: (nullable): frees @data once the task is done
 * @name: (nullable): the task's name; the weft_task_group_create_task() macro
 *   passes the function's name
 * @where: (nullable): a static string, file:line of the call
 *
 * Creates a task in the group, named @name and created at @where (as
 * weft_loop_create_task_full()). Once a task of the group failed, the group
 * is shutting down and refuses new tasks, as asyncio's TaskGroup raises
 * RuntimeError: a critical, @data_destroy runs on @data, and %NULL is returned.
 *
 * Returns: (transfer none) (nullable): the task, owned by the group; %NULL if
 *   the group is shutting down
 */
WeftTask *
weft_task_group_create_task_full (WeftTaskGroup  *group,
                                  WeftTaskFunc    func,
                                  gpointer        data,
                                  GDestroyNotify  data_destroy,
                                  const char     *name,
                                  const char     *where)
{
  WeftTask *task;

  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (!group->finished, NULL);
  if (group->aborting)
    {
      g_critical ("Weft: cannot create a task in a task group that is shutting down (a task in it failed)");
      if (data_destroy != NULL)
        data_destroy (data);
      return NULL;
    }

  task = weft_loop_create_task_full (group->loop, func, data, data_destroy, name, where);
  if (task == NULL)
    return NULL;
  g_ptr_array_add (group->tasks, task);
  group->n_pending++;
  weft_future_add_done_callback (WEFT_FUTURE (task), child_done, group_ref (group), (GDestroyNotify) group_unref);
  return task;
}

/**
 * weft_task_group_create_task:
 * @group: a #WeftTaskGroup that is not finished
 * @func: (scope notified) (closure data) (destroy data_destroy): the task's body
 * @data: data for @func
 * @data_destroy: (nullable): frees @data once the task is done
 *
 * Creates a task in the group. In C this is a macro that names the task
 * after @func and records where it was created (see
 * weft_task_group_create_task_full()).
 *
 * Returns: (transfer none) (nullable): the task, owned by the group; %NULL if
 *   the group is shutting down
 */
WeftTask *
(weft_task_group_create_task) (WeftTaskGroup  *group,
                               WeftTaskFunc    func,
                               gpointer        data,
                               GDestroyNotify  data_destroy)
{
  return weft_task_group_create_task_full (group, func, data, data_destroy, NULL, NULL);
}

/**
 * weft_task_group_wait:
 * @group: a #WeftTaskGroup
 * @error: return location for a #GError
 *
 * Waits (inside the parent task) until every task of the group is done. If the
 * parent is cancelled meanwhile, the group's tasks are cancelled, waited for,
 * and the cancellation is returned.
 *
 * Returns: %TRUE if no task failed; else %FALSE with the error of the task that
 *   failed, or %WEFT_ERROR_FAILED naming every error if several did (all are in
 *   weft_task_group_get_errors())
 */
gboolean
weft_task_group_wait (WeftTaskGroup  *group,
                      GError        **error)
{
  gboolean cancelled = FALSE;

  g_return_val_if_fail (group != NULL, FALSE);
  g_return_val_if_fail (!group->finished, FALSE);
  g_return_val_if_fail (weft_current_task () == group->parent, FALSE);

  group->waiting = TRUE;
  while (group->n_pending > 0)
    {
      g_autoptr(GError) local_error = NULL;

      group->all_done = weft_loop_create_future (group->loop);
      weft_await_at (group->all_done, &local_error, NULL);
      g_clear_pointer (&group->all_done, weft_future_unref);
      if (g_error_matches (local_error, WEFT_ERROR, WEFT_ERROR_CANCELLED))
        {
          if (!group->parent_cancel_requested)
            cancelled = TRUE;
          if (!group->aborting)
            abort_children (group);
        }
      else if (local_error != NULL)
        {
          /* The loop is closing: give up waiting. */
          g_propagate_error (error, g_steal_pointer (&local_error));
          group->finished = TRUE;
          return FALSE;
        }
    }
  group->finished = TRUE;
  if (group->parent_cancel_requested)
    weft_task_uncancel (group->parent);

  if (group->errors->len == 1)
    {
      g_propagate_error (error, g_error_copy (g_ptr_array_index (group->errors, 0)));
      return FALSE;
    }
  if (group->errors->len > 1)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      g_string_printf (text, "%u tasks failed:", group->errors->len);
      for (guint i = 0; i < group->errors->len; i++)
        g_string_append_printf (text, "%s %s", i ? ";" : "", ((GError *) g_ptr_array_index (group->errors, i))->message);
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_FAILED, text->str);
      return FALSE;
    }
  if (cancelled)
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_CANCELLED, "Cancelled");
      return FALSE;
    }
  return TRUE;
}

/**
 * weft_task_group_get_errors:
 * @group: a #WeftTaskGroup
 *
 * Gets the errors of the group's tasks that failed, in the order they failed.
 *
 * Returns: (transfer none) (element-type GError): the errors of the tasks that
 *   failed, in the order they failed
 */
GPtrArray *
weft_task_group_get_errors (WeftTaskGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);

  return group->errors;
}

/**
 * weft_task_group_ref:
 * @group: a #WeftTaskGroup
 *
 * Takes a reference on the group.
 *
 * Returns: (transfer full): @group
 */
WeftTaskGroup *
weft_task_group_ref (WeftTaskGroup *group)
{
  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (group->user_refs > 0, NULL);

  group->user_refs++;
  return group_ref (group);
}

/**
 * weft_task_group_unref:
 * @group: (transfer full): a #WeftTaskGroup
 *
 * Drops a reference. With the last one, tasks still running (the group was
 * not waited for) are cancelled and the group is freed once they are done.
 */
void
weft_task_group_unref (WeftTaskGroup *group)
{
  g_return_if_fail (group != NULL);
  g_return_if_fail (group->user_refs > 0);

  if (--group->user_refs == 0)
    {
      if (group->n_pending > 0)
        abort_children (group);
      group->finished = TRUE;
    }
  group_unref (group);
}

/**
 * weft_task_group_free:
 * @group: (transfer full): a #WeftTaskGroup
 *
 * The same as weft_task_group_unref(), named for the common case of one owner.
 */
void
weft_task_group_free (WeftTaskGroup *group)
{
  weft_task_group_unref (group);
}
