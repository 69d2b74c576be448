/* weft-inspect-server-state-private.h: what the server thread
 * (weft-inspect-server.c) and the loop thread (weft-inspect-publish.c) share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <pthread.h>

#include "weft-inspect-peer-private.h"
#include "weft-inspect-server-private.h"
#include "weft-loop-private.h"

G_BEGIN_DECLS

#define PUBLISH_INTERVAL_NS (30 * G_GINT64_CONSTANT (1000000))
#define PUBLISH_UNWATCHED_NS (1000 * G_GINT64_CONSTANT (1000000))   /* no peer connected */
#define BLOCKED_AFTER_NS    (500 * G_GINT64_CONSTANT (1000000))
#define WATCH_INTERVAL_MS   100    /* the blocked-loop watch looks this often */
#define MAX_COMMANDS        1024   /* queued for a loop that does not run them */
#define MAX_CHANGED         2000   /* tasks in one Changed signal */
#define MAX_AUTHENTICATING  16     /* peers in the handshake at once */
#define MAX_PEERS           64     /* connected peers */
#define SOFT_PENDING        (1024 * 1024)        /* bytes: no more Changed signals */
#define HARD_PENDING        (16 * 1024 * 1024)   /* bytes: the peer is dropped */

typedef enum
{
  COMMAND_PAUSE,
  COMMAND_RESUME,
  COMMAND_STEP_CALLBACK,
  COMMAND_STEP_ITERATION,
  COMMAND_CANCEL_TASK,
  COMMAND_DESCRIBE_TASK,
} CommandKind;

typedef struct
{
  CommandKind            kind;
  guint64                task_id;
  GDBusMethodInvocation *invocation;   /* owned; answered by the loop thread */
} Command;


struct _WeftInspectServer
{
  WeftLoop           *loop;         /* not a reference; the loop stops us before it goes */
  GThread            *thread;
  GMainContext       *context;
  GMainLoop          *mainloop;
  GSocketService     *service;
  char               *guid;
  GPtrArray          *peers;        /* WeftInspectPeer, server thread only */
  guint               n_authenticating; /* server thread only */
  char               *path;
  gboolean            was_recording; /* the loop recorded before we served it */

  pthread_mutex_t     lock;         /* guards what follows (POSIX: TSan sees it) */
  GVariant           *snapshot;
  GArray             *commands;     /* Command */
  gint64              published;    /* loop thread only */
  guint64             published_iteration; /* atomic: the iteration the snapshot shows */
  guint64             loop_iteration;  /* atomic: the loop's, at its last dispatch */
  GPtrArray          *waiting;      /* server thread: GetSnapshot calls waiting for a fresh snapshot */
  gint                n_waiting;    /* atomic: their number */
  GSource            *waiting_timeout;
  gint64              build_ns;     /* how long the last snapshot took (loop thread) */

  gint                want_publish; /* atomic: a peer asked while the loop was quiet */
  guint64             cursor;       /* weft_loop_list_changed_tasks(), loop thread */
  guint64             finished_seen;/* weft_loop_get_finished_count(), loop thread */
  guint64             serial;       /* Changed signals built (loop thread) */
  guint               foreign_digest; /* the foreign rows last streamed (loop thread) */
  guint64             signalled_iteration; /* the iteration of the last Changed (loop thread) */
  gint                watch_idle;   /* atomic: the blocked-loop watch stopped while the loop idles */
  guint               idle_ticks;   /* server thread: watch ticks that saw the loop idle */
  GPtrArray          *pending_changes; /* GVariant, under lock: Changed signals to send */
  gint                n_peers;      /* atomic: connected peers */
  gint                max_pending;  /* atomic: the most bytes any peer had pending */
  guint64             soft_pending; /* atomic: SOFT_PENDING, HARD_PENDING (tests lower them while serving) */
  guint64             hard_pending;
  GSource            *watch;
  guint64             seen_seq;     /* server thread: the loop's progress at the last look */
  gboolean            reported;     /* server thread: this block was reported to the loop */
  char               *blocked_name; /* server thread: the callback the loop is blocked in */
  gint64              seen_since;   /* server thread: when it began, as far as we know (µs) */
  gint64              last_look;    /* server thread: the watch's previous look (µs) */
};

/* PUBLISH_LAST: now, as the loop closes (the peers cannot fetch after it). */
typedef enum { PUBLISH_IF_DUE, PUBLISH_IDLE, PUBLISH_NOW, PUBLISH_LAST } PublishWhen;

static inline WeftInspectServer *
_weft_inspect_server_of (WeftLoop *loop)
{
  return _weft_loop_get_observer_data (loop, _weft_inspect_server_observer_id);
}

void      _weft_inspect_command_clear        (gpointer data);

/* Loop thread (weft-inspect-publish.c). */
void      _weft_inspect_server_publish       (WeftLoop    *loop,
                                              PublishWhen  when);
gboolean  _weft_inspect_server_has_commands  (WeftLoop    *loop);
void      _weft_inspect_server_run_commands  (WeftLoop    *loop);

/* Server thread (weft-inspect-server.c), invoked in its context. */
gboolean  _weft_inspect_server_emit_changed   (gpointer data);
gboolean  _weft_inspect_server_answer_waiting (gpointer data);

G_END_DECLS
