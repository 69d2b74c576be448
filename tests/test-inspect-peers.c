/* test-inspect-peers.c: who may connect to a served loop's socket, and what
 * a bad peer cannot do (hostile bytes, stalled handshakes, peers that do not
 * read, stale sockets)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-inspect-server-common.h"

static void
test_refuses_bad_directory (void)
{
  g_autofree char *dir = g_build_filename (runtime_dir, "weft", NULL);
  g_autofree char *elsewhere = g_build_filename (runtime_dir, "elsewhere", NULL);
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;

  /* Group/other access: refused. */
  g_assert_true (_weft_inspect_check_directory (dir, NULL));
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_false (weft_loop_serve_inspector (loop, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (weft_loop_get_inspector_address (loop));
  g_clear_error (&error);

  /* A symlink to a private directory: refused too. */
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_assert_cmpint (g_mkdir (elsewhere, 0700), ==, 0);
  g_assert_cmpint (symlink (elsewhere, dir), ==, 0);
  g_assert_false (weft_loop_serve_inspector (loop, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "symlink"));

  g_assert_cmpint (g_unlink (dir), ==, 0);
  g_assert_cmpint (g_rmdir (elsewhere), ==, 0);
  test_loop_finish (loop);
}

static void
test_peer_uid_check (void)
{
  g_autoptr(GCredentials) ours = g_credentials_new ();
  g_autoptr(GCredentials) theirs = g_credentials_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (_weft_inspect_peer_allowed (ours));
  g_assert_true (g_credentials_set_unix_user (theirs, getuid () + 1, &error));
  g_assert_no_error (error);
  g_test_expect_message ("Weft", G_LOG_LEVEL_MESSAGE, "*refused a peer with uid*");
  g_assert_false (_weft_inspect_peer_allowed (theirs));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Weft", G_LOG_LEVEL_MESSAGE, "*refused a peer without credentials*");
  g_assert_false (_weft_inspect_peer_allowed (NULL));
  g_test_assert_expected_messages ();
}

/* ------------------------------------------------------------ DescribeTask */

/* ------------------------------------------------------------ hostile peers */

typedef struct
{
  char     *path;
  gboolean  done;
  guint     attacks;
} Attacker;

static GSocketConnection *
raw_connect (const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection =
    g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);

  g_assert_no_error (error);
  return connection;
}

/* Writes what it can: the server may hang up at any point, which is fine. */
static void
raw_send (GSocketConnection *connection,
          const void        *data,
          gsize              size)
{
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), data, size, NULL, NULL, NULL);
}

static void
raw_send_string (GSocketConnection *connection,
                 const char        *text)
{
  raw_send (connection, text, strlen (text));
}

/* Authenticates as a D-Bus client would (EXTERNAL with our uid), then BEGIN:
 * whatever follows is read as D-Bus messages. */
static GSocketConnection *
raw_authenticated (const char *path)
{
  GSocketConnection *connection = raw_connect (path);
  g_autofree char *uid = g_strdup_printf ("%u", (guint) getuid ());
  g_autoptr(GString) line = g_string_new (NULL);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  char reply[256] = { 0 };
  gssize n;

  g_string_append_c (line, '\0');
  g_string_append (line, "AUTH EXTERNAL ");
  for (const char *c = uid; *c; c++)
    g_string_append_printf (line, "%02x", (guchar) *c);
  g_string_append (line, "\r\n");
  raw_send (connection, line->str, line->len);
  n = g_input_stream_read (in, reply, sizeof reply - 1, NULL, NULL);
  g_assert_cmpint (n, >, 0);
  g_assert_true (g_str_has_prefix (reply, "OK "));
  raw_send_string (connection, "BEGIN\r\n");
  return connection;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  memcpy (p, &v, 4);      /* little endian on the machines we run on: 'l' */
}

