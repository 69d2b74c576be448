/* weft-types.h: forward declarations shared by every Weft header
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _WeftLoop      WeftLoop;
typedef struct _WeftHandle    WeftHandle;
typedef struct _WeftFuture    WeftFuture;
typedef struct _WeftTask      WeftTask;
typedef struct _WeftTaskGroup WeftTaskGroup;

/**
 * WeftCallback:
 * @user_data: the data passed when the callback was scheduled
 *
 * A callback run by the loop, as scheduled by weft_loop_call_soon() and friends.
 */
typedef void (*WeftCallback) (gpointer user_data);

/**
 * WeftCallSite:
 * @name: the callback's name as written at the call site, or %NULL
 * @where: the file:line of the scheduling call (`G_STRLOC`), or %NULL
 *
 * Where a call was scheduled from, for debug mode and the inspector. The
 * weft_loop_call_soon() macro makes one static record per call site and
 * passes a pointer to it (weft_loop_call_soon_at_site()), so a pending call
 * carries both strings in one pointer and nothing is looked up at run time.
 * A record must outlive every call scheduled with it (a static one does) and
 * be aligned to 8 bytes.
 */
typedef struct _WeftCallSite WeftCallSite;
struct _WeftCallSite
{
  const char *name;
  const char *where;
};

G_END_DECLS
