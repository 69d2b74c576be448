/* checksum-job.c: checksumming a folder with Weft tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All the asynchronous work is plain sequential C in Weft tasks: one task walks
 * the folder with GIO's asynchronous enumerator, then a task group of workers
 * reads the files with g_input_stream_read_async() and hashes them. Every GIO
 * call is awaited, so the GTK main loop keeps running between the steps, and
 * cancelling the job's task cancels the GIO call each worker is waiting on.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "checksum-job.h"

#define CHUNK_SIZE     (256 * 1024)
#define ATTRIBUTES     G_FILE_ATTRIBUTE_STANDARD_NAME "," \
                       G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
                       G_FILE_ATTRIBUTE_STANDARD_SIZE

struct _ChecksumJob
{
  GObject           parent_instance;
  WeftLoop         *loop;
  GFile            *folder;
  guint             n_workers;
  GListStore       *items;          /* ChecksumItem */
  guint             next_item;      /* the next item a worker takes */
  guint             busy;           /* workers inside a file now */
  guint             max_busy;
  WeftTask         *task;
  ChecksumJobState  state;
  char             *message;
  guint             files_done;
  guint64           bytes_done;
  guint64           bytes_total;
};

enum { PROP_0, PROP_STATE, PROP_MESSAGE, PROP_FILES_DONE, PROP_BYTES_DONE, PROP_BYTES_TOTAL, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ChecksumJob, checksum_job, G_TYPE_OBJECT)

static void
set_state (ChecksumJob      *self,
           ChecksumJobState  state,
           const char       *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* ------------------------------------------------------------ awaiting GIO */

/* Each GIO call gets its own future: cancelling the task that awaits it
 * trips the call's cancellable, and the future completes only when GIO has
 * called back, so the read buffer stays ours until then. */
typedef struct
{
  GCancellable *cancellable;
  WeftFuture   *future;
} GioCall;

/* @operation names the future for the inspector ("g_file_read_async"), and
 * the await is a macro, so the task is shown waiting at the caller's line. */
static void
gio_call_begin (ChecksumJob *self,
                GioCall     *call,
                const char  *operation)
{
  call->cancellable = g_cancellable_new ();
  call->future = weft_future_new_for_cancellable (self->loop, call->cancellable);
  weft_future_set_name (call->future, operation);
}

#define gio_call_await(call, error) ((GAsyncResult *) weft_await ((call)->future, (error)))

static void
gio_call_end (GioCall *call)
{
  g_clear_pointer (&call->future, weft_future_unref);
  g_clear_object (&call->cancellable);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GioCall, gio_call_end)

/* ---------------------------------------------------------------- scanning */

static gboolean
scan_folder (ChecksumJob  *self,
             GFile        *folder,
             GQueue       *subfolders,
             GError      **error)
{
  g_auto(GioCall) open = { NULL };
  g_autoptr(GFileEnumerator) enumerator = NULL;
  GAsyncResult *result;

  gio_call_begin (self, &open, "g_file_enumerate_children_async");
  g_file_enumerate_children_async (folder, ATTRIBUTES, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                   G_PRIORITY_DEFAULT, open.cancellable,
                                   weft_future_async_ready_callback, weft_future_ref (open.future));
  if ((result = gio_call_await (&open, error)) == NULL
      || (enumerator = g_file_enumerate_children_finish (folder, result, error)) == NULL)
    return FALSE;

  for (;;)
    {
      g_auto(GioCall) next = { NULL };
      GList *infos;

      gio_call_begin (self, &next, "g_file_enumerator_next_files_async");
      g_file_enumerator_next_files_async (enumerator, 64, G_PRIORITY_DEFAULT, next.cancellable,
                                          weft_future_async_ready_callback, weft_future_ref (next.future));
      if ((result = gio_call_await (&next, error)) == NULL)
        return FALSE;
      infos = g_file_enumerator_next_files_finish (enumerator, result, error);
      if (infos == NULL)
        return error == NULL || *error == NULL;

      for (GList *l = infos; l != NULL; l = l->next)
        {
          GFileInfo *info = l->data;
          g_autoptr(GFile) child = g_file_enumerator_get_child (enumerator, info);

          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            g_queue_push_tail (subfolders, g_steal_pointer (&child));
          else if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
            {
              g_autofree char *name = g_file_get_relative_path (self->folder, child);
              g_autoptr(ChecksumItem) item = checksum_item_new (child, name, g_file_info_get_size (info));

              g_list_store_append (self->items, item);
              self->bytes_total += g_file_info_get_size (info);
            }
        }
      g_list_free_full (infos, g_object_unref);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TOTAL]);
    }
}

