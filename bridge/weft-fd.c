/* weft-fd.c: weft_loop_add_reader() and friends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each watched fd is one unix fd of the loop's single GSource. As in asyncio,
 * a reader (writer) callback is scheduled once per iteration while its fd is
 * readable (writable); removing it cancels a scheduled call that has not run.
 * A watched fd that becomes invalid (closed while watched: G_IO_NVAL) leaves
 * poll() at once, so it is never spun on, and is then reported to the
 * exception handler and dropped with its callbacks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include "weft-fd-private.h"
#include "weft-gio.h"
#include "weft-source-private.h"

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
  gboolean        invalid;  /* G_IO_NVAL seen: out of poll, report pending */
} WeftFdWatch;

typedef struct
{
  GDestroyNotify destroy;
  gpointer       data;
} DeferredDestroy;

static void
run_deferred_destroy (gpointer data)
{
  DeferredDestroy *deferred = data;

  deferred->destroy (deferred->data);
  g_free (deferred);
}

static void
fd_callback_clear (WeftLoop       *loop,
                   WeftFdCallback *cb)
{
  GDestroyNotify destroy = cb->destroy;
  gpointer data = cb->data;
  gboolean running = _weft_handle_is_running (cb->pending);

  if (cb->pending != NULL)
    weft_handle_cancel (cb->pending);
  *cb = (WeftFdCallback) { 0 };
  if (destroy == NULL)
    return;
  if (running && !loop->closed)
    {
      /* Removed from inside its own callback: free its data once the
       * callback has returned, not under its feet. */
      DeferredDestroy *deferred = g_new (DeferredDestroy, 1);

      deferred->destroy = destroy;
      deferred->data = data;
      _weft_loop_schedule (loop, 0, run_deferred_destroy, deferred, NULL, "fd watch data destroy", NULL);
      return;
    }
  destroy (data);
}

static void
watch_free (WeftLoop    *loop,
            WeftFdWatch *watch)
{
  fd_callback_clear (loop, &watch->reader);
  fd_callback_clear (loop, &watch->writer);
  g_free (watch);
}

/* Takes @watch out of the loop's table and the source, then frees it. */
static void
watch_remove (WeftLoop    *loop,
              WeftFdWatch *watch)
{
  WeftSource *source = _weft_source_get (loop);

  if (watch->tag != NULL)
    g_source_remove_unix_fd (&source->source, watch->tag);
  g_hash_table_steal (source->fd_watches, &watch->fd);
  watch_free (loop, watch);
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
  WeftSource *source;
  WeftFdWatch *watch;
  WeftFdCallback *cb;

  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);
  if (loop->closed || (source = _weft_source_get (loop)) == NULL)
    {
      g_critical ("Weft: cannot watch fd %d: the event loop is closed", fd);
      return FALSE;
    }
  if (fcntl (fd, F_GETFD) < 0 && errno == EBADF)
    {
      /* asyncio refuses a bad fd when it is added, too. */
      g_critical ("Weft: cannot watch fd %d: it is not an open file descriptor", fd);
      return FALSE;
    }

  if (source->fd_watches == NULL)
    source->fd_watches = g_hash_table_new (g_int_hash, g_int_equal);
  watch = g_hash_table_lookup (source->fd_watches, &fd);
  if (watch != NULL && watch->invalid)
    {
      /* The number was closed and opened again: the old watch is gone. */
      watch_remove (loop, watch);
      watch = NULL;
    }
  if (watch == NULL)
    {
      watch = g_new0 (WeftFdWatch, 1);
      watch->fd = fd;
      g_hash_table_insert (source->fd_watches, &watch->fd, watch);
    }

  cb = writer ? &watch->writer : &watch->reader;
  fd_callback_clear (loop, cb);
  cb->callback = callback;
  cb->data = user_data;
  cb->destroy = destroy;
  cb->name = name;

  if (watch->tag == NULL)
    watch->tag = g_source_add_unix_fd (&source->source, fd, watch_events (watch));
  else
    g_source_modify_unix_fd (&source->source, watch->tag, watch_events (watch));
  return TRUE;
}

