/* weft-inspect-filter.c: only whole, valid D-Bus messages reach GDBus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GDBus logs a g_warning() for every message it cannot frame or parse
 * ("error determining bytes needed", "Error decoding D-Bus message"), and
 * under G_DEBUG=fatal-warnings that kills the served process: any peer could
 * do it with 16 bytes. So an inspector peer's bytes pass through this input
 * stream first. It reads from the socket (pollable, no thread), frames the
 * messages itself (g_dbus_message_bytes_needed()), parses each one
 * (g_dbus_message_new_from_blob()) and hands GDBus only messages that parse,
 * at most MAX_MESSAGE bytes each (inspector calls are tiny). A peer that
 * sends anything else gets a read error: GDBus closes the connection, and
 * the reason is logged once, as a message.
 */
#include "config.h"

#include <string.h>

#include "weft-inspect-filter-private.h"

#define MAX_MESSAGE (1024 * 1024)
#define READ_CHUNK  (16 * 1024)
#define HEADER_SIZE 16

struct _WeftInspectFilter
{
  GInputStream   parent_instance;
  GSocketConnection *connection;
  GInputStream  *base;      /* the socket's input stream */
  GByteArray    *incoming;  /* read, not yet a whole message */
  GByteArray    *ready;     /* whole valid messages, for GDBus */
  gsize          ready_pos;
  GError        *error;     /* the peer broke the protocol: every read fails */
};

G_DEFINE_FINAL_TYPE (WeftInspectFilter, weft_inspect_filter, G_TYPE_INPUT_STREAM)

/* Moves every whole message from incoming to ready. FALSE (and self->error)
 * if the peer sent something that is not one. */
static gboolean
frame_messages (WeftInspectFilter *self)
{
  while (self->incoming->len >= HEADER_SIZE)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDBusMessage) message = NULL;
      gssize needed = g_dbus_message_bytes_needed (self->incoming->data, HEADER_SIZE, &error);

      if (needed < 0)
        {
          self->error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a D-Bus message: %s", error->message);
          return FALSE;
        }
      if (needed > MAX_MESSAGE)
        {
          self->error = g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                     "a message of %" G_GSSIZE_FORMAT " bytes (at most %d)", needed, MAX_MESSAGE);
          return FALSE;
        }
      if ((gsize) needed > self->incoming->len)
        return TRUE;   /* more to come */
      message = g_dbus_message_new_from_blob (self->incoming->data, (gsize) needed, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
      if (message == NULL)
        {
          self->error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a malformed D-Bus message: %s", error->message);
          return FALSE;
        }
      g_byte_array_append (self->ready, self->incoming->data, (guint) needed);
      g_byte_array_remove_range (self->incoming, 0, (guint) needed);
    }
  return TRUE;
}

/* Gives what is ready to the reader. */
static gssize
take_ready (WeftInspectFilter *self,
            void              *buffer,
            gsize              count)
{
  gsize n = MIN (count, self->ready->len - self->ready_pos);

  memcpy (buffer, self->ready->data + self->ready_pos, n);
  self->ready_pos += n;
  if (self->ready_pos == self->ready->len)
    {
      g_byte_array_set_size (self->ready, 0);
      self->ready_pos = 0;
    }
  return (gssize) n;
}

typedef struct
{
  void  *buffer;
  gsize  count;
  guint8 chunk[READ_CHUNK];
} ReadData;

static void read_more (GTask *task);

static void
on_base_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  WeftInspectFilter *self = g_task_get_source_object (task);
  ReadData *read = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  if (n == 0)
    {
      g_task_return_int (task, 0);   /* the peer left (a cut message with it) */
      return;
    }
  g_byte_array_append (self->incoming, read->chunk, (guint) n);
  if (!frame_messages (self))
    {
      g_message ("Weft inspector: dropped a peer: %s", self->error->message);
      _weft_inspect_server_count_drop ();
      g_task_return_error (task, g_error_copy (self->error));
      return;
    }
  if (self->ready->len > 0)
    g_task_return_int (task, take_ready (self, read->buffer, read->count));
  else
    read_more (g_steal_pointer (&task));
}

static void
read_more (GTask *task)
{
  WeftInspectFilter *self = g_task_get_source_object (task);
  ReadData *read = g_task_get_task_data (task);

  g_input_stream_read_async (self->base, read->chunk, sizeof read->chunk, g_task_get_priority (task),
                             g_task_get_cancellable (task), on_base_read, task);
}

static void
filter_read_async (GInputStream        *stream,
                   void                *buffer,
                   gsize                count,
                   int                  priority,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             data)
{
  WeftInspectFilter *self = WEFT_INSPECT_FILTER (stream);
  GTask *task = g_task_new (stream, cancellable, callback, data);
  ReadData *read;

  g_task_set_priority (task, priority);
  g_task_set_source_tag (task, filter_read_async);
  if (self->error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->error));
      g_object_unref (task);
      return;
    }
  if (self->ready->len > 0)
    {
      g_task_return_int (task, take_ready (self, buffer, count));
      g_object_unref (task);
      return;
    }
  read = g_new (ReadData, 1);
  read->buffer = buffer;
  read->count = count;
  g_task_set_task_data (task, read, g_free);
  read_more (task);
}

