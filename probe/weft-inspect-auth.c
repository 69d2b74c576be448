/* weft-inspect-auth.c: the inspector socket's D-Bus handshake, bounded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GDBusServer authenticates each peer on a thread of its own, reads the
 * handshake's lines without a length limit and without a timeout: a thousand
 * stalled peers were a thousand threads, and a line with no newline grew
 * without bound. So the inspector socket does the server half of the D-Bus
 * SASL handshake itself, on the server thread's context, without threads:
 * the peer's uid comes from the kernel (SO_PEERCRED, checked before this
 * starts), EXTERNAL is the one mechanism offered, a line is at most
 * MAX_LINE bytes, a handshake at most MAX_LINES lines and AUTH_TIMEOUT_MS
 * long. After BEGIN the stream goes to GDBus as an authenticated one.
 * Nothing past a line's end is read, so the first D-Bus message, which a
 * client may send right behind BEGIN, stays in the socket for GDBus.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "weft-inspect-auth-private.h"

#define MAX_LINE        512
#define MAX_LINES       16
#define AUTH_TIMEOUT_MS 5000

struct _WeftInspectAuth
{
  GSocketConnection *connection;
  int                fd;
  GSource           *watch;
  GSource           *timeout;
  GString           *line;
  char              *guid;
  char              *uid_hex;    /* our uid, as EXTERNAL sends it */
  guint              lines;
  gboolean           got_nul;
  gboolean           want_data;  /* AUTH EXTERNAL without data: DATA next */
  gboolean           ok;         /* OK sent: BEGIN may come */
  WeftInspectAuthDone done;
  gpointer           data;
};

static void
auth_finish (WeftInspectAuth *auth,
             const char      *refusal)
{
  GSocketConnection *connection = g_steal_pointer (&auth->connection);

  g_source_destroy (auth->watch);
  g_source_unref (auth->watch);
  g_source_destroy (auth->timeout);
  g_source_unref (auth->timeout);
  if (refusal != NULL)
    g_message ("Weft inspector: refused a peer during authentication: %s", refusal);
  auth->done (refusal == NULL ? connection : NULL, auth->data);
  g_object_unref (connection);
  g_string_free (auth->line, TRUE);
  g_free (auth->guid);
  g_free (auth->uid_hex);
  g_free (auth);
}

static gboolean
auth_send (WeftInspectAuth *auth,
           const char      *reply)
{
  gsize length = strlen (reply);

  /* A few dozen bytes into an empty socket buffer: a peer that lets them
   * pile up is not one we wait for. */
  return send (auth->fd, reply, length, MSG_DONTWAIT | MSG_NOSIGNAL) == (gssize) length;
}

/* EXTERNAL's data: our uid in ASCII, hex-encoded (may be empty: the kernel
 * told us the uid already). */
static gboolean
external_data_ok (WeftInspectAuth *auth,
                  const char      *hex)
{
  return *hex == '\0' || g_ascii_strcasecmp (hex, auth->uid_hex) == 0;
}

/* Sends @text; a peer we cannot write a line to is refused (and @auth is
 * finished): returns FALSE then. */
static gboolean
reply (WeftInspectAuth *auth,
       const char      *text)
{
  if (auth_send (auth, text))
    return TRUE;
  auth_finish (auth, "cannot write to it");
  return FALSE;
}

static gboolean
accept_external (WeftInspectAuth *auth)
{
  g_autofree char *ok = g_strdup_printf ("OK %s\r\n", auth->guid);

  auth->ok = TRUE;
  auth->want_data = FALSE;
  return reply (auth, ok);
}

/* One line, without its \r\n. Returns FALSE (and has finished @auth) when the
 * handshake is over, either way. */
