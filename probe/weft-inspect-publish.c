/* weft-inspect-publish.c: the loop thread's side of serving the inspector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The server thread never touches the loop (weft-inspect-server.c). The loop
 * thread hands it what it shows: a snapshot (weft_loop_snapshot()) after its
 * dispatches, within a publishing budget, with the tasks that changed since
 * the last one as a Changed signal; and it runs the commands (pause, step,
 * cancel, describe) the peers queued, at the start of its next dispatch.
 */
#include "config.h"

#include <pthread.h>

#include "weft-inspect-server-state-private.h"
#include "weft-inspector-dbus.h"
#include "weft-loop-private.h"
#include "weft-probe.h"
#include "weft-records-private.h"
#include "weft-task-private.h"

/* What a foreign row shows, hashed (its age, which always moves, left out). */
static guint
foreign_digest (GVariant *rows)
{
  GVariantIter iter;
  WeftTaskRow row;
  guint hash = 5381;

  g_variant_iter_init (&iter, rows);
  while (weft_task_row_decode (&iter, &row))
    {
      hash = hash * 33 + (guint) row.id;
      hash = hash * 33 + g_str_hash (row.name);
      hash = hash * 33 + g_str_hash (row.state);
      hash = hash * 33 + g_str_hash (row.awaits);
      hash = hash * 33 + (guint) row.runs;
      hash = hash * 33 + (guint) row.busy_ns;
    }
  return hash ? hash : 1;
}

/* Loop thread, at each publication: the tasks that changed since the last
 * one (and those that finished), streamed to the peers as a Changed signal. */
static void
publish_changes (WeftInspectServer *self,
                 gboolean           last)
{
  WeftLoop *loop = self->loop;
  g_autoptr(GPtrArray) changed = _weft_loop_list_changed_upto (loop, &self->cursor, MAX_CHANGED);
  g_autoptr(GArray) finished = weft_loop_list_finished_tasks (loop);
  guint64 finished_count = weft_loop_get_finished_count (loop);
  guint64 new_finished = finished_count - self->finished_seen;
  /* Past a few thousand changes a signal would cost more than the snapshot
   * the peers fetch on a reset. The last one, as the loop closes, is never
   * a reset (nothing is left to fetch): it carries the finished tasks kept. */
  gboolean reset = changed == NULL || (!last && (new_finished > finished->len || changed->len + new_finished > MAX_CHANGED));
  WeftRowWriter tasks;
  GVariant *changes;
  gboolean first;

  GVariant *foreign = _weft_records_foreign_rows (loop);
  guint digest = foreign != NULL ? foreign_digest (foreign) : 0;
  gboolean foreign_moved = digest != self->foreign_digest;

  self->finished_seen = finished_count;
  self->foreign_digest = digest;
  /* A loop that ran (even without a task moving: callbacks, timers) gets a
   * signal, so peers fetch the rest of its state then, and only then: an
   * idle loop sends nothing and its peers need not poll. */
  if (!reset && new_finished == 0 && changed->len == 0 && !foreign_moved && loop->iteration == self->signalled_iteration)
    return;   /* nothing moved: no signal */
  /* On reset the signal carries no task: the peers fetch the whole state
   * with GetSnapshot. */
  _weft_row_writer_init (&tasks);
  if (!reset)
    {
      double now = weft_loop_time (loop);

      for (guint i = finished->len - (guint) MIN (new_finished, finished->len); i < finished->len; i++)
        _weft_inspect_add_record (&tasks, &g_array_index (finished, WeftTaskRecord, i), now);
      for (guint i = 0; i < changed->len; i++)
        _weft_inspect_add_task (&tasks, g_ptr_array_index (changed, i));
      /* Another runtime's tasks (asyncio's) are not tracked one by one:
       * all of them go again when any moved (and none when they went away:
       * its rows function was unset). */
      for (gsize i = 0; foreign_moved && foreign != NULL && i < g_variant_n_children (foreign); i++)
        {
          g_autoptr(GVariant) row = g_variant_get_child_value (foreign, i);

          _weft_row_writer_add_value (&tasks, row);
        }
    }
  self->signalled_iteration = loop->iteration;
  changes = g_variant_ref_sink (g_variant_new ("(tb@a(tssststtd))", ++self->serial, reset, _weft_row_writer_end (&tasks)));
  pthread_mutex_lock (&self->lock);
  first = self->pending_changes == NULL;
  if (first)
    self->pending_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_ptr_array_add (self->pending_changes, changes);
  pthread_mutex_unlock (&self->lock);
  if (first)
    g_main_context_invoke (self->context, _weft_inspect_server_emit_changed, self);
}

