/* test-inspector-window.c: the app's window (weft-inspector) under Xvfb: its
 * settings, the keyboard walk through a tutorial demo, every view at 1280×800 and
 * 900 px, the demos it runs (C, GTK, Python)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <gtksourceview/gtksource.h>
#include <libglib-testing/signal-logger.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inspector-demos.h"
#include "weft-inspector.h"
#include "weft-test-common.h"
#include "inspector-histogram.h"
#include "inspector-rows.h"
#include "inspector-timeline.h"
#include "inspector-program.h"
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

/* The app's GSettings (org.weft.Inspector, memory backend here): the window
 * size is bound both ways, the refresh interval and history length apply live. */
static void
test_settings (void)
{
  WeftLoop *loop = weft_loop_new ();
  InspectorWindow *window = inspector_window_new (NULL, loop);
  GSettings *settings = inspector_window_get_settings (window);
  WeftInspector *inspector = NULL;
  int width = 0;
  guint interval = 0;

  g_assert_nonnull (settings);
  g_object_get (window, "default-width", &width, NULL);
  g_assert_cmpint (width, ==, g_settings_get_int (settings, "window-width"));

  g_settings_set_int (settings, "window-width", 777);
  g_object_get (window, "default-width", &width, NULL);
  g_assert_cmpint (width, ==, 777);
  gtk_window_set_default_size (GTK_WINDOW (window), 801, 555);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 801);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 555);

  g_settings_set_uint (settings, "history-length", 7);
  g_assert_cmpuint (weft_loop_get_task_history (loop), ==, 7);

  g_settings_set_uint (settings, "refresh-interval", 250);
  inspector = inspector_window_get_inspector (INSPECTOR_WINDOW (window));
  g_assert_nonnull (inspector);
  g_object_get (inspector, "refresh-interval", &interval, NULL);
  g_assert_cmpuint (interval, ==, 250);

  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
}

static GtkWindow *
find_window (const char *title)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (window), title) == 0)
        return window;
    }
  return NULL;
}

/* The app's window under valgrind: once it is on screen, memcheck reports
 * uninitialised conditional jumps in code with no object and no symbols (run-time
 * generated code in the process: not GL, and not GtkSourceView's language
 * regexes; each tried and ruled out), so nothing there could be suppressed
 * but everything. The window's tests run in the other passes (plain, ASan);
 * the widget's own tests run under valgrind. */
static gboolean
skip_window_under_valgrind (void)
{
  if (!RUNNING_ON_VALGRIND)
    return FALSE;
  g_test_skip ("the app window under valgrind: see skip_window_under_valgrind()");
  return TRUE;
}

/* Whether @widget lies wholly inside @window (nothing clipped off its edges). */
static gboolean
inside_window (GtkWidget *widget,
               GtkWidget *window)
{
  graphene_rect_t bounds;

  if (!gtk_widget_compute_bounds (widget, window, &bounds))
    return FALSE;
  return bounds.origin.x >= 0 && bounds.origin.y >= 0
         && bounds.origin.x + bounds.size.width <= gtk_widget_get_width (window) + 0.5
         && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (window) + 0.5;
}

static void
resize_and_settle (GtkWindow *window,
                   int        width,
                   int        height)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  gtk_window_set_default_size (window, width, height);
  while ((gtk_widget_get_width (GTK_WIDGET (window)) != width || gtk_widget_get_height (GTK_WIDGET (window)) != height)
         && g_get_monotonic_time () < deadline)
    spin (50);
  spin (200);
}

