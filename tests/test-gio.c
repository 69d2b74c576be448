/* test-gio.c: awaiting GIO from tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "weft-test-common.h"

static gpointer
load_file (gpointer data, GError **error)
{
  GFile *file = data;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(WeftFuture) future = weft_future_new_for_cancellable (weft_get_running_loop (), cancellable);
  GAsyncResult *result;
  char *contents = NULL;

  g_file_load_contents_async (file, cancellable, weft_future_async_ready_callback, weft_future_ref (future));
  result = weft_await (future, error);
  if (result == NULL)
    return NULL;
  if (!g_file_load_contents_finish (file, result, &contents, NULL, NULL, error))
    return NULL;
  return contents;
}

static void
test_load_contents (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "weft-test-gio.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(WeftTask) task = NULL;

  g_assert_true (g_file_set_contents (path, "woven", -1, NULL));
  g_main_context_push_thread_default (weft_loop_get_context (loop));
  task = weft_loop_create_task (loop, load_file, file, NULL);
  weft_task_set_result_destroy (task, g_free);
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "woven");
  g_main_context_pop_thread_default (weft_loop_get_context (loop));
  unlink (path);
  test_loop_finish (loop);
}

/* A loop on a private context, nobody pushing it: the loop makes its context
 * the thread default while it runs, so GIO completes there. */
static void
test_private_context (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "weft-test-gio-private.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(WeftTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "private", -1, NULL));
  g_assert_true (weft_loop_get_context (loop) != g_main_context_default ());
  task = weft_loop_create_task (loop, load_file, file, NULL);
  weft_task_set_result_destroy (task, g_free);
  /* Bounded: before, the load never completed. */
  weft_loop_call_later (loop, 5, (WeftCallback) weft_loop_stop, loop, NULL);
  g_assert_true (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (weft_future_get_result (WEFT_FUTURE (task), NULL), ==, "private");
  g_assert_null (g_main_context_get_thread_default ());
  unlink (path);
  test_loop_finish (loop);
}

typedef struct
{
  GInputStream *stream;
  char          buffer[16];
  gboolean      gio_gave_up;
} Read;

static gpointer
read_pipe (gpointer data, GError **error)
{
  Read *r = data;
  g_autoptr(WeftFuture) future = weft_future_new_for_cancellable (weft_get_running_loop (),
                                                                  weft_task_get_cancellable (weft_current_task ()));
  GAsyncResult *result;

  g_input_stream_read_async (r->stream, r->buffer, sizeof r->buffer, G_PRIORITY_DEFAULT,
                             weft_task_get_cancellable (weft_current_task ()),
                             weft_future_async_ready_callback, weft_future_ref (future));
  result = weft_await (future, error);
  /* Cancelled: GIO has let go of the buffer by now. */
  r->gio_gave_up = result == NULL && !g_input_stream_has_pending (r->stream);
  return NULL;
}

static void
cancel_task (gpointer task)
{
  weft_task_cancel (task, NULL);
}

/* Cancelling the task cancels the pending GIO read (nothing is ever written). */
static void
test_cancel_pending_read (void)
{
  WeftLoop *loop = test_loop_new ();
  int fds[2];
  Read r = { 0 };
  g_autoptr(WeftTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pipe (fds), ==, 0);
  r.stream = g_unix_input_stream_new (fds[0], TRUE);
  g_main_context_push_thread_default (weft_loop_get_context (loop));
  task = weft_loop_create_task (loop, read_pipe, &r, NULL);
  weft_loop_call_later (loop, 0.01, cancel_task, task, NULL);
  g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_true (r.gio_gave_up);
  g_main_context_pop_thread_default (weft_loop_get_context (loop));
  g_object_unref (r.stream);
  close (fds[1]);
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Gio/load-contents", test_load_contents);
  g_test_add_func ("/Weft/Gio/private-context", test_private_context);
  g_test_add_func ("/Weft/Gio/cancel-pending-read", test_cancel_pending_read);

  return g_test_run ();
}
