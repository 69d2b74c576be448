/* weft-inspect-server.c: serving a loop to weft-inspector over a socket
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nothing listens unless asked (weft_loop_serve_inspector(), or WEFT_INSPECT=1
 * when the loop is created). Then a thread of its own, with its own
 * GMainContext, serves peer-to-peer D-Bus on a Unix socket in
 * $XDG_RUNTIME_DIR/weft/ (a directory that must be ours, 0700, not a symlink),
 * and only peers with our uid are let in (SO_PEERCRED), at most
 * MAX_AUTHENTICATING of them handshaking at once (weft-inspect-auth.c) and
 * MAX_PEERS connected.
 *
 * Every peer is bounded: what we hand GDBus for it (replies, Changed signals)
 * counts as pending until a flush of its connection completes. Past
 * SOFT_PENDING a peer gets no more Changed signals (its next one says reset,
 * so it fetches the whole state again); a peer that keeps asking without
 * reading past HARD_PENDING is dropped, with the reason logged. So a stopped
 * or debugger-paused inspector costs the served process at most that much. The server thread never touches the
 * loop: the loop thread publishes a snapshot (weft_loop_snapshot()) after its
 * dispatches, at most every PUBLISH_INTERVAL, and marks when a callback starts
 * and ends, so the server keeps answering while the loop is blocked, and says
 * so. Commands (pause, step, cancel) are queued for the loop thread, which runs
 * them at the start of its next dispatch.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-inspect.h"
#include "weft-inspect-auth-private.h"
#include "weft-inspect-filter-private.h"
#include "weft-inspect-peer-private.h"
#include "weft-inspect-server-state-private.h"
#include "weft-inspector-dbus.h"
#include "weft-loop-private.h"
#include "weft-probe.h"
#include "weft-records-private.h"
#include "weft-task-private.h"

/* A queued command's clear function. */
void
_weft_inspect_command_clear (gpointer data)
{
  Command *command = data;

  /* Never answered (the server stops): the peer gets an error, not silence. */
  if (command->invocation != NULL)
    g_dbus_method_invocation_return_error_literal (g_steal_pointer (&command->invocation), G_DBUS_ERROR,
                                                   G_DBUS_ERROR_NO_SERVER, "The loop stopped serving");
}

/* -------------------------------------------------- per-peer flow control */

/* Peers dropped, process-wide: for breaking the protocol, for not reading,
 * or refused during the handshake. */
static gint dropped_peers;

void
_weft_inspect_server_count_drop (void)
{
  g_atomic_int_inc (&dropped_peers);
}

/* Server thread: @size more bytes are on their way to @peer. */
static void
peer_sent (WeftInspectServer *self,
           WeftInspectPeer   *peer,
           gsize              size)
{
  guint64 pending = _weft_inspect_peer_sent (peer, size);

  if (pending > (guint64) g_atomic_int_get (&self->max_pending))
    g_atomic_int_set (&self->max_pending, (gint) MIN (pending, G_MAXINT));
}

static WeftInspectPeer *
find_peer (WeftInspectServer *self,
           GDBusConnection   *connection)
{
  for (guint i = 0; i < self->peers->len; i++)
    if (((WeftInspectPeer *) g_ptr_array_index (self->peers, i))->connection == connection)
      return g_ptr_array_index (self->peers, i);
  return NULL;
}

/* Server thread: a peer that asks and asks without reading the answers. */
static gboolean
peer_over_limit (WeftInspectServer     *self,
                 WeftInspectPeer       *peer,
                 GDBusMethodInvocation *invocation)
{
  if (peer == NULL || _weft_inspect_peer_pending (peer) <= __atomic_load_n (&self->hard_pending, __ATOMIC_RELAXED))
    return FALSE;
  g_atomic_int_inc (&dropped_peers);
  g_message ("Weft inspector: dropped a peer: it does not read its replies (%" G_GUINT64_FORMAT " KiB waiting)",
             _weft_inspect_peer_pending (peer) / 1024);
  g_dbus_connection_close (peer->connection, NULL, NULL, NULL);
  g_object_unref (invocation);
  return TRUE;
}

guint _weft_inspect_server_observer_id;

static void server_stop    (WeftLoop *loop);

