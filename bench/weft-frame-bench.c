/* weft-frame-bench.c: row 8, a GTK frame while a million callbacks are queued
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A real GtkWindow with an animated drawing area (a tick callback asks for a
 * frame every frame clock cycle). Once it has painted a few frames, N
 * callbacks are queued with weft_loop_call_soon(), each doing WORK_NS of
 * work (a hash loop, calibrated first), so draining them takes many frames.
 * Every paint records the wall time; what is printed is the gap between
 * consecutive paints while the callbacks drain (from the end of the tick that
 * queued them; the queueing itself is printed as sched_ms): the frame clock's 16.7 ms
 * when the loop yields to GTK, much more when it starves the paint.
 *
 *   weft_frame_bench N [WORK_NS]      (needs a display: xvfb-run under CI)
 *
 * Output: frame weft N MAX_GAP_US p50_us= p99_us= max_us= frames= drain_ms= cb_ns= sched_ms=
 */
#include <stdio.h>
#include <stdlib.h>

#include <gtk/gtk.h>

#include "weft.h"

static WeftLoop  *loop;
static GtkWidget *area;
static long       n_target, n_done;
static guint      work_iters;
static gint64     queue_start, drain_start, drain_end;
static GArray    *paints;        /* gint64 µs, paints while draining */
static guint      warm_frames;
static volatile guint64 sink;

static void
work (void)
{
  guint64 h = sink;

  for (guint i = 0; i < work_iters; i++)
    h = (h ^ i) * G_GUINT64_CONSTANT (0x100000001b3);
  sink = h;
}

static void
calibrate (guint work_ns)
{
  gint64 t0;

  work_iters = 1000;
  t0 = g_get_monotonic_time ();
  for (int i = 0; i < 2000; i++)
    work ();
  work_iters = (guint) MAX (1, (double) work_ns * 1000 / ((double) (g_get_monotonic_time () - t0) * 1000 / 2000));
}

static void
draw (GtkDrawingArea *drawing, cairo_t *cr, int width, int height, gpointer data)
{
  double phase = (double) (g_get_monotonic_time () % 1000000) / 1e6;

  cairo_set_source_rgb (cr, 0.2, 0.4, 0.8);
  cairo_rectangle (cr, phase * (width - 40), height / 2.0 - 20, 40, 40);
  cairo_fill (cr);
  if (drain_start != 0 && drain_end == 0)
    {
      gint64 now = g_get_monotonic_time ();

      g_array_append_val (paints, now);
    }
}

static void
callback (gpointer data)
{
  work ();
  if (++n_done == n_target)
    drain_end = g_get_monotonic_time ();
}

static gboolean
tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  gtk_widget_queue_draw (area);
  if (drain_start == 0 && ++warm_frames == 30)
    {
      queue_start = g_get_monotonic_time ();
      for (long i = 0; i < n_target; i++)
        weft_loop_call_soon (loop, callback, NULL, NULL);
      /* Queueing them is this frame's own work (sched_ms): the frames are
       * counted from here, while they drain. */
      drain_start = g_get_monotonic_time ();
    }
  return G_SOURCE_CONTINUE;
}

static int
cmp_i64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  GtkWidget *window;
  GArray *gaps;
  guint work_ns;

  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "usage: weft_frame_bench N [WORK_NS]   (needs a display)\n");
      return 2;
    }
  n_target = atol (argv[1]);
  work_ns = argc == 3 ? (guint) atoi (argv[2]) : 500;
  if (n_target <= 0)
    {
      fprintf (stderr, "weft_frame_bench: N must be a positive number of callbacks\n");
      return 2;
    }
  if (!gtk_init_check ())
    {
      fprintf (stderr, "weft_frame_bench: no display (run it under xvfb-run)\n");
      return 2;
    }
  calibrate (work_ns);
  loop = weft_loop_new ();
  paints = g_array_new (FALSE, FALSE, sizeof (gint64));

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 360);
  area = gtk_drawing_area_new ();
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (window), area);
  gtk_widget_add_tick_callback (area, tick, NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));

  while (drain_end == 0)
    g_main_context_iteration (NULL, TRUE);

  gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  {
    gint64 previous = drain_start;

    for (guint i = 0; i < paints->len; i++)
      {
        gint64 t = g_array_index (paints, gint64, i), gap = t - previous;

        if (t > drain_end)
          break;
        g_array_append_val (gaps, gap);
        previous = t;
      }
    if (drain_end > previous)
      {
        gint64 gap = drain_end - previous;  /* the drain's tail without a paint counts too */

        g_array_append_val (gaps, gap);
      }
  }
  qsort (gaps->data, gaps->len, sizeof (gint64), cmp_i64);
  {
    gint64 p50 = g_array_index (gaps, gint64, (gaps->len - 1) / 2);
    gint64 p99 = g_array_index (gaps, gint64, (guint) ((gaps->len - 1) * 0.99));
    gint64 max = g_array_index (gaps, gint64, gaps->len - 1);

    printf ("frame weft %ld %lld p50_us=%lld p99_us=%lld max_us=%lld frames=%u drain_ms=%.1f cb_ns=%.1f sched_ms=%.1f\n",
            n_target, (long long) max, (long long) p50, (long long) p99, (long long) max,
            gaps->len, (drain_end - drain_start) / 1e3, (double) (drain_end - drain_start) * 1e3 / n_target,
            (drain_start - queue_start) / 1e3);
  }
  g_array_unref (gaps);
  g_array_unref (paints);
  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
  return 0;
}
