/* test-inspector.c: the inspector widget on a live loop, under Xvfb
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <gtksourceview/gtksource.h>
#include <libglib-testing/signal-logger.h>
#include <stdio.h>
#include <string.h>

#include "inspector-demos.h"
#include "weft-inspector.h"
#include "weft-test-common.h"
#include "inspector-histogram.h"
#include "inspector-rows.h"
#include "inspector-timeline.h"
#include "inspector-window.h"
#include "weft-loop-private.h"
#include "test-heartbeat.h"
#include "weft-gtk-test-common.h"

#include "config.h"
#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif
#include <stdlib.h>

static char *
row_string (GListModel *model, guint i, const char *property)
{
  g_autoptr(GObject) row = g_list_model_get_item (model, i);
  char *value = NULL;

  g_object_get (row, property, &value, NULL);
  return value;
}

static void
count (gpointer data)
{
  (*(int *) data)++;
}

/* The views follow the loop step by step: one step runs exactly one callback. */
static void
test_views_follow_steps (void)
{
  WeftLoop *loop = weft_loop_new ();
  GtkWidget *window = gtk_window_new ();
  WeftInspector *inspector = WEFT_INSPECTOR (weft_inspector_new (loop));
  g_autoptr(WeftFuture) demo = NULL;
  g_autofree char *state = NULL, *awaits = NULL, *next = NULL;
  int counted = 0;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (inspector));
  gtk_window_present (GTK_WINDOW (window));
  g_object_set (inspector, "paused", TRUE, NULL);
  g_assert_true (weft_loop_get_paused (loop));

  demo = weft_demo_countdown_start (loop);
  weft_loop_call_soon (loop, count, &counted, NULL);
  weft_loop_call_soon (loop, count, &counted, NULL);
  spin (150);          /* GTK runs, the paused loop does not */
  g_assert_cmpint (counted, ==, 0);
  weft_inspector_refresh (inspector);

  g_assert_cmpuint (g_list_model_get_n_items (weft_inspector_get_task_model (inspector)), ==, 1);
  state = row_string (weft_inspector_get_task_model (inspector), 0, "state");
  g_assert_cmpstr (state, ==, "pending");
  g_assert_cmpuint (g_list_model_get_n_items (weft_inspector_get_ready_model (inspector)), ==, 3);
  next = row_string (weft_inspector_get_ready_model (inspector), 0, "name");
  g_assert_cmpstr (next, ==, "countdown");
  /* The Next panel says it in words: the task's first step, where it starts. */
  g_assert_true (g_str_has_prefix (weft_inspector_get_next (inspector), "Task countdown starts at demo-countdown.c:"));
  g_assert_nonnull (strstr (weft_inspector_get_next (inspector), "; then 2 more callbacks are ready"));

  /* Step: the task's first step, and nothing else. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.step-callback", NULL));
  g_assert_cmpint (counted, ==, 0);
  g_clear_pointer (&state, g_free);
  state = row_string (weft_inspector_get_task_model (inspector), 0, "state");
  g_assert_cmpstr (state, ==, "suspended");
  awaits = row_string (weft_inspector_get_task_model (inspector), 0, "awaits");
  g_assert_true (g_str_has_prefix (awaits, "sleep, "));
  g_assert_cmpuint (g_list_model_get_n_items (weft_inspector_get_ready_model (inspector)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (weft_inspector_get_timer_model (inspector)), ==, 1);
  g_assert_true (g_str_has_prefix (weft_inspector_get_next (inspector), "count runs, scheduled at test-inspector.c:"));
  /* The countdown bar is on the timers' own scale: the 1 s sleep, the latest
   * timer, nearly fills it (on a fixed 10 s scale it was a tenth). */
  {
    g_autoptr(GObject) timer = g_list_model_get_item (weft_inspector_get_timer_model (inspector), 0);
    double fraction = 0;

    g_object_get (timer, "fraction", &fraction, NULL);
    g_assert_cmpfloat (fraction, >, 0.5);
    g_assert_cmpfloat (fraction, <=, 1.0);
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.step-callback", NULL));
  g_assert_cmpint (counted, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (weft_inspector_get_ready_model (inspector)), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.step-iteration", NULL));
  g_assert_cmpint (counted, ==, 2);

  /* Cancel the task from the inspector. */
  weft_inspector_select_task (inspector, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.cancel-task", NULL));
  g_object_set (inspector, "paused", FALSE, NULL);
  while (!weft_future_is_done (demo))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (weft_future_is_cancelled (demo));
  /* The finished task stays in the table, as cancelled. */
  weft_inspector_refresh (inspector);
  g_clear_pointer (&state, g_free);
  state = row_string (weft_inspector_get_task_model (inspector), 0, "state");
  g_assert_cmpstr (state, ==, "cancelled");

  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
}

/* A window showing the countdowns demo a few steps in, paused. */
typedef struct
{
  WeftLoop      *loop;
  GtkWidget     *window;
  WeftInspector *inspector;
  WeftFuture    *demo;
} Countdowns;

static void
countdowns_setup (Countdowns    *f,
                  gconstpointer  data)
{
  f->loop = weft_loop_new ();
  f->window = gtk_window_new ();
  f->inspector = WEFT_INSPECTOR (weft_inspector_new (f->loop));
  f->demo = weft_demo_countdowns_start (f->loop);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 500);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->inspector));
  gtk_window_present (GTK_WINDOW (f->window));
  spin (700);   /* the countdowns run a few steps, the views fill */
  g_object_set (f->inspector, "paused", TRUE, NULL);
  weft_inspector_refresh (f->inspector);
}

