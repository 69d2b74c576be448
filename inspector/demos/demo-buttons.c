/* demo-buttons.c: a GTK window whose button starts tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each click on "Start a task" creates a task that counts down from 5, half a
 * second a step, in its own row; "Cancel all" cancels the running ones. The
 * tasks are plain sequential C; the window stays live because each
 * weft_sleep() returns to GTK's main loop. Closing the window ends the demo.
 */
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "inspector-demos.h"

typedef struct
{
  WeftLoop   *loop;
  GtkWidget  *window;
  GtkListBox *rows;
  GPtrArray  *tasks;       /* WeftTask, every one started */
  WeftFuture *closed;      /* done when the window closes */
  guint       started;
} Buttons;

typedef struct
{
  GtkLabel       *label;
  GtkProgressBar *bar;
} Row;

static gpointer
count_down (gpointer data, GError **error)
{
  Row *row = data;

  for (int left = 5; left > 0; left--)
    {
      g_autofree char *text = g_strdup_printf (_("%d left"), left);

      gtk_label_set_text (row->label, text);
      gtk_progress_bar_set_fraction (row->bar, (5 - left) / 5.0);
      if (!weft_sleep (0.5, error))        /* GTK runs while this task waits */
        {
          gtk_label_set_text (row->label, _("cancelled"));
          return NULL;
        }
    }
  gtk_progress_bar_set_fraction (row->bar, 1);
  gtk_label_set_text (row->label, _("done"));
  return NULL;
}

static void
row_free (gpointer data)
{
  Row *row = data;

  g_object_unref (row->label);
  g_object_unref (row->bar);
  g_free (row);
}

static void
on_start (Buttons *b)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  g_autofree char *name = g_strdup_printf (_("task %u"), ++b->started);
  Row *row = g_new0 (Row, 1);
  WeftTask *task;

  row->label = g_object_ref (GTK_LABEL (gtk_label_new (NULL)));
  row->bar = g_object_ref (GTK_PROGRESS_BAR (gtk_progress_bar_new ()));
  gtk_widget_set_hexpand (GTK_WIDGET (row->bar), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (row->bar), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), gtk_label_new (name));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->bar));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->label));
  gtk_list_box_append (b->rows, box);

  task = weft_loop_create_task (b->loop, count_down, row, row_free);
  weft_task_set_name (task, name);
  g_ptr_array_add (b->tasks, task);
}

static void
on_cancel_all (Buttons *b)
{
  for (guint i = 0; i < b->tasks->len; i++)
    weft_task_cancel (g_ptr_array_index (b->tasks, i), "Cancelled from the demo window");
}

static void
on_destroy (Buttons *b)
{
  on_cancel_all (b);
  weft_future_set_result (b->closed, NULL, NULL);
  g_ptr_array_unref (b->tasks);
  weft_future_unref (b->closed);
  weft_loop_unref (b->loop);
  g_free (b);
}

WeftFuture *
inspector_demo_buttons_start (WeftLoop *loop)
{
  Buttons *b = g_new0 (Buttons, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *start = gtk_button_new_with_mnemonic (_("_Start a Task"));
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel All"));
  GtkWidget *scroller = gtk_scrolled_window_new ();

  b->loop = weft_loop_ref (loop);
  b->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_task_unref);
  b->closed = weft_loop_create_future (loop);
  b->window = gtk_window_new ();
  b->rows = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_window_set_title (GTK_WINDOW (b->window), _("Weft demo: buttons"));
  gtk_window_set_default_size (GTK_WINDOW (b->window), 420, 320);
  gtk_widget_add_css_class (start, "suggested-action");
  gtk_box_append (GTK_BOX (actions), start);
  gtk_box_append (GTK_BOX (actions), cancel);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (b->rows));
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), actions);
  gtk_box_append (GTK_BOX (box), scroller);
  g_object_set (box, "margin-start", 12, "margin-end", 12, "margin-top", 12, "margin-bottom", 12, NULL);
  gtk_window_set_child (GTK_WINDOW (b->window), box);
  g_signal_connect_swapped (start, "clicked", G_CALLBACK (on_start), b);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (on_cancel_all), b);
  g_signal_connect_swapped (b->window, "destroy", G_CALLBACK (on_destroy), b);
  g_object_set_data (G_OBJECT (b->window), "start-button", start);   /* for the test */
  gtk_window_present (GTK_WINDOW (b->window));
  return weft_future_ref (b->closed);
}
