/* test-inspect-server.c: a loop served to inspectors over its socket:
 * serving and stopping, commands, snapshots, Changed signals, a blocked loop
 * (who may connect and what a bad peer cannot do: test-inspect-peers.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-inspect-server-common.h"

/* Stopping: the peer is disconnected, the socket gone, recording back off
 * (the loop's fast path), and the loop can be served again. */
static void
test_stop_serving (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autofree char *path = NULL;
  gint64 give_up;

  weft_loop_stop_serving_inspector (loop);                      /* not served: nothing */
  g_assert_false (weft_loop_get_recording (loop));
  g_assert_true (weft_loop_serve_inspector (loop, NULL));
  g_assert_true (weft_loop_get_recording (loop));
  path = g_strdup (weft_loop_get_inspector_address (loop));
  connection = connect_to (loop);
  snapshot = get_snapshot (connection);

  weft_loop_stop_serving_inspector (loop);
  g_assert_null (weft_loop_get_inspector_address (loop));
  g_assert_false (weft_loop_get_recording (loop));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!g_dbus_connection_is_closed (connection) && g_get_monotonic_time () < give_up)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (g_dbus_connection_is_closed (connection));

  /* A loop that recorded before keeps recording. */
  g_assert_true (weft_loop_serve_inspector (loop, NULL));
  weft_loop_stop_serving_inspector (loop);
  weft_loop_set_recording (loop, TRUE);
  g_assert_true (weft_loop_serve_inspector (loop, NULL));
  weft_loop_stop_serving_inspector (loop);
  g_assert_true (weft_loop_get_recording (loop));
  test_loop_finish (loop);
}

/* The socket lives in a private directory, answers our own peers, and its
 * commands reach the loop: pause holds it back, a step runs one callback. */
static void
test_serve_and_control (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariant) ready = NULL;
  g_autofree char *dir = g_build_filename (runtime_dir, "weft", NULL);
  const char *first;
  struct stat st;
  int counter = 0;

  g_assert_true (weft_loop_serve_inspector (loop, &error));
  g_assert_no_error (error);
  g_assert_true (weft_loop_serve_inspector (loop, NULL));        /* again: nothing new */
  g_assert_true (g_str_has_prefix (weft_loop_get_inspector_address (loop), dir));
  g_assert_cmpint (g_lstat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_lstat (weft_loop_get_inspector_address (loop), &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 077, ==, 0);

  connection = connect_to (loop);
  call (connection, "SetPaused", g_variant_new ("(b)", TRUE));
  iterate_until (loop, is_paused, loop);

  weft_loop_call_soon (loop, count, &counter, NULL);
  weft_loop_call_soon (loop, count, &counter, NULL);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (weft_loop_get_context (loop), FALSE);
  g_assert_cmpint (counter, ==, 0);                           /* paused */

  call (connection, "Step", g_variant_new ("(s)", "callback"));
  iterate_until (loop, counted_one, &counter);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (weft_loop_get_context (loop), FALSE);
  g_assert_cmpint (counter, ==, 1);                           /* exactly one */

  snapshot = get_snapshot (connection);
  ready = g_variant_get_child_value (snapshot, 4);
  g_assert_cmpuint (g_variant_n_children (ready), ==, 1);
  g_variant_get_child (ready, 0, "(&s&s)", &first, NULL);
  g_assert_cmpstr (first, ==, "count");

  /* Bad input from the peer gets an error, not a crash. */
  {
    g_autoptr(GVariant) reply =
      g_dbus_connection_call_sync (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "Step",
                                   g_variant_new ("(s)", "sideways"), NULL, G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &error);
    g_assert_null (reply);
    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
    g_clear_error (&error);
  }

  call (connection, "SetPaused", g_variant_new ("(b)", FALSE));
  test_run_until_idle (loop);
  g_assert_cmpint (counter, ==, 2);
  {
    g_autofree char *path = g_strdup (weft_loop_get_inspector_address (loop));

    test_loop_finish (loop);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));   /* cleaned up */
  }
}

typedef struct
{
  WeftLoop *loop;
  char     *blocked;     /* what the snapshot says the loop is blocked in */
  char     *found_task;  /* the task the snapshot showed, if it did */
} Blocked;