/* --------------------- the Changed stream and the blocked-loop watch (server
 * thread; the loop thread publishes in weft-inspect-publish.c) */

/* Server thread: sends the queued Changed signals to every peer. The queue is
 * under our POSIX lock (ThreadSanitizer sees the hand-over; it cannot see
 * GLib's own locks). */
gboolean
_weft_inspect_server_emit_changed (gpointer data)
{
  WeftInspectServer *self = data;
  g_autoptr(GPtrArray) pending = NULL;

  pthread_mutex_lock (&self->lock);
  pending = g_steal_pointer (&self->pending_changes);
  pthread_mutex_unlock (&self->lock);
  for (guint n = 0; pending != NULL && n < pending->len; n++)
    {
      guint64 serial;
      gboolean reset;
      g_autoptr(GVariant) tasks = NULL;

      g_variant_get (g_ptr_array_index (pending, n), "(tb@a(tssststtd))", &serial, &reset, &tasks);
      for (guint i = 0; i < self->peers->len; i++)
        {
          WeftInspectPeer *peer = g_ptr_array_index (self->peers, i);

          if (_weft_inspect_peer_pending (peer) > __atomic_load_n (&self->soft_pending, __ATOMIC_RELAXED))
            {
              /* It does not read: skip, and tell it to refetch later. */
              peer->needs_reset = TRUE;
              continue;
            }
          if (peer->needs_reset && !reset)
            {
              g_autoptr(GVariant) none = g_variant_ref_sink (g_variant_new_array (WEFT_TASK_ROW_TYPE, NULL, 0));

              weft_dbus_inspector1_emit_changed (peer->skeleton, serial, TRUE, none);
              peer_sent (self, peer, 64);
            }
          else
            {
              weft_dbus_inspector1_emit_changed (peer->skeleton, serial, reset, tasks);
              peer_sent (self, peer, g_variant_get_size (tasks) + 64);
            }
          peer->needs_reset = FALSE;
        }
    }
  return G_SOURCE_REMOVE;
}

/* Server thread: how long the loop has been in the callback it is in now
 * (as far as this thread has watched it), or 0. */
static gint64
blocked_for_us (WeftInspectServer *self)
{
  /* The loop counts the callbacks it starts and marks the one running
   * (_weft_loop_watch_*()) without reading a clock; this thread notices the
   * count not moving while one runs, and leaves a report that the loop
   * thread makes a warning when the callback returned. */
  WeftLoop *loop = self->loop;
  guint64 seq = _weft_loop_watch_progress (loop);
  gboolean busy = _weft_loop_watch_busy (loop);
  gint64 now = g_get_monotonic_time ();

  if (seq != self->seen_seq || !busy)
    {
      /* This callback began after our last look: halfway is the best guess
       * (the watch looks every 100 ms; the blocked time read 0.6 s for
       * callbacks of 0.7 s when it counted from this look). */
      self->seen_seq = seq;
      self->seen_since = busy && now - self->last_look <= 2 * WATCH_INTERVAL_MS * 1000 ? (self->last_look + now) / 2 : now;
      self->reported = FALSE;
    }
  self->last_look = now;
  if (busy && (now - self->seen_since) * 1000 > BLOCKED_AFTER_NS)
    {
      g_free (self->blocked_name);
      self->blocked_name = g_strdup (_weft_loop_watch_name (loop));
      if (!self->reported)
        {
          /* The loop thread tells how long, once the callback returned. */
          self->reported = TRUE;
          __atomic_store_n (&loop->blocked_since, self->seen_since, __ATOMIC_RELAXED);
          g_free (__atomic_exchange_n (&loop->blocked_report, g_strdup (self->blocked_name ? self->blocked_name : "a callback"),
                                       __ATOMIC_ACQ_REL));
        }
      return now - self->seen_since;
    }
  return 0;
}

/* Server thread, every 100 ms: keeps watching the sequence, so a callback
 * that blocks is timed from when it started (to 100 ms) even if no peer asks
 * before. */