static gpointer
attack (gpointer data)
{
  Attacker *a = data;
  g_autofree guint8 *junk = g_malloc (1024 * 1024);
  g_autoptr(GSocketConnection) idle = raw_connect (a->path);   /* slowloris: says nothing */

  for (gsize i = 0; i < 1024 * 1024; i++)
    junk[i] = (guint8) g_random_int ();

  /* Before authentication: garbage, no NUL byte, an endless line, a cut line. */
  {
    g_autoptr(GSocketConnection) c = raw_connect (a->path);
    raw_send (c, junk, 64 * 1024);
    a->attacks++;
  }
  {
    g_autoptr(GSocketConnection) c = raw_connect (a->path);
    raw_send_string (c, "AUTH EXTERNAL 30\r\nBEGIN\r\n");
    a->attacks++;
  }
  {
    g_autoptr(GSocketConnection) c = raw_connect (a->path);
    memset (junk, 'A', 1024 * 1024);
    raw_send (c, "\0AUTH ", 6);
    raw_send (c, junk, 1024 * 1024);
    a->attacks++;
  }
  {
    g_autoptr(GSocketConnection) c = raw_connect (a->path);
    raw_send (c, "\0AUTH EXTERNAL ", 15);
    a->attacks++;
  }

  /* After authentication: a truncated header, a body of 1 GiB announced, a
   * header with no valid endianness, a message of the wrong type. */
  {
    g_autoptr(GSocketConnection) c = raw_authenticated (a->path);
    guint8 header[12] = { 'l', 1, 0, 1 };
    raw_send (c, header, sizeof header);
    a->attacks++;
  }
  {
    g_autoptr(GSocketConnection) c = raw_authenticated (a->path);
    guint8 header[16] = { 'l', 1, 0, 1 };
    put_u32 (header + 4, 0x40000000);
    put_u32 (header + 8, 1);
    put_u32 (header + 12, 0);
    raw_send (c, header, sizeof header);
    raw_send (c, junk, 4096);
    g_usleep (50 * 1000);
    a->attacks++;
  }
  {
    g_autoptr(GSocketConnection) c = raw_authenticated (a->path);
    guint8 header[16] = { 'x', 1, 0, 1 };
    raw_send (c, header, sizeof header);
    raw_send (c, junk, 4096);
    g_usleep (50 * 1000);
    a->attacks++;
  }
  {
    g_autoptr(GSocketConnection) c = raw_authenticated (a->path);
    guint8 header[16] = { 'l', 0x7f, 0, 1 };
    put_u32 (header + 4, 0);
    put_u32 (header + 8, 1);
    put_u32 (header + 12, 0);
    raw_send (c, header, sizeof header);
    g_usleep (50 * 1000);
    a->attacks++;
  }

  /* A proper connection that sends nonsense: errors, not crashes. */
  {
    g_autofree char *address = g_strdup_printf ("unix:path=%s", a->path);
    g_autoptr(GDBusConnection) c =
      g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, NULL);
    g_autofree char *long_word = g_strnfill (100 * 1000, 'x');
    struct { const char *method; GVariant *args; int code; } bad[] = {
      { "NoSuchMethod", NULL, G_DBUS_ERROR_UNKNOWN_METHOD },
      { "Step", g_variant_new ("(i)", 1), G_DBUS_ERROR_INVALID_ARGS },
      { "Step", g_variant_new ("(s)", long_word), G_DBUS_ERROR_INVALID_ARGS },
      { "GetSnapshot", g_variant_new ("(s)", "extra"), G_DBUS_ERROR_INVALID_ARGS },
      { "SetPaused", g_variant_new ("(s)", "yes"), G_DBUS_ERROR_INVALID_ARGS },
    };

    g_assert_nonnull (c);
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
          g_dbus_connection_call_sync (c, NULL, "/org/weft/Loop", "org.weft.Inspector1", bad[i].method, bad[i].args,
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);

        g_assert_null (reply);
        g_assert_error (error, G_DBUS_ERROR, bad[i].code);
        g_assert_cmpuint (strlen (error->message), <, 1000);     /* no echo of 100 kB */
      }
    /* Another object path, a cancel of a task that never was: answered. */
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (c, NULL, "/no/such/path", "org.weft.Inspector1", "GetSnapshot", NULL,
                                     NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
      g_assert_null (reply);
      g_assert_nonnull (error);
    }
    call (c, "CancelTask", g_variant_new ("(t)", G_MAXUINT64));
    a->attacks++;
  }

  g_io_stream_close (G_IO_STREAM (idle), NULL, NULL);
  g_atomic_int_set (&a->done, TRUE);
  return NULL;
}

