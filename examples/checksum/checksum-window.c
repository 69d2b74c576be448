/* checksum-window.c: the example app's window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The window only shows a ChecksumJob: progress and the file list follow the
 * job's properties and items. The job's work runs in Weft tasks on the loop
 * attached to GTK's main context, so nothing here waits.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "checksum-window.h"
#include "weft-inspector.h"

#define N_WORKERS 8

struct _ChecksumWindow
{
  GtkApplicationWindow  parent_instance;

  GtkButton            *open_button;
  GtkButton            *start_button;
  GtkButton            *cancel_button;
  GtkLabel             *folder_label;
  GtkProgressBar       *progress;
  GtkLabel             *status_label;
  GtkColumnView        *column_view;

  WeftLoop             *loop;
  GFile                *folder;
  ChecksumJob          *job;
  gint64                started_at;
};

G_DEFINE_FINAL_TYPE (ChecksumWindow, checksum_window, GTK_TYPE_APPLICATION_WINDOW)

static void
update_progress (ChecksumWindow *self)
{
  ChecksumJob *job = self->job;
  guint64 done = checksum_job_get_bytes_done (job), total = checksum_job_get_bytes_total (job);
  guint n_files = g_list_model_get_n_items (checksum_job_get_items (job));
  double seconds = (g_get_monotonic_time () - self->started_at) / (double) G_USEC_PER_SEC;
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *total_text = g_format_size (total);
  g_autofree char *rate_text = g_format_size (seconds > 0 ? (guint64) (done / seconds) : 0);
  g_autofree char *text = NULL;

  switch (checksum_job_get_state (job))
    {
    case CHECKSUM_JOB_SCANNING:
      gtk_progress_bar_pulse (self->progress);
      text = g_strdup_printf (ngettext ("Looking for files… %u file, %s",
                                        "Looking for files… %u files, %s", n_files),
                              n_files, total_text);
      break;
    case CHECKSUM_JOB_HASHING:
      gtk_progress_bar_set_fraction (self->progress, total ? (double) done / total : 0);
      /* TRANSLATORS: files done, files, bytes done, bytes, speed */
      text = g_strdup_printf (_("%u of %u files, %s of %s (%s/s)"),
                              checksum_job_get_files_done (job), n_files, done_text, total_text, rate_text);
      break;
    case CHECKSUM_JOB_DONE:
      gtk_progress_bar_set_fraction (self->progress, 1);
      text = g_strdup_printf (_("%u files checksummed, %s in %.1f s"), n_files, total_text, seconds);
      break;
    case CHECKSUM_JOB_CANCELLED:
      text = g_strdup_printf (_("Cancelled after %u of %u files"), checksum_job_get_files_done (job), n_files);
      break;
    case CHECKSUM_JOB_FAILED:
      text = g_strdup_printf (_("Failed: %s"), checksum_job_get_message (job));
      break;
    case CHECKSUM_JOB_IDLE:
    default:
      text = g_strdup ("");
    }
  gtk_label_set_label (self->status_label, text);
  gtk_progress_bar_set_text (self->progress, NULL);
}

static void
on_job_state (ChecksumWindow *self)
{
  gboolean finished = checksum_job_is_finished (self->job);

  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !finished);
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), finished);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), finished);
  update_progress (self);
}

static void
clear_job (ChecksumWindow *self)
{
  if (self->job == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->job, self);
  checksum_job_cancel (self->job);
  g_clear_object (&self->job);
}

static void
on_start_clicked (ChecksumWindow *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (self->folder != NULL);

  clear_job (self);
  self->job = checksum_job_new (self->loop, self->folder, N_WORKERS);
  self->started_at = g_get_monotonic_time ();
  g_signal_connect_swapped (self->job, "notify::state", G_CALLBACK (on_job_state), self);
  g_signal_connect_swapped (self->job, "notify::bytes-done", G_CALLBACK (update_progress), self);
  g_signal_connect_swapped (self->job, "notify::bytes-total", G_CALLBACK (update_progress), self);
  selection = gtk_no_selection_new (g_object_ref (checksum_job_get_items (self->job)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  gtk_progress_bar_set_fraction (self->progress, 0);
  checksum_job_start (self->job);
}

static void
on_cancel_clicked (ChecksumWindow *self)
{
  if (self->job != NULL)
    checksum_job_cancel (self->job);
}

static void
on_folder_chosen (GtkNativeDialog *dialog,
                  int              response,
                  ChecksumWindow  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      checksum_window_set_folder (self, folder);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
on_open_clicked (ChecksumWindow *self)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Open Folder"), GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                              _("_Open"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_inspect_clicked (ChecksumWindow *self)
{
  GtkWidget *window = weft_inspector_open_window (self->loop);

  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
}

static void
checksum_window_dispose (GObject *object)
{
  ChecksumWindow *self = CHECKSUM_WINDOW (object);

  clear_job (self);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->loop, weft_loop_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CHECKSUM_TYPE_WINDOW);
  G_OBJECT_CLASS (checksum_window_parent_class)->dispose (object);
}

static void
checksum_window_class_init (ChecksumWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = checksum_window_dispose;

  g_type_ensure (CHECKSUM_TYPE_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Checksum/checksum-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ChecksumWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, ChecksumWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, ChecksumWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ChecksumWindow, folder_label);
  gtk_widget_class_bind_template_child (widget_class, ChecksumWindow, progress);
  gtk_widget_class_bind_template_child (widget_class, ChecksumWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ChecksumWindow, column_view);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_start_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_inspect_clicked);
}

static void
checksum_window_init (ChecksumWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ChecksumWindow *
checksum_window_new (GtkApplication *app,
                     WeftLoop       *loop)
{
  ChecksumWindow *self = g_object_new (CHECKSUM_TYPE_WINDOW, "application", app, NULL);

  self->loop = weft_loop_ref (loop);
  return self;
}

void
checksum_window_set_folder (ChecksumWindow *self,
                            GFile          *folder)
{
  g_autofree char *name = g_file_get_parse_name (folder);

  g_set_object (&self->folder, folder);
  gtk_label_set_label (self->folder_label, name);
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), self->job == NULL || checksum_job_is_finished (self->job));
}

ChecksumJob *
checksum_window_get_job (ChecksumWindow *self)
{
  return self->job;
}
