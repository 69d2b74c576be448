/* inspector-histogram.c: a task's run times, as bars (log2 buckets of µs, as
 * weft_loop_describe_task() gives them), drawn with GtkSnapshot
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <weft.h>

#include "inspector-histogram.h"

struct _InspectorHistogram
{
  GtkWidget   parent_instance;
  GArray     *counts;       /* guint32 */
  gboolean    total_only;   /* the task ran, but only its total time is known */
};

G_DEFINE_FINAL_TYPE (InspectorHistogram, inspector_histogram, GTK_TYPE_WIDGET)

/* The upper edge of bucket @i, for the axis: "1 µs", "2 µs", ... "16 ms". */
static char *
bucket_label (guint i)
{
  guint64 us = G_GUINT64_CONSTANT (1) << i;

  return us >= 1000 ? g_strdup_printf ("%.2g ms", us / 1000.0) : g_strdup_printf ("%" G_GUINT64_FORMAT " µs", us);
}

static void
inspector_histogram_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  InspectorHistogram *self = INSPECTOR_HISTOGRAM (widget);
  float width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  float plot_h = height - 16;
  GdkRGBA bar = { 0.21f, 0.52f, 0.89f, 1 };   /* GNOME blue: readable on light and dark */
  GdkRGBA text, background, axis;
  guint32 max = 1, total = 0;
  guint n;

  /* The theme's colours: the foreground, faint, as the plot's ground. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &text);
  background = axis = text;
  background.alpha = 0.06f;
  axis.alpha = 0.35f;
  text.alpha = 0.75f;
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_snapshot_append_color (snapshot, &axis, &GRAPHENE_RECT_INIT (0, plot_h, width, 1));
  for (guint i = 0; self->counts != NULL && i < self->counts->len; i++)
    total += g_array_index (self->counts, guint32, i);
  if (total == 0)
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (widget, self->total_only ? _("Only the total time was measured")
                                                                                     : _("No steps measured"));
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - w) / 2, (plot_h - h) / 2));
      gtk_snapshot_append_layout (snapshot, layout, &text);
      gtk_snapshot_restore (snapshot);
      g_object_unref (layout);
      return;
    }
  n = self->counts->len;
  for (guint i = 0; i < n; i++)
    max = MAX (max, g_array_index (self->counts, guint32, i));
  for (guint i = 0; i < n; i++)
    {
      float w = width / n;
      guint32 count = g_array_index (self->counts, guint32, i);
      float h = count ? MAX ((float) count / max * plot_h, 2.0f) : 0;

      gtk_snapshot_append_color (snapshot, &bar, &GRAPHENE_RECT_INIT (i * w + 1, plot_h - h, w - 2, h));
      /* Every fourth edge on the axis (not the last: it is open-ended). */
      if (i % 4 == 3 && i + 1 < n)
        {
          g_autofree char *label = bucket_label (i);
          PangoLayout *layout = gtk_widget_create_pango_layout (widget, label);

          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (i * w, plot_h + 1));
          gtk_snapshot_append_layout (snapshot, layout, &text);
          gtk_snapshot_restore (snapshot);
          g_object_unref (layout);
        }
    }
}

static void
inspector_histogram_finalize (GObject *object)
{
  InspectorHistogram *self = INSPECTOR_HISTOGRAM (object);

  g_clear_pointer (&self->counts, g_array_unref);
  G_OBJECT_CLASS (inspector_histogram_parent_class)->finalize (object);
}

static void
inspector_histogram_class_init (InspectorHistogramClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = inspector_histogram_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = inspector_histogram_snapshot;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "histogram");
}

static void
inspector_histogram_init (InspectorHistogram *self)
{
  self->counts = g_array_new (FALSE, TRUE, sizeof (guint32));
  gtk_widget_set_size_request (GTK_WIDGET (self), 240, 90);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               _("How long the task's steps ran: one bar per doubling, from under 1 µs "
                                 "to 16 ms and more (measured while the inspector is attached)"));
}

/* @counts: the buckets, or NULL: none. @total_only: the task ran, but its
 * steps were not timed one by one (another runtime's task, a replayed row). */
void
inspector_histogram_set_counts (InspectorHistogram *self,
                                const guint32      *counts,
                                guint               n_counts,
                                gboolean            total_only)
{
  self->total_only = total_only;
  g_array_set_size (self->counts, 0);
  if (counts != NULL)
    g_array_append_vals (self->counts, counts, n_counts);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const guint32 *
inspector_histogram_get_counts (InspectorHistogram *self,
                                guint              *n_counts)
{
  *n_counts = self->counts->len;
  return (const guint32 *) self->counts->data;
}
