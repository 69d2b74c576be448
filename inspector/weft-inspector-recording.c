/* weft-inspector-recording.c: recording the states the inspector sees, and replaying them: the scrubber, play, time ticks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-inspector-private.h"

#define REPLAY_TIMELINE_STATES 64   /* the timeline of a replayed state: from the states before it */

/* ------------------------------------------------------ record and replay */

/* A recording is INSPECTOR_RECORDING_MAGIC, then records, each a guint32 length
 * (little endian) and a serialized INSPECTOR_RECORD_TYPE: microseconds since the start
 * and the snapshot. A truncated last record is ignored when reading. */
void
inspector_record_snapshot (WeftInspector *self,
                 GVariant      *snapshot)
{
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GError) error = NULL;
  guint32 length;

  if (self->last_recorded != NULL && g_variant_equal (self->last_recorded, snapshot))
    return;
  g_clear_pointer (&self->last_recorded, g_variant_unref);
  self->last_recorded = g_variant_ref (snapshot);
  record = g_variant_ref_sink (g_variant_new ("(x@(tbsa(tssststtd)a(ss)a(ssd)asa(tdduuds)))",
                                              g_get_monotonic_time () - self->recording_start, snapshot));
  length = GUINT32_TO_LE ((guint32) g_variant_get_size (record));
  if (!g_output_stream_write_all (self->recording, &length, sizeof length, NULL, NULL, &error)
      || !g_output_stream_write_all (self->recording, g_variant_get_data (record), g_variant_get_size (record),
                                     NULL, NULL, &error))
    {
      g_warning ("Weft inspector: recording stopped: %s", error->message);
      weft_inspector_stop_recording (self);
    }
}

/**
 * weft_inspector_start_recording:
 * @self: a #WeftInspector
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Records every state the inspector sees to @path, for weft_inspector_new_replay().
 *
 * Returns: %TRUE if recording started
 */
gboolean
weft_inspector_start_recording (WeftInspector  *self,
                                const char     *path,
                                GError        **error)
{
  g_autoptr(GFile) file = NULL;
  GFileOutputStream *stream;

  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (self->replay == NULL, FALSE);

  weft_inspector_stop_recording (self);
  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (stream == NULL)
    return FALSE;
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), INSPECTOR_RECORDING_MAGIC, strlen (INSPECTOR_RECORDING_MAGIC), NULL, NULL, error))
    {
      g_object_unref (stream);
      return FALSE;
    }
  self->recording = G_OUTPUT_STREAM (stream);
  g_free (self->recording_path);
  self->recording_path = g_strdup (path);
  gtk_widget_add_css_class (self->record_button, "destructive-action");
  self->recording_start = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), weft_inspector_properties[PROP_RECORDING]);
  weft_inspector_refresh (self);
  return TRUE;
}

/**
 * weft_inspector_stop_recording:
 * @self: a #WeftInspector
 *
 * Stops recording and closes the file.
 */
void
weft_inspector_stop_recording (WeftInspector *self)
{
  g_return_if_fail (WEFT_IS_INSPECTOR (self));

  if (self->recording == NULL)
    return;
  g_output_stream_close (self->recording, NULL, NULL);
  g_clear_object (&self->recording);
  gtk_widget_remove_css_class (self->record_button, "destructive-action");
  g_clear_pointer (&self->last_recorded, g_variant_unref);
  g_object_notify_by_pspec (G_OBJECT (self), weft_inspector_properties[PROP_RECORDING]);
}

static gint64
record_time (WeftInspector *self,
             guint          index)
{
  gint64 at;

  g_variant_get_child (g_ptr_array_index (self->replay, index), 0, "x", &at);
  return at;
}

static void
show_replay_record (WeftInspector *self,
                    guint          index)
{
  guint shown = MIN (index, self->replay->len - 1);
  g_autoptr(GVariant) snapshot = g_variant_get_child_value (g_ptr_array_index (self->replay, shown), 1);
  gint64 at = record_time (self, shown), end = record_time (self, self->replay->len - 1);
  g_autofree char *status = NULL;

  /* The timeline up to this state: the records the states before it carried
   * (applying it adds its own). */
  g_clear_pointer (&self->timeline_records, g_array_unref);
  for (guint i = shown > REPLAY_TIMELINE_STATES ? shown - REPLAY_TIMELINE_STATES : 0; i < shown; i++)
    {
      g_autoptr(GVariant) earlier = g_variant_get_child_value (g_ptr_array_index (self->replay, i), 1);
      g_autoptr(GVariant) records = g_variant_get_child_value (earlier, 7);
      GVariantIter iter;

      g_variant_iter_init (&iter, records);
      inspector_keep_records (self, &iter);
    }
  inspector_set_now (self, at / 1e6);
  inspector_apply_snapshot (self, snapshot, TRUE);
  status = g_strdup_printf (_("Replay %.3f s of %.3f s · %s"), at / 1e6, end / 1e6, self->status);
  g_free (self->status);
  self->status = g_steal_pointer (&status);
  gtk_label_set_text (self->status_label, self->status);
  inspector_update_details (self);
}