/* What the learner sees after each step of the walk. */
static void
assert_walk_state (InspectorWindow *window,
                   const char      *next,
                   guint            line,
                   double           clock,
                   const char      *printed)
{
  WeftInspector *inspector = inspector_window_get_inspector (window);
  g_autofree char *output = inspector_window_get_output (window);

  weft_inspector_refresh (inspector);
  g_assert_cmpstr (weft_inspector_get_next (inspector), ==, next);
  g_assert_cmpuint (inspector_window_get_highlighted_line (window), ==, line);
  g_assert_cmpfloat_with_epsilon (weft_inspector_get_clock (inspector), clock, 1e-6);
  g_assert_nonnull (strstr (weft_inspector_get_status (inspector), "(virtual)"));
  if (printed != NULL)
    g_assert_true (g_str_has_suffix (output, printed));
}

/* The tutorial walk: `callbacks`, stepped with Space only, as real key
 * presses, whatever has the focus (the task table, the source view, even a
 * button, which would take Space as a click). At each step the Next panel
 * says what runs, the source marks its line, and the virtual clock reads
 * 0 s, 2 s, 3 s: call_later (2) and the 3 s sleep keep their meaning however
 * long the learner takes. In the search field Space types a space. */
static void
test_tutorial_walk (void)
{
  if (skip_window_under_valgrind ())
    return;

  WeftLoop *loop = weft_loop_new ();
  InspectorWindow *window = inspector_window_new (NULL, loop);
  GtkWidget *source_view, *search, *step_button;
  WeftLoop *demo_loop;
  guint64 iteration;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (inspector_window_start_demo (window, "callbacks", TRUE));
  demo_loop = inspector_window_get_loop (window);
  spin (300);
  /* At first the focus is on the task table, not on Pause. */
  g_assert_true (GTK_IS_COLUMN_VIEW (gtk_widget_get_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                                              GTK_TYPE_COLUMN_VIEW))
                 || GTK_IS_COLUMN_VIEW (gtk_root_get_focus (GTK_ROOT (window))));
  assert_walk_state (window, "callback runs, scheduled at demo-callbacks.c:38", 38, 0.0, NULL);

  press_keys (GTK_WINDOW (window), "space");
  assert_walk_state (window, "Timer callback from demo-callbacks.c:39 fires in 2.00 s", 39, 0.0,
                     "call_soon callback ran at 0.00 s\n");

  g_usleep (300000);   /* the learner reads: the clock does not move */
  source_view = find_widget_of_type (GTK_WIDGET (window), GTK_SOURCE_TYPE_VIEW);
  gtk_widget_grab_focus (source_view);
  press_keys (GTK_WINDOW (window), "space");
  assert_walk_state (window, "Timer resolve from demo-callbacks.c:40 fires in 1.00 s", 40, 2.0,
                     "call_later callback ran at 2.00 s\n");

  step_button = GTK_WIDGET (g_object_get_data (G_OBJECT (window), "step-demo-button"));
  g_assert_nonnull (step_button);
  gtk_widget_grab_focus (step_button);
  press_keys (GTK_WINDOW (window), "space");
  assert_walk_state (window, "Nothing is scheduled: the loop waits for I/O, another thread or a signal", 0, 3.0,
                     "call_later callback ran at 2.00 s\n");
  g_assert_true (inspector_window_get_loop (window) == demo_loop);   /* Space did not click: no restart */

  /* Space in the search field is a space. */
  iteration = weft_loop_get_iteration (demo_loop);
  search = find_widget_of_type (GTK_WIDGET (inspector_window_get_inspector (window)), GTK_TYPE_SEARCH_ENTRY);
  gtk_widget_grab_focus (search);
  press_keys (GTK_WINDOW (window), "space");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, " ");
  g_assert_cmpuint (weft_loop_get_iteration (demo_loop), ==, iteration);

  /* Alt+3 shows the timers from wherever the focus is; Ctrl+F brings the
   * tasks back, the focus in their filter. */
  {
    AdwViewStack *stack = weft_inspector_get_view_stack (inspector_window_get_inspector (window));
    GtkWidget *focus;

    gtk_widget_grab_focus (source_view);
    press_keys (GTK_WINDOW (window), "alt+3");
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "timers");
    press_keys (GTK_WINDOW (window), "alt+5");
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "timeline");
    press_keys (GTK_WINDOW (window), "ctrl+f");
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "tasks");
    focus = gtk_root_get_focus (GTK_ROOT (window));
    g_assert_true (focus == search || gtk_widget_is_ancestor (focus, search));
  }

  /* Ctrl+Shift+A attaches, also from the task table (whose own Ctrl+Shift+A,
   * "unselect all", used to take it first: nothing opened). */
  {
    GtkWidget *table = find_widget_of_type (GTK_WIDGET (inspector_window_get_inspector (window)), GTK_TYPE_COLUMN_VIEW);
    GtkWindow *dialog;

    gtk_widget_grab_focus (table);
    press_keys (GTK_WINDOW (window), "ctrl+shift+a");
    dialog = find_window ("Attach to Process");
    g_assert_nonnull (dialog);
    gtk_window_destroy (dialog);
  }

  /* F5 resumes; the clock runs on from 3 s. */
  gtk_widget_grab_focus (source_view);
  press_keys (GTK_WINDOW (window), "F5");
  g_assert_false (weft_loop_get_paused (demo_loop));
  g_assert_cmpfloat (weft_inspector_get_clock (inspector_window_get_inspector (window)), >=, 3.0);

  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
}