typedef struct
{
  WeftLoop      *loop;
  TestHeartbeat  heart;
} LoopHeart;

static void
loop_beat (gpointer data)
{
  LoopHeart *heart = data;

  test_heartbeat_beat (&heart->heart, test_monotonic_ns ());
  weft_loop_call_later (heart->loop, 0.002, loop_beat, heart, NULL);
}

static gboolean
attack_done (gpointer data)
{
  return g_atomic_int_get (&((Attacker *) data)->done);
}

/* Malformed, truncated, oversized and out-of-order input on the inspector's
 * socket, before and after authentication, while the loop runs: the server
 * drops those peers (logging why), keeps serving good ones, and the loop's
 * 2 ms timer keeps its pace. */
static void
test_hostile_peers (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) good = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  Attacker a = { 0 };
  LoopHeart heart = { loop, { 0 } };
  GThread *thread;
  gint64 deadline;
  /* Warnings stay fatal: no hostile peer may make the served process log
   * one (GDBus used to warn about every blob it could not parse, which
   * G_DEBUG=fatal-warnings turns into a crash). */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
  g_assert_true (weft_loop_serve_inspector (loop, &error));
  a.path = g_strdup (weft_loop_get_inspector_address (loop));
  heart.heart.last = test_monotonic_ns ();
  weft_loop_call_soon (loop, loop_beat, &heart, NULL);

  thread = g_thread_new ("attacker", attack, &a);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!attack_done (&a) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (weft_loop_get_context (loop), TRUE);
  g_thread_join (thread);
  g_assert_cmpuint (a.attacks, ==, 9);

  /* The server still answers a well-behaved peer. */
  good = connect_to (loop);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (weft_loop_get_iteration (loop) < 3 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (weft_loop_get_context (loop), FALSE);
  /* GDBus reports closed peers on the global default context (in an app,
   * GTK's); only now does this test run it, after the server has seen them. */
  /* Late handshakes of the attacker's connections may still come in: wait
   * until the good peer has been the only one for longer than the server's
   * 1 s sweep of closed peers. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  {
    gint64 alone_since = 0;

    while (g_get_monotonic_time () < deadline)
      {
        gboolean alone = _weft_inspect_server_get_dropped_peers () >= 2 && _weft_inspect_server_count_peers (loop) == 1;

        if (!alone)
          alone_since = 0;
        else if (alone_since == 0)
          alone_since = g_get_monotonic_time ();
        else if (g_get_monotonic_time () - alone_since > 1500 * 1000)
          break;
        g_main_context_iteration (weft_loop_get_context (loop), FALSE);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  }
  snapshot = get_snapshot (good);
  g_assert_nonnull (snapshot);

  g_test_message ("%u attacks; %u peers dropped for protocol errors; loop heartbeats %u, longest gap %.1f ms",
                  a.attacks, _weft_inspect_server_get_dropped_peers (), heart.heart.beats, heart.heart.worst / 1e6);
  /* The authenticated peers that sent what GDBus cannot parse (1 GiB
   * announced, no valid byte order) were dropped, with the reason logged. */
  g_assert_cmpuint (_weft_inspect_server_get_dropped_peers (), >=, 2);
  /* Every hostile peer is gone; the good one is the only peer left. */
  g_assert_cmpuint (_weft_inspect_server_count_peers (loop), ==, 1);
  g_assert_cmpuint (heart.heart.beats, >, 10);
  if (!RUNNING_ON_VALGRIND)
    g_assert_cmpint (heart.heart.worst, <, 100 * 1000000);

  g_free (a.path);
  test_loop_finish (loop);
}