static void
countdowns_teardown (Countdowns    *f,
                     gconstpointer  data)
{
  g_object_set (f->inspector, "paused", FALSE, NULL);
  weft_future_cancel (f->demo, NULL);
  while (!weft_future_is_done (f->demo))
    g_main_context_iteration (NULL, TRUE);
  weft_future_unref (f->demo);
  gtk_window_destroy (GTK_WINDOW (f->window));
  weft_loop_close (f->loop);
  weft_loop_unref (f->loop);
}

/* Selects the first suspended task. */
static void
select_suspended (WeftInspector *inspector)
{
  GListModel *tasks = weft_inspector_get_task_model (inspector);

  for (guint i = 0; i < g_list_model_get_n_items (tasks); i++)
    {
      g_autofree char *state = row_string (tasks, i, "state");

      if (g_strcmp0 (state, "suspended") == 0)
        {
          weft_inspector_select_task (inspector, i);
          break;
        }
    }
  weft_inspector_refresh (inspector);
}

/* The detail pane: where the selected task was created and waits, its await chain. */
static void
test_detail_pane (Countdowns    *f,
                  gconstpointer  data)
{
  GtkLabel *detail = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->inspector), WEFT_TYPE_INSPECTOR, "detail_label"));
  const char *text;

  select_suspended (f->inspector);
  text = gtk_label_get_text (detail);
  g_test_message ("detail pane: %s", text);
  g_assert_nonnull (strstr (text, "Created at "));
  g_assert_nonnull (strstr (text, "Waits at "));
  g_assert_nonnull (strstr (text, "demo-countdowns.c:"));
  g_assert_nonnull (strstr (text, "Awaits sleep, "));
  /* Locations read as paths of the source tree, not of the build directory. */
  g_assert_null (strstr (text, "../"));
  {
    g_autofree char *created_at = row_string (weft_inspector_get_task_model (f->inspector), 0, "created-at");

    g_assert_true (g_str_has_prefix (created_at, "inspector/demos/demo-countdowns.c:"));
  }
}

/* The Age column: now minus the row's birth; the countdowns ran 0.7 s. */
static void
test_age_column (Countdowns    *f,
                 gconstpointer  data)
{
  g_autoptr(GObject) row = g_list_model_get_item (weft_inspector_get_task_model (f->inspector), 0);
  double birth = 0, now = 0;

  g_object_get (row, "birth", &birth, NULL);
  g_object_get (f->inspector, "now", &now, NULL);
  g_test_message ("first task's age: %.3f s", now - birth);
  g_assert_cmpfloat (now - birth, >=, 0.6);
  g_assert_cmpfloat (now - birth, <, 10);
}

