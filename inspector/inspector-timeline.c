/* inspector-timeline.c: the loop's recent iterations on a time axis, one lane
 * per task or callback, and the lateness of its timers, drawn with GtkSnapshot
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * From the top: a legend; a labelled time axis (seconds, from the first
 * iteration kept); the iterations as spans where they ran (idle gaps are the
 * empty stretches between them; orange: more than 10 callbacks); a lane for
 * each of the busiest tasks and callbacks, a mark wherever an iteration ran
 * it; at the bottom, a histogram of how late timers fired, with its axes.
 * The view follows the newest iteration until the user scrolls: the wheel
 * zooms (around the pointer), Shift+wheel or a horizontal wheel pans. The
 * records come from the snapshots, so it reads the same in process, attached
 * and in a replay.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "inspector-timeline.h"

#define LATENESS_BUCKETS 10    /* 0-100 µs, 100-200 µs, ... , >= 900 µs */
#define MAX_LANES        8
#define GUTTER           120.0f   /* lane names */
#define LEGEND_H         20.0f
#define AXIS_H           18.0f
#define ITER_H           34.0f
#define LANE_H           18.0f
#define HIST_H           64.0f

struct _InspectorTimeline
{
  GtkWidget  parent_instance;
  GArray    *records;      /* WeftIterationRecord, oldest first */
  double     span;         /* seconds shown */
  double     end;          /* the time at the right edge (when not following) */
  gboolean   following;    /* the right edge is the newest iteration */
  char      *lanes[MAX_LANES];
  guint      n_lanes;
};

G_DEFINE_FINAL_TYPE (InspectorTimeline, inspector_timeline, GTK_TYPE_WIDGET)

static const GdkRGBA busy_colour = { 0.21f, 0.52f, 0.89f, 1 };      /* GNOME blue */
static const GdkRGBA crowded_colour = { 0.90f, 0.38f, 0.0f, 1 };    /* orange */
static const GdkRGBA late_colour = { 0.18f, 0.76f, 0.49f, 1 };      /* green */
static const GdkRGBA lane_colours[MAX_LANES] = {
  { 0.57f, 0.25f, 0.67f, 1 }, { 0.15f, 0.64f, 0.41f, 1 }, { 0.75f, 0.11f, 0.16f, 1 }, { 0.10f, 0.37f, 0.71f, 1 },
  { 0.90f, 0.65f, 0.04f, 1 }, { 0.39f, 0.27f, 0.17f, 1 }, { 0.20f, 0.55f, 0.65f, 1 }, { 0.38f, 0.21f, 0.51f, 1 },
};

static double
origin (InspectorTimeline *self)
{
  return self->records->len > 0 ? g_array_index (self->records, WeftIterationRecord, 0).start : 0;
}

static double
view_end (InspectorTimeline *self)
{
  const WeftIterationRecord *last;

  if (!self->following || self->records == NULL || self->records->len == 0)
    return self->end;
  last = &g_array_index (self->records, WeftIterationRecord, self->records->len - 1);
  return last->start + last->duration;
}

/* What the view spans: @span seconds up to its end, but no further back than
 * the first iteration kept (a short run fills the width). */
static double
view_span (InspectorTimeline *self)
{
  double end = view_end (self), first;

  if (self->records == NULL || self->records->len == 0)
    return self->span;
  first = origin (self);
  return CLAMP ((end - first) * 1.04, 1e-3, self->span);
}

/* The time at the left edge (the right one keeps a margin of 2 %). */
static double
view_start (InspectorTimeline *self)
{
  double span = view_span (self);

  return view_end (self) + span * 0.02 - span;
}

static float
x_of (InspectorTimeline *self,
      double             t,
      float              width)
{
  return GUTTER + (float) ((t - view_start (self)) / view_span (self)) * (width - GUTTER);
}

/* Whether @name (a callback's) is among @record's (its names are comma-separated). */
static gboolean
ran_in (const WeftIterationRecord *record,
        const char                *name)
{
  gsize length = strlen (name);

  for (const char *p = strstr (record->callbacks, name); p != NULL; p = strstr (p + 1, name))
    if ((p == record->callbacks || (p >= record->callbacks + 2 && p[-2] == ',' && p[-1] == ' '))
        && (p[length] == '\0' || p[length] == ','))
      return TRUE;
  return FALSE;
}