/* The app's window at 1280×800 and 900×700, light and dark, on every page,
 * a few steps into the countdowns demo: screenshots kept as build artifacts.
 * Wide, the source pane sits beside the views; at 900 px it folds away and
 * the step controls stay whole inside the window. */
static void
test_window_tour (void)
{
  if (skip_window_under_valgrind ())
    return;

  static const char * const pages[] = { "tasks", "ready", "timers", "warnings", "timeline" };
  static const struct { int width, height; gboolean folded; } sizes[] = { { 1280, 800, FALSE }, { 900, 700, TRUE } };
  WeftLoop *loop = weft_loop_new ();
  InspectorWindow *window = inspector_window_new (NULL, loop);
  AdwStyleManager *style = adw_style_manager_get_default ();
  AdwFlap *flap = ADW_FLAP (find_widget_of_type (GTK_WIDGET (window), ADW_TYPE_FLAP));
  WeftInspector *inspector;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  spin (200);
  g_assert_false (adw_flap_get_reveal_flap (flap));   /* no source before a demo runs */
  g_assert_true (inspector_window_start_demo (window, "countdowns", TRUE));
  g_assert_true (adw_flap_get_reveal_flap (flap));
  inspector = inspector_window_get_inspector (window);
  for (int i = 0; i < 6; i++)
    gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.step-callback", NULL);
  weft_inspector_refresh (inspector);
  /* Ages are on the loop's clock: a stepped demo's tasks are at most as old
   * as its virtual clock (1 s here), however long the steps took. */
  {
    GListModel *tasks = weft_inspector_get_task_model (inspector);
    double now, before;

    g_object_get (inspector, "now", &before, NULL);
    g_usleep (300000);   /* the learner reads */
    weft_inspector_refresh (inspector);
    g_object_get (inspector, "now", &now, NULL);
    g_assert_cmpfloat (now, ==, before);
    g_assert_cmpuint (g_list_model_get_n_items (tasks), ==, 3);
    for (guint i = 0; i < g_list_model_get_n_items (tasks); i++)
      {
        g_autoptr(InspectorTaskRow) row = g_list_model_get_item (tasks, i);

        g_assert_cmpfloat (now - inspector_task_row_get_birth (row), <=, weft_inspector_get_clock (inspector) + 1e-6);
      }
  }

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int dark = 0; dark < 2; dark++)
      {
        adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
        resize_and_settle (GTK_WINDOW (window), sizes[s].width, sizes[s].height);
        g_assert_cmpint (adw_flap_get_folded (flap), ==, sizes[s].folded);
        g_assert_true (inside_window (find_widget_of_type (GTK_WIDGET (inspector), GTK_TYPE_TOGGLE_BUTTON),
                                      GTK_WIDGET (window)));
        for (guint p = 0; p < G_N_ELEMENTS (pages); p++)
          {
            g_autofree char *name = g_strdup_printf ("window-%s-%dx%d-%s", pages[p], sizes[s].width, sizes[s].height,
                                                     dark ? "dark" : "light");

            weft_inspector_show_page (inspector, pages[p]);
            g_assert_cmpuint (screenshot_when_painted (GTK_WIDGET (window), name), >, 3);
          }
      }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
}

