/* test-inspect-server.c: the inspector's socket, from a real peer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft-inspect-server-private.h"
#include "weft-test-common.h"

static char *runtime_dir;

static GDBusConnection *
connect_to (WeftLoop *loop)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_strdup_printf ("unix:path=%s", weft_loop_get_inspector_address (loop));
  GDBusConnection *connection =
    g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static GVariant *
get_snapshot (GDBusConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
    g_dbus_connection_call_sync (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "GetSnapshot", NULL,
                                 G_VARIANT_TYPE ("((tbsa(tsssts)a(ss)a(ssd)as))"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &error);

  g_assert_no_error (error);
  return g_variant_get_child_value (reply, 0);
}

static void
call (GDBusConnection *connection,
      const char      *method,
      GVariant        *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
    g_dbus_connection_call_sync (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", method, parameters,
                                 NULL, G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &error);

  g_assert_no_error (error);
}

/* Runs the loop's context until @done says so (or 5 s pass). */
static void
iterate_until (WeftLoop *loop, gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (weft_loop_get_context (loop), FALSE);
  g_assert_true (done (data));
}

static void
count (gpointer data)
{
  (*(int *) data)++;
}

static gboolean
is_paused (gpointer loop)
{
  return weft_loop_get_paused (loop);
}

static gboolean
counted_one (gpointer counter)
{
  return *(int *) counter >= 1;
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
  char     *blocked;
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
  Blocked b = { test_loop_new (), NULL };
  GThread *thread;

  g_assert_true (weft_loop_serve_inspector (b.loop, NULL));
  weft_loop_call_soon (b.loop, slow_callback, NULL, NULL);
  thread = g_thread_new ("client", ask_while_blocked, &b);
  test_run_until_idle (b.loop);
  g_thread_join (thread);
  g_test_message ("while blocked: %s", b.blocked);
  g_assert_true (g_str_has_prefix (b.blocked, "loop blocked in slow_callback for "));
  g_free (b.blocked);
  test_loop_finish (b.loop);
}

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

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  runtime_dir = g_dir_make_tmp ("weft-test-XXXXXX", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);

  g_test_add_func ("/Weft/InspectServer/serve-and-control", test_serve_and_control);
  g_test_add_func ("/Weft/InspectServer/reports-blocked-loop", test_reports_blocked_loop);
  g_test_add_func ("/Weft/InspectServer/refuses-bad-directory", test_refuses_bad_directory);
  g_test_add_func ("/Weft/InspectServer/peer-uid-check", test_peer_uid_check);

  status = g_test_run ();
  g_rmdir (runtime_dir);
  g_free (runtime_dir);
  return status;
}