/* The selected task's run times (steps are timed while the inspector records). */
static void
test_run_histogram (Countdowns    *f,
                    gconstpointer  data)
{
  InspectorHistogram *histogram =
    INSPECTOR_HISTOGRAM (gtk_widget_get_template_child (GTK_WIDGET (f->inspector), WEFT_TYPE_INSPECTOR, "histogram"));
  const guint32 *counts;
  guint n = 0, total = 0;

  select_suspended (f->inspector);
  counts = inspector_histogram_get_counts (histogram, &n);
  g_assert_cmpuint (n, ==, WEFT_RUN_HISTOGRAM_BUCKETS);
  for (guint i = 0; i < n; i++)
    total += counts[i];
  g_assert_cmpuint (total, >=, 1);
}

/* Every page paints, and is kept as a screenshot (build/tests/screenshot-*.png). */
static void
test_screenshots (Countdowns    *f,
                  gconstpointer  data)
{
  const char *pages[] = { "tasks", "ready", "timers", "warnings", "timeline" };

  select_suspended (f->inspector);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      weft_inspector_show_page (f->inspector, pages[i]);
      g_assert_cmpuint (screenshot_when_painted (GTK_WIDGET (f->inspector), pages[i]), >, 3);
    }
}

/* Hovering the newest bar of the timeline names that iteration's callbacks. */
static void
test_timeline_hover (Countdowns    *f,
                     gconstpointer  data)
{
  GtkWidget *timeline = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->inspector), WEFT_TYPE_INSPECTOR, "timeline"));
  g_autofree char *tip = NULL;

  weft_inspector_show_page (f->inspector, "timeline");
  g_assert_cmpuint (screenshot_when_painted (GTK_WIDGET (f->inspector), "timeline"), >, 3);
  /* The newest iteration is near the right edge of the iterations row. */
  g_assert_null (inspector_timeline_describe_at (INSPECTOR_TIMELINE (timeline), gtk_widget_get_width (timeline) - 1, 2));
  for (int x = gtk_widget_get_width (timeline) - 1; tip == NULL && x > gtk_widget_get_width (timeline) - 40; x--)
    tip = inspector_timeline_describe_at (INSPECTOR_TIMELINE (timeline), x, 55);
  g_test_message ("timeline hover: %s", tip);
  g_assert_nonnull (tip);
  g_assert_true (g_str_has_prefix (tip, "Iteration "));
  g_assert_nonnull (strstr (tip, " s — "));
  g_assert_cmpuint (strlen (strstr (tip, "— ")), >, strlen ("— "));
  /* Lanes for what ran: each task's steps under its name, its first step
   * too (the demo names its tasks after creating them: a step is named when
   * it runs, not when it was queued). */
  {
    guint n_lanes = 0;
    const char * const *lanes = inspector_timeline_get_lanes (INSPECTOR_TIMELINE (timeline), &n_lanes);
    gboolean a = FALSE, b = FALSE, c = FALSE, creation_name = FALSE;

    for (guint i = 0; i < n_lanes; i++)
      {
        a |= g_str_equal (lanes[i], "A");
        b |= g_str_equal (lanes[i], "B");
        c |= g_str_equal (lanes[i], "C");
        creation_name |= g_str_equal (lanes[i], "count_down");
      }
    g_assert_true (a && b && c);
    g_assert_false (creation_name);
  }
  /* Zoomed in to 1 ms around the newest iteration, the oldest is off screen. */
  inspector_timeline_set_span (INSPECTOR_TIMELINE (timeline), 0.001);
  g_clear_pointer (&tip, g_free);
  tip = inspector_timeline_describe_at (INSPECTOR_TIMELINE (timeline), 125, 55);
  g_assert_null (tip);
}

static gboolean
first_task_is (WeftInspector *inspector,
               const char    *state)
{
  GListModel *tasks = weft_inspector_get_task_model (inspector);
  g_autofree char *actual = NULL;

  if (g_list_model_get_n_items (tasks) == 0)
    return FALSE;
  actual = row_string (tasks, 0, "state");
  return g_strcmp0 (actual, state) == 0;
}