/* Spins until @done (checked every 20 ms) or @seconds pass. */
static gboolean
spin_until (gboolean (*done) (gpointer), gpointer data, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < deadline)
    spin (20);
  return done (data);
}

typedef struct
{
  InspectorWindow *window;
  const char      *text;
  guint            line;
} PyDemo;

static gboolean
py_attached (gpointer data)
{
  PyDemo *d = data;
  WeftInspector *inspector = inspector_window_get_inspector (d->window);

  return weft_inspector_get_loop (inspector) == NULL
         && g_list_model_get_n_items (weft_inspector_get_ready_model (inspector)) > 0;
}

static gboolean
py_printed (gpointer data)
{
  PyDemo *d = data;
  g_autofree char *output = inspector_window_get_output (d->window);

  return strstr (output, d->text) != NULL;
}

static gboolean
py_highlighted (gpointer data)
{
  PyDemo *d = data;

  return inspector_window_get_highlighted_line (d->window) == d->line;
}

/* Steps once and waits until @text is printed, stepping again while the
 * next callback is a timer not yet due. */
static gboolean
py_step_until_printed (PyDemo *d, const char *text)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  d->text = text;
  while (!py_printed (d) && g_get_monotonic_time () < deadline)
    {
      gtk_widget_activate_action (GTK_WIDGET (inspector_window_get_inspector (d->window)),
                                  "inspector.step-callback", NULL);
      spin (100);
    }
  return py_printed (d);
}

/* The name the window's demo picker shows. */
static const char *
demo_picked (InspectorWindow *window)
{
  GtkWidget *picker = find_widget_of_type (GTK_WIDGET (window), GTK_TYPE_DROP_DOWN);
  GObject *item = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (picker));

  return item != NULL ? gtk_string_object_get_string (GTK_STRING_OBJECT (item)) : NULL;
}

/* py-countdown, stepped: the unchanged asyncio program runs on Weft in a
 * child process, paused from its first callback; the window attaches to
 * it, shows its Python source with the line of the next step highlighted
 * (where the task starts, then where it resumes), and its output. */