/* The lanes: the names that ran in the most iterations kept. */
static void
pick_lanes (InspectorTimeline *self)
{
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < self->n_lanes; i++)
    g_clear_pointer (&self->lanes[i], g_free);
  self->n_lanes = 0;
  for (guint i = 0; self->records != NULL && i < self->records->len; i++)
    {
      g_auto(GStrv) names = g_strsplit (g_array_index (self->records, WeftIterationRecord, i).callbacks, ", ", -1);

      for (guint n = 0; names[n] != NULL; n++)
        if (*names[n] != '\0' && !g_str_has_suffix (names[n], "…"))
          {
            gpointer seen = g_hash_table_lookup (counts, names[n]);

            g_hash_table_replace (counts, g_strdup (names[n]), GUINT_TO_POINTER (GPOINTER_TO_UINT (seen) + 1));
          }
    }
  for (guint lane = 0; lane < MAX_LANES; lane++)
    {
      const char *best = NULL;
      guint best_count = 0;

      g_hash_table_iter_init (&iter, counts);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (GPOINTER_TO_UINT (value) > best_count)
          {
            best = key;
            best_count = GPOINTER_TO_UINT (value);
          }
      if (best == NULL)
        break;
      self->lanes[self->n_lanes++] = g_strdup (best);
      g_hash_table_remove (counts, best);
    }
}

static void
text_at (GtkWidget     *widget,
         GtkSnapshot   *snapshot,
         const char    *text,
         float          x,
         float          y,
         const GdkRGBA *colour,
         float          max_width)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);

  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_START);
    }
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, colour);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) for about @n ticks. */
static double
tick_step (double span,
           int    n)
{
  double raw = span / MAX (n, 1), power = pow (10, floor (log10 (raw))), step = power;

  if (raw / power > 5)
    step = 10 * power;
  else if (raw / power > 2)
    step = 5 * power;
  else if (raw / power > 1)
    step = 2 * power;
  return step;
}

static char *
format_seconds (double seconds,
                double step)
{
  return step >= 1 ? g_strdup_printf (_("%.0f s"), seconds)
       : step >= 0.1 ? g_strdup_printf (_("%.1f s"), seconds)
       : step >= 0.001 ? g_strdup_printf (_("%.0f ms"), seconds * 1e3)
       : g_strdup_printf (_("%.2f ms"), seconds * 1e3);
}

static void
draw_legend (GtkWidget     *widget,
             GtkSnapshot   *snapshot,
             const GdkRGBA *fg)
{
  static const struct { const GdkRGBA *colour; const char *label; } items[] = {
    { &busy_colour, N_("iteration running") },
    { &crowded_colour, N_("over 10 callbacks") },
    { &late_colour, N_("timer lateness") },
  };
  static const GdkRGBA lane = { 0.57f, 0.25f, 0.67f, 1 }, lane_waiting = { 0.57f, 0.25f, 0.67f, 0.45f };
  float x = 4;

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (widget, _(items[i].label));
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      gtk_snapshot_append_color (snapshot, items[i].colour, &GRAPHENE_RECT_INIT (x, 5, 10, 10));
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 14, 1));
      gtk_snapshot_append_layout (snapshot, layout, fg);
      gtk_snapshot_restore (snapshot);
      g_object_unref (layout);
      x += 14 + w + 16;
    }
  /* A lane: ran (a mark), waited between runs (a line). */
  {
    PangoLayout *layout = gtk_widget_create_pango_layout (widget, _("task or callback: ran ▮, waited ─"));
    int w, h;

    pango_layout_get_pixel_size (layout, &w, &h);
    gtk_snapshot_append_color (snapshot, &lane, &GRAPHENE_RECT_INIT (x, 4, 3, 12));
    gtk_snapshot_append_color (snapshot, &lane_waiting, &GRAPHENE_RECT_INIT (x + 5, 9, 10, 2));
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 19, 1));
    gtk_snapshot_append_layout (snapshot, layout, fg);
    gtk_snapshot_restore (snapshot);
    g_object_unref (layout);
  }
}