static void
wait_for_state (WeftInspector *inspector,
                const char    *state)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;   /* a timeout, not a speed check: valgrind is slow */

  while (!first_task_is (inspector, state) && g_get_monotonic_time () < deadline)
    {
      weft_inspector_refresh (inspector);
      spin (20);
    }
  g_assert_true (first_task_is (inspector, state));
}

/* The same views across the socket: the inspector attaches to a served loop,
 * pauses it and steps it, through org.weft.Inspector1. */
static void
test_remote_views (void)
{
  g_autofree char *runtime = g_dir_make_tmp ("weft-inspector-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(WeftFuture) demo = NULL;
  g_autofree char *address = NULL;
  g_autofree char *dir = NULL;
  WeftInspector *inspector;
  GtkWidget *window;
  WeftLoop *loop;

  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  loop = weft_loop_new ();
  g_assert_true (weft_loop_serve_inspector (loop, &error));
  g_assert_no_error (error);
  address = g_strdup_printf ("unix:path=%s", weft_loop_get_inspector_address (loop));
  connection = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);

  window = gtk_window_new ();
  inspector = WEFT_INSPECTOR (weft_inspector_new_remote (connection));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (inspector));
  gtk_window_present (GTK_WINDOW (window));

  g_object_set (inspector, "paused", TRUE, NULL);
  while (!weft_loop_get_paused (loop))
    g_main_context_iteration (NULL, TRUE);
  demo = weft_demo_countdown_start (loop);
  spin (50);
  wait_for_state (inspector, "pending");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.step-callback", NULL));
  wait_for_state (inspector, "suspended");
  /* Tasks stream in (Changed); the timers come with the next snapshot. */
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (g_list_model_get_n_items (weft_inspector_get_timer_model (inspector)) != 1
           && g_get_monotonic_time () < deadline)
      {
        weft_inspector_refresh (inspector);
        spin (20);
      }
  }
  g_assert_cmpuint (g_list_model_get_n_items (weft_inspector_get_timer_model (inspector)), ==, 1);
  /* The timeline is not blank across the socket: the snapshots carry the
   * iteration records (the step ran the countdown task). */
  {
    GtkWidget *timeline = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (inspector), WEFT_TYPE_INSPECTOR,
                                                                     "timeline"));
    guint n_lanes = 0;
    const char * const *lanes = inspector_timeline_get_lanes (INSPECTOR_TIMELINE (timeline), &n_lanes);

    g_assert_cmpuint (n_lanes, >=, 1);
    g_assert_cmpstr (lanes[0], ==, "countdown");
  }

  weft_inspector_select_task (inspector, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.cancel-task", NULL));
  g_object_set (inspector, "paused", FALSE, NULL);
  while (!weft_future_is_done (demo))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (weft_future_is_cancelled (demo));
  wait_for_state (inspector, "cancelled");

  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
  dir = g_build_filename (runtime, "weft", NULL);
  g_rmdir (dir);
  g_rmdir (runtime);
}

static gpointer
sleeps_a_minute (gpointer data, GError **error)
{
  weft_sleep (60, error);
  return NULL;
}

/* @n tasks sleeping a minute, each started and suspended in its sleep. */
static GPtrArray *
start_sleepers (WeftLoop *loop, guint n)
{
  GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_task_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (tasks, weft_loop_create_task (loop, sleeps_a_minute, NULL, NULL));
  while (count_tasks_in (loop, WEFT_TASK_STATE_SUSPENDED) < n)
    g_main_context_iteration (NULL, TRUE);
  return tasks;
}