static void
test_python_demo (void)
{
  if (skip_window_under_valgrind ())
    return;

  WeftLoop *loop = weft_loop_new ();
  InspectorWindow *window = NULL;
  PyDemo d = { NULL, NULL, 0 };
  gboolean paused = FALSE;

  if (inspector_demo_lookup ("py-countdown") == NULL)
    {
      g_test_skip ("built without weft for Python");
      weft_loop_unref (loop);
      return;
    }
  window = inspector_window_new (NULL, loop);
  d.window = window;
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (inspector_window_start_demo (window, "py-countdown", TRUE));
  g_assert_cmpstr (demo_picked (window), ==, "py-countdown");
  g_assert_true (spin_until (py_attached, &d, 20));
  g_object_get (inspector_window_get_inspector (window), "paused", &paused, NULL);
  g_assert_true (paused);
  d.line = 5;   /* async def countdown(number): it has not started */
  g_assert_true (spin_until (py_highlighted, &d, 5));
  {
    g_autofree char *output = inspector_window_get_output (window);

    g_assert_cmpstr (output, ==, "");   /* held before its first step */
  }
  g_assert_true (py_step_until_printed (&d, "Countdown: 3\n"));
  g_assert_true (screenshot_when_painted (GTK_WIDGET (window), "python-demo") > 3);
  /* Asleep; once the timer fires (a step), the task's wake-up is next: the
   * line it resumes at. */
  d.line = 8;   /* await asyncio.sleep(1) */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!py_highlighted (&d) && g_get_monotonic_time () < deadline)
      {
        gtk_widget_activate_action (GTK_WIDGET (inspector_window_get_inspector (window)),
                                    "inspector.step-callback", NULL);
        spin (100);
      }
  }
  g_assert_true (py_highlighted (&d));
  g_assert_true (py_step_until_printed (&d, "Countdown: 2\n"));

  /* The asyncio task, selected: the loop does not describe another runtime's
   * tasks, so the detail pane shows what its row knows (it said "Select a
   * task" with the task selected), and says its steps were only timed in total. */
  {
    WeftInspector *inspector = inspector_window_get_inspector (window);
    GtkLabel *detail = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (inspector), WEFT_TYPE_INSPECTOR,
                                                                  "detail_label"));
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    weft_inspector_select_task (inspector, 0);
    while (strstr (gtk_label_get_text (detail), "Task-1") == NULL && g_get_monotonic_time () < deadline)
      spin (50);
    g_test_message ("detail pane: %s", gtk_label_get_text (detail));
    g_assert_nonnull (strstr (gtk_label_get_text (detail), "“Task-1”"));
    g_assert_nonnull (strstr (gtk_label_get_text (detail), "countdown.py:5"));
  }

  /* Resumed, it runs to its end. */
  g_object_set (inspector_window_get_inspector (window), "paused", FALSE, NULL);
  d.text = "(the program exited with status 0)";
  g_assert_true (spin_until (py_printed, &d, 15));
  d.text = "Countdown: 1\nCountdown finished!\n";
  g_assert_true (py_printed (&d));
  /* The loop is gone: the Next panel no longer tells of its last timer. */
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
    g_autofree char *next = NULL;

    do
      {
        g_clear_pointer (&next, g_free);
        spin (50);
        g_object_get (inspector_window_get_inspector (window), "next", &next, NULL);
      }
    while (strstr (next, "the loop is gone") == NULL && g_get_monotonic_time () < deadline);
    g_assert_nonnull (strstr (next, "the loop is gone"));
  }
  /* And its task reads as it ended (the loop's close published it), not as
   * asleep in its last await. */
  {
    GListModel *tasks = weft_inspector_get_task_model (inspector_window_get_inspector (window));
    g_autofree char *name = NULL, *state = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (tasks), >=, 1);
    {
      g_autoptr(GObject) row = g_list_model_get_item (tasks, 0);

      g_object_get (row, "name", &name, "state", &state, NULL);
    }
    g_test_message ("after the exit: %s %s", name, state);
    g_assert_cmpstr (name, ==, "Task-1");
    g_assert_cmpstr (state, ==, "done");
  }

  /* Run freely, py-greet is over before the window could attach: its output
   * and exit still show (the socket poll outlives the reaped child: it once
   * read the child's forgotten pid). */
  for (int i = 0; i < 3; i++)
    {
      g_assert_true (inspector_window_start_demo (window, "py-greet", FALSE));
      g_usleep (1500000);   /* busy: the child ends and is reaped before the app looks */
      d.text = "(the program exited with status 0)";
      g_assert_true (spin_until (py_printed, &d, 15));
      d.text = "Hello, World!\n";
      g_assert_true (py_printed (&d));
      spin (100);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
}

/* The GTK demo: each click on its button starts a task (a row counting down);
 * the inspector sees them; they finish while the window stays live. */