static gboolean
watch_busy (gpointer data)
{
  WeftInspectServer *self = data;
  gboolean busy = _weft_loop_watch_busy (self->loop);
  gint64 blocked_us = blocked_for_us (self);

  /* Blocked: the peers hear of it now (they fetch on signals, they do not poll). */
  if (blocked_us * 1000 > BLOCKED_AFTER_NS)
    {
      for (guint i = 0; i < self->peers->len; i++)
        weft_dbus_inspector1_emit_blocked (((WeftInspectPeer *) g_ptr_array_index (self->peers, i))->skeleton,
                                           blocked_us / 1e6);
    }
  /* Idle (no callback running) for a few ticks: stop until the loop
   * dispatches again (on_dispatch_begin wakes us), so an idle loop with a
   * peer attached costs no periodic wake-up. */
  if (!busy && ++self->idle_ticks >= 3)
    {
      self->idle_ticks = 0;
      g_clear_pointer (&self->watch, g_source_unref);
      __atomic_store_n (&self->watch_idle, 1, __ATOMIC_RELEASE);
      return G_SOURCE_REMOVE;
    }
  if (busy)
    self->idle_ticks = 0;
  return G_SOURCE_CONTINUE;
}

static void
start_watch (WeftInspectServer *self)
{
  if (self->watch != NULL || self->peers->len == 0)
    return;
  self->idle_ticks = 0;
  self->last_look = g_get_monotonic_time ();   /* the loop just began a dispatch, or a peer came */
  self->watch = g_timeout_source_new (WATCH_INTERVAL_MS);
  g_source_set_callback (self->watch, watch_busy, self, NULL);
  g_source_set_static_name (self->watch, "weft inspector: watch for a blocked loop");
  g_source_attach (self->watch, self->context);
}

static gboolean
restart_watch (gpointer data)
{
  start_watch (data);
  return G_SOURCE_REMOVE;
}

/* -------------------------------------- the methods peers call (server thread) */

/* Queues a command for the loop thread; a loop that is stuck keeps at most
 * MAX_COMMANDS, and a peer that sends more gets an error, not our memory. */
static gboolean
queue_command (WeftInspectServer     *self,
               GDBusMethodInvocation *invocation,
               CommandKind            kind,
               guint64                task_id)
{
  /* DescribeTask is answered by the loop thread: the invocation (which the
   * return call consumes) goes with the command. */
  Command command = { kind, task_id, kind == COMMAND_DESCRIBE_TASK ? invocation : NULL };
  gboolean queued = FALSE;

  pthread_mutex_lock (&self->lock);
  if (self->commands->len < MAX_COMMANDS)
    {
      g_array_append_val (self->commands, command);
      queued = TRUE;
    }
  pthread_mutex_unlock (&self->lock);
  if (!queued)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                             "%u commands are already waiting for the loop", MAX_COMMANDS);
      return FALSE;
    }
  g_main_context_wakeup (self->loop->context);
  return TRUE;
}

/* Answers a GetSnapshot call with the latest snapshot. */
static void
answer_snapshot (WeftInspectServer     *self,
                 GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) snapshot = NULL;
  g_autofree char *blocked = NULL;
  gint64 blocked_us = blocked_for_us (self);
  guint64 iteration;
  gboolean paused;
  const char *old_blocked;
  GVariant *tasks, *ready, *timers, *warnings, *records;
  /* Looked up now: completing the call below consumes the invocation. */
  WeftInspectPeer *peer = find_peer (self, g_dbus_method_invocation_get_connection (invocation));

  pthread_mutex_lock (&self->lock);
  snapshot = self->snapshot ? g_variant_ref (self->snapshot) : NULL;
  pthread_mutex_unlock (&self->lock);
  if (snapshot == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                                                     "The loop has not published its state yet");
      return;
    }
  if (peer_over_limit (self, peer, invocation))
    return;

  if (blocked_us * 1000 > BLOCKED_AFTER_NS)
    {
      blocked = g_strdup_printf ("loop blocked in %s for %.1f s", self->blocked_name ? self->blocked_name : "(unnamed)",
                                 blocked_us / 1e6);
    }
  g_variant_get (snapshot, "(tb&s@a(tssststtd)@a(ss)@a(ssd)@as@a(tdduuds))", &iteration, &paused, &old_blocked, &tasks,
                 &ready, &timers, &warnings, &records);
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("((tbs@a(tssststtd)@a(ss)@a(ssd)@as@a(tdduuds)))", iteration,
                                                        paused, blocked ? blocked : "", tasks, ready, timers, warnings,
                                                        records));
  if (peer != NULL)
    peer_sent (self, peer, g_variant_get_size (snapshot));
  g_variant_unref (tasks);
  g_variant_unref (ready);
  g_variant_unref (timers);
  g_variant_unref (warnings);
  g_variant_unref (records);
}