static gpointer
ask_while_blocked (gpointer data)
{
  Blocked *b = data;
  g_autoptr(GDBusConnection) connection = connect_to (b->loop);
  g_autoptr(GVariant) snapshot = NULL;

  g_usleep (900 * 1000);
  snapshot = get_snapshot (connection);
  g_variant_get_child (snapshot, 2, "s", &b->blocked);
  return NULL;
}

static void
slow_callback (gpointer data)
{
  g_usleep (1500 * 1000);
}

/* The server answers while the loop is stuck in a callback, and names it. */
static void
test_reports_blocked_loop (void)
{
  Blocked b = { test_loop_new (), NULL, NULL };
  GThread *thread;

  g_assert_true (weft_loop_serve_inspector (b.loop, NULL));
  weft_loop_call_soon (b.loop, slow_callback, NULL, NULL);
  thread = g_thread_new ("client", ask_while_blocked, &b);
  test_run_until_idle (b.loop);
  g_thread_join (thread);
  g_test_message ("while blocked: %s", b.blocked);
  g_assert_true (g_str_has_prefix (b.blocked, "loop blocked in slow_callback for "));
  g_free (b.blocked);
  /* ...and once it returned, a warning, without debug mode. */
  g_assert_false (weft_loop_get_debug (b.loop));
  {
    g_autoptr(GPtrArray) warnings = weft_loop_lint (b.loop);
    gboolean found = FALSE;

    for (guint i = 0; i < warnings->len; i++)
      {
        const char *text = strstr (g_ptr_array_index (warnings, i), "the loop was blocked in slow_callback for ");

        if (text != NULL)
          {
            /* How long: the 1.5 s it was, as the watch (looking every 100 ms) can tell. */
            double seconds = g_ascii_strtod (text + strlen ("the loop was blocked in slow_callback for "), NULL);

            g_test_message ("%s", text);
            g_assert_cmpfloat (seconds, >=, 1.3);
            g_assert_cmpfloat (seconds, <=, 1.7);
            found = TRUE;
          }
      }
    g_assert_true (found);
  }
  test_loop_finish (b.loop);
}

static gpointer
ticks (gpointer data, GError **error)
{
  while (weft_sleep (0.05, error))
    ;
  return NULL;
}

