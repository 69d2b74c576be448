/* weft-inspect-socket.c: where the inspector's sockets live, and who may connect
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sockets are in $XDG_RUNTIME_DIR/weft/, a directory that must be ours, 0700,
 * not a symlink; they are named "PID-LOOP", and those of processes that died
 * are removed; only peers with our uid get in.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft-inspect-server-private.h"
#include "weft-probe.h"

/* Only our own uid gets in. */
gboolean
_weft_inspect_peer_allowed (GCredentials *credentials)
{
  GError *error = NULL;
  uid_t uid;

  if (credentials == NULL)
    {
      g_message ("Weft inspector: refused a peer without credentials");
      return FALSE;
    }
  uid = g_credentials_get_unix_user (credentials, &error);
  if (error != NULL || uid != getuid ())
    {
      g_message ("Weft inspector: refused a peer with uid %d (we are %d)", error ? -1 : (int) uid, (int) getuid ());
      g_clear_error (&error);
      return FALSE;
    }
  return TRUE;
}


/* The directory must be ours alone: a directory (not a symlink), owned by us,
 * with no access for group or others. */
gboolean
_weft_inspect_check_directory (const char  *dir,
                               GError     **error)
{
  struct stat st;

  if (g_mkdir_with_parents (dir, 0700) != 0 && errno != EEXIST)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (lstat (dir, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot inspect %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 077) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "Refusing to serve the inspector in %s: it must be a directory of ours with mode 0700 "
                   "(it is %s, owned by uid %d, mode %03o)",
                   dir, S_ISLNK (st.st_mode) ? "a symlink" : S_ISDIR (st.st_mode) ? "a directory" : "not a directory",
                   (int) st.st_uid, st.st_mode & 0777);
      return FALSE;
    }
  return TRUE;
}

/* Sockets left behind by processes that died without cleaning up (SIGKILL):
 * named "PID-LOOP", they go when PID is no longer alive. */
void
_weft_inspect_remove_stale_sockets (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      /* "<pid>-<loop>", or ".<pid>-<loop>" before it listens */
      const char *digits = name[0] == '.' ? name + 1 : name;
      char *end = NULL;
      gint64 pid = g_ascii_strtoll (digits, &end, 10);
      g_autofree char *path = NULL;
      struct stat st;

      if (end == digits || *end != '-' || pid <= 0 || pid > G_MAXINT)
        continue;
      if (kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue;   /* alive (or not ours to ask about) */
      path = g_build_filename (dir, name, NULL);
      if (lstat (path, &st) == 0 && S_ISSOCK (st.st_mode) && st.st_uid == getuid ())
        g_unlink (path);
    }
}

/**
 * weft_inspect_get_socket_directory:
 *
 * Where loops serve the inspector: `$XDG_RUNTIME_DIR/weft`.
 *
 * Returns: (transfer full): the directory's path
 */
char *
weft_inspect_get_socket_directory (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

  return g_build_filename (runtime && *runtime ? runtime : g_get_user_runtime_dir (), "weft", NULL);
}
