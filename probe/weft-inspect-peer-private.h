/* weft-inspect-peer-private.h: a connected inspector peer and what it owes us
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "weft-inspector-dbus.h"

G_BEGIN_DECLS

/* A connected peer (server thread only). */
typedef struct
{
  gint                ref_count;
  GDBusConnection    *connection;
  WeftDBusInspector1 *skeleton;
  guint64             sent;         /* bytes handed to GDBus for it */
  guint64             written;      /* of those, flushed to the socket */
  guint64             flushing_to;  /* `sent` when the flush in flight began, or 0 */
  gboolean            needs_reset;  /* Changed signals were skipped */
} WeftInspectPeer;

/* Takes over @connection and @skeleton. */
WeftInspectPeer *_weft_inspect_peer_new     (GDBusConnection    *connection,
                                             WeftDBusInspector1 *skeleton);
void             _weft_inspect_peer_unref   (WeftInspectPeer    *peer);
/* @size more bytes are on their way to @peer; returns its pending bytes. */
guint64          _weft_inspect_peer_sent    (WeftInspectPeer    *peer,
                                             gsize               size);
/* Bytes handed to GDBus for @peer that no flush has seen written yet. */
static inline guint64
_weft_inspect_peer_pending (WeftInspectPeer *peer)
{
  return peer->sent - peer->written;
}

G_END_DECLS