static gpointer
asks_late (gpointer data)
{
  Blocked *b = data;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) snapshot = NULL, tasks = NULL;
  GVariantIter iter;
  const char *name;

  g_usleep (2000 * 1000);   /* the loop is stuck in slow_callback since 1.2 s */
  connection = connect_to (b->loop);
  snapshot = get_snapshot (connection);
  tasks = g_variant_get_child_value (snapshot, 3);
  g_variant_iter_init (&iter, tasks);
  while (g_variant_iter_next (&iter, "(t&s&s&st&sttd)", NULL, &name, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
    if (g_str_equal (name, "ticks"))
      b->found_task = g_strdup (name);
  return NULL;
}

/* A peer that attaches to a loop already stuck in a callback (a hang being
 * debugged) gets the last snapshot the loop made, which must show the state
 * from before it stuck: a loop nobody watched published nothing after it
 * began serving, and its "ticks" task was missing. */
static void
test_stuck_loop_shows_recent_state (void)
{
  Blocked b = { test_loop_new (), NULL, NULL };
  g_autoptr(WeftTask) ticker = NULL;
  GThread *thread;

  g_assert_true (weft_loop_serve_inspector (b.loop, NULL));
  ticker = weft_loop_create_task (b.loop, ticks, NULL, NULL);
  weft_loop_call_later (b.loop, 1.2, slow_callback, NULL, NULL);
  weft_loop_call_later (b.loop, 3.0, (WeftCallback) weft_loop_stop, b.loop, NULL);
  thread = g_thread_new ("client", asks_late, &b);
  g_assert_true (weft_loop_run_forever (b.loop, NULL));
  g_thread_join (thread);
  g_assert_cmpstr (b.found_task, ==, "ticks");
  g_free (b.found_task);
  weft_task_cancel (ticker, NULL);
  g_assert_false (weft_loop_run_until_complete (b.loop, WEFT_FUTURE (ticker), NULL));
  test_loop_finish (b.loop);
}

static void
got_reply (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GVariant **reply = data;
  g_autoptr(GError) error = NULL;

  *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (*reply == NULL)
    *reply = g_variant_ref_sink (g_variant_new_string (error->message));   /* the error, as a string */
}

static gboolean
has_reply (gpointer data)
{
  return *(GVariant **) data != NULL;
}

/* Asks the served loop about one task; the loop thread answers, so the test
 * keeps running the loop while it waits. */
static GVariant *
describe_remote (WeftLoop *loop, GDBusConnection *connection, guint64 id)
{
  GVariant *reply = NULL;

  /* The reply comes on the thread-default context: make it the loop's. */
  g_main_context_push_thread_default (weft_loop_get_context (loop));
  g_dbus_connection_call (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "DescribeTask",
                          g_variant_new ("(t)", id), NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, got_reply, &reply);
  iterate_until (loop, has_reply, &reply);
  g_main_context_pop_thread_default (weft_loop_get_context (loop));
  return reply;
}

static gboolean
task_is_done (gpointer task)
{
  return weft_future_is_done (task);
}

static gpointer
sleeps_long (gpointer data, GError **error)
{
  weft_sleep (60, error);
  return NULL;
}

static void
test_describe_task_remote (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, sleeps_long, NULL, NULL);
  g_autoptr(GVariant) reply = NULL, unknown = NULL, details = NULL;
  g_autofree const char **chain = NULL;
  const char *name = NULL, *await_at = NULL;

  weft_task_set_name (task, "sleeper");
  g_assert_true (weft_loop_serve_inspector (loop, &error));
  for (int i = 0; i < 3; i++)
    weft_loop_step_iteration (loop);
  connection = connect_to (loop);

  reply = describe_remote (loop, connection, weft_task_get_id (task));
  g_assert_true (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(a{sv})")));
  details = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (details, "name", "&s", &name));
  g_assert_cmpstr (name, ==, "sleeper");
  g_assert_true (g_variant_lookup (details, "await-at", "&s", &await_at));
  g_assert_nonnull (strstr (await_at, "test-inspect-server.c:"));
  g_assert_true (g_variant_lookup (details, "await-chain", "^a&s", &chain));
  g_assert_true (g_str_has_prefix (chain[0], "sleep, "));

  unknown = describe_remote (loop, connection, 424242);
  g_assert_true (g_variant_is_of_type (unknown, G_VARIANT_TYPE_STRING));
  g_assert_nonnull (strstr (g_variant_get_string (unknown, NULL), "No task 424242"));

  weft_task_cancel (task, NULL);
  iterate_until (loop, task_is_done, task);
  test_loop_finish (loop);
}

/* ------------------------------------------------------------ Changed */

typedef struct
{
  guint64  last_serial;
  guint    signals;
  guint    resets;
  guint64  watched;      /* a task id */
  guint64  watched_runs; /* the most runs seen for it in a signal */
  gboolean watched_done;
  guint    done_rows;    /* rows saying done, in all signals */
  guint    rows;         /* in all signals */
  guint    rows_in_resets;
  guint    resets_then;  /* resets counted at some point of the test */
  gint64   signal_at;    /* when the last signal came (monotonic µs) */
} Stream;

static void
on_changed (GDBusConnection *connection,
            const char      *sender,
            const char      *path,
            const char      *interface,
            const char      *signal,
            GVariant        *parameters,
            gpointer         data)
{
  Stream *stream = data;
  g_autoptr(GVariantIter) tasks = NULL;
  guint64 serial;
  gboolean reset;
  WeftTaskRow row;

  stream->signal_at = g_get_monotonic_time ();
  g_assert_true (g_variant_is_of_type (parameters, WEFT_CHANGED_TYPE));
  g_variant_get (parameters, "(tba(tssststtd))", &serial, &reset, &tasks);
  if (stream->last_serial != 0)
    g_assert_cmpuint (serial, ==, stream->last_serial + 1);   /* none lost, in order */
  stream->last_serial = serial;
  stream->signals++;
  stream->resets += reset;
  while (weft_task_row_decode (tasks, &row))
    {
      stream->rows++;
      stream->rows_in_resets += reset;
      stream->done_rows += g_strcmp0 (row.state, "done") == 0;
      if (row.id != stream->watched)
        continue;
      stream->watched_runs = MAX (stream->watched_runs, row.runs);
      stream->watched_done |= g_strcmp0 (row.state, "done") == 0;
    }
}

