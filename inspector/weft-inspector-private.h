/* weft-inspector-private.h: the inspector widget's parts, shared by its
 * files (weft-inspector.c the shell; -state.c the one apply path; -tasks.c
 * the task table; -details.c the detail pane; -recording.c record and replay)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>

#include "inspector-histogram.h"
#include "inspector-next.h"
#include "inspector-recording.h"
#include "inspector-rows.h"
#include "inspector-shortcuts.h"
#include "inspector-timeline.h"
#include "weft-inspector.h"

#define REFRESH_MS 100
#define TIMELINE_KEPT 4096   /* iteration records the timeline keeps */
/* Below GTK's redraw priority: on a slow machine (or under valgrind) a refresh
 * that takes longer than its interval must not keep the window from painting. */
#define REFRESH_PRIORITY G_PRIORITY_DEFAULT_IDLE

G_BEGIN_DECLS

struct _WeftInspector
{
  GtkWidget          parent_instance;

  WeftLoop          *loop;         /* in process ... */
  GDBusConnection   *connection;   /* ... or across the socket */
  GCancellable      *cancellable;
  gboolean           fetching;
  gboolean           refetch;        /* remote: the loop moved while a fetch was out */
  guint              blocked_id;     /* remote: the Blocked signal subscription */
  gboolean           remote_paused;
  GListStore        *tasks;
  GListStore        *ready;
  GListStore        *timers;
  GtkStringList     *warnings;
  GtkListView       *warning_view;
  GtkFilterListModel *filtered_tasks;
  GtkSortListModel  *sorted_tasks;
  GtkSingleSelection *task_selection;
  guint              refresh_id;
  guint              refresh_interval;   /* ms */
  char              *status;

  GtkWidget         *box;
  GtkWidget         *toolbar;
  GtkWidget         *step_controls;
  GtkWidget         *switcher;
  GtkLabel          *next_label;
  char              *next_text;
  GtkWidget         *tasks_empty;
  GtkWidget         *ready_empty;
  GtkWidget         *timers_empty;
  GtkWidget         *warnings_empty;
  AdwViewStackPage  *warnings_page;
  gboolean           connected;      /* remote: the loop answers */
  double             clock_origin;   /* in process: the loop's time when it was set */
  GtkColumnView     *task_view;
  GtkColumnView     *ready_view;
  GtkColumnView     *timer_view;
  GtkLabel          *status_label;
  GtkSearchEntry    *search_entry;
  AdwViewStack      *stack;
  InspectorTimeline *timeline;
  GtkScale          *scrubber;
  GArray            *timeline_records; /* WeftIterationRecord by index: from the snapshots */
  GtkWidget         *replay_box;
  GtkToggleButton   *play_button;
  guint              play_id;        /* replay: the next record's timeout while playing */
  GtkWidget         *record_button;
  GtkLabel          *detail_label;
  GHashTable        *tracked;        /* in process: task id -> Tracked, one per row */
  guint64            refresh_mark;
  guint64            cursor;         /* weft_loop_list_changed_tasks() */
  guint64            finished_seen;  /* weft_loop_get_finished_count() at the last refresh */
  GHashTable        *final_ids;      /* the ids of tracked tasks that finished (keys of tracked) */
  guint              changed_id;     /* remote: the Changed signal subscription */
  guint64            serial;         /* remote: the last Changed serial applied */
  gboolean           need_full;      /* remote: take the tasks from the next snapshot */
  double             now;            /* the clock rows' births are on: monotonic, or the replay's */
  InspectorHistogram *histogram;
  gboolean           describing;     /* a DescribeTask call is out */

  /* Recording: every snapshot that differs from the last one, with its time. */
  GOutputStream     *recording;
  char              *recording_path;
  GVariant          *last_recorded;
  gint64             recording_start;
  /* Replaying: the records of a file, and the one shown. */
  GPtrArray         *replay;        /* GVariant "(x" SNAPSHOT ")" */
};

enum { PROP_0, PROP_LOOP, PROP_PAUSED, PROP_RECORDING, PROP_REFRESH_INTERVAL, PROP_NOW, PROP_CONNECTED,
       PROP_NEXT, N_PROPS };
extern GParamSpec *weft_inspector_properties[N_PROPS];

/* What a row showed, to tell cheaply whether its task changed since. */
typedef struct
{
  InspectorTaskRow *row;       /* owned by self->tasks */
  guint64           mark;      /* the refresh that last saw the task */
  guint64           runs;
  guint64           busy_ns;
  gpointer          waiter;
  WeftTaskState     state;
  gboolean          final;     /* the task finished: the row comes from the history */
  guint64           id;
  WeftTask         *task;      /* while it lives: the detail pane describes it without a search */
} Tracked;

/* weft-inspector-state.c: the one apply path, local and remote */
void     inspector_apply_snapshot       (WeftInspector   *self,
                                         GVariant        *snapshot,
                                         gboolean         with_tasks);
void     inspector_keep_records         (WeftInspector   *self,
                                         GVariantIter    *records);
void     inspector_set_now              (WeftInspector   *self,
                                         double           now);
void     inspector_call_remote          (WeftInspector   *self,
                                         const char      *method,
                                         GVariant        *parameters);
gboolean inspector_refresh_tick         (gpointer         data);
void     inspector_on_connection_closed (WeftInspector   *self);
void     inspector_on_loop_moved        (GDBusConnection *connection,
                                         const char      *sender,
                                         const char      *path,
                                         const char      *interface,
                                         const char      *signal,
                                         GVariant        *parameters,
                                         gpointer         data);

/* weft-inspector-tasks.c: the task table */
Tracked *inspector_apply_task           (WeftInspector     *self,
                                         const WeftTaskRow *row,
                                         GPtrArray         *added);
void     inspector_forget_tasks         (WeftInspector   *self);
void     inspector_refresh_tasks        (WeftInspector   *self);
void     inspector_replace_all          (GListStore      *store,
                                         GPtrArray       *rows);
void     inspector_add_age_column       (WeftInspector   *self);

/* weft-inspector-details.c: the detail pane */
void     inspector_update_details       (WeftInspector   *self);

/* weft-inspector-recording.c: record and replay */
void     inspector_record_snapshot      (WeftInspector   *self,
                                         GVariant        *snapshot);

G_END_DECLS