/* ------------------------------------------------------- bounded peers */

static guint
count_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

typedef struct
{
  WeftLoop *loop;
  char     *path;
  gboolean  done;
  gint      threads;
  gboolean  good_served;
  gboolean  long_line_closed;
} Stalled;

static gpointer
stall_and_check (gpointer data)
{
  Stalled *s = data;
  GPtrArray *idle = g_ptr_array_new_with_free_func (g_object_unref);
  gint before = (gint) count_threads ();

  /* 100 peers that connect and say nothing. */
  for (guint i = 0; i < 100; i++)
    g_ptr_array_add (idle, raw_connect (s->path));
  g_usleep (300 * 1000);
  s->threads = (gint) count_threads () - before;

  /* A handshake line that never ends: the server hangs up on it. */
  {
    g_autoptr(GSocketConnection) c = raw_connect (s->path);
    GSocket *socket = g_socket_connection_get_socket (c);
    g_autofree char *junk = g_strnfill (1024 * 1024, 'A');
    char byte;

    g_socket_set_timeout (socket, 3);
    raw_send (c, "\0AUTH ", 6);
    raw_send (c, junk, 1024 * 1024);
    s->long_line_closed = g_socket_receive (socket, &byte, 1, NULL, NULL) <= 0
                          && g_socket_condition_check (socket, G_IO_IN | G_IO_HUP) != 0;
  }
  g_ptr_array_unref (idle);

  /* ... and a good peer is still served. */
  {
    g_autoptr(GDBusConnection) good = connect_to (s->loop);
    g_autoptr(GVariant) snapshot = get_snapshot (good);

    s->good_served = snapshot != NULL;
  }
  g_atomic_int_set (&s->done, TRUE);
  return NULL;
}

static gboolean
stalled_done (gpointer data)
{
  return g_atomic_int_get (&((Stalled *) data)->done);
}

/* Peers that stall in the handshake cost no thread each (GDBusServer gave
 * every one a thread), an endless handshake line is cut off, and good peers
 * are still served. */
static void
test_stalled_handshakes (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  Stalled s = { loop };
  GThread *thread;
  gint64 deadline;

  g_assert_true (weft_loop_serve_inspector (loop, &error));
  s.path = g_strdup (weft_loop_get_inspector_address (loop));
  thread = g_thread_new ("stall", stall_and_check, &s);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!stalled_done (&s) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (weft_loop_get_context (loop), FALSE), g_usleep (1000);
  g_thread_join (thread);
  g_test_message ("100 stalled peers: %d more threads", s.threads);
  g_assert_cmpint (s.threads, <, 10);
  g_assert_true (s.long_line_closed);
  g_assert_true (s.good_served);
  g_free (s.path);
  test_loop_finish (loop);
}

/* Waits (without running the loop) until @n peers finished the handshake. */
static void
wait_for_peers (WeftLoop *loop,
                guint     n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (_weft_inspect_server_count_peers (loop) < n && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpuint (_weft_inspect_server_count_peers (loop), >=, n);
}

static gpointer
churn (gpointer data, GError **error)
{
  while (weft_sleep (0.001, error))
    ;
  return NULL;
}

/* Cancels the churning tasks and lets them end. */
static void
stop_churning (WeftLoop *loop)
{
  g_autoptr(GPtrArray) tasks = weft_all_tasks (loop);

  for (guint i = 0; i < tasks->len; i++)
    weft_task_cancel (g_ptr_array_index (tasks, i), NULL);
  test_run_until_idle (loop);
}

typedef struct
{
  WeftLoop *loop;
  char     *path;
  gboolean  done;
  gboolean  dropped;
  guint     calls;
} Greedy;

/* Authenticates, then sends GetSnapshot after GetSnapshot and reads nothing. */
static gpointer
ask_without_reading (gpointer data)
{
  Greedy *g = data;
  g_autoptr(GSocketConnection) c = raw_authenticated (g->path);
  GSocket *socket = g_socket_connection_get_socket (c);
  gint64 deadline = g_get_monotonic_time () + (RUNNING_ON_VALGRIND ? 120 : 20) * G_USEC_PER_SEC;

  g_socket_set_timeout (socket, 1);
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GDBusMessage) call =
        g_dbus_message_new_method_call (NULL, "/org/weft/Loop", "org.weft.Inspector1", "GetSnapshot");
      gsize size;
      g_autofree guchar *blob = NULL;
      g_autoptr(GError) error = NULL;

      g_dbus_message_set_serial (call, ++g->calls);
      blob = g_dbus_message_to_blob (call, &size, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
      if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (c)), blob, size, NULL, NULL, &error))
        {
          /* A full socket (the server reads slowly, under valgrind) is not a
           * hang-up: only a broken connection is. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            continue;
          g->dropped = TRUE;   /* the server hung up on us */
          break;
        }
      g_usleep (200);
    }
  g_atomic_int_set (&g->done, TRUE);
  return NULL;
}