static void
inspector_timeline_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  InspectorTimeline *self = INSPECTOR_TIMELINE (widget);
  float width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  float axis_y = LEGEND_H, iter_y = axis_y + AXIS_H, lanes_y = iter_y + ITER_H + 4;
  float hist_y = MAX (lanes_y + self->n_lanes * LANE_H + 8, height - HIST_H);
  GdkRGBA fg, faint, dim;
  guint counts[LATENESS_BUCKETS] = { 0 }, max_count = 0;
  double start, end, step, t0;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  faint = dim = fg;
  faint.alpha = 0.06f;
  dim.alpha = 0.6f;
  gtk_snapshot_append_color (snapshot, &faint, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw_legend (widget, snapshot, &dim);
  if (self->records == NULL || self->records->len == 0 || width <= GUTTER + 10)
    {
      text_at (widget, snapshot, _("No iterations recorded yet"), GUTTER, iter_y + 8, &dim, 0);
      return;
    }

  /* The time axis: seconds from the first iteration kept. */
  start = view_start (self);
  end = start + view_span (self);
  t0 = origin (self);
  step = tick_step (view_span (self), (int) ((width - GUTTER) / 90));
  for (double t = ceil ((start - t0) / step) * step; t0 + t <= end; t += step)
    {
      float x = x_of (self, t0 + t, width);
      g_autofree char *label = format_seconds (fabs (t) < step / 2 ? 0 : t, step);

      gtk_snapshot_append_color (snapshot, &dim, &GRAPHENE_RECT_INIT (x, axis_y + AXIS_H - 4, 1, 4));
      gtk_snapshot_append_color (snapshot, &faint, &GRAPHENE_RECT_INIT (x, iter_y, 1, hist_y - iter_y - 8));
      text_at (widget, snapshot, label, x + 2, axis_y, &dim, 0);
    }
  gtk_snapshot_append_color (snapshot, &dim, &GRAPHENE_RECT_INIT (GUTTER, axis_y + AXIS_H - 1, width - GUTTER, 1));
  text_at (widget, snapshot, _("iterations"), 4, iter_y + 8, &dim, GUTTER - 8);
  for (guint l = 0; l < self->n_lanes; l++)
    text_at (widget, snapshot, self->lanes[l], 4, lanes_y + l * LANE_H, &fg, GUTTER - 8);

  /* The iterations where they ran, and what ran in them: a mark where a
   * lane ran (its wake-ups), a thin line while it waited between two runs. */
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (GUTTER, 0, width - GUTTER, height));
  for (guint l = 0; l < self->n_lanes; l++)
    {
      float previous = -1;
      GdkRGBA waiting = lane_colours[l];

      waiting.alpha = 0.45f;
      for (guint i = 0; i < self->records->len; i++)
        {
          const WeftIterationRecord *r = &g_array_index (self->records, WeftIterationRecord, i);
          float x = x_of (self, r->start, width);

          if (!ran_in (r, self->lanes[l]))
            continue;
          if (previous >= 0 && x > previous + 3)
            gtk_snapshot_append_color (snapshot, &waiting,
                                       &GRAPHENE_RECT_INIT (previous + 3, lanes_y + l * LANE_H + LANE_H / 2 - 1,
                                                            x - previous - 3, 2));
          previous = x;
        }
    }
  for (guint i = 0; i < self->records->len; i++)
    {
      const WeftIterationRecord *r = &g_array_index (self->records, WeftIterationRecord, i);
      float x = x_of (self, r->start, width);
      float w = MAX (x_of (self, r->start + r->duration, width) - x, 1.5f);

      if (r->n_timers > 0)
        counts[MIN ((guint) (r->max_lateness * 1e4), LATENESS_BUCKETS - 1)]++;
      if (x + w < GUTTER || x > width)
        continue;
      gtk_snapshot_append_color (snapshot, r->n_callbacks > 10 ? &crowded_colour : &busy_colour,
                                 &GRAPHENE_RECT_INIT (x, iter_y + 4, w, ITER_H - 8));
      for (guint l = 0; l < self->n_lanes; l++)
        if (ran_in (r, self->lanes[l]))
          gtk_snapshot_append_color (snapshot, &lane_colours[l],
                                     &GRAPHENE_RECT_INIT (x, lanes_y + l * LANE_H + 3, MAX (w, 3.0f), LANE_H - 6));
    }
  gtk_snapshot_pop (snapshot);

  /* Timer lateness: how many timers fired how late, 0.1 ms a bar. */
  for (guint i = 0; i < LATENESS_BUCKETS; i++)
    max_count = MAX (max_count, counts[i]);
  text_at (widget, snapshot, _("timer lateness"), 4, hist_y + 4, &dim, GUTTER - 8);
  {
    float plot_w = width - GUTTER, plot_h = HIST_H - 18;
    g_autofree char *top = g_strdup_printf ("%u", max_count);

    for (guint i = 0; i < LATENESS_BUCKETS && max_count > 0; i++)
      {
        float w = plot_w / LATENESS_BUCKETS;
        float h = (float) counts[i] / max_count * plot_h;

        gtk_snapshot_append_color (snapshot, &late_colour,
                                   &GRAPHENE_RECT_INIT (GUTTER + i * w + 1, hist_y + plot_h - h, w - 2, h));
      }
    gtk_snapshot_append_color (snapshot, &dim, &GRAPHENE_RECT_INIT (GUTTER, hist_y + plot_h, plot_w, 1));
    text_at (widget, snapshot, top, GUTTER + 4, hist_y, &dim, 0);
    text_at (widget, snapshot, _("0 ms"), GUTTER, hist_y + plot_h + 1, &dim, 0);
    text_at (widget, snapshot, _("0.5 ms"), GUTTER + plot_w / 2, hist_y + plot_h + 1, &dim, 0);
    text_at (widget, snapshot, _("≥ 0.9 ms"), GUTTER + plot_w - 60, hist_y + plot_h + 1, &dim, 0);
  }
}

