/* inspector-timeline.c: bars of recent iterations (height: busy time, colour:
 * callbacks run) above a histogram of timer lateness, drawn with GtkSnapshot
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "inspector-timeline.h"

#define LATENESS_BUCKETS 10   /* 0-100 µs, 100-200 µs, ... , >= 900 µs */
#define BARS_SHOWN       128  /* the newest iterations, one bar each */

struct _InspectorTimeline
{
  GtkWidget  parent_instance;
  GArray    *records;   /* WeftIterationRecord */
};

G_DEFINE_FINAL_TYPE (InspectorTimeline, inspector_timeline, GTK_TYPE_WIDGET)

static void
inspector_timeline_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  InspectorTimeline *self = INSPECTOR_TIMELINE (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float plot_h = height * 0.6f, hist_top = plot_h + 8, hist_h = height - hist_top;
  GdkRGBA background;
  GdkRGBA busy = { 0.35f, 0.62f, 0.95f, 1 };
  GdkRGBA crowded = { 0.95f, 0.55f, 0.25f, 1 };
  GdkRGBA late = { 0.55f, 0.85f, 0.45f, 1 };
  guint counts[LATENESS_BUCKETS] = { 0 }, max_count = 1;
  double max_duration = 1e-4;
  guint n;

  /* The theme's foreground, faint, as the plot's ground (light and dark). */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &background);
  background.alpha = 0.06f;
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (self->records == NULL || self->records->len == 0)
    return;

  n = self->records->len;
  for (guint i = 0; i < n; i++)
    {
      WeftIterationRecord *r = &g_array_index (self->records, WeftIterationRecord, i);

      max_duration = MAX (max_duration, r->duration);
      if (r->n_timers > 0)
        counts[MIN ((guint) (r->max_lateness * 1e4), LATENESS_BUCKETS - 1)]++;
    }
  for (guint i = 0; i < LATENESS_BUCKETS; i++)
    max_count = MAX (max_count, counts[i]);

  /* One bar per iteration, newest on the right. */
  for (guint i = n > BARS_SHOWN ? n - BARS_SHOWN : 0, slot = BARS_SHOWN - MIN (n, BARS_SHOWN); i < n; i++, slot++)
    {
      WeftIterationRecord *r = &g_array_index (self->records, WeftIterationRecord, i);
      float bar_w = width / BARS_SHOWN;
      float h = MAX ((float) (r->duration / max_duration) * plot_h, 1.0f);

      gtk_snapshot_append_color (snapshot, r->n_callbacks > 10 ? &crowded : &busy,
                                 &GRAPHENE_RECT_INIT (slot * bar_w, plot_h - h, MAX (bar_w - 1, 1.0f), h));
    }
  for (guint i = 0; i < LATENESS_BUCKETS; i++)
    {
      float w = width / LATENESS_BUCKETS;
      float h = (float) counts[i] / max_count * hist_h;

      gtk_snapshot_append_color (snapshot, &late, &GRAPHENE_RECT_INIT (i * w + 1, height - h, w - 2, h));
    }
}

/* What a bar of the plot is: "Iteration 42: 3 callbacks in 0.12 ms — a, b, c". */
char *
inspector_timeline_describe_at (InspectorTimeline *self,
                                double             x,
                                double             y)
{
  float width = gtk_widget_get_width (GTK_WIDGET (self));
  float plot_h = gtk_widget_get_height (GTK_WIDGET (self)) * 0.6f;
  guint n, slot, first_slot;
  WeftIterationRecord *r;
  g_autofree char *index_text = NULL;

  if (self->records == NULL || self->records->len == 0 || width <= 0 || y > plot_h || x < 0 || x >= width)
    return NULL;
  n = self->records->len;
  slot = (guint) (x / (width / BARS_SHOWN));
  first_slot = BARS_SHOWN - MIN (n, BARS_SHOWN);
  if (slot < first_slot)
    return NULL;
  r = &g_array_index (self->records, WeftIterationRecord, n - MIN (n, BARS_SHOWN) + (slot - first_slot));
  index_text = g_strdup_printf ("%" G_GUINT64_FORMAT, r->index);
  /* TRANSLATORS: iteration number, callbacks run, time, the callbacks' names */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Iteration %s: %u callback in %.3f ms — %s",
                                       "Iteration %s: %u callbacks in %.3f ms — %s", r->n_callbacks),
                          index_text, r->n_callbacks, r->duration * 1e3, r->callbacks);
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip)
{
  g_autofree char *text = inspector_timeline_describe_at (INSPECTOR_TIMELINE (widget), x, y);

  gtk_tooltip_set_text (tooltip, text != NULL ? text
                                              : _("Top: busy time of the recent iterations (orange: more than 10 "
                                                  "callbacks); hover a bar for its callbacks. Bottom: timer lateness, "
                                                  "0.1 ms per bar."));
  return TRUE;
}

static void
inspector_timeline_finalize (GObject *object)
{
  InspectorTimeline *self = INSPECTOR_TIMELINE (object);

  g_clear_pointer (&self->records, g_array_unref);
  G_OBJECT_CLASS (inspector_timeline_parent_class)->finalize (object);
}

static void
inspector_timeline_class_init (InspectorTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = inspector_timeline_finalize;
  widget_class->snapshot = inspector_timeline_snapshot;
  gtk_widget_class_set_css_name (widget_class, "timeline");
}

static void
inspector_timeline_init (InspectorTimeline *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), 300, 160);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
}

void
inspector_timeline_set_records (InspectorTimeline *self,
                                GArray            *records)
{
  g_clear_pointer (&self->records, g_array_unref);
  self->records = records ? g_array_ref (records) : NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