static void
on_scrub (WeftInspector *self)
{
  show_replay_record (self, (guint) gtk_range_get_value (GTK_RANGE (self->scrubber)));
}

static void schedule_play (WeftInspector *self);

/* Playing: the next record, when it came (at the speed it was recorded). */
static gboolean
play_next (gpointer data)
{
  WeftInspector *self = data;
  guint index = (guint) gtk_range_get_value (GTK_RANGE (self->scrubber));

  self->play_id = 0;
  if (index + 1 >= self->replay->len)
    {
      gtk_toggle_button_set_active (self->play_button, FALSE);   /* the end */
      return G_SOURCE_REMOVE;
    }
  gtk_range_set_value (GTK_RANGE (self->scrubber), index + 1);
  schedule_play (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_play (WeftInspector *self)
{
  guint index = (guint) gtk_range_get_value (GTK_RANGE (self->scrubber));
  gint64 wait_us;

  if (index + 1 >= self->replay->len)
    {
      gtk_toggle_button_set_active (self->play_button, FALSE);
      return;
    }
  wait_us = CLAMP (record_time (self, index + 1) - record_time (self, index), 0, 5 * G_USEC_PER_SEC);
  self->play_id = g_timeout_add ((guint) (wait_us / 1000), play_next, self);
}

static void
on_play (WeftInspector *self)
{
  gboolean playing = gtk_toggle_button_get_active (self->play_button);

  g_clear_handle_id (&self->play_id, g_source_remove);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  if (playing)
    {
      /* From the start again once at the end. */
      if ((guint) gtk_range_get_value (GTK_RANGE (self->scrubber)) + 1 >= self->replay->len)
        gtk_range_set_value (GTK_RANGE (self->scrubber), 0);
      schedule_play (self);
    }
}

/* Ticks on the scrubber: the recording's time, a dozen labels at most. */
static void
mark_replay_times (WeftInspector *self)
{
  double end = record_time (self, self->replay->len - 1) / 1e6;
  double step = end <= 12 ? 1 : ceil (end / 12);
  double next = 0;

  for (guint i = 0; i < self->replay->len; i++)
    {
      double at = record_time (self, i) / 1e6;

      if (at + 1e-9 >= next)
        {
          g_autofree char *label = g_strdup_printf (_("%.0f s"), next);

          gtk_scale_add_mark (self->scrubber, i, GTK_POS_BOTTOM, label);
          next += step;
        }
    }
}

/**
 * weft_inspector_new_replay:
 * @path: a recording made with weft_inspector_start_recording()
 * @error: return location for a #GError
 *
 * Returns: (transfer floating) (nullable): an inspector that shows the
 *   recording, with a scrubber to move through it, or %NULL on error
 */
GtkWidget *
weft_inspector_new_replay (const char  *path,
                           GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if ((records = inspector_recording_load (path, error)) == NULL)
    return NULL;
  return inspector_new_replay_for (records);
}

/* An inspector showing @records (from inspector_recording_load()). */
GtkWidget *
inspector_new_replay_for (GPtrArray *records)
{
  WeftInspector *self;

  self = g_object_new (WEFT_TYPE_INSPECTOR, NULL);
  self->replay = g_ptr_array_ref (records);
  gtk_range_set_range (GTK_RANGE (self->scrubber), 0, self->replay->len - 1);
  gtk_range_set_increments (GTK_RANGE (self->scrubber), 1, 10);
  gtk_range_set_round_digits (GTK_RANGE (self->scrubber), 0);
  gtk_widget_set_visible (self->replay_box, TRUE);
  g_signal_connect_swapped (self->scrubber, "value-changed", G_CALLBACK (on_scrub), self);
  g_signal_connect_swapped (self->play_button, "toggled", G_CALLBACK (on_play), self);
  g_clear_handle_id (&self->refresh_id, g_source_remove);   /* a recording does not move by itself */
  mark_replay_times (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.paused", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.step-callback", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.step-iteration", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.cancel-task", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.recording", FALSE);
  show_replay_record (self, 0);
  return GTK_WIDGET (self);
}

/**
 * weft_inspector_seek:
 * @self: a #WeftInspector showing a recording
 * @index: which recorded state to show
 *
 * Moves the replay to a recorded state (what the scrubber does).
 *
 * Returns: the number of recorded states
 */
guint
weft_inspector_seek (WeftInspector *self,
                     guint          index)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), 0);
  g_return_val_if_fail (self->replay != NULL, 0);

  gtk_range_set_value (GTK_RANGE (self->scrubber), MIN (index, self->replay->len - 1));
  show_replay_record (self, MIN (index, self->replay->len - 1));
  return self->replay->len;
}