/* Cancels @tasks and runs the loop until none is left alive. */
static void
cancel_all (WeftLoop *loop, GPtrArray *tasks)
{
  for (guint i = 0; i < tasks->len; i++)
    weft_task_cancel (g_ptr_array_index (tasks, i), NULL);
  while (count_live (loop) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
model_has_name (GListModel *model, const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autofree char *row_name = row_string (model, i, "name");

      if (g_strcmp0 (row_name, name) == 0)
        return TRUE;
    }
  return FALSE;
}

static gpointer
late_task (gpointer data, GError **error)
{
  weft_sleep (0.05, error);
  return NULL;
}

/* Remote tasks stream in as they change: with more live tasks than a snapshot
 * lists (1,000), a task created after them still shows up remotely, through
 * the Changed signal, and its end too. */
static void
test_remote_stream (void)
{
  g_autofree char *runtime = g_dir_make_tmp ("weft-inspector-XXXXXX", NULL);
  g_autofree char *address = NULL, *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GPtrArray) sleepers = NULL;
  g_autoptr(WeftTask) late = NULL;
  WeftLoop *loop;
  WeftInspector *inspector;
  GListModel *model;
  gint64 deadline;
  gboolean late_done = FALSE;

  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  loop = weft_loop_new ();
  sleepers = start_sleepers (loop, 1005);
  g_assert_true (weft_loop_serve_inspector (loop, &error));
  address = g_strdup_printf ("unix:path=%s", weft_loop_get_inspector_address (loop));
  connection = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  inspector = WEFT_INSPECTOR (g_object_ref_sink (weft_inspector_new_remote (connection)));
  model = weft_inspector_get_task_model (inspector);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_list_model_get_n_items (model) < 1000 && g_get_monotonic_time () < deadline)
    {
      weft_inspector_refresh (inspector);
      spin (20);
    }
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1000);   /* what a snapshot lists */

  late = weft_loop_create_task (loop, late_task, NULL, NULL);
  weft_task_set_name (late, "late");
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!model_has_name (model, "late") && g_get_monotonic_time () < deadline)
    spin (20);
  g_assert_true (model_has_name (model, "late"));
  while (!weft_future_is_done (WEFT_FUTURE (late)))
    g_main_context_iteration (NULL, TRUE);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (; !late_done && g_get_monotonic_time () < deadline; spin (20))
    for (guint i = 0; i < g_list_model_get_n_items (model) && !late_done; i++)
      {
        g_autofree char *name = row_string (model, i, "name");
        g_autofree char *state = row_string (model, i, "state");

        late_done = g_strcmp0 (name, "late") == 0 && g_strcmp0 (state, "done") == 0;
      }
  g_assert_true (late_done);

  cancel_all (loop, sleepers);
  g_object_unref (inspector);
  weft_loop_close (loop);
  weft_loop_unref (loop);
  dir = g_build_filename (runtime, "weft", NULL);
  g_rmdir (dir);
  g_rmdir (runtime);
}

/* Record a session, then replay it: the views show the loop as it was at each
 * recorded instant, and a truncated file still replays up to where it ends. */