/* Server thread: the loop published (or took too long to): the calls that
 * waited for a fresh snapshot get the latest. */
gboolean
_weft_inspect_server_answer_waiting (gpointer data)
{
  WeftInspectServer *self = data;
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

  if (self->waiting_timeout != NULL)
    {
      g_source_destroy (self->waiting_timeout);
      g_clear_pointer (&self->waiting_timeout, g_source_unref);
    }
  g_atomic_int_set (&self->n_waiting, 0);
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    answer_snapshot (self, g_ptr_array_index (waiting, i));
  return G_SOURCE_REMOVE;
}

#define WAIT_FOR_PUBLISH_MS 250

static gboolean
on_get_snapshot (WeftDBusInspector1    *skeleton,
                 GDBusMethodInvocation *invocation,
                 WeftInspectServer     *self)
{
  gboolean stale = __atomic_load_n (&self->published_iteration, __ATOMIC_RELAXED)
                   != __atomic_load_n (&self->loop_iteration, __ATOMIC_RELAXED);

  /* A loop with nothing to do publishes nothing: ask it for a fresh snapshot.
   * If the last one does not show the loop's latest iteration and the loop
   * is not stuck in a callback, the call waits for it (briefly): a peer that
   * attaches to a sleeping loop sees what it did before it slept. */
  g_atomic_int_set (&self->want_publish, 1);
  g_main_context_wakeup (self->loop->context);
  if (!stale || blocked_for_us (self) * 1000 > BLOCKED_AFTER_NS
      || (self->waiting != NULL && self->waiting->len >= MAX_PEERS))
    {
      answer_snapshot (self, invocation);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (self->waiting == NULL)
    self->waiting = g_ptr_array_new ();   /* answered (which frees them) by _weft_inspect_server_answer_waiting() */
  g_ptr_array_add (self->waiting, invocation);
  g_atomic_int_inc (&self->n_waiting);
  if (self->waiting_timeout == NULL)
    {
      self->waiting_timeout = g_timeout_source_new (WAIT_FOR_PUBLISH_MS);
      g_source_set_callback (self->waiting_timeout, _weft_inspect_server_answer_waiting, self, NULL);
      g_source_attach (self->waiting_timeout, self->context);
    }
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_set_paused (WeftDBusInspector1    *skeleton,
               GDBusMethodInvocation *invocation,
               gboolean               paused,
               WeftInspectServer     *self)
{
  if (queue_command (self, invocation, paused ? COMMAND_PAUSE : COMMAND_RESUME, 0))
    weft_dbus_inspector1_complete_set_paused (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_step (WeftDBusInspector1    *skeleton,
         GDBusMethodInvocation *invocation,
         const char            *what,
         WeftInspectServer     *self)
{
  CommandKind kind;

  if (g_strcmp0 (what, "callback") == 0)
    kind = COMMAND_STEP_CALLBACK;
  else if (g_strcmp0 (what, "iteration") == 0)
    kind = COMMAND_STEP_ITERATION;
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "Step what? \"callback\" or \"iteration\", not \"%.64s\"", what);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (queue_command (self, invocation, kind, 0))
    weft_dbus_inspector1_complete_step (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_describe_task (WeftDBusInspector1    *skeleton,
                  GDBusMethodInvocation *invocation,
                  guint64                id,
                  WeftInspectServer     *self)
{
  queue_command (self, invocation, COMMAND_DESCRIBE_TASK, id);   /* answered by the loop thread */
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_cancel_task (WeftDBusInspector1    *skeleton,
                GDBusMethodInvocation *invocation,
                guint64                id,
                WeftInspectServer     *self)
{
  if (queue_command (self, invocation, COMMAND_CANCEL_TASK, id))
    weft_dbus_inspector1_complete_cancel_task (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* A peer that broke the protocol (a malformed, truncated or oversized
 * message) is logged with the reason. GDBus emits "closed" in the context the
 * connection was made in, the server thread's. */
static gboolean sweep_closed_peers (gpointer data);

static void
on_peer_closed (GDBusConnection *connection,
                gboolean         remote_peer_vanished,
                GError          *error,
                gpointer         data)
{
  WeftInspectServer *self = data;

  /* A peer that hung up (even in the middle of a message) just left. */
  if (error != NULL && !remote_peer_vanished)
    {
      g_atomic_int_inc (&dropped_peers);
      g_message ("Weft inspector: dropped a peer: %s", error->message);
    }
  /* Forgotten from the server's own context, not from inside this signal. */
  {
    GSource *later = g_idle_source_new ();

    g_source_set_callback (later, sweep_closed_peers, self, NULL);
    g_source_attach (later, self->context);
    g_source_unref (later);
  }
}

guint
_weft_inspect_server_count_peers (WeftLoop *loop)
{
  return _weft_inspect_server_of (loop) ? (guint) g_atomic_int_get (&_weft_inspect_server_of (loop)->n_peers) : 0;
}

guint
_weft_inspect_server_get_dropped_peers (void)
{
  return (guint) g_atomic_int_get (&dropped_peers);
}

void
_weft_inspect_server_set_peer_limits (WeftLoop *loop,
                                      guint64   soft,
                                      guint64   hard)
{
  __atomic_store_n (&_weft_inspect_server_of (loop)->soft_pending, soft, __ATOMIC_RELAXED);
  __atomic_store_n (&_weft_inspect_server_of (loop)->hard_pending, hard, __ATOMIC_RELAXED);
}

guint64
_weft_inspect_server_get_max_pending (WeftLoop *loop)
{
  return _weft_inspect_server_of (loop) ? (guint64) g_atomic_int_get (&_weft_inspect_server_of (loop)->max_pending) : 0;
}


/* Server thread: the blocked-loop watch runs only while peers are connected
 * and the loop dispatches, so a served loop nobody inspects, or an idle one,
 * costs no wake-up at all. */
static void
start_timers (WeftInspectServer *self)
{
  __atomic_store_n (&self->watch_idle, 0, __ATOMIC_RELEASE);
  start_watch (self);
}

static void
stop_timers (WeftInspectServer *self)
{
  if (self->watch != NULL)
    {
      g_source_destroy (self->watch);
      g_clear_pointer (&self->watch, g_source_unref);
    }
  __atomic_store_n (&self->watch_idle, 0, __ATOMIC_RELEASE);
}

/* Forgets the peers that are gone (server thread). */
static gboolean
sweep_closed_peers (gpointer data)
{
  WeftInspectServer *self = data;

  for (guint i = self->peers->len; i-- > 0;)
    {
      WeftInspectPeer *peer = g_ptr_array_index (self->peers, i);

      if (g_dbus_connection_is_closed (peer->connection))
        {
          g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (peer->skeleton));
          g_ptr_array_remove_index_fast (self->peers, i);
        }
    }
  g_atomic_int_set (&self->n_peers, (gint) self->peers->len);
  if (self->peers->len == 0)
    stop_timers (self);
  return G_SOURCE_REMOVE;
}

/* A peer that finished the handshake: D-Bus from here on. */
static void
on_authenticated (GSocketConnection *stream,
                  gpointer           data)
{
  WeftInspectServer *self = data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;
  WeftDBusInspector1 *skeleton;
  WeftInspectPeer *peer;

  self->n_authenticating--;
  if (stream == NULL)
    {
      g_atomic_int_inc (&dropped_peers);
      return;
    }
  {
    g_autoptr(GIOStream) filtered = _weft_inspect_filter_wrap (stream);

    connection = g_dbus_connection_new_sync (filtered, NULL, G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
                                             NULL, NULL, &error);
  }
  if (connection == NULL)
    {
      g_message ("Weft inspector: cannot talk to a peer: %s", error->message);
      return;
    }
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  skeleton = weft_dbus_inspector1_skeleton_new ();

  weft_dbus_inspector1_set_pid (skeleton, (guint) getpid ());
  g_signal_connect (skeleton, "handle-get-snapshot", G_CALLBACK (on_get_snapshot), self);
  g_signal_connect (skeleton, "handle-set-paused", G_CALLBACK (on_set_paused), self);
  g_signal_connect (skeleton, "handle-step", G_CALLBACK (on_step), self);
  g_signal_connect (skeleton, "handle-cancel-task", G_CALLBACK (on_cancel_task), self);
  g_signal_connect (skeleton, "handle-describe-task", G_CALLBACK (on_describe_task), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_peer_closed), self);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (skeleton), connection, "/org/weft/Loop", &error))
    {
      g_message ("Weft inspector: cannot export to a peer: %s", error->message);
      g_object_unref (skeleton);
      g_dbus_connection_close (connection, NULL, NULL, NULL);
      g_object_unref (connection);
      return;
    }
  peer = _weft_inspect_peer_new (connection, skeleton);
  g_ptr_array_add (self->peers, peer);
  sweep_closed_peers (self);
  start_timers (self);
  /* Exported: the calls it may have sent right behind BEGIN find the object. */
  g_dbus_connection_start_message_processing (connection);
}

/* A new connection on the socket: its uid checked by the kernel, then the
 * handshake, for a bounded number at once. */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             WeftInspectServer *self)
{
  g_autoptr(GCredentials) credentials =
    g_socket_get_credentials (g_socket_connection_get_socket (connection), NULL);

  if (self->n_authenticating >= MAX_AUTHENTICATING || self->peers->len >= MAX_PEERS)
    {
      g_atomic_int_inc (&dropped_peers);
      g_message ("Weft inspector: refused a connection: %u peers connected, %u in the handshake (at most %u and %u)",
                 self->peers->len, self->n_authenticating, MAX_PEERS, MAX_AUTHENTICATING);
      return TRUE;   /* dropping our reference closes it */
    }
  if (!_weft_inspect_peer_allowed (credentials))
    return TRUE;
  self->n_authenticating++;
  _weft_inspect_auth_start (connection, self->guid, self->context, on_authenticated, self);
  return TRUE;
}

static gboolean
peers_flushed (WeftInspectServer *self)
{
  for (guint i = 0; i < self->peers->len; i++)
    {
      WeftInspectPeer *peer = g_ptr_array_index (self->peers, i);

      if (_weft_inspect_peer_pending (peer) > 0 && !g_dbus_connection_is_closed (peer->connection))
        return FALSE;
    }
  return TRUE;
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Server thread, stopping: what was sent to the peers (the last Changed
 * signal, answers) reaches them before their connections close (a close
 * goes before the messages still queued), for at most FINAL_FLUSH_MS: a
 * peer that does not read cannot hold the served process. (Each peer's
 * flushes are under way already: weft-inspect-peer.c.) */
#define FINAL_FLUSH_MS 250

static void
flush_peers (WeftInspectServer *self)
{
  gint64 deadline = g_get_monotonic_time () + FINAL_FLUSH_MS * 1000;
  GSource *timeout = g_timeout_source_new (10);

  g_source_set_callback (timeout, tick, NULL, NULL);
  g_source_attach (timeout, self->context);
  while (!peers_flushed (self) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
}

static gpointer
server_thread (gpointer data)
{
  WeftInspectServer *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->mainloop);
  _weft_inspect_server_answer_waiting (self);   /* the calls still waiting get the last state */
  _weft_inspect_server_emit_changed (self);     /* and the last changes go out */
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  flush_peers (self);
  for (guint i = 0; i < self->peers->len; i++)
    {
      WeftInspectPeer *peer = g_ptr_array_index (self->peers, i);

      g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (peer->skeleton));
      g_dbus_connection_close_sync (peer->connection, NULL, NULL);
    }
  g_ptr_array_set_size (self->peers, 0);
  stop_timers (self);
  /* Handshakes and flushes still under way end here. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/**
 * weft_loop_serve_inspector:
 * @loop: a #WeftLoop
 * @error: return location for a #GError
 *
 * Serves @loop to weft-inspector (and any peer with the same uid) on a Unix
 * socket in `$XDG_RUNTIME_DIR/weft/`, from a thread of its own. Setting
 * `WEFT_INSPECT=1` in the environment does this for every new loop, and
 * `WEFT_INSPECT_PAUSED=1` besides starts them paused, to be stepped from their
 * first callback. Calling it again does nothing.
 *
 * Returns: %TRUE if the loop is served
 */
gboolean
weft_loop_serve_inspector (WeftLoop  *loop,
                           GError   **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *unready = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  WeftInspectServer *self;
  gboolean listening;

  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (_weft_inspect_server_of (loop) != NULL)
    return TRUE;
  if (loop->closed)
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_CLOSED, "The event loop is closed");
      return FALSE;
    }

  dir = weft_inspect_get_socket_directory ();
  if (!_weft_inspect_check_directory (dir, error))
    return FALSE;
  _weft_inspect_remove_stale_sockets (dir);
  name = g_strdup_printf ("%d-%u", (int) getpid (), loop->id);

  self = g_new0 (WeftInspectServer, 1);
  self->loop = loop;
  self->path = g_build_filename (dir, name, NULL);
  g_unlink (self->path);   /* a stale socket of a dead process with our pid */
  /* Bound and listening under a name no peer looks for, then renamed: a
   * peer that finds the socket can connect (between bind() and listen() it
   * would be refused). */
  unready = g_strdup_printf ("%s/.%s", dir, name);
  g_unlink (unready);
  self->context = g_main_context_new ();
  self->mainloop = g_main_loop_new (self->context, FALSE);
  self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) _weft_inspect_peer_unref);
  self->soft_pending = SOFT_PENDING;
  self->hard_pending = HARD_PENDING;
  self->guid = g_dbus_generate_guid ();
  self->commands = g_array_new (FALSE, FALSE, sizeof (Command));
  g_array_set_clear_func (self->commands, _weft_inspect_command_clear);
  pthread_mutex_init (&self->lock, NULL);

  /* The server's sources belong to the server thread's context. */
  g_main_context_push_thread_default (self->context);
  address = g_unix_socket_address_new (unready);
  self->service = g_socket_service_new ();
  g_socket_service_stop (self->service);
  /* Connections that flood in are accepted (then refused, counted) rather
   * than left to fill the kernel's queue, where good peers would wait too. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->service), 128);
  listening = g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error);
  if (listening)
    {
      g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
      g_socket_service_start (self->service);
    }
  g_main_context_pop_thread_default (self->context);
  if (listening && (g_chmod (unready, 0600) != 0 || g_rename (unready, self->path) != 0))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot make the inspector socket %s: %s",
                   self->path, g_strerror (saved));
      g_unlink (unready);
      listening = FALSE;
    }
  if (!listening)
    {
      _weft_loop_observe (loop, _weft_inspect_server_observer_id, self);
      server_stop (loop);
      return FALSE;
    }

  _weft_loop_observe (loop, _weft_inspect_server_observer_id, self);
  self->was_recording = weft_loop_get_recording (loop);
  weft_loop_set_recording (loop, TRUE);
  _weft_inspect_server_publish (loop, PUBLISH_NOW);
  self->thread = g_thread_new ("weft-inspect", server_thread, self);
  return TRUE;
}

/**
 * weft_loop_get_inspector_address:
 * @loop: a #WeftLoop
 *
 * Gets the address of the socket weft_loop_serve_inspector() listens on.
 *
 * Returns: (nullable): the path of the socket the loop is served on, or %NULL
 */
const char *
weft_loop_get_inspector_address (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, NULL);

  return _weft_inspect_server_of (loop) ? _weft_inspect_server_of (loop)->path : NULL;
}