/* Serves @loop to a peer of ours that follows its Changed stream into
 * @stream, dispatched in the loop's context (pushed until unwatch_changes()). */
static GDBusConnection *
watch_changes (WeftLoop *loop,
               Stream   *stream,
               guint    *id)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  g_assert_true (weft_loop_serve_inspector (loop, &error));
  g_main_context_push_thread_default (weft_loop_get_context (loop));
  connection = connect_to (loop);
  *id = g_dbus_connection_signal_subscribe (connection, NULL, "org.weft.Inspector1", "Changed", "/org/weft/Loop",
                                            NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_changed, stream, NULL);
  return connection;
}

static void
unwatch_changes (WeftLoop        *loop,
                 GDBusConnection *connection,
                 guint            id)
{
  g_dbus_connection_signal_unsubscribe (connection, id);
  g_main_context_pop_thread_default (weft_loop_get_context (loop));
}

static gpointer
yields_five_times (gpointer data, GError **error)
{
  /* (Under valgrind a snapshot takes ~5 ms, and the loop publishes at most
   * every 20 of them: 10 ms naps could all pass before a second one.) */
  for (int i = 0; i < 5; i++)
    if (!weft_sleep (RUNNING_ON_VALGRIND ? 0.1 : 0.01, error))
      return NULL;
  return (gpointer) "done";
}

static gboolean
stream_saw_done (gpointer data)
{
  return ((Stream *) data)->watched_done;
}

/* The peers get what changed as it changes: a Changed signal per publication
 * with the tasks that ran or finished (the first one a reset: fetch the whole
 * state), serials without gaps. */
static void
test_changed_signal (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(WeftTask) task = NULL;
  Stream stream = { 0 };
  guint id;

  connection = watch_changes (loop, &stream, &id);
  task = weft_loop_create_task (loop, yields_five_times, NULL, NULL);
  stream.watched = weft_task_get_id (task);
  iterate_until (loop, stream_saw_done, &stream);
  g_test_message ("%u Changed signals (%u resets); the task's last runs seen: %" G_GUINT64_FORMAT,
                  stream.signals, stream.resets, stream.watched_runs);
  g_assert_cmpuint (stream.signals, >=, 2);
  g_assert_cmpuint (stream.watched_runs, >=, 2);
  g_assert_true (stream.watched_done);
  unwatch_changes (loop, connection, id);
  test_loop_finish (loop);
}

static gboolean
stream_signalled_twice (gpointer data)
{
  return ((Stream *) data)->signals >= 2;
}

static gboolean
stream_reset_again (gpointer data)
{
  return ((Stream *) data)->resets > ((Stream *) data)->resets_then;
}

static gboolean
no_tasks_left (gpointer loop)
{
  g_autoptr(GPtrArray) tasks = weft_all_tasks (loop);

  return tasks->len == 0;
}

static gpointer
naps (gpointer data, GError **error)
{
  weft_sleep (0.2, error);
  return NULL;
}

/* More tasks changed at once than a Changed signal carries (2,500 created in
 * a row): the signal is a reset, with no rows (the peers fetch the snapshot).
 * (Small changes are rows: /Weft/InspectServer/changed-signal.) */
static void
test_changed_signal_reset (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(WeftTask) task = NULL;
  Stream stream = { 0 };
  guint id;

  connection = watch_changes (loop, &stream, &id);
  task = weft_loop_create_task (loop, naps, NULL, NULL);
  iterate_until (loop, stream_signalled_twice, &stream);
  stream.resets_then = stream.resets;

  for (int i = 0; i < 2500; i++)
    weft_task_unref (weft_loop_create_task (loop, naps, NULL, NULL));
  iterate_until (loop, stream_reset_again, &stream);
  g_assert_cmpuint (stream.rows_in_resets, ==, 0);

  iterate_until (loop, no_tasks_left, loop);
  unwatch_changes (loop, connection, id);
  test_loop_finish (loop);
}

static gpointer
waits_for (gpointer future, GError **error)
{
  return weft_await (future, error) != NULL ? (gpointer) "done" : NULL;
}

static gboolean
stream_saw_runs (gpointer data)
{
  return ((Stream *) data)->watched_runs >= 1;
}

static gboolean
connection_closed (gpointer connection)
{
  return g_dbus_connection_is_closed (connection);
}

