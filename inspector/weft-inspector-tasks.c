/* weft-inspector-tasks.c: the task table: rows updated in place for 100,000 tasks in process, from snapshots and Changed signals remotely, and the Age column
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-inspector-private.h"

static void
tracked_free (gpointer data)
{
  Tracked *t = data;

  g_clear_pointer (&t->task, weft_task_unref);
  g_free (t);
}

static Tracked *
track (WeftInspector     *self,
       guint64            id,
       InspectorTaskRow  *row,
       GPtrArray         *added)
{
  Tracked *t = g_new0 (Tracked, 1);

  t->row = row;
  t->id = id;
  t->mark = self->refresh_mark;
  g_hash_table_insert (self->tracked, g_memdup2 (&id, sizeof id), t);
  g_ptr_array_add (added, row);
  return t;
}

void
inspector_replace_all (GListStore *store,
             GPtrArray  *rows)
{
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), rows->pdata, rows->len);
}

static void
ensure_tracked (WeftInspector *self)
{
  if (self->tracked == NULL)
    {
      self->tracked = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, tracked_free);
      self->final_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
    }
}

/* Drops what the rows were built from (the rows go with the next replace). */
void
inspector_forget_tasks (WeftInspector *self)
{
  g_clear_pointer (&self->final_ids, g_hash_table_unref);
  g_clear_pointer (&self->tracked, g_hash_table_unref);
  ensure_tracked (self);
}

/* One task as a snapshot, a Changed signal or the loop's history gives it:
 * its row updated in place, or made and put in @added. */
Tracked *
inspector_apply_task (WeftInspector     *self,
            const WeftTaskRow *row,
            GPtrArray         *added)
{
  Tracked *t;

  ensure_tracked (self);
  t = g_hash_table_lookup (self->tracked, &row->id);
  if (t == NULL)
    t = track (self, row->id, inspector_task_row_new (row->id, row->name, row->state, row->awaits, row->runs,
                                                      row->created_at, row->busy_ns, row->max_run_ns,
                                                      self->now - row->age), added);
  else
    inspector_task_row_update (t->row, row->state, row->awaits, row->runs, row->busy_ns, row->max_run_ns);
  if (inspector_state_is_final (row->state) && !t->final)
    {
      t->final = TRUE;
      g_clear_pointer (&t->task, weft_task_unref);
      g_hash_table_add (self->final_ids, &t->id);
    }
  return t;
}

/* The Age column: a task's age is "now" minus its birth, so the shown rows
 * (only they have a label bound) follow the clock without touching the
 * other rows. */
static void
update_age_label (GtkListItem *item)
{
  WeftInspector *self = g_object_get_data (G_OBJECT (item), "weft-inspector");
  InspectorTaskRow *row = gtk_list_item_get_item (item);
  double age;
  g_autofree char *text = NULL;

  if (row == NULL || self == NULL)
    return;
  age = MAX (self->now - inspector_task_row_get_birth (row), 0.0);
  if (age >= 60)
    text = g_strdup_printf ("%u min %02u s", (guint) age / 60, (guint) age % 60);
  else
    text = g_strdup_printf ("%.1f s", age);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
age_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           WeftInspector            *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_list_item_set_child (item, label);
  g_object_set_data (G_OBJECT (item), "weft-inspector", self);
}

static void
age_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          WeftInspector            *self)
{
  gulong id = g_signal_connect_swapped (self, "notify::now", G_CALLBACK (update_age_label), item);

  g_object_set_data (G_OBJECT (item), "weft-age-handler", GSIZE_TO_POINTER (id));
  update_age_label (item);
}

static void
age_unbind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            WeftInspector            *self)
{
  gulong id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "weft-age-handler"));

  if (id != 0)
    g_signal_handler_disconnect (self, id);
  g_object_set_data (G_OBJECT (item), "weft-age-handler", NULL);
}

