/* weft-inspect-peer.c: a connected inspector peer and what it owes us
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the server hands GDBus for a peer (replies, Changed signals) counts as
 * pending until a flush of its connection completes: one flush in flight at
 * a time, the next started when it ends. A peer that does not read never
 * completes a flush, so its pending bytes only grow; the server's limits
 * (weft-inspect-server.c) act on that number.
 */
#include "config.h"

#include "weft-inspect-peer-private.h"

WeftInspectPeer *
_weft_inspect_peer_new (GDBusConnection    *connection,
                        WeftDBusInspector1 *skeleton)
{
  WeftInspectPeer *peer = g_new0 (WeftInspectPeer, 1);

  peer->ref_count = 1;
  peer->connection = connection;
  peer->skeleton = skeleton;
  return peer;
}

static WeftInspectPeer *
peer_ref (WeftInspectPeer *peer)
{
  peer->ref_count++;
  return peer;
}

void
_weft_inspect_peer_unref (WeftInspectPeer *peer)
{
  if (--peer->ref_count > 0)
    return;
  g_object_unref (peer->skeleton);
  g_object_unref (peer->connection);
  g_free (peer);
}

static void flush_peer (WeftInspectPeer *peer);

/* Everything handed to GDBus before the flush began is in the socket now. */
static void
on_flushed (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  WeftInspectPeer *peer = data;
  gboolean ok = g_dbus_connection_flush_finish (G_DBUS_CONNECTION (source), result, NULL);

  if (ok)
    peer->written = MAX (peer->written, peer->flushing_to);
  peer->flushing_to = 0;
  if (ok && peer->sent > peer->written && !g_dbus_connection_is_closed (peer->connection))
    flush_peer (peer);
  _weft_inspect_peer_unref (peer);
}

static void
flush_peer (WeftInspectPeer *peer)
{
  if (peer->flushing_to != 0)
    return;   /* one flush in flight; its end starts the next */
  peer->flushing_to = peer->sent;
  g_dbus_connection_flush (peer->connection, NULL, on_flushed, peer_ref (peer));
}

guint64
_weft_inspect_peer_sent (WeftInspectPeer *peer,
                         gsize            size)
{
  peer->sent += size;
  flush_peer (peer);
  return _weft_inspect_peer_pending (peer);
}