/* @n tasks wait for a future; once the peer saw the last of them suspended,
 * the future is set, the loop runs until that task is done and closes at
 * once (well within the publishing interval: no publication of the running
 * loop showed it done). Returns when the peer's connection is closed and the
 * signals before the close are in @stream. Returns whether the loop
 * published nothing between the signal that showed the task suspended and
 * the close, as far as the test can tell (else the scenario did not happen:
 * a slow build, a loaded machine). */
static gboolean
close_right_after (guint   n,
                   Stream *stream)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(WeftFuture) future = weft_loop_create_future (loop);
  g_autoptr(WeftTask) task = NULL;
  gint64 start, ran;
  guint id, signals_then;

  connection = watch_changes (loop, stream, &id);
  for (guint i = 1; i < n; i++)
    weft_task_unref (weft_loop_create_task (loop, waits_for, future, NULL));
  task = weft_loop_create_task (loop, waits_for, future, NULL);
  stream->watched = weft_task_get_id (task);
  iterate_until (loop, stream_saw_runs, stream);
  g_assert_false (stream->watched_done);
  g_assert_cmpuint (stream->done_rows, ==, 0);
  stream->resets_then = stream->resets;

  start = stream->signal_at;
  signals_then = stream->signals;
  weft_future_set_result (future, NULL, NULL);
  g_assert_true (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
  g_assert_no_error (error);
  weft_loop_close (loop);
  ran = g_get_monotonic_time () - start;
  iterate_until (loop, connection_closed, connection);
  while (g_main_context_iteration (weft_loop_get_context (loop), FALSE))
    ;   /* the signals that came before the close */
  g_test_message ("%u Changed signals; %u of %u tasks reached the peer as done, %u resets after the close; "
                  "%.1f ms from the signal before the result to the close",
                  stream->signals, stream->done_rows, n, stream->resets - stream->resets_then, ran / 1e3);
  unwatch_changes (loop, connection, id);
  test_loop_finish (loop);
  /* Only the close's own signal, and the close well within the 30 ms
   * interval of the publication before (a signal of the one between may
   * come late, or not before the connection closes). */
  return stream->signals - signals_then <= 1 && ran < 25000;
}

/* A loop that closes tells its peers its last state on the way out: tasks
 * that finished right before the close reach the peer as done, before the
 * connection closes; the peer would otherwise show them as suspended for
 * ever. */
static void
test_last_state_at_close (void)
{
  Stream stream = { 0 };

  close_right_after (200, &stream);   /* fewer than the finished tasks kept (256) */
  g_assert_true (stream.watched_done);
  g_assert_cmpuint (stream.done_rows, ==, 200);
}

/* More tasks finished right before the close than the loop keeps (256 of
 * 600): the last signal carries those it kept, not a reset (a peer that
 * refetches after a reset finds no loop any more). */
static void
test_last_state_at_close_many (void)
{
  Stream stream = { 0 };
  gboolean clean = FALSE;

  /* The scenario needs the close to come before the loop publishes again
   * (within 30 ms, or 20 times a snapshot's time, of the publication
   * before): on a loaded machine or a slow build it may not (CI's ASan and
   * TSan stages), and the loop then rightly publishes (a reset: 600 tasks
   * finished) before the close. Such a run proves nothing either way: it is
   * run again, and if it never happens here, the test says so. */
  for (int attempt = 0; !clean && attempt < 5; attempt++)
    {
      stream = (Stream) { 0 };
      clean = close_right_after (600, &stream);
    }
  if (!clean)
    {
      g_test_skip ("the loop published between the result and the close in 5 runs of 5 (too slow here)");
      return;
    }
  g_assert_cmpuint (stream.resets, ==, stream.resets_then);
  g_assert_cmpuint (stream.done_rows, ==, 256);   /* weft_loop_get_task_history()'s default */
  g_assert_true (stream.watched_done);            /* the last to finish */
}

static void
fetch_snapshot (GDBusConnection *connection,
                const char      *sender,
                const char      *path,
                const char      *interface,
                const char      *signal,
                GVariant        *parameters,
                gpointer         data)
{
  g_dbus_connection_call (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "GetSnapshot", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL, NULL);
}