static void
test_buttons_demo (void)
{
  if (skip_window_under_valgrind ())
    return;

  WeftLoop *loop = weft_loop_new ();
  InspectorWindow *window = inspector_window_new (NULL, loop);
  g_autoptr(WeftFuture) demo = NULL;
  GtkWindow *demo_window;
  GtkWidget *start;
  WeftLoop *demo_loop;
  gint64 deadline;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (inspector_window_start_demo (window, "buttons", FALSE));
  /* Each demo runs in a fresh loop of its own. */
  demo_loop = inspector_window_get_loop (window);
  g_assert_true (demo_loop != loop);
  demo_window = find_window ("Weft demo: buttons");
  g_assert_nonnull (demo_window);
  start = g_object_get_data (G_OBJECT (demo_window), "start-button");
  g_assert_nonnull (start);

  for (int i = 0; i < 3; i++)
    g_signal_emit_by_name (start, "clicked");
  spin (200);
  g_assert_cmpuint (count_tasks_in (demo_loop, WEFT_TASK_STATE_SUSPENDED), ==, 3);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (count_live (demo_loop) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count_tasks_in (demo_loop, WEFT_TASK_STATE_SUSPENDED), ==, 0);
  {
    g_autoptr(GArray) finished = weft_loop_list_finished_tasks (demo_loop);
    guint done = 0;

    for (guint i = 0; i < finished->len; i++)
      done += g_array_index (finished, WeftTaskRecord, i).state == WEFT_TASK_STATE_DONE;
    g_assert_cmpuint (done, ==, 3);
  }
  g_signal_emit_by_name (start, "clicked");
  g_assert_cmpuint (screenshot_when_painted (GTK_WIDGET (demo_window), "demo-buttons"), >, 3);

  /* Closing the demo's window cancels what still runs and ends the demo. */
  gtk_window_destroy (demo_window);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (count_live (demo_loop) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count_live (demo_loop), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  weft_loop_close (loop);
  weft_loop_unref (loop);
}

static char *
program_pid_path (pid_t test)
{
  g_autofree char *name = g_strdup_printf ("weft-test-program-%d", (int) test);

  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* Whether process @pid is gone (or a zombie, waiting for whoever reaps it). */
static gboolean
process_ended (guint pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  state = strrchr (stat, ')');
  return state != NULL && state[1] == ' ' && state[2] == 'Z';
}

/* A program the inspector runs (the Python demos, paused at their first
 * callback and waiting for it) ends when the inspector does, even killed:
 * crashed test runs left such demos waiting for ever. */
static void
test_program_ends_with_inspector (void)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  guint pid;
  gint64 deadline;

  if (g_test_subprocess ())
    {
      const char *argv[] = { "sleep", "60", NULL };
      g_autoptr(GError) error = NULL;
      InspectorProgram *program = inspector_program_new (argv, NULL, &error);
      g_autofree char *pid_text = NULL;

      g_assert_no_error (error);
      pid_text = g_strdup_printf ("%u", inspector_program_get_pid (program));
      path = program_pid_path (getppid ());
      g_assert_true (g_file_set_contents (path, pid_text, -1, NULL));
      _exit (0);   /* the inspector ends at once, cleaning up nothing */
    }
  path = program_pid_path (getpid ());
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_unlink (path);
  pid = (guint) g_ascii_strtoull (text, NULL, 10);
  g_assert_cmpuint (pid, >, 0);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!process_ended (pid) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  if (!process_ended (pid))
    kill ((pid_t) pid, SIGKILL);
  g_assert_true (process_ended (pid));
}

int
main (int argc, char **argv)
{
  weft_gtk_test_init (&argc, &argv);

  g_test_add_func ("/Weft/Inspector/settings", test_settings);
  g_test_add_func ("/Weft/Inspector/buttons-demo", test_buttons_demo);
  g_test_add_func ("/Weft/Inspector/python-demo", test_python_demo);
  g_test_add_func ("/Weft/Inspector/window-tour", test_window_tour);
  g_test_add_func ("/Weft/Inspector/tutorial-walk", test_tutorial_walk);
  g_test_add_func ("/Weft/Inspector/program-ends-with-inspector", test_program_ends_with_inspector);

  return g_test_run ();
}
