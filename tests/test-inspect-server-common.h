/* test-inspect-server-common.h: what the served-loop tests share
 * (test-inspect-server.c: serving, commands, snapshots, signals;
 * test-inspect-peers.c: who may connect, and what a bad peer cannot do)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"

#include "weft-inspect-server-private.h"
#include "test-heartbeat.h"
#include "weft-test-common.h"

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

/* A private XDG_RUNTIME_DIR for the sockets, made by inspect_test_init(). */
static char *runtime_dir;

static inline void
inspect_test_init (int    *argc,
                   char ***argv)
{
  g_test_init (argc, argv, NULL);
  runtime_dir = g_dir_make_tmp ("weft-test-XXXXXX", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
}

static inline int
inspect_test_run (void)
{
  int status = g_test_run ();

  g_rmdir (runtime_dir);
  g_free (runtime_dir);
  return status;
}

static inline GDBusConnection *
connect_to (WeftLoop *loop)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_strdup_printf ("unix:path=%s", weft_loop_get_inspector_address (loop));
  GDBusConnection *connection =
    g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static inline GVariant *
get_snapshot (GDBusConnection *connection)
{
  g_autoptr(GError) error = NULL;
  G_GNUC_UNUSED g_autoptr(GVariant) reply =
    g_dbus_connection_call_sync (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "GetSnapshot", NULL,
                                 G_VARIANT_TYPE ("((tbsa(tssststtd)a(ss)a(ssd)asa(tdduuds)))"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &error);

  g_assert_no_error (error);
  return g_variant_get_child_value (reply, 0);
}

static inline void
call (GDBusConnection *connection,
      const char      *method,
      GVariant        *parameters)
{
  g_autoptr(GError) error = NULL;
  G_GNUC_UNUSED g_autoptr(GVariant) reply =
    g_dbus_connection_call_sync (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", method, parameters,
                                 NULL, G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &error);

  g_assert_no_error (error);
}

/* Runs the loop's context until @done says so (or 5 s pass). */
static inline void
iterate_until (WeftLoop *loop, gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + (RUNNING_ON_VALGRIND ? 30 : 5) * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (weft_loop_get_context (loop), FALSE);
  g_assert_true (done (data));
}

static inline void
count (gpointer data)
{
  (*(int *) data)++;
}

static inline gboolean
is_paused (gpointer loop)
{
  return weft_loop_get_paused (loop);
}

static inline gboolean
counted_one (gpointer counter)
{
  return *(int *) counter >= 1;
}