static gpointer
spins_for (gpointer data, GError **error)
{
  gint64 end = g_get_monotonic_time () + GPOINTER_TO_INT (data) * 1000;

  while (g_get_monotonic_time () < end)
    if (!weft_sleep (0, error))
      return NULL;
  return (gpointer) "done";
}

/* A peer that asks for a snapshot at every Changed signal (the remote
 * inspector does) gets one at most every 30 ms from a busy loop, not as
 * often as the loop's publishing budget would allow (it was every ~2 ms: a
 * twentieth of the loop's time). */
static void
test_busy_loop_publish_interval (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(WeftTask) task = NULL;
  Stream stream = { 0 };
  guint id, fetch_id;
  gint64 start;
  double ms;

  connection = watch_changes (loop, &stream, &id);
  fetch_id = g_dbus_connection_signal_subscribe (connection, NULL, "org.weft.Inspector1", "Changed", "/org/weft/Loop",
                                                 NULL, G_DBUS_SIGNAL_FLAGS_NONE, fetch_snapshot, NULL, NULL);
  start = g_get_monotonic_time ();
  task = weft_loop_create_task (loop, spins_for, GINT_TO_POINTER (600), NULL);
  iterate_until (loop, task_is_done, task);
  ms = (g_get_monotonic_time () - start) / 1e3;
  g_test_message ("%u Changed signals in %.0f ms of a busy loop", stream.signals, ms);
  /* (Under valgrind a snapshot takes long enough that the publishing budget
   * may allow none while the task runs.) */
  g_assert_cmpuint (stream.signals, >=, RUNNING_ON_VALGRIND ? 0 : 2);
  g_assert_cmpuint (stream.signals, <=, ms / 30 + 3);
  g_dbus_connection_signal_unsubscribe (connection, fetch_id);
  unwatch_changes (loop, connection, id);
  test_loop_finish (loop);
}

/* The voluntary context switches of this process's thread called @name. */
static guint64
thread_switches (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *status_path = g_strdup_printf ("/proc/self/task/%s/status", tid);
      g_autofree char *comm = NULL;
      g_autofree char *status = NULL;
      const char *line;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) || !g_str_has_prefix (comm, name)
          || !g_file_get_contents (status_path, &status, NULL, NULL)
          || (line = strstr (status, "voluntary_ctxt_switches:")) == NULL)
        continue;
      return g_ascii_strtoull (line + strlen ("voluntary_ctxt_switches:"), NULL, 10);
    }
  return G_MAXUINT64;
}

/* A served loop nobody inspects costs no wake-up in the server thread (it
 * woke 11 times a second: a 100 ms watch and a 1 s sweep). */
static void
test_quiet_without_peers (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  guint64 before, after;

  g_assert_true (weft_loop_serve_inspector (loop, &error));
  g_usleep (300 * 1000);
  before = thread_switches ("weft-inspect");
  g_assert_cmpuint (before, !=, G_MAXUINT64);
  g_usleep (1500 * 1000);
  after = thread_switches ("weft-inspect");
  g_test_message ("server thread woke %" G_GUINT64_FORMAT " times in 1.5 s without peers", after - before);
  g_assert_cmpuint (after - before, <=, 2);
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  inspect_test_init (&argc, &argv);
  g_test_add_func ("/Weft/InspectServer/serve-and-control", test_serve_and_control);
  g_test_add_func ("/Weft/InspectServer/stop-serving", test_stop_serving);
  g_test_add_func ("/Weft/InspectServer/reports-blocked-loop", test_reports_blocked_loop);
  g_test_add_func ("/Weft/InspectServer/stuck-loop-shows-recent-state", test_stuck_loop_shows_recent_state);
  g_test_add_func ("/Weft/InspectServer/describe-task", test_describe_task_remote);
  g_test_add_func ("/Weft/InspectServer/changed-signal", test_changed_signal);
  g_test_add_func ("/Weft/InspectServer/changed-signal-reset", test_changed_signal_reset);
  g_test_add_func ("/Weft/InspectServer/last-state-at-close", test_last_state_at_close);
  g_test_add_func ("/Weft/InspectServer/last-state-at-close-many", test_last_state_at_close_many);
  g_test_add_func ("/Weft/InspectServer/quiet-without-peers", test_quiet_without_peers);
  g_test_add_func ("/Weft/InspectServer/busy-loop-publish-interval", test_busy_loop_publish_interval);
  return inspect_test_run ();
}
