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

/* What kind of future it is (as libdex's DexFutureClass): a plain future, a
 * task (weft-task.c), or a future combining others (gather, wait_for, shield,
 * GIO). weft-future.c knows futures only through this. */
typedef struct _WeftFutureClass WeftFutureClass;
struct _WeftFutureClass
{
  const char *name;         /* "Future", "Task": in "... error was never retrieved" */
  /* What cancelling it means (NULL: the future itself turns cancelled). */
  gboolean  (*cancel)   (WeftFuture *future,
                         const char *message);
  /* Frees its extra state (NULL: none). */
  void      (*finalize) (WeftFuture *future);
  /* Frees its memory, last (NULL: g_free()). */
  void      (*free)     (WeftFuture *future);
  guint       is_task : 1;   /* a WeftTask: it completes itself, set_result() is refused */
  guint       recycled : 1;  /* plain: freed ones are kept for reuse */
};

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
  guint               wakes_task : 1;   /* a task's wake-up: data is the task */
};

/* _weft_future_init() sets every field one by one (a recycled future is not
 * zeroed first): a new field needs its line there. */
struct _WeftFuture
{
  guint            ref_count;
  /* Whole bytes, not bit-fields: a bit-field store followed by a load of the
   * word around it stalls store forwarding at every await. */
  guint8           state;
  guint8           error_retrieved;
  guint8           finalizing;
  WeftLoop        *loop;
  const WeftFutureClass *klass;
  gpointer         result;
  GDestroyNotify   result_destroy;
  GError          *error;          /* WEFT_FUTURE_ERROR, or the cancellation */
  WeftDoneRecord  *callbacks;
  WeftDoneRecord **callbacks_tail;
  const char      *created_at;
  const char      *name;           /* what it stands for (weft_future_set_name()), static */
  WeftTask        *creator;        /* the task that created it, if any (not a reference) */
};

/* A future of @klass, @size bytes with the WeftFuture first (gather,
 * wait_for, shield, GIO). */
gpointer  _weft_future_new_of_class    (WeftLoop              *loop,
                                        gsize                  size,
                                        const WeftFutureClass *klass);
void      _weft_future_fail            (WeftFuture     *future,
                                        GError         *error);
void      _weft_future_copy_outcome    (WeftFuture     *outer,
                                        WeftFuture     *inner);
void      _weft_future_init            (WeftFuture            *future,
                                        WeftLoop              *loop,
                                        const WeftFutureClass *klass);
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

/* weft_future_ref() without the checks, for libweft's own hot paths. */
static inline gpointer
_weft_future_ref (gpointer future)
{
  ((WeftFuture *) future)->ref_count++;
  return future;
}

void _weft_future_free (WeftFuture *future);

/* weft_future_unref() without the checks, for libweft's own hot paths. */
static inline void
_weft_future_unref (gpointer future)
{
  if (--((WeftFuture *) future)->ref_count == 0)
    _weft_future_free (future);
}

/* Adds @record to the done callbacks of @future, which is pending
 * (inline: a task's await does it at every suspension). */
static inline void
_weft_future_append_record (WeftFuture     *future,
                            WeftDoneRecord *record)
{
  record->next = NULL;
  *future->callbacks_tail = record;
  future->callbacks_tail = &record->next;
}

static inline gboolean
_weft_future_is_task (WeftFuture *future)
{
  return future->klass->is_task;
}

/* Plain futures (weft_loop_create_future()). */
extern const WeftFutureClass _weft_plain_future_class;

G_END_DECLS