/* Walks the tree breadth first. A subfolder that cannot be read is skipped
 * (and said so); the job fails only if the folder itself cannot be read. */
static gboolean
scan (ChecksumJob  *self,
      GError      **error)
{
  g_autoptr(GQueue) folders = g_queue_new ();
  GFile *folder;
  gboolean ok = TRUE;

  g_queue_push_tail (folders, g_object_ref (self->folder));
  while (ok && (folder = g_queue_pop_head (folders)) != NULL)
    {
      g_autoptr(GError) local = NULL;

      if (!scan_folder (self, folder, folders, &local))
        {
          if (folder == self->folder || g_error_matches (local, WEFT_ERROR, WEFT_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              ok = FALSE;
            }
          else
            g_message ("Skipping %s: %s", g_file_peek_path (folder), local->message);
        }
      g_object_unref (folder);
    }
  g_queue_free_full (g_steal_pointer (&folders), g_object_unref);
  return ok;
}

/* ----------------------------------------------------------------- hashing */

static char *
hash_file (ChecksumJob   *self,
           ChecksumItem  *item,
           GError       **error)
{
  g_auto(GioCall) open = { NULL };
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (CHUNK_SIZE);
  GFile *file = checksum_item_get_file (item);
  GAsyncResult *result;

  gio_call_begin (self, &open, "g_file_read_async");
  g_file_read_async (file, G_PRIORITY_DEFAULT, open.cancellable,
                     weft_future_async_ready_callback, weft_future_ref (open.future));
  if ((result = gio_call_await (&open, error)) == NULL
      || (stream = g_file_read_finish (file, result, error)) == NULL)
    return NULL;

  for (;;)
    {
      g_auto(GioCall) read = { NULL };
      gssize n;

      gio_call_begin (self, &read, "g_input_stream_read_async");
      g_input_stream_read_async (G_INPUT_STREAM (stream), buffer, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                 read.cancellable, weft_future_async_ready_callback,
                                 weft_future_ref (read.future));
      if ((result = gio_call_await (&read, error)) == NULL
          || (n = g_input_stream_read_finish (G_INPUT_STREAM (stream), result, error)) < 0)
        return NULL;
      if (n == 0)
        break;
      g_checksum_update (checksum, buffer, n);
      self->bytes_done += n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_DONE]);
    }
  /* Closing a local file's stream does not block: no need to await it. */
  g_input_stream_close (G_INPUT_STREAM (stream), NULL, NULL);
  return g_strdup (g_checksum_get_string (checksum));
}

/* A worker takes the next file until none is left. A file that cannot be read
 * fails alone; a cancellation ends the worker. */
static gpointer
worker (gpointer data,
        GError **error)
{
  ChecksumJob *self = data;

  while (self->next_item < g_list_model_get_n_items (G_LIST_MODEL (self->items)))
    {
      g_autoptr(ChecksumItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), self->next_item++);
      g_autoptr(GError) local = NULL;
      g_autofree char *digest = NULL;

      checksum_item_set_state (item, CHECKSUM_ITEM_HASHING, NULL);
      self->busy++;
      self->max_busy = MAX (self->max_busy, self->busy);
      digest = hash_file (self, item, &local);
      self->busy--;
      if (g_error_matches (local, WEFT_ERROR, WEFT_ERROR_CANCELLED))
        {
          checksum_item_set_state (item, CHECKSUM_ITEM_CANCELLED, NULL);
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (digest != NULL)
        checksum_item_set_state (item, CHECKSUM_ITEM_DONE, digest);
      else
        checksum_item_set_state (item, CHECKSUM_ITEM_FAILED, local->message);
      self->files_done++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILES_DONE]);
    }
  return self;
}

/* ------------------------------------------------------------------ the job */

static gpointer
run_job (gpointer data,
         GError **error)
{
  ChecksumJob *self = data;
  g_autoptr(WeftTaskGroup) group = NULL;
  guint n_items;

  set_state (self, CHECKSUM_JOB_SCANNING, NULL);
  if (!scan (self, error))
    return NULL;

  set_state (self, CHECKSUM_JOB_HASHING, NULL);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  group = weft_task_group_new ();
  for (guint i = 0; i < MIN (self->n_workers, n_items); i++)
    {
      WeftTask *task = weft_task_group_create_task (group, worker, self, NULL);

      weft_task_set_name (task, "checksum worker");
    }
  if (!weft_task_group_wait (group, error))
    return NULL;
  return self;
}