/**
 * inspector_timeline_describe_at:
 * @self: the timeline
 * @x: where, in the widget
 * @y: where, in the widget
 *
 * What the timeline shows at a point: "Iteration 42: 3 callbacks in 0.12 ms
 * — a, b, c", or %NULL over nothing.
 *
 * Returns: (transfer full) (nullable): the text
 */
char *
inspector_timeline_describe_at (InspectorTimeline *self,
                                double             x,
                                double             y)
{
  float width = gtk_widget_get_width (GTK_WIDGET (self));
  float lanes_y = LEGEND_H + AXIS_H + ITER_H + 4;
  const WeftIterationRecord *best = NULL;
  float best_distance = 4;
  g_autofree char *index_text = NULL;

  if (self->records == NULL || y < LEGEND_H + AXIS_H || y > lanes_y + self->n_lanes * LANE_H || x < GUTTER)
    return NULL;
  for (guint i = 0; i < self->records->len; i++)
    {
      const WeftIterationRecord *r = &g_array_index (self->records, WeftIterationRecord, i);
      float x0 = x_of (self, r->start, width), x1 = MAX (x_of (self, r->start + r->duration, width), x0 + 1.5f);
      float distance = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;

      if (distance <= best_distance)
        {
          best = r;
          best_distance = distance;
        }
    }
  if (best == NULL)
    return NULL;
  index_text = g_strdup_printf ("%" G_GUINT64_FORMAT, best->index);
  /* TRANSLATORS: iteration number, callbacks run, time, when, the callbacks' names */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Iteration %s: %u callback in %.3f ms at %.3f s — %s",
                                       "Iteration %s: %u callbacks in %.3f ms at %.3f s — %s", best->n_callbacks),
                          index_text, best->n_callbacks, best->duration * 1e3, best->start - origin (self),
                          best->callbacks);
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
                                              : _("Iterations on a time axis (gaps: the loop was idle), a lane for "
                                                  "each busy task or callback, and timer lateness. Scroll to zoom, "
                                                  "Shift+scroll to move in time."));
  return TRUE;
}

/* The wheel zooms around the pointer; Shift+wheel (or a horizontal wheel) pans. */
static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           InspectorTimeline        *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  float width = gtk_widget_get_width (GTK_WIDGET (self));
  double end = view_end (self);

  if (self->records == NULL || self->records->len == 0)
    return FALSE;
  self->span = view_span (self);   /* zoom and pan from what is shown */
  if ((mods & GDK_SHIFT_MASK) || dx != 0)
    end += (dx != 0 ? dx : dy) * self->span * 0.1;
  else
    {
      double pointer = 0.5, zoom = dy > 0 ? 1.25 : 0.8;
      double x;

      if (gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL
          && gdk_event_get_position (gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller)), &x, NULL))
        pointer = CLAMP ((x - GUTTER) / MAX (width - GUTTER, 1), 0, 1);
      {
        double at = end - self->span * (1 - pointer);
        double span = CLAMP (self->span * zoom, 1e-3, 3600);

        end = at + span * (1 - pointer);
        self->span = span;
      }
    }
  /* Back at the newest iteration: follow it again. */
  {
    const WeftIterationRecord *last = &g_array_index (self->records, WeftIterationRecord, self->records->len - 1);

    self->following = end >= last->start + last->duration;
    self->end = MIN (end, last->start + last->duration);
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
inspector_timeline_finalize (GObject *object)
{
  InspectorTimeline *self = INSPECTOR_TIMELINE (object);

  for (guint i = 0; i < self->n_lanes; i++)
    g_free (self->lanes[i]);
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
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);

  self->span = 10;
  self->following = TRUE;
  gtk_widget_set_size_request (GTK_WIDGET (self), 300, 240);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

void
inspector_timeline_set_records (InspectorTimeline *self,
                                GArray            *records)
{
  g_clear_pointer (&self->records, g_array_unref);
  self->records = records ? g_array_ref (records) : NULL;
  pick_lanes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The seconds the view spans (the wheel zooms it). */
double
inspector_timeline_get_span (InspectorTimeline *self)
{
  return self->span;
}

void
inspector_timeline_set_span (InspectorTimeline *self,
                             double             span)
{
  self->span = CLAMP (span, 1e-3, 3600);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The lanes' names, busiest first (for tests). */
const char * const *
inspector_timeline_get_lanes (InspectorTimeline *self,
                              guint             *n_lanes)
{
  *n_lanes = self->n_lanes;
  return (const char * const *) self->lanes;
}