static gboolean
remove_callback (WeftLoop *loop,
                 int       fd,
                 gboolean  writer)
{
  WeftSource *source;
  WeftFdWatch *watch;
  WeftFdCallback *cb;

  g_return_val_if_fail (loop != NULL, FALSE);

  if ((source = _weft_source_get (loop)) == NULL || source->fd_watches == NULL
      || (watch = g_hash_table_lookup (source->fd_watches, &fd)) == NULL)
    return FALSE;
  cb = writer ? &watch->writer : &watch->reader;
  if (cb->callback == NULL)
    return FALSE;
  fd_callback_clear (loop, cb);

  if (watch_events (watch) == 0)
    watch_remove (loop, watch);
  else if (watch->tag != NULL)
    g_source_modify_unix_fd (&source->source, watch->tag, watch_events (watch));
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

typedef struct
{
  WeftLoop *loop;
  int       fd;
} InvalidFd;

/* A loop callback: the watch of an fd went invalid. */
static void
report_invalid (gpointer data)
{
  InvalidFd *invalid = data;
  WeftLoop *loop = invalid->loop;
  int fd = invalid->fd;
  WeftSource *source;
  WeftFdWatch *watch;
  g_autofree char *message = NULL;
  WeftExceptionContext context = { 0 };

  if ((source = _weft_source_get (loop)) == NULL || source->fd_watches == NULL
      || (watch = g_hash_table_lookup (source->fd_watches, &fd)) == NULL || !watch->invalid)
    return; /* removed or replaced meanwhile */
  message = g_strdup_printf ("File descriptor %d was closed while watched (%s%s%s); its watch was removed",
                             fd, watch->reader.callback ? "reader" : "",
                             watch->reader.callback && watch->writer.callback ? " and " : "",
                             watch->writer.callback ? "writer" : "");
  watch_remove (loop, watch);
  context.message = message;
  weft_loop_call_exception_handler (loop, &context);
}

void
_weft_fd_watches_check (WeftLoop *loop)
{
  WeftSource *source = _weft_source_get (loop);
  GHashTableIter iter;
  WeftFdWatch *watch;

  if (source->fd_watches == NULL || loop->paused)
    return;
  g_hash_table_iter_init (&iter, source->fd_watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    {
      GIOCondition revents;

      if (watch->tag == NULL)
        continue;
      revents = g_source_query_unix_fd (&source->source, watch->tag);
      if (G_UNLIKELY (revents & G_IO_NVAL))
        {
          /* Out of poll now (it would return at once, forever), reported
           * and dropped from a loop callback. */
          InvalidFd *invalid = g_new (InvalidFd, 1);

          g_source_remove_unix_fd (&source->source, watch->tag);
          watch->tag = NULL;
          watch->invalid = TRUE;
          invalid->loop = loop;
          invalid->fd = watch->fd;
          _weft_loop_schedule (loop, 0, report_invalid, invalid, g_free, "invalid fd report", NULL);
          continue;
        }

      if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
        schedule_ready (loop, &watch->reader);
      /* As asyncio's epoll selector: an error or a hang-up wakes both
       * sides, so a writer blocked on a dead peer learns of it. */
      if (revents & (G_IO_OUT | G_IO_HUP | G_IO_ERR))
        schedule_ready (loop, &watch->writer);
    }
}

void
_weft_fd_watches_clear (WeftLoop *loop)
{
  GHashTable *watches = g_steal_pointer (&_weft_source_get (loop)->fd_watches);
  GHashTableIter iter;
  WeftFdWatch *watch;

  if (watches == NULL)
    return;
  g_hash_table_iter_init (&iter, watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    {
      g_hash_table_iter_steal (&iter);
      watch_free (loop, watch);
    }
  g_hash_table_unref (watches);
}