static void
job_finished (WeftFuture *future,
              gpointer    user_data)
{
  ChecksumJob *self = user_data;
  g_autoptr(GError) error = NULL;

  if (weft_future_propagate (future, &error))
    set_state (self, CHECKSUM_JOB_DONE, NULL);
  else if (g_error_matches (error, WEFT_ERROR, WEFT_ERROR_CANCELLED))
    {
      /* Files no worker reached are cancelled too. */
      for (guint i = self->next_item; i < g_list_model_get_n_items (G_LIST_MODEL (self->items)); i++)
        {
          g_autoptr(ChecksumItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

          checksum_item_set_state (item, CHECKSUM_ITEM_CANCELLED, NULL);
        }
      set_state (self, CHECKSUM_JOB_CANCELLED, NULL);
    }
  else
    set_state (self, CHECKSUM_JOB_FAILED, error->message);
}

static void
checksum_job_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ChecksumJob *self = CHECKSUM_JOB (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_FILES_DONE:
      g_value_set_uint (value, self->files_done);
      break;
    case PROP_BYTES_DONE:
      g_value_set_uint64 (value, self->bytes_done);
      break;
    case PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
checksum_job_dispose (GObject *object)
{
  ChecksumJob *self = CHECKSUM_JOB (object);

  /* The task holds a reference on the job while it runs: a job is only
   * disposed once its task is done. */
  g_clear_pointer (&self->task, weft_task_unref);
  G_OBJECT_CLASS (checksum_job_parent_class)->dispose (object);
}

static void
checksum_job_finalize (GObject *object)
{
  ChecksumJob *self = CHECKSUM_JOB (object);

  g_object_unref (self->items);
  g_object_unref (self->folder);
  weft_loop_unref (self->loop);
  g_free (self->message);
  G_OBJECT_CLASS (checksum_job_parent_class)->finalize (object);
}

static void
checksum_job_class_init (ChecksumJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = checksum_job_get_property;
  object_class->dispose = checksum_job_dispose;
  object_class->finalize = checksum_job_finalize;

  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, CHECKSUM_JOB_IDLE, CHECKSUM_JOB_FAILED, CHECKSUM_JOB_IDLE,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILES_DONE] = g_param_spec_uint ("files-done", NULL, NULL, 0, G_MAXUINT, 0,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0,
                                                     G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
checksum_job_init (ChecksumJob *self)
{
  self->items = g_list_store_new (CHECKSUM_TYPE_ITEM);
}

ChecksumJob *
checksum_job_new (WeftLoop *loop,
                  GFile    *folder,
                  guint     n_workers)
{
  ChecksumJob *self = g_object_new (CHECKSUM_TYPE_JOB, NULL);

  self->loop = weft_loop_ref (loop);
  self->folder = g_object_ref (folder);
  self->n_workers = MAX (n_workers, 1);
  return self;
}

/* Starts the job's task; it runs as the GTK main loop runs. */
void
checksum_job_start (ChecksumJob *self)
{
  g_return_if_fail (self->task == NULL);

  self->task = weft_loop_create_task (self->loop, run_job, g_object_ref (self), g_object_unref);
  weft_task_set_name (self->task, "checksum job");
  weft_future_add_done_callback (WEFT_FUTURE (self->task), job_finished, g_object_ref (self), g_object_unref);
}

/* Cancels the job: the worker tasks' pending reads are cancelled, and the job
 * ends CANCELLED once they have all returned. */
void
checksum_job_cancel (ChecksumJob *self)
{
  if (self->task != NULL)
    weft_task_cancel (self->task, "Cancelled by the user");
}

gboolean
checksum_job_is_finished (ChecksumJob *self)
{
  return self->state >= CHECKSUM_JOB_DONE;
}

ChecksumJobState
checksum_job_get_state (ChecksumJob *self)
{
  return self->state;
}

const char *
checksum_job_get_message (ChecksumJob *self)
{
  return self->message;
}

GListModel *
checksum_job_get_items (ChecksumJob *self)
{
  return G_LIST_MODEL (self->items);
}

guint
checksum_job_get_files_done (ChecksumJob *self)
{
  return self->files_done;
}

guint64
checksum_job_get_bytes_done (ChecksumJob *self)
{
  return self->bytes_done;
}

guint64
checksum_job_get_bytes_total (ChecksumJob *self)
{
  return self->bytes_total;
}

guint
checksum_job_get_max_busy (ChecksumJob *self)
{
  return self->max_busy;
}

WeftTask *
checksum_job_get_task (ChecksumJob *self)
{
  return self->task;
}