static gboolean
auth_handle_line (WeftInspectAuth *auth,
                  const char      *line)
{
  if (++auth->lines > MAX_LINES)
    {
      auth_finish (auth, "too many handshake lines");
      return FALSE;
    }
  if (strcmp (line, "BEGIN") == 0)
    {
      auth_finish (auth, auth->ok ? NULL : "BEGIN before authentication");
      return FALSE;
    }
  if (g_str_has_prefix (line, "AUTH EXTERNAL"))
    {
      const char *data = line + strlen ("AUTH EXTERNAL");

      if (*data == '\0')
        {
          auth->want_data = TRUE;
          return reply (auth, "DATA\r\n");
        }
      if (*data == ' ' && external_data_ok (auth, data + 1))
        return accept_external (auth);
      return reply (auth, "REJECTED EXTERNAL\r\n");
    }
  if (auth->want_data && (strcmp (line, "DATA") == 0 || g_str_has_prefix (line, "DATA ")))
    {
      if (external_data_ok (auth, line[4] == ' ' ? line + 5 : ""))
        return accept_external (auth);
      auth->want_data = FALSE;
      return reply (auth, "REJECTED EXTERNAL\r\n");
    }
  if (strcmp (line, "AUTH") == 0 || g_str_has_prefix (line, "AUTH ") || strcmp (line, "CANCEL") == 0)
    {
      auth->want_data = FALSE;
      return reply (auth, "REJECTED EXTERNAL\r\n");
    }
  if (strcmp (line, "NEGOTIATE_UNIX_FD") == 0 && auth->ok)
    return reply (auth, "ERROR fd passing is not offered\r\n");
  return reply (auth, "ERROR\r\n");
}

static gboolean
auth_readable (GSocket      *socket,
               GIOCondition  condition,
               gpointer      data)
{
  WeftInspectAuth *auth = data;
  char peek[MAX_LINE];
  char *newline;
  gssize n;
  gsize take;

  n = recv (auth->fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      auth_finish (auth, n == 0 ? "hung up" : g_strerror (errno));
      return G_SOURCE_REMOVE;
    }
  if (!auth->got_nul)
    {
      /* The handshake starts with one NUL byte (it carries the credentials). */
      if (peek[0] != '\0' || recv (auth->fd, peek, 1, MSG_DONTWAIT) != 1)
        {
          auth_finish (auth, "the handshake does not start with a NUL byte");
          return G_SOURCE_REMOVE;
        }
      auth->got_nul = TRUE;
      return G_SOURCE_CONTINUE;
    }

  newline = memchr (peek, '\n', (gsize) n);
  take = newline ? (gsize) (newline - peek) + 1 : (gsize) n;
  if (auth->line->len + take > MAX_LINE)
    {
      auth_finish (auth, "a handshake line is too long");
      return G_SOURCE_REMOVE;
    }
  /* Consume exactly up to the line's end. */
  if (recv (auth->fd, peek, take, MSG_DONTWAIT) != (gssize) take)
    {
      auth_finish (auth, "short read");
      return G_SOURCE_REMOVE;
    }
  g_string_append_len (auth->line, peek, (gssize) take);
  if (newline == NULL)
    return G_SOURCE_CONTINUE;

  g_string_truncate (auth->line, auth->line->len - 1);
  if (auth->line->len > 0 && auth->line->str[auth->line->len - 1] == '\r')
    g_string_truncate (auth->line, auth->line->len - 1);
  if (memchr (auth->line->str, '\0', auth->line->len) != NULL)
    {
      auth_finish (auth, "a NUL byte in a handshake line");
      return G_SOURCE_REMOVE;
    }
  {
    g_autofree char *line = g_strdup (auth->line->str);

    g_string_truncate (auth->line, 0);
    return auth_handle_line (auth, line) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
  }
}

static gboolean
auth_timed_out (gpointer data)
{
  auth_finish (data, "the handshake took too long");
  return G_SOURCE_REMOVE;
}

void
_weft_inspect_auth_start (GSocketConnection   *connection,
                          const char          *guid,
                          GMainContext        *context,
                          WeftInspectAuthDone  done,
                          gpointer             data)
{
  WeftInspectAuth *auth = g_new0 (WeftInspectAuth, 1);
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autofree char *uid = g_strdup_printf ("%u", (guint) getuid ());
  GString *hex = g_string_new (NULL);

  for (const char *c = uid; *c != '\0'; c++)
    g_string_append_printf (hex, "%02x", (guchar) *c);
  auth->connection = g_object_ref (connection);
  auth->fd = g_socket_get_fd (socket);
  auth->line = g_string_new (NULL);
  auth->guid = g_strdup (guid);
  auth->uid_hex = g_string_free (hex, FALSE);
  auth->done = done;
  auth->data = data;
  auth->watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (auth->watch, (GSourceFunc) (void (*) (void)) auth_readable, auth, NULL);
  g_source_set_static_name (auth->watch, "weft inspector: handshake");
  g_source_attach (auth->watch, context);
  auth->timeout = g_timeout_source_new (AUTH_TIMEOUT_MS);
  g_source_set_callback (auth->timeout, auth_timed_out, auth, NULL);
  g_source_set_static_name (auth->timeout, "weft inspector: handshake timeout");
  g_source_attach (auth->timeout, context);
}