void
_weft_inspect_server_publish (WeftLoop    *loop,
                             PublishWhen  when)
{
  WeftInspectServer *self = _weft_inspect_server_of (loop);
  gint64 now = g_get_monotonic_time () * 1000;
  gboolean wanted = g_atomic_int_get (&self->want_publish);
  gboolean at_once = when == PUBLISH_NOW || when == PUBLISH_LAST;
  GVariant *snapshot, *old;

  /* A busy loop publishes at most every PUBLISH_INTERVAL_NS (a live view
   * needs no more), and spends at most a twentieth of its time on it: after
   * a snapshot that took T to build, the next one waits at least 20 T (a
   * snapshot of 1,000 of 100,000 tasks takes ~1.5 ms: one every 30 ms; a
   * fiftieth made a peer's GetSnapshot wait 75-125 ms in the soak, over its
   * 100 ms). Also when a peer waits for one: a peer asks again at every
   * Changed signal (the remote inspector does), and a loop that published
   * whenever asked would spend all that budget publishing. A loop about to
   * sleep publishes at once for a peer that waits (GetSnapshot of a state
   * the last snapshot does not show): it has nothing else to do. */
  __atomic_store_n (&self->loop_iteration, loop->iteration, __ATOMIC_RELAXED);
  /* Nobody connected: once a second, not at every interval. Not never: a
   * peer that attaches to a loop stuck in a callback gets the last snapshot
   * (the loop cannot publish a fresh one), which must show the state from
   * just before it stuck, not from when serving began. */
  if (!at_once && !wanted && g_atomic_int_get (&self->n_peers) == 0
      && now - self->published < PUBLISH_UNWATCHED_NS)
    return;
  if (!at_once && !(when == PUBLISH_IDLE && wanted)
      && now - self->published < MAX (PUBLISH_INTERVAL_NS, 20 * self->build_ns))
    return;
  __atomic_store_n (&self->published_iteration, loop->iteration, __ATOMIC_RELAXED);
  g_atomic_int_set (&self->want_publish, 0);
  snapshot = g_variant_ref_sink (weft_loop_snapshot (loop));
  pthread_mutex_lock (&self->lock);
  old = g_steal_pointer (&self->snapshot);
  self->snapshot = snapshot;
  pthread_mutex_unlock (&self->lock);
  publish_changes (self, when == PUBLISH_LAST);
  if (g_atomic_int_get (&self->n_waiting) > 0)
    g_main_context_invoke (self->context, _weft_inspect_server_answer_waiting, self);
  /* Both count in the twentieth of the loop's time publishing may take. */
  self->published = g_get_monotonic_time () * 1000;
  self->build_ns = self->published - now;
  /* Freeing a snapshot of a thousand tasks takes a while: not under the lock
   * the server thread needs to answer. */
  g_clear_pointer (&old, g_variant_unref);
}

gboolean
_weft_inspect_server_has_commands (WeftLoop *loop)
{
  WeftInspectServer *self = _weft_inspect_server_of (loop);
  gboolean any;

  pthread_mutex_lock (&self->lock);
  any = self->commands->len > 0;
  pthread_mutex_unlock (&self->lock);
  return any;
}

void
_weft_inspect_server_run_commands (WeftLoop *loop)
{
  WeftInspectServer *self = _weft_inspect_server_of (loop);
  g_autoptr(GArray) commands = NULL;

  pthread_mutex_lock (&self->lock);
  if (self->commands->len == 0)
    {
      pthread_mutex_unlock (&self->lock);
      return;
    }
  commands = self->commands;
  self->commands = g_array_new (FALSE, FALSE, sizeof (Command));
  g_array_set_clear_func (self->commands, _weft_inspect_command_clear);
  pthread_mutex_unlock (&self->lock);

  for (guint i = 0; i < commands->len; i++)
    {
      Command *command = &g_array_index (commands, Command, i);

      switch (command->kind)
        {
        case COMMAND_PAUSE:
          weft_loop_set_paused (loop, TRUE);
          break;
        case COMMAND_RESUME:
          weft_loop_set_paused (loop, FALSE);
          break;
        case COMMAND_STEP_CALLBACK:
          _weft_loop_run_one (loop);
          break;
        case COMMAND_STEP_ITERATION:
          _weft_loop_run_iteration (loop);
          break;
        case COMMAND_CANCEL_TASK:
          for (GList *l = loop->tasks.head; l != NULL; l = l->next)
            if (((WeftTask *) l->data)->id == command->task_id)
              {
                weft_task_cancel (l->data, "Cancelled from the inspector");
                break;
              }
          break;
        case COMMAND_DESCRIBE_TASK:
          {
            GVariant *details = weft_loop_describe_task (loop, command->task_id);
            GDBusMethodInvocation *invocation = g_steal_pointer (&command->invocation);

            /* Returning a method call is thread-safe in GDBus. */
            if (details != NULL)
              g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a{sv})", details));
            else
              g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                     "No task %" G_GUINT64_FORMAT, command->task_id);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  _weft_inspect_server_publish (loop, PUBLISH_NOW);
}
