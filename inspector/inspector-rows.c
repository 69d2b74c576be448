/* inspector-rows.c: snapshots of tasks and scheduled calls, as GObjects with
 * properties that the column views bind to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "inspector-rows.h"

struct _InspectorTaskRow
{
  GObject  parent_instance;
  guint64  id;
  char    *name;
  char    *state;
  char    *awaits;
  guint64  runs;
  char    *created_at;
  guint64  busy_ns;
  guint64  max_run_ns;
  double   birth;      /* when it was created, on the inspector's clock (seconds) */
  gboolean final;      /* done, failed or cancelled */
};

G_DEFINE_FINAL_TYPE (InspectorTaskRow, inspector_task_row, G_TYPE_OBJECT)

enum { TASK_PROP_0, TASK_PROP_ID, TASK_PROP_NAME, TASK_PROP_STATE, TASK_PROP_AWAITS, TASK_PROP_RUNS, TASK_PROP_CREATED_AT,
       TASK_PROP_BUSY_NS, TASK_PROP_MAX_RUN_NS, TASK_PROP_BUSY, TASK_PROP_BIRTH, N_TASK_PROPS };

/* file:line as people read it: G_STRLOC gives paths relative to the build
 * directory ("../inspector/demos/demo-countdown.c:13"); the "../" steps go. */
char *
inspector_tidy_locations (const char *text)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return NULL;
  parts = g_strsplit (text, "../", -1);
  return g_strjoinv ("", parts);
}

/* A duration for people: "1.23 s", "12.3 ms", "45 µs". */
char *
inspector_format_ns (guint64 ns)
{
  return ns >= 1000000000 ? g_strdup_printf ("%.2f s", ns / 1e9)
       : ns >= 1000000 ? g_strdup_printf ("%.1f ms", ns / 1e6)
       : g_strdup_printf ("%.0f µs", ns / 1e3);
}

/* "12.3 ms (max 4.1 ms)": busy time for people. */
static char *
format_busy (guint64 busy_ns,
             guint64 max_run_ns)
{
  g_autofree char *busy = NULL;
  g_autofree char *max = NULL;

  if (busy_ns == 0)
    return g_strdup ("");
  busy = inspector_format_ns (busy_ns);
  max = max_run_ns >= 1000000 ? g_strdup_printf ("%.1f ms", max_run_ns / 1e6) : g_strdup_printf ("%.0f µs", max_run_ns / 1e3);
  /* TRANSLATORS: a task's busy time, then its longest step */
  return g_strdup_printf (_("%s (max %s)"), busy, max);
}

static GParamSpec *task_props[N_TASK_PROPS];

static void
inspector_task_row_finalize (GObject *object)
{
  InspectorTaskRow *self = INSPECTOR_TASK_ROW (object);

  g_free (self->name);
  g_free (self->state);
  g_free (self->awaits);
  g_free (self->created_at);
  G_OBJECT_CLASS (inspector_task_row_parent_class)->finalize (object);
}