static gboolean
greedy_done (gpointer data)
{
  return g_atomic_int_get (&((Greedy *) data)->done);
}

/* A peer that asks for snapshots without reading them is dropped once its
 * limit (16 MiB; 2 MiB here) waits for it: the process does not grow without bound. */
static void
test_peer_not_reading_replies (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  Greedy g = { loop };
  guint dropped_before = _weft_inspect_server_get_dropped_peers ();
  GThread *thread;
  gint64 deadline;

  g_assert_true (weft_loop_serve_inspector (loop, &error));
  /* 2 MiB instead of 16, so that valgrind gets there in time too. */
  _weft_inspect_server_set_peer_limits (loop, 256 * 1024, 2 * 1024 * 1024);
  g.path = g_strdup (weft_loop_get_inspector_address (loop));
  thread = g_thread_new ("greedy", ask_without_reading, &g);
  wait_for_peers (loop, 1);   /* (see test_peer_not_reading_signals) */
  for (int i = 0; i < 1000; i++)
    weft_task_unref (weft_loop_create_task (loop, churn, NULL, NULL));
  deadline = g_get_monotonic_time () + 150 * G_USEC_PER_SEC;
  while (!greedy_done (&g) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (weft_loop_get_context (loop), TRUE);
  g_thread_join (thread);
  g_test_message ("%u calls sent; most pending for a peer: %" G_GUINT64_FORMAT " KiB", g.calls,
                  _weft_inspect_server_get_max_pending (loop) / 1024);
  g_assert_true (g.dropped);
  g_assert_cmpuint (_weft_inspect_server_get_dropped_peers (), >, dropped_before);
  g_assert_cmpuint (_weft_inspect_server_get_max_pending (loop), <=, 4 * 1024 * 1024);
  g_free (g.path);
  stop_churning (loop);
  test_loop_finish (loop);
}

typedef struct
{
  char     *path;
  gint      stop;
  gboolean  still_open;
} Deaf;

/* Authenticated, and never reads: like a stopped weft-inspector. */
static gpointer
deaf_peer (gpointer data)
{
  Deaf *d = data;
  g_autoptr(GSocketConnection) c = raw_authenticated (d->path);

  while (!g_atomic_int_get (&d->stop))
    g_usleep (10 * 1000);
  d->still_open = !g_socket_condition_check (g_socket_connection_get_socket (c), G_IO_HUP | G_IO_ERR);
  return NULL;
}

/* Changed signals do not pile up for a peer that does not read: past 1 MiB
 * pending it gets none (and a reset later), and it is not dropped for it. */
static void
test_peer_not_reading_signals (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  Deaf d = { 0 };
  GThread *thread;
  gint64 end;

  g_assert_true (weft_loop_serve_inspector (loop, &error));
  d.path = g_strdup (weft_loop_get_inspector_address (loop));
  thread = g_thread_new ("deaf", deaf_peer, &d);
  /* The churn starts once the peer is in: under valgrind, a busy loop thread
   * could starve the server thread past its 5 s handshake timeout. */
  wait_for_peers (loop, 1);
  for (int i = 0; i < 1000; i++)
    weft_task_unref (weft_loop_create_task (loop, churn, NULL, NULL));
  /* 3 s of churn, or (valgrind) until the first signals went out. */
  end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end
         || (_weft_inspect_server_get_max_pending (loop) == 0 && g_get_monotonic_time () < end + 30 * G_USEC_PER_SEC))
    g_main_context_iteration (weft_loop_get_context (loop), TRUE);
  g_atomic_int_set (&d.stop, TRUE);
  g_thread_join (thread);
  g_test_message ("most pending for the deaf peer: %" G_GUINT64_FORMAT " KiB",
                  _weft_inspect_server_get_max_pending (loop) / 1024);
  g_assert_cmpuint (_weft_inspect_server_get_max_pending (loop), >, 0);
  g_assert_cmpuint (_weft_inspect_server_get_max_pending (loop), <=, 3 * 1024 * 1024);
  g_assert_true (d.still_open);
  g_free (d.path);
  stop_churning (loop);
  test_loop_finish (loop);
}

