/* weft-inspect-server-private.h: the inspector's socket server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "weft-observer-private.h"

G_BEGIN_DECLS

typedef struct _WeftInspectServer WeftInspectServer;

/* The server as an observer of loops (weft-probe.c registers it). */
extern const WeftObserver _weft_inspect_server_observer;
extern guint _weft_inspect_server_observer_id;

/* weft-inspector-module.c: WEFT_INSPECTOR=1 */
extern const WeftObserver _weft_inspector_module_observer;

guint     _weft_inspect_server_get_dropped_peers (void);
guint     _weft_inspect_server_count_peers  (WeftLoop *loop);
guint64   _weft_inspect_server_get_max_pending (WeftLoop *loop);
void      _weft_inspect_server_set_peer_limits (WeftLoop *loop,
                                                guint64   soft,
                                                guint64   hard);
gboolean  _weft_inspect_peer_allowed        (GCredentials *credentials);
gboolean  _weft_inspect_check_directory     (const char *dir,
                                             GError    **error);
void      _weft_inspect_remove_stale_sockets (const char *dir);

G_END_DECLS