/**
 * weft_loop_stop_serving_inspector:
 * @loop: a #WeftLoop
 *
 * Stops serving @loop to inspectors (weft_loop_serve_inspector()): attached
 * peers are disconnected, the socket is removed, and the loop stops recording
 * unless it recorded before it was served, so it runs as fast as a loop that
 * was never inspected. Does nothing if @loop is not served.
 */
void
weft_loop_stop_serving_inspector (WeftLoop *loop)
{
  WeftInspectServer *self;
  gboolean was_recording;

  g_return_if_fail (loop != NULL);

  if ((self = _weft_inspect_server_of (loop)) == NULL)
    return;
  was_recording = self->was_recording;
  server_stop (loop);
  if (!was_recording && !loop->closed)
    weft_loop_set_recording (loop, FALSE);
}

static gboolean
quit_server (gpointer data)
{
  g_main_loop_quit (((WeftInspectServer *) data)->mainloop);
  return G_SOURCE_REMOVE;
}

static void
server_stop (WeftLoop *loop)
{
  WeftInspectServer *self = _weft_inspect_server_of (loop);

  if (self == NULL)
    return;
  _weft_loop_observe (loop, _weft_inspect_server_observer_id, NULL);
  if (self->thread != NULL)
    {
      /* Through the server's context: a quit before its g_main_loop_run()
       * started would be forgotten. */
      g_main_context_invoke (self->context, quit_server, self);
      g_thread_join (self->thread);
    }
  g_clear_object (&self->service);
  g_unlink (self->path);
  g_ptr_array_unref (self->peers);
  g_free (self->guid);
  g_main_loop_unref (self->mainloop);
  g_main_context_unref (self->context);
  g_clear_pointer (&self->snapshot, g_variant_unref);
  g_clear_pointer (&self->pending_changes, g_ptr_array_unref);
  g_array_unref (self->commands);
  pthread_mutex_destroy (&self->lock);
  g_free (self->path);
  g_free (self->blocked_name);
  g_free (self);
}