void
inspector_add_age_column (WeftInspector *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkSorter *sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (INSPECTOR_TYPE_TASK_ROW, NULL,
                                                                                         "birth")));

  g_signal_connect (factory, "setup", G_CALLBACK (age_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (age_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (age_unbind), self);
  /* Oldest first when sorted up: by birth, descending. */
  gtk_numeric_sorter_set_sort_order (GTK_NUMERIC_SORTER (sorter), GTK_SORT_DESCENDING);
  column = gtk_column_view_column_new (_("Age"), factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->task_view, column);
  g_object_unref (sorter);
  g_object_unref (column);
}

/* ------------------------------------------------- the in-process task table */

/* Finished tasks, from the loop's bounded history: their rows show how they
 * ended; returns the set of their ids. */
static GHashTable *
sync_history (WeftInspector *self,
              GArray        *finished,
              GPtrArray     *added)
{
  GHashTable *ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  double loop_now = weft_loop_time (self->loop);

  for (guint i = 0; i < finished->len; i++)
    {
      WeftTaskRecord *r = &g_array_index (finished, WeftTaskRecord, i);
      Tracked *t = g_hash_table_lookup (self->tracked, &r->id);

      g_hash_table_add (ids, &r->id);
      if (t == NULL || !t->final)
        {
          WeftTaskRow row = {
            .id = r->id,
            .name = r->name,
            .state = weft_task_state_to_string (r->state),
            .awaits = r->error_message ? r->error_message : "",
            .runs = r->runs,
            .created_at = r->created_at ? r->created_at : "",
            .busy_ns = r->busy_ns,
            .max_run_ns = r->max_run_ns,
            .age = MAX (loop_now - r->created, 0.0),
          };

          t = inspector_apply_task (self, &row, added);
        }
      t->mark = self->refresh_mark;
    }
  return ids;
}

/* A live task: a hash lookup if its runs, state, awaited future and busy time
 * are what its row shows; else the row is updated in place (or made). */
static void
sync_task (WeftInspector *self,
           WeftTask      *task,
           GPtrArray     *added)
{
  guint64 id = weft_task_get_id (task), runs = weft_task_get_runs (task);
  WeftTaskState state = weft_task_get_state (task);
  gpointer waiter = weft_task_get_awaited (task);
  double max_run, busy = weft_task_get_busy_time (task, &max_run);
  guint64 busy_ns = (guint64) (busy * 1e9);
  Tracked *t = g_hash_table_lookup (self->tracked, &id);
  g_autofree char *awaits = NULL;

  if (t != NULL)
    {
      t->mark = self->refresh_mark;
      if (t->runs == runs && t->state == state && t->waiter == waiter && t->busy_ns == busy_ns)
        return;
    }
  awaits = weft_task_describe_await (task);
  if (t == NULL)
    t = track (self, id, inspector_task_row_new (id, weft_task_get_name (task), weft_task_state_to_string (state),
                                                 awaits ? awaits : "", runs,
                                                 weft_task_get_created_at (task) ? weft_task_get_created_at (task) : "",
                                                 busy_ns, (guint64) (max_run * 1e9),
                                                 self->now - weft_task_get_age (task)), added);
  else
    inspector_task_row_update (t->row, weft_task_state_to_string (state), awaits ? awaits : "", runs, busy_ns,
                               (guint64) (max_run * 1e9));
  if (t->task == NULL && !t->final)
    t->task = weft_task_ref (task);
  t->runs = runs;
  t->state = state;
  t->waiter = waiter;
  t->busy_ns = busy_ns;
}

/* Follows every task of the loop, however many, at the cost of what changed:
 * the tasks that ran since the last refresh (weft_loop_list_changed_tasks())
 * and the history of finished ones. A full walk of the tasks happens only when
 * the changes cannot be told (first refresh, recording was off) or the
 * history overflowed. Finished tasks keep their rows while the history does. */
void
inspector_refresh_tasks (WeftInspector *self)
{
  g_autoptr(GPtrArray) changed = weft_loop_list_changed_tasks (self->loop, &self->cursor);
  g_autoptr(GArray) finished = weft_loop_list_finished_tasks (self->loop);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  g_autoptr(GHashTable) in_history = NULL;
  guint64 finished_count = weft_loop_get_finished_count (self->loop);
  gboolean full = changed == NULL || finished_count - self->finished_seen > finished->len;
  GHashTableIter iter;
  gpointer key, value;

  ensure_tracked (self);
  self->refresh_mark++;
  self->finished_seen = finished_count;

  in_history = sync_history (self, finished, added);
  if (full)
    {
      g_autoptr(GPtrArray) tasks = weft_all_tasks (self->loop);

      for (guint i = 0; i < tasks->len; i++)
        sync_task (self, g_ptr_array_index (tasks, i), added);
    }
  else
    for (guint i = 0; i < changed->len; i++)
      sync_task (self, g_ptr_array_index (changed, i), added);

  /* Rows to drop: after a full walk, every task not seen; otherwise finished
   * tasks that left the history (only those are looked at). */
  if (full)
    {
      g_hash_table_iter_init (&iter, self->tracked);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (((Tracked *) value)->mark != self->refresh_mark)
          g_ptr_array_add (gone, value);
    }
  else
    {
      g_hash_table_iter_init (&iter, self->final_ids);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (in_history, key))
          g_ptr_array_add (gone, g_hash_table_lookup (self->tracked, key));
    }
  for (guint i = 0; i < gone->len; i++)
    {
      Tracked *t = g_ptr_array_index (gone, i);

      g_ptr_array_index (gone, i) = t->row;
      g_hash_table_remove (self->final_ids, &t->id);
      g_hash_table_remove (self->tracked, &t->id);   /* frees t */
    }
  if (gone->len > 64)
    {
      /* Many at once: one rebuild beats many searches. */
      g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GHashTable) dead = g_hash_table_new (NULL, NULL);

      for (guint i = 0; i < gone->len; i++)
        g_hash_table_add (dead, g_ptr_array_index (gone, i));
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tasks)); i++)
        {
          gpointer row = g_list_model_get_item (G_LIST_MODEL (self->tasks), i);

          if (g_hash_table_contains (dead, row))
            g_object_unref (row);
          else
            g_ptr_array_add (kept, row);
        }
      g_ptr_array_extend_and_steal (kept, g_steal_pointer (&added));
      inspector_replace_all (self->tasks, kept);
      return;
    }
  for (guint i = 0; i < gone->len; i++)
    {
      guint position;

      if (g_list_store_find (self->tasks, g_ptr_array_index (gone, i), &position))
        g_list_store_remove (self->tasks, position);
    }
  if (added->len > 0)
    g_list_store_splice (self->tasks, g_list_model_get_n_items (G_LIST_MODEL (self->tasks)), 0, added->pdata,
                         added->len);
}
