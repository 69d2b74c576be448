/* weft-inspect-filter-private.h: only whole, valid D-Bus messages reach GDBus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WEFT_TYPE_INSPECT_FILTER (weft_inspect_filter_get_type ())
G_DECLARE_FINAL_TYPE (WeftInspectFilter, weft_inspect_filter, WEFT, INSPECT_FILTER, GInputStream)

/* A stream for GDBus over @connection whose reads give only whole messages
 * that parse; a peer that sends anything else is logged and cut off. */
GIOStream *_weft_inspect_filter_wrap     (GSocketConnection *connection);

/* weft-inspect-server.c: counts a peer dropped for breaking the protocol. */
void       _weft_inspect_server_count_drop (void);

G_END_DECLS
