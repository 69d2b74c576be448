/* test-futures.c: WeftFuture
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-test-common.h"

typedef struct
{
  GString *log;
  char     tag;
} Tag;

static void
tag_cb (WeftFuture *future, gpointer data)
{
  Tag *t = data;

  g_assert_true (weft_future_is_done (future));
  g_string_append_c (t->log, t->tag);
}

static void
test_result_and_callbacks (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GString) log = g_string_new ("");
  Tag a = { log, 'a' }, b = { log, 'b' }, c = { log, 'c' };
  WeftFuture *future = weft_loop_create_future (loop);
  g_autoptr(GError) error = NULL;

  g_assert_false (weft_future_is_done (future));
  g_assert_null (weft_future_get_result (future, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE);
  g_clear_error (&error);

  weft_future_add_done_callback (future, tag_cb, &a, NULL);
  weft_future_add_done_callback (future, tag_cb, &b, NULL);
  weft_future_add_done_callback (future, tag_cb, &c, NULL);
  g_assert_cmpuint (weft_future_remove_done_callback (future, tag_cb, &b), ==, 1);
  g_assert_true (weft_future_set_result (future, g_strdup ("value"), g_free));
  /* Done callbacks never run inside set_result(). */
  g_assert_cmpstr (log->str, ==, "");
  g_assert_cmpstr (weft_future_get_result (future, NULL), ==, "value");

  weft_loop_call_soon (loop, test_stop_loop, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  g_assert_cmpstr (log->str, ==, "ac");

  /* Added after it is done: scheduled at once. */
  weft_future_add_done_callback (future, tag_cb, &b, NULL);
  weft_loop_call_soon (loop, test_stop_loop, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  g_assert_cmpstr (log->str, ==, "acb");

  /* Setting twice is a programmer error; the value is freed, not leaked. */
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*set_result on a future that is already done*");
  g_assert_false (weft_future_set_result (future, g_strdup ("again"), g_free));
  g_test_assert_expected_messages ();
  g_assert_cmpstr (weft_future_get_result (future, NULL), ==, "value");
  weft_future_unref (future);
  test_loop_finish (loop);
}

static void
test_error_and_cancel (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftFuture *failed = weft_loop_create_future (loop);
  WeftFuture *cancelled = weft_loop_create_future (loop);
  g_autoptr(GError) error = NULL;

  g_assert_true (weft_future_set_error (failed, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "nope")));
  g_assert_false (weft_future_get_result (failed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (weft_future_cancel (failed, NULL));

  g_assert_true (weft_future_cancel (cancelled, "stop it"));
  g_assert_true (weft_future_is_cancelled (cancelled));
  g_assert_false (weft_future_cancel (cancelled, NULL));
  g_assert_false (weft_future_propagate (cancelled, &error));
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "stop it");
  /* A result arriving after a cancellation is dropped quietly. */
  g_assert_false (weft_future_set_result (cancelled, g_strdup ("late"), g_free));

  weft_future_unref (failed);
  weft_future_unref (cancelled);
  test_loop_finish (loop);
}

/* asyncio's "Future exception was never retrieved". */
static void
test_never_retrieved (void)
{
  WeftLoop *loop = test_loop_new ();
  TestExceptions ex;
  WeftFuture *future = weft_loop_create_future (loop);

  test_exceptions_init (&ex, loop);
  weft_future_set_error (future, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "lost"));
  weft_future_unref (future);
  g_assert_cmpuint (ex.messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ex.messages, 0), ==, "Future error was never retrieved|g-io-error-quark:0");

  /* Retrieved: not reported. */
  future = weft_loop_create_future (loop);
  weft_future_set_error (future, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "read"));
  g_assert_false (weft_future_propagate (future, NULL));
  weft_future_unref (future);
  g_assert_cmpuint (ex.messages->len, ==, 1);
  test_exceptions_clear (&ex);
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Future/result-and-callbacks", test_result_and_callbacks);
  g_test_add_func ("/Weft/Future/error-and-cancel", test_error_and_cancel);
  g_test_add_func ("/Weft/Future/never-retrieved", test_never_retrieved);

  return g_test_run ();
}