/* ------------------------------------------------- the server as observer */

static void
on_loop_created (WeftLoop *loop)
{
  if (g_strcmp0 (g_getenv ("WEFT_INSPECT"), "1") == 0)
    {
      g_autoptr(GError) error = NULL;

      /* To be stepped from its first callback (weft-inspector --step):
       * paused before the first snapshot is published. */
      gboolean paused = g_strcmp0 (g_getenv ("WEFT_INSPECT_PAUSED"), "1") == 0;

      weft_loop_set_paused (loop, paused);
      if (!weft_loop_serve_inspector (loop, &error))
        {
          weft_loop_set_paused (loop, FALSE);
          g_warning ("WEFT_INSPECT=1: %s", error->message);
        }
    }
}

static void
on_loop_closing (WeftLoop *loop,
                 gpointer  data)
{
  /* The peers keep showing the loop once it is gone: its last state, with
   * the tasks that finished since the last publication as finished (not as
   * running for ever), goes out before the server stops. */
  _weft_inspect_server_publish (loop, PUBLISH_LAST);
  server_stop (loop);
}

static gboolean
on_wants_dispatch (WeftLoop *loop,
                   gpointer  data)
{
  return _weft_inspect_server_has_commands (loop);
}

static void
on_before_sleep (WeftLoop *loop,
                 gpointer  data)
{
  /* (Called before every poll: idle if the loop has nothing to run, or
   * is paused: it will not dispatch again before a command comes.) */
  _weft_inspect_server_publish (loop, _weft_loop_has_work (loop) && !loop->paused ? PUBLISH_IF_DUE : PUBLISH_IDLE);
}

static void
on_dispatch_end (WeftLoop *loop,
                 gpointer  data)
{
  _weft_inspect_server_publish (loop, PUBLISH_IF_DUE);
}

static void
on_dispatch_begin (WeftLoop *loop,
                   gpointer  data)
{
  WeftInspectServer *self = data;

  /* The watch stopped while the loop idled: the loop works again. */
  if (G_UNLIKELY (__atomic_load_n (&self->watch_idle, __ATOMIC_ACQUIRE))
      && __atomic_exchange_n (&self->watch_idle, 0, __ATOMIC_ACQ_REL))
    g_main_context_invoke (self->context, restart_watch, self);
  _weft_inspect_server_run_commands (loop);
}

const WeftObserver _weft_inspect_server_observer = {
  .name = "inspector server",
  .loop_created = on_loop_created,
  .loop_closing = on_loop_closing,
  .wants_dispatch = on_wants_dispatch,
  .before_sleep = on_before_sleep,
  .dispatch_begin = on_dispatch_begin,
  .dispatch_end = on_dispatch_end,
};
