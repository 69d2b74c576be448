/* weft-fd.c: weft_loop_add_reader() and friends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each watched fd is one unix fd of the loop's single GSource. As in asyncio,
 * a reader (writer) callback is scheduled once per iteration while its fd is
 * readable (writable); removing it cancels a scheduled call that has not run.
 */
#include "config.h"

#include "weft-fd-private.h"
#include "weft-gio.h"

typedef struct
{
  WeftCallback    callback;
  gpointer        data;
  GDestroyNotify  destroy;
  const char     *name;
  WeftHandle     *pending;  /* the scheduled call, if any */
} WeftFdCallback;

typedef struct
{
  int             fd;
  gpointer        tag;
  WeftFdCallback  reader;
  WeftFdCallback  writer;
} WeftFdWatch;

static void
fd_callback_clear (WeftFdCallback *cb)
{
  GDestroyNotify destroy = cb->destroy;
  gpointer data = cb->data;

  if (cb->pending != NULL)
    weft_handle_cancel (cb->pending);
  *cb = (WeftFdCallback) { 0 };
  if (destroy)
    destroy (data);
}

static void
watch_free (gpointer data)
{
  WeftFdWatch *watch = data;

  fd_callback_clear (&watch->reader);
  fd_callback_clear (&watch->writer);
  g_free (watch);
}

static GIOCondition
watch_events (WeftFdWatch *watch)
{
  return (watch->reader.callback ? G_IO_IN : 0) | (watch->writer.callback ? G_IO_OUT : 0);
}

static gboolean
add_callback (WeftLoop       *loop,
              int             fd,
              gboolean        writer,
              WeftCallback    callback,
              gpointer        user_data,
              GDestroyNotify  destroy,
              const char     *name)
{
  WeftFdWatch *watch;
  WeftFdCallback *cb;

  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);
  if (loop->closed || loop->source == NULL)
    {
      g_critical ("Weft: cannot watch fd %d: the event loop is closed", fd);
      return FALSE;
    }

  if (loop->fd_watches == NULL)
    loop->fd_watches = g_hash_table_new_full (g_int_hash, g_int_equal, NULL, watch_free);
  watch = g_hash_table_lookup (loop->fd_watches, &fd);
  if (watch == NULL)
    {
      watch = g_new0 (WeftFdWatch, 1);
      watch->fd = fd;
      g_hash_table_insert (loop->fd_watches, &watch->fd, watch);
    }

  cb = writer ? &watch->writer : &watch->reader;
  fd_callback_clear (cb);
  cb->callback = callback;
  cb->data = user_data;
  cb->destroy = destroy;
  cb->name = name;

  if (watch->tag == NULL)
    watch->tag = g_source_add_unix_fd (loop->source, fd, watch_events (watch));
  else
    g_source_modify_unix_fd (loop->source, watch->tag, watch_events (watch));
  return TRUE;
}

static gboolean
remove_callback (WeftLoop *loop,
                 int       fd,
                 gboolean  writer)
{
  WeftFdWatch *watch;
  WeftFdCallback *cb;

  g_return_val_if_fail (loop != NULL, FALSE);

  if (loop->fd_watches == NULL || (watch = g_hash_table_lookup (loop->fd_watches, &fd)) == NULL)
    return FALSE;
  cb = writer ? &watch->writer : &watch->reader;
  if (cb->callback == NULL)
    return FALSE;
  fd_callback_clear (cb);

  if (watch_events (watch) != 0)
    g_source_modify_unix_fd (loop->source, watch->tag, watch_events (watch));
  else
    {
      if (loop->source != NULL)
        g_source_remove_unix_fd (loop->source, watch->tag);
      g_hash_table_remove (loop->fd_watches, &fd);
    }
  return TRUE;
}

/**
 * weft_loop_add_reader:
 * @loop: a #WeftLoop
 * @fd: a file descriptor
 * @callback: (scope notified) (closure user_data) (destroy destroy): runs while
 *   @fd is readable, once per iteration
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data when the reader is removed
 *
 * Watches @fd for reading, replacing any reader it had.
 *
 * Returns: %TRUE if the watch was added
 */
gboolean
weft_loop_add_reader (WeftLoop       *loop,
                      int             fd,
                      WeftCallback    callback,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  return add_callback (loop, fd, FALSE, callback, user_data, destroy, "reader");
}

/**
 * weft_loop_add_writer:
 * @loop: a #WeftLoop
 * @fd: a file descriptor
 * @callback: (scope notified) (closure user_data) (destroy destroy): runs while
 *   @fd is writable, once per iteration
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data when the writer is removed
 *
 * Watches @fd for writing, replacing any writer it had.
 *
 * Returns: %TRUE if the watch was added
 */
gboolean
weft_loop_add_writer (WeftLoop       *loop,
                      int             fd,
                      WeftCallback    callback,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  return add_callback (loop, fd, TRUE, callback, user_data, destroy, "writer");
}

/**
 * weft_loop_remove_reader:
 * @loop: a #WeftLoop
 * @fd: a file descriptor
 *
 * Stops watching @fd for reading (asyncio's remove_reader()).
 *
 * Returns: %TRUE if @fd had a reader
 */
gboolean
weft_loop_remove_reader (WeftLoop *loop,
                         int       fd)
{
  return remove_callback (loop, fd, FALSE);
}

/**
 * weft_loop_remove_writer:
 * @loop: a #WeftLoop
 * @fd: a file descriptor
 *
 * Stops watching @fd for writing (asyncio's remove_writer()).
 *
 * Returns: %TRUE if @fd had a writer
 */
gboolean
weft_loop_remove_writer (WeftLoop *loop,
                         int       fd)
{
  return remove_callback (loop, fd, TRUE);
}

static void
schedule_ready (WeftLoop       *loop,
                WeftFdCallback *cb)
{
  if (cb->callback == NULL || weft_handle_get_loop (cb->pending) != NULL)
    return; /* no callback, or its last call has not run yet */
  cb->pending = _weft_loop_handle_for (loop, _weft_loop_schedule (loop, 0, cb->callback, cb->data, NULL, cb->name, NULL));
}

void
_weft_fd_watches_check (WeftLoop *loop)
{
  GHashTableIter iter;
  WeftFdWatch *watch;

  if (loop->fd_watches == NULL || loop->paused)
    return;
  g_hash_table_iter_init (&iter, loop->fd_watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    {
      GIOCondition revents = g_source_query_unix_fd (loop->source, watch->tag);

      if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
        schedule_ready (loop, &watch->reader);
      if (revents & (G_IO_OUT | G_IO_ERR))
        schedule_ready (loop, &watch->writer);
    }
}

void
_weft_fd_watches_clear (WeftLoop *loop)
{
  g_clear_pointer (&loop->fd_watches, g_hash_table_unref);
}