static void
inspector_task_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  InspectorTaskRow *self = INSPECTOR_TASK_ROW (object);

  switch (prop_id)
    {
    case TASK_PROP_ID: g_value_set_uint64 (value, self->id); break;
    case TASK_PROP_NAME: g_value_set_string (value, self->name); break;
    case TASK_PROP_STATE: g_value_set_string (value, self->state); break;
    case TASK_PROP_AWAITS: g_value_set_string (value, self->awaits); break;
    case TASK_PROP_RUNS: g_value_set_uint64 (value, self->runs); break;
    case TASK_PROP_CREATED_AT: g_value_set_string (value, self->created_at); break;
    case TASK_PROP_BUSY_NS: g_value_set_uint64 (value, self->busy_ns); break;
    case TASK_PROP_MAX_RUN_NS: g_value_set_uint64 (value, self->max_run_ns); break;
    case TASK_PROP_BUSY: g_value_take_string (value, format_busy (self->busy_ns, self->max_run_ns)); break;
    case TASK_PROP_BIRTH: g_value_set_double (value, self->birth); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_task_row_class_init (InspectorTaskRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = inspector_task_row_finalize;
  object_class->get_property = inspector_task_row_get_property;
  task_props[TASK_PROP_ID] = g_param_spec_uint64 ("id", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_AWAITS] = g_param_spec_string ("awaits", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_RUNS] = g_param_spec_uint64 ("runs", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_CREATED_AT] = g_param_spec_string ("created-at", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_BUSY_NS] = g_param_spec_uint64 ("busy-ns", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_MAX_RUN_NS] = g_param_spec_uint64 ("max-run-ns", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_BUSY] = g_param_spec_string ("busy", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  task_props[TASK_PROP_BIRTH] = g_param_spec_double ("birth", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_TASK_PROPS, task_props);
}

static void
inspector_task_row_init (InspectorTaskRow *self)
{
}

/* The state names the user sees: translated, with cancelled and failed told apart. */
static const char *
state_label (WeftTaskState state)
{
  switch (state)
    {
    case WEFT_TASK_STATE_PENDING: return _("pending");
    case WEFT_TASK_STATE_RUNNING: return _("running");
    case WEFT_TASK_STATE_SUSPENDED: return _("suspended");
    case WEFT_TASK_STATE_DONE: return _("done");
    case WEFT_TASK_STATE_FAILED: return _("failed");
    case WEFT_TASK_STATE_CANCELLED: return _("cancelled");
    default: return "?";
    }
}

/* The state names the snapshot uses, translated for the table. */
static const char *
translate_state (const char *state)
{
  static const char * const names[] = { "pending", "running", "suspended", "done", "failed", "cancelled" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (state, names[i]) == 0)
      return state_label ((WeftTaskState) i);
  return state;
}

/* Whether a snapshot's task state (not translated) is a final one: done,
 * failed or cancelled. */
gboolean
inspector_state_is_final (const char *state)
{
  return g_strcmp0 (state, "done") == 0 || g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "cancelled") == 0;
}

/* Whether the task finished (done, failed or cancelled). */
gboolean
inspector_task_row_is_final (InspectorTaskRow *self)
{
  return self->final;
}

InspectorTaskRow *
inspector_task_row_new (guint64     id,
                        const char *name,
                        const char *state,
                        const char *awaits,
                        guint64     runs,
                        const char *created_at,
                        guint64     busy_ns,
                        guint64     max_run_ns,
                        double      birth)
{
  InspectorTaskRow *self = g_object_new (INSPECTOR_TYPE_TASK_ROW, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->state = g_strdup (translate_state (state));
  self->final = inspector_state_is_final (state);
  self->awaits = g_strdup (awaits);
  self->runs = runs;
  self->created_at = inspector_tidy_locations (created_at);
  self->busy_ns = busy_ns;
  self->max_run_ns = max_run_ns;
  self->birth = birth;
  return self;
}

/* Updates a row in place (the in-process view of 100,000 tasks changes the
 * few rows whose task moved, instead of rebuilding them all): notifies what
 * changed, so only those cells redraw. */
void
inspector_task_row_update (InspectorTaskRow *self,
                           const char       *state,
                           const char       *awaits,
                           guint64           runs,
                           guint64           busy_ns,
                           guint64           max_run_ns)
{
  const char *shown = translate_state (state);

  self->final = inspector_state_is_final (state);
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->state, shown) != 0)
    {
      g_free (self->state);
      self->state = g_strdup (shown);
      g_object_notify_by_pspec (G_OBJECT (self), task_props[TASK_PROP_STATE]);
    }
  if (g_strcmp0 (self->awaits, awaits) != 0)
    {
      g_free (self->awaits);
      self->awaits = g_strdup (awaits);
      g_object_notify_by_pspec (G_OBJECT (self), task_props[TASK_PROP_AWAITS]);
    }
  if (self->runs != runs)
    {
      self->runs = runs;
      g_object_notify_by_pspec (G_OBJECT (self), task_props[TASK_PROP_RUNS]);
    }
  if (self->busy_ns != busy_ns || self->max_run_ns != max_run_ns)
    {
      self->busy_ns = busy_ns;
      self->max_run_ns = max_run_ns;
      g_object_notify_by_pspec (G_OBJECT (self), task_props[TASK_PROP_BUSY_NS]);
      g_object_notify_by_pspec (G_OBJECT (self), task_props[TASK_PROP_BUSY]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

double
inspector_task_row_get_birth (InspectorTaskRow *self)
{
  return self->birth;
}

struct _InspectorCallRow
{
  GObject  parent_instance;
  guint    position;
  char    *name;
  char    *where;
  char    *time_left;
  double   seconds_left; /* NAN: a ready call; < 0: never */
  double   fraction;   /* of the countdown bar's scale */
};

G_DEFINE_FINAL_TYPE (InspectorCallRow, inspector_call_row, G_TYPE_OBJECT)

enum { CALL_PROP_0, CALL_PROP_POSITION, CALL_PROP_NAME, CALL_PROP_WHERE, CALL_PROP_TIME_LEFT, CALL_PROP_FRACTION, N_CALL_PROPS };
static GParamSpec *call_props[N_CALL_PROPS];

static void
inspector_call_row_finalize (GObject *object)
{
  InspectorCallRow *self = INSPECTOR_CALL_ROW (object);

  g_free (self->name);
  g_free (self->where);
  g_free (self->time_left);
  G_OBJECT_CLASS (inspector_call_row_parent_class)->finalize (object);
}

static void
inspector_call_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  InspectorCallRow *self = INSPECTOR_CALL_ROW (object);

  switch (prop_id)
    {
    case CALL_PROP_POSITION: g_value_set_uint (value, self->position); break;
    case CALL_PROP_NAME: g_value_set_string (value, self->name); break;
    case CALL_PROP_WHERE: g_value_set_string (value, self->where); break;
    case CALL_PROP_TIME_LEFT: g_value_set_string (value, self->time_left); break;
    case CALL_PROP_FRACTION: g_value_set_double (value, self->fraction); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_call_row_class_init (InspectorCallRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = inspector_call_row_finalize;
  object_class->get_property = inspector_call_row_get_property;
  call_props[CALL_PROP_POSITION] = g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  call_props[CALL_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  call_props[CALL_PROP_WHERE] = g_param_spec_string ("where", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  call_props[CALL_PROP_TIME_LEFT] = g_param_spec_string ("time-left", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  call_props[CALL_PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_CALL_PROPS, call_props);
}

static void
inspector_call_row_init (InspectorCallRow *self)
{
}

/* What a full countdown bar stands for, when the latest timer listed fires
 * in @longest_left seconds: 1, 2 or 5 times a power of ten, so that a
 * tutorial's half-second sleeps fill half a bar, not a twentieth of ten
 * seconds, and the scale holds still while the timers count down. */
double
inspector_countdown_scale (double longest_left)
{
  double scale = 1.0;

  while (scale < longest_left && scale < 1e9)
    {
      if (scale * 2 >= longest_left)
        return scale * 2;
      if (scale * 5 >= longest_left)
        return scale * 5;
      scale *= 10;
    }
  return scale;
}

/* @time_left: seconds left for a timer (< 0: never fires), NAN for a ready call;
 * @scale: the seconds a full countdown bar stands for.
 * Updates the row in place, notifying only what changed (a timer's row changes
 * its time left every refresh; its name and place rarely). */
void
inspector_call_row_update (InspectorCallRow *self,
                           guint             position,
                           const char       *name,
                           const char       *where,
                           double            time_left,
                           double            scale)
{
  g_autofree char *shown_left = NULL;
  g_autofree char *shown_where = inspector_tidy_locations (where);
  double fraction = 0;
  const char *shown_name = name && *name ? name : _("(unnamed)");

  if (isnan (time_left))
    shown_left = g_strdup ("");
  else if (time_left < 0)
    shown_left = g_strdup ("∞");
  else
    {
      shown_left = g_strdup_printf (_("%.3f s"), time_left);
      fraction = CLAMP (time_left / scale, 0.0, 1.0);
    }

  self->seconds_left = time_left;
  g_object_freeze_notify (G_OBJECT (self));
  if (self->position != position)
    {
      self->position = position;
      g_object_notify_by_pspec (G_OBJECT (self), call_props[CALL_PROP_POSITION]);
    }
  if (g_strcmp0 (self->name, shown_name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (shown_name);
      g_object_notify_by_pspec (G_OBJECT (self), call_props[CALL_PROP_NAME]);
    }
  if (g_strcmp0 (self->where, shown_where) != 0)
    {
      g_free (self->where);
      self->where = g_steal_pointer (&shown_where);
      g_object_notify_by_pspec (G_OBJECT (self), call_props[CALL_PROP_WHERE]);
    }
  if (g_strcmp0 (self->time_left, shown_left) != 0)
    {
      g_free (self->time_left);
      self->time_left = g_steal_pointer (&shown_left);
      g_object_notify_by_pspec (G_OBJECT (self), call_props[CALL_PROP_TIME_LEFT]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), call_props[CALL_PROP_FRACTION]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

InspectorCallRow *
inspector_call_row_new (guint       position,
                        const char *name,
                        const char *where,
                        double      time_left,
                        double      scale)
{
  InspectorCallRow *self = g_object_new (INSPECTOR_TYPE_CALL_ROW, NULL);

  inspector_call_row_update (self, position, name, where, time_left, scale);
  return self;
}

/* A timer's seconds left (< 0: never), NAN for a ready call. */
double
inspector_call_row_get_seconds_left (InspectorCallRow *self)
{
  return self->seconds_left;
}