static gssize
filter_read_finish (GInputStream  *stream,
                    GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

/* GDBus reads asynchronously only; a blocking read is not offered. */
static gssize
filter_read (GInputStream  *stream,
             void          *buffer,
             gsize          count,
             GCancellable  *cancellable,
             GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Blocking reads are not offered");
  return -1;
}

static gboolean
filter_close (GInputStream  *stream,
              GCancellable  *cancellable,
              GError       **error)
{
  /* Closing the connection closes the socket: the peer sees the hang-up. */
  return g_io_stream_close (G_IO_STREAM (WEFT_INSPECT_FILTER (stream)->connection), cancellable, error);
}

static void
weft_inspect_filter_finalize (GObject *object)
{
  WeftInspectFilter *self = WEFT_INSPECT_FILTER (object);

  g_object_unref (self->base);
  g_object_unref (self->connection);
  g_byte_array_unref (self->incoming);
  g_byte_array_unref (self->ready);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (weft_inspect_filter_parent_class)->finalize (object);
}

static void
weft_inspect_filter_class_init (WeftInspectFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = weft_inspect_filter_finalize;
  stream_class->read_fn = filter_read;
  stream_class->read_async = filter_read_async;
  stream_class->read_finish = filter_read_finish;
  stream_class->close_fn = filter_close;
}

static void
weft_inspect_filter_init (WeftInspectFilter *self)
{
  self->incoming = g_byte_array_new ();
  self->ready = g_byte_array_new ();
}

/* The output side passes writes straight to the socket's stream. It exists
 * because GDBus writes with g_socket_send_message() whenever the output is a
 * GSocketOutputStream, using a socket it only knows for a GSocketConnection:
 * with our own input stream, that crashed. */
#define PASS_TYPE_OUTPUT (pass_output_get_type ())
G_DECLARE_FINAL_TYPE (PassOutput, pass_output, PASS, OUTPUT, GOutputStream)

struct _PassOutput
{
  GOutputStream  parent_instance;
  GOutputStream *base;
};

G_DEFINE_FINAL_TYPE (PassOutput, pass_output, G_TYPE_OUTPUT_STREAM)

static void
on_base_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;
  gssize n = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &error);

  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static void
pass_write_async (GOutputStream       *stream,
                  const void          *buffer,
                  gsize                count,
                  int                  priority,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             data)
{
  GTask *task = g_task_new (stream, cancellable, callback, data);

  g_output_stream_write_async (PASS_OUTPUT (stream)->base, buffer, count, priority, cancellable, on_base_written, task);
}

static gssize
pass_write_finish (GOutputStream  *stream,
                   GAsyncResult   *result,
                   GError        **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gssize
pass_write (GOutputStream  *stream,
            const void     *buffer,
            gsize           count,
            GCancellable   *cancellable,
            GError        **error)
{
  return g_output_stream_write (PASS_OUTPUT (stream)->base, buffer, count, cancellable, error);
}

/* A socket has nothing to flush: done at once, without a thread. */
static void
pass_flush_async (GOutputStream       *stream,
                  int                  priority,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             data)
{
  GTask *task = g_task_new (stream, cancellable, callback, data);

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
pass_flush_finish (GOutputStream  *stream,
                   GAsyncResult   *result,
                   GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pass_output_finalize (GObject *object)
{
  g_object_unref (PASS_OUTPUT (object)->base);
  G_OBJECT_CLASS (pass_output_parent_class)->finalize (object);
}

static void
pass_output_class_init (PassOutputClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = pass_output_finalize;
  stream_class->write_fn = pass_write;
  stream_class->write_async = pass_write_async;
  stream_class->write_finish = pass_write_finish;
  stream_class->flush_async = pass_flush_async;
  stream_class->flush_finish = pass_flush_finish;
}

static void
pass_output_init (PassOutput *self)
{
}

GIOStream *
_weft_inspect_filter_wrap (GSocketConnection *connection)
{
  WeftInspectFilter *filter = g_object_new (WEFT_TYPE_INSPECT_FILTER, NULL);
  PassOutput *output;
  GIOStream *stream;

  filter->connection = g_object_ref (connection);
  filter->base = g_object_ref (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  output = g_object_new (PASS_TYPE_OUTPUT, NULL);
  output->base = g_object_ref (g_io_stream_get_output_stream (G_IO_STREAM (connection)));
  stream = g_simple_io_stream_new (G_INPUT_STREAM (filter), G_OUTPUT_STREAM (output));
  g_object_unref (filter);
  g_object_unref (output);
  return stream;
}
