/* weft-future-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "weft-future.h"
#include "weft-loop-private.h"

G_BEGIN_DECLS

typedef enum
{
  WEFT_FUTURE_PENDING,
  WEFT_FUTURE_RESULT,
  WEFT_FUTURE_ERROR,
  WEFT_FUTURE_CANCELLED,
} WeftFutureState;

typedef enum
{
  WEFT_FUTURE_KIND_PLAIN,
  WEFT_FUTURE_KIND_TASK,
  WEFT_FUTURE_KIND_COMPOSITE,
} WeftFutureKind;

/* A done callback. Records are chained in registration order; a record can be
 * embedded in its owner (a task's wake-up) so that awaiting allocates nothing. */
typedef struct _WeftDoneRecord WeftDoneRecord;
struct _WeftDoneRecord
{
  WeftDoneRecord     *next;
  WeftFutureCallback  callback;
  gpointer            data;
  GDestroyNotify      destroy;
  WeftFuture         *future;   /* set (with a reference) once scheduled */
  WeftHandle         *handle;   /* the scheduled call, while future is set */
  guint               owned : 1;
};

struct _WeftFuture
{
  guint            ref_count;
  guint8           kind;
  guint8           state;
  guint            error_retrieved : 1;
  guint            finalizing : 1;
  WeftLoop        *loop;
  gpointer         result;
  GDestroyNotify   result_destroy;
  GError          *error;          /* WEFT_FUTURE_ERROR, or the cancellation */
  WeftDoneRecord  *callbacks;
  WeftDoneRecord **callbacks_tail;
  const char      *created_at;
  WeftTask        *creator;        /* the task that created it, if any (not a reference) */
};

/* A future that combines others (gather, wait_for, shield, GIO): it decides
 * itself what cancelling it means and frees its extra state. */
typedef gboolean (*WeftCompositeCancelFunc)   (WeftFuture *future,
                                               const char *message);
typedef void     (*WeftCompositeFinalizeFunc) (WeftFuture *future);

typedef struct
{
  WeftFuture                parent;
  WeftCompositeCancelFunc   cancel;
  WeftCompositeFinalizeFunc finalize;
} WeftCompositeFuture;

gpointer  _weft_composite_future_new   (WeftLoop                 *loop,
                                        gsize                     size,
                                        WeftCompositeCancelFunc   cancel,
                                        WeftCompositeFinalizeFunc finalize);
void      _weft_future_fail            (WeftFuture     *future,
                                        GError         *error);
void      _weft_future_copy_outcome    (WeftFuture     *outer,
                                        WeftFuture     *inner);
void      _weft_future_init            (WeftFuture     *future,
                                        WeftLoop       *loop,
                                        WeftFutureKind  kind);
void      _weft_future_add_record      (WeftFuture     *future,
                                        WeftDoneRecord *record);
gboolean  _weft_future_remove_record   (WeftFuture     *future,
                                        WeftDoneRecord *record);
gboolean  _weft_future_succeeded       (WeftFuture     *future);
void      _weft_future_finish_task     (WeftFuture     *future,
                                        gpointer        result,
                                        GDestroyNotify  destroy,
                                        GError         *error);
gboolean  _weft_future_cancel_internal (WeftFuture     *future,
                                        const char     *message);
void      _weft_future_report          (WeftFuture     *future,
                                        const char     *message);
GError   *_weft_cancelled_error_new    (const char     *message);
void      _weft_future_pool_clear      (WeftLoop       *loop);

static inline gboolean
_weft_future_is_task (WeftFuture *future)
{
  return future->kind == WEFT_FUTURE_KIND_TASK;
}

G_END_DECLS
