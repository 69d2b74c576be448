/* weft-inspector-details.c: the detail pane: where the selected task waits, its await chain, its run times and their histogram
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-inspector-private.h"

/* ------------------------------------------------------------- details */

/* Fills the detail pane from weft_loop_describe_task()'s dictionary. */
static void
show_details (WeftInspector *self,
              guint64        id,
              GVariant      *details)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree const char **chain = NULL;
  g_autoptr(GVariant) histogram = NULL;
  const char *name = "", *state = "", *created_at = "", *await_at = NULL, *error = NULL;
  guint64 parent = 0, runs = 0, busy = 0, max_run = 0;
  guint64 last_run_iteration = 0;
  const guint32 *counts = NULL;
  gsize n_counts = 0;

  g_variant_lookup (details, "name", "&s", &name);
  g_variant_lookup (details, "state", "&s", &state);
  g_variant_lookup (details, "created-at", "&s", &created_at);
  g_variant_lookup (details, "await-at", "&s", &await_at);
  g_variant_lookup (details, "error", "&s", &error);
  g_variant_lookup (details, "parent", "t", &parent);
  g_variant_lookup (details, "runs", "t", &runs);
  g_variant_lookup (details, "busy-ns", "t", &busy);
  g_variant_lookup (details, "max-run-ns", "t", &max_run);
  g_variant_lookup (details, "await-chain", "^a&s", &chain);
  g_variant_lookup (details, "last-run-iteration", "t", &last_run_iteration);

  g_autofree char *id_text = g_strdup_printf ("%" G_GUINT64_FORMAT, id);
  g_autofree char *parent_text = g_strdup_printf ("%" G_GUINT64_FORMAT, parent);
  g_autofree char *runs_text = NULL;

  /* TRANSLATORS: task id, name, state */
  g_string_append_printf (text, _("Task %s “%s”: %s"), id_text, name, state);
  g_string_append_c (text, '\n');
  {
    g_autofree char *tidy = inspector_tidy_locations (created_at);

    g_string_append_printf (text, _("Created at %s"), *created_at ? tidy : _("(unknown)"));
  }
  if (parent != 0)
    g_string_append_printf (text, _(" by task %s"), parent_text);
  if (await_at != NULL)
    {
      g_string_append_c (text, '\n');
      g_autofree char *tidy = inspector_tidy_locations (await_at);

      g_string_append_printf (text, _("Waits at %s"), tidy);
    }
  for (guint i = 0; chain != NULL && chain[i] != NULL; i++)
    {
      g_string_append_c (text, '\n');
      g_autofree char *tidy = inspector_tidy_locations (chain[i]);

      g_string_append_printf (text, i == 0 ? _("Awaits %s") : _("  → %s"), tidy);
    }
  if (error != NULL)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Error: %s"), error);
    }
  g_string_append_c (text, '\n');
  {
    g_autofree char *busy_text = inspector_format_ns (busy);
    g_autofree char *max_text = inspector_format_ns (max_run);

    runs_text = g_strdup_printf ("%" G_GUINT64_FORMAT, runs);
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%s run, busy %s, longest run %s",
                                               "%s runs, busy %s, longest run %s", runs),
                            runs_text, busy_text, max_text);
    if (last_run_iteration != 0)
      {
        g_autofree char *iteration_text = g_strdup_printf ("%" G_GUINT64_FORMAT, last_run_iteration);

        g_string_append_printf (text, _(", last woke in iteration %s"), iteration_text);
      }
  }
  gtk_label_set_text (self->detail_label, text->str);

  histogram = g_variant_lookup_value (details, "run-histogram", G_VARIANT_TYPE ("au"));
  if (histogram != NULL)
    counts = g_variant_get_fixed_array (histogram, &n_counts, sizeof (guint32));
  inspector_histogram_set_counts (self->histogram, counts, n_counts, histogram == NULL && runs > 0 && busy > 0);
}

/* What the row knows: a replay, a task gone from the history, or another
 * runtime's task (asyncio's on weft for Python: the loop tracks its rows,
 * not its tasks, and describes none). */
static void
show_row_details (WeftInspector    *self,
                  guint64           id,
                  InspectorTaskRow *row)
{
  g_autofree char *name = NULL, *state = NULL, *created_at = NULL, *awaits = NULL;
  guint64 runs = 0, busy = 0, max_run = 0;
  GVariantDict dict;

  g_object_get (row, "name", &name, "state", &state, "created-at", &created_at, "awaits", &awaits,
                "runs", &runs, "busy-ns", &busy, "max-run-ns", &max_run, NULL);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "name", "s", name ? name : "");
  g_variant_dict_insert (&dict, "state", "s", state ? state : "");
  g_variant_dict_insert (&dict, "created-at", "s", created_at ? created_at : "");
  g_variant_dict_insert (&dict, "runs", "t", runs);
  g_variant_dict_insert (&dict, "busy-ns", "t", busy);
  g_variant_dict_insert (&dict, "max-run-ns", "t", max_run);
  if (awaits != NULL && *awaits != '\0')
    {
      const char *one[] = { awaits, NULL };

      g_variant_dict_insert (&dict, "await-chain", "^as", one);
    }
  {
    g_autoptr(GVariant) details = g_variant_ref_sink (g_variant_dict_end (&dict));

    show_details (self, id, details);
  }
}

static void
on_task_described (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WeftInspector) self = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  InspectorTaskRow *row;
  guint64 id = 0;

  self->describing = FALSE;
  row = gtk_single_selection_get_selected_item (self->task_selection);
  if (row == NULL)
    return;
  g_object_get (row, "id", &id, NULL);
  if (reply == NULL)
    {
      /* The loop describes no such task (another runtime's): the row. */
      show_row_details (self, id, row);
      return;
    }
  {
    g_autoptr(GVariant) details = g_variant_get_child_value (reply, 0);
    guint64 described = 0;

    /* A reply for the selected task only (the selection may have moved). */
    if (g_variant_lookup (details, "id", "t", &described) && described != id)
      return;
    show_details (self, id, details);
  }
}

/* Shows the selected task in the detail pane: asked of the loop in process,
 * over the socket (DescribeTask) remotely, from the row in a replay. */
void
inspector_update_details (WeftInspector *self)
{
  InspectorTaskRow *row = gtk_single_selection_get_selected_item (self->task_selection);
  guint64 id = 0;

  if (row == NULL)
    {
      inspector_histogram_set_counts (self->histogram, NULL, 0, FALSE);
      return;
    }
  g_object_get (row, "id", &id, NULL);
  if (self->connection != NULL)
    {
      if (!self->describing)
        {
          self->describing = TRUE;
          g_dbus_connection_call (self->connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "DescribeTask",
                                  g_variant_new ("(t)", id), G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
                                  1000, self->cancellable, on_task_described, g_object_ref (self));
        }
      return;
    }
  if (self->loop != NULL && !weft_loop_is_closed (self->loop))
    {
      Tracked *t = self->tracked ? g_hash_table_lookup (self->tracked, &id) : NULL;
      g_autoptr(GVariant) details = t != NULL && t->task != NULL ? weft_task_describe (t->task)
                                                                 : weft_loop_describe_task (self->loop, id);

      if (details != NULL)
        {
          g_variant_ref_sink (details);
          show_details (self, id, details);
          return;
        }
    }
  show_row_details (self, id, row);
}