/* A socket left by a process killed with SIGKILL goes when a loop serves. */
static void
test_stale_sockets_removed (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (runtime_dir, "weft", NULL);
  g_autofree char *stale = NULL;
  g_autofree char *stale_unready = NULL;
  g_autofree char *alive = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocket) socket2 = NULL;
  g_autoptr(GSocket) socket3 = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) address2 = NULL;
  g_autoptr(GSocketAddress) address3 = NULL;
  GPid dead;

  /* A pid that is surely gone: a child we reaped. */
  {
    const char *argv[] = { "true", NULL };
    int status;

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &dead, NULL));
    waitpid (dead, &status, 0);
  }
  g_assert_true (_weft_inspect_check_directory (dir, NULL));
  stale = g_strdup_printf ("%s/%d-1", dir, (int) dead);
  alive = g_strdup_printf ("%s/%d-999", dir, (int) getpid ());
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL);
  address = g_unix_socket_address_new (stale);
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  socket2 = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL);
  address2 = g_unix_socket_address_new (alive);
  g_assert_true (g_socket_bind (socket2, address2, FALSE, NULL));
  g_assert_true (g_file_test (stale, G_FILE_TEST_EXISTS));
  /* One that died between bind() and the rename that shows it. */
  stale_unready = g_strdup_printf ("%s/.%d-2", dir, (int) dead);
  socket3 = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL);
  address3 = g_unix_socket_address_new (stale_unready);
  g_assert_true (g_socket_bind (socket3, address3, FALSE, NULL));

  g_assert_true (weft_loop_serve_inspector (loop, &error));
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (stale_unready, G_FILE_TEST_EXISTS));
  /* Ours is there under its own name, listening, nothing left half-made. */
  g_assert_true (g_file_test (weft_loop_get_inspector_address (loop), G_FILE_TEST_EXISTS));
  {
    g_autofree char *unready = g_strdup_printf ("%s/.%d-%u", dir, (int) getpid (), loop->id);

    g_assert_false (g_file_test (unready, G_FILE_TEST_EXISTS));
  }
  g_assert_true (g_file_test (alive, G_FILE_TEST_EXISTS));   /* ours: alive */
  g_unlink (alive);
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  inspect_test_init (&argc, &argv);
  g_test_add_func ("/Weft/InspectServer/refuses-bad-directory", test_refuses_bad_directory);
  g_test_add_func ("/Weft/InspectServer/peer-uid-check", test_peer_uid_check);
  g_test_add_func ("/Weft/InspectServer/hostile-peers", test_hostile_peers);
  g_test_add_func ("/Weft/InspectServer/stalled-handshakes", test_stalled_handshakes);
  g_test_add_func ("/Weft/InspectServer/stale-sockets-removed", test_stale_sockets_removed);
  g_test_add_func ("/Weft/InspectServer/peer-not-reading-replies", test_peer_not_reading_replies);
  g_test_add_func ("/Weft/InspectServer/peer-not-reading-signals", test_peer_not_reading_signals);
  return inspect_test_run ();
}
