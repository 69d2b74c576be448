/* weft-inspect-auth-private.h: the inspector socket's D-Bus handshake
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _WeftInspectAuth WeftInspectAuth;

/* Called once, on @context: with the connection (authenticated; the D-Bus
 * messages follow) or NULL if the peer was refused (the reason is logged). */
typedef void (*WeftInspectAuthDone) (GSocketConnection *connection,
                                     gpointer           data);

/* Runs the server half of the D-Bus handshake on @connection, whose peer's
 * uid the caller has checked, on @context (the server thread's). */
void _weft_inspect_auth_start (GSocketConnection   *connection,
                               const char          *guid,
                               GMainContext        *context,
                               WeftInspectAuthDone  done,
                               gpointer             data);

G_END_DECLS