static void
test_record_and_replay (void)
{
  WeftLoop *loop = weft_loop_new ();
  WeftInspector *inspector = WEFT_INSPECTOR (g_object_ref_sink (weft_inspector_new (loop)));
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "weft-test.weftrec", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(WeftFuture) demo = NULL;
  g_autofree char *contents = NULL;
  GtkWidget *replay;
  gsize length;
  guint n;

  g_object_set (inspector, "paused", TRUE, NULL);
  demo = weft_demo_countdown_start (loop);
  g_assert_true (weft_inspector_start_recording (inspector, path, &error));
  g_assert_no_error (error);
  g_assert_true (first_task_is (inspector, "pending"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.step-callback", NULL));
  g_assert_true (first_task_is (inspector, "suspended"));
  weft_task_cancel ((WeftTask *) demo, NULL);
  g_object_set (inspector, "paused", FALSE, NULL);
  while (!weft_future_is_done (demo))
    g_main_context_iteration (NULL, TRUE);
  weft_inspector_refresh (inspector);
  g_assert_true (first_task_is (inspector, "cancelled"));
  weft_inspector_stop_recording (inspector);

  replay = g_object_ref_sink (weft_inspector_new_replay (path, &error));
  g_assert_no_error (error);
  n = weft_inspector_seek (WEFT_INSPECTOR (replay), 0);
  g_assert_cmpuint (n, >=, 3);
  g_assert_true (first_task_is (WEFT_INSPECTOR (replay), "pending"));
  weft_inspector_seek (WEFT_INSPECTOR (replay), n - 1);
  g_assert_true (first_task_is (WEFT_INSPECTOR (replay), "cancelled"));
  weft_inspector_seek (WEFT_INSPECTOR (replay), 0);            /* and back */
  g_assert_true (first_task_is (WEFT_INSPECTOR (replay), "pending"));
  g_assert_nonnull (strstr (weft_inspector_get_status (WEFT_INSPECTOR (replay)), "Replay "));
  {
    GtkWidget *window = gtk_window_new ();

    gtk_window_set_default_size (GTK_WINDOW (window), 900, 400);
    gtk_window_set_child (GTK_WINDOW (window), replay);
    gtk_window_present (GTK_WINDOW (window));
    weft_inspector_seek (WEFT_INSPECTOR (replay), 1);
    g_assert_cmpuint (screenshot_when_painted (replay, "replay"), >, 3);
    gtk_window_destroy (GTK_WINDOW (window));
  }
  g_object_unref (replay);

  /* Cut off mid-record: the complete records still replay. */
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, length - 5, NULL));
  replay = g_object_ref_sink (weft_inspector_new_replay (path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (weft_inspector_seek (WEFT_INSPECTOR (replay), 0), ==, n - 1);
  g_object_unref (replay);

  /* Not a recording at all. */
  g_assert_true (g_file_set_contents (path, "hello", -1, NULL));
  g_assert_null (weft_inspector_new_replay (path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  g_unlink (path);
  g_object_unref (inspector);
  weft_loop_close (loop);
  weft_loop_unref (loop);
}

/* The inspector's state is GObject properties with notify, so an app can bind
 * to it: each real change notifies once, a non-change not at all. */
static void
test_property_notifications (void)
{
  WeftLoop *loop = weft_loop_new ();
  WeftInspector *inspector = WEFT_INSPECTOR (g_object_ref_sink (weft_inspector_new (loop)));
  g_autoptr(GtSignalLogger) logger = gt_signal_logger_new ();
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "weft-notify.weftrec", NULL);
  GParamSpec *pspec = NULL;

  gt_signal_logger_connect (logger, inspector, "notify::paused");
  gt_signal_logger_connect (logger, inspector, "notify::recording");

  g_object_set (inspector, "paused", TRUE, NULL);
  gt_signal_logger_assert_emission_pop (logger, inspector, "notify::paused", &pspec);
  g_assert_cmpstr (g_param_spec_get_name (pspec), ==, "paused");
  g_assert_true (weft_loop_get_paused (loop));
  g_object_set (inspector, "paused", TRUE, NULL);           /* no change */
  gt_signal_logger_assert_no_emissions (logger);

  g_assert_true (weft_inspector_start_recording (inspector, path, NULL));
  gt_signal_logger_assert_emission_pop (logger, inspector, "notify::recording", &pspec);
  weft_inspector_stop_recording (inspector);
  gt_signal_logger_assert_emission_pop (logger, inspector, "notify::recording", &pspec);
  weft_inspector_stop_recording (inspector);                 /* not recording */
  g_object_set (inspector, "paused", FALSE, NULL);
  gt_signal_logger_assert_emission_pop (logger, inspector, "notify::paused", &pspec);
  gt_signal_logger_assert_no_emissions (logger);

  g_unlink (path);
  g_object_unref (inspector);
  weft_loop_close (loop);
  weft_loop_unref (loop);
}


static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  test_heartbeat_beat (data, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}


/* The in-process table follows every task (no cap), updating rows in place:
 * N sleeping tasks are N rows; cancelling some turns exactly those rows to
 * "cancelled". WEFT_MANY_TASKS sets N (20,000 here; 100,000 for the figures
 * in the notes) and the refresh times are printed. */
static void
test_many_tasks (void)
{
  guint n = g_getenv ("WEFT_MANY_TASKS") ? (guint) atoi (g_getenv ("WEFT_MANY_TASKS")) : 20000;
  WeftLoop *loop = weft_loop_new ();
  WeftInspector *inspector;
  GtkWidget *window = gtk_window_new ();
  g_autoptr(GPtrArray) tasks = NULL;
  GListModel *model;
  gint64 start, first, again, after_cancel;
  guint cancelled = 0;

  if (RUNNING_ON_VALGRIND)
    n = MIN (n, 2000);
  weft_loop_set_task_history (loop, n / 100 + 1);   /* every cancelled task stays listed */
  inspector = WEFT_INSPECTOR (weft_inspector_new (loop));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 500);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (inspector));
  gtk_window_present (GTK_WINDOW (window));
  start = g_get_monotonic_time ();
  tasks = start_sleepers (loop, n);
  g_test_message ("%u tasks created and started in %.1f ms", n, (g_get_monotonic_time () - start) / 1e3);

  model = weft_inspector_get_task_model (inspector);
  start = g_get_monotonic_time ();
  g_variant_unref (g_variant_ref_sink (weft_loop_snapshot (loop)));
  g_test_message ("snapshot alone: %.1f ms", (g_get_monotonic_time () - start) / 1e3);
  start = g_get_monotonic_time ();
  weft_inspector_refresh (inspector);
  first = g_get_monotonic_time () - start;
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  start = g_get_monotonic_time ();
  weft_inspector_refresh (inspector);                 /* nothing changed */
  again = g_get_monotonic_time () - start;
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);

  for (guint i = 0; i < n; i += 100, cancelled++)
    weft_task_cancel (g_ptr_array_index (tasks, i), NULL);
  /* Until the cancelled tasks are done: the loop shares the context with
   * the window's frames (slow under valgrind), so no fixed time will do. */
  {
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    guint done;

    do
      {
        spin (20);
        done = 0;
        for (guint i = 0; i < n; i += 100)
          done += weft_future_is_done (WEFT_FUTURE (g_ptr_array_index (tasks, i)));
      }
    while (done < cancelled && g_get_monotonic_time () < deadline);
    g_assert_cmpuint (done, ==, cancelled);
  }
  start = g_get_monotonic_time ();
  weft_inspector_refresh (inspector);
  after_cancel = g_get_monotonic_time () - start;
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  {
    guint shown_cancelled = 0;

    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autofree char *state = row_string (model, i, "state");

        shown_cancelled += g_strcmp0 (state, "cancelled") == 0;
      }
    g_assert_cmpuint (shown_cancelled, ==, cancelled);
  }
  g_test_message ("%u tasks: first refresh %.1f ms, unchanged %.1f ms, after %u cancels %.1f ms",
                  n, first / 1e3, again / 1e3, cancelled, after_cancel / 1e3);
  /* A second of frames with the view refreshing (figures only: timing is
   * for the benchmarks, not for a test on a shared machine). */
  {
    TestHeartbeat f = { 0 };
    guint id = gtk_widget_add_tick_callback (GTK_WIDGET (inspector), on_tick, &f, NULL);

    spin (1000);
    gtk_widget_remove_tick_callback (GTK_WIDGET (inspector), id);
    g_test_message ("%u tasks: %u frames in 1 s, longest frame interval %.1f ms", n, f.beats, f.worst / 1e3);
    g_assert_cmpuint (f.beats, >, 0);
  }

  cancel_all (loop, tasks);
  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
}
int
main (int argc, char **argv)
{
  weft_gtk_test_init (&argc, &argv);

  g_test_add_func ("/Weft/Inspector/views-follow-steps", test_views_follow_steps);
  g_test_add ("/Weft/Inspector/detail-pane", Countdowns, NULL, countdowns_setup, test_detail_pane, countdowns_teardown);
  g_test_add ("/Weft/Inspector/age-column", Countdowns, NULL, countdowns_setup, test_age_column, countdowns_teardown);
  g_test_add ("/Weft/Inspector/run-histogram", Countdowns, NULL, countdowns_setup, test_run_histogram, countdowns_teardown);
  g_test_add ("/Weft/Inspector/screenshots", Countdowns, NULL, countdowns_setup, test_screenshots, countdowns_teardown);
  g_test_add ("/Weft/Inspector/timeline-hover", Countdowns, NULL, countdowns_setup, test_timeline_hover, countdowns_teardown);
  g_test_add_func ("/Weft/Inspector/many-tasks", test_many_tasks);
  g_test_add_func ("/Weft/Inspector/remote-views", test_remote_views);
  g_test_add_func ("/Weft/Inspector/remote-stream", test_remote_stream);
  g_test_add_func ("/Weft/Inspector/record-and-replay", test_record_and_replay);
  g_test_add_func ("/Weft/Inspector/property-notifications", test_property_notifications);

  return g_test_run ();
}
