/* weft-gtk-test-common.c: helpers for the GTK tests under Xvfb
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "weft-gtk-test-common.h"

#include <gdk/x11/gdkx.h>

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* Renders a widget to a texture, saves it as PNG and counts its colours. */
guint
screenshot (GtkWidget *widget, const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_strdup_printf ("%s/screenshot-%s.png", g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".", name);
  g_autofree guchar *pixels = NULL;
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  /* The texture is the size of the node's bounds, which may differ from the
   * widget's allocation: count what it holds. */
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (int i = 0; i < width * height; i += 7)
    g_hash_table_add (colours, GUINT_TO_POINTER (((guint32 *) pixels)[i]));
  return g_hash_table_size (colours);
}

typedef struct
{
  GtkWidget  *widget;
  const char *name;
  guint       paints;
  guint       colours;
} Shot;

/* Right after a paint the widget is laid out, so its paintable has content:
 * take the screenshot there, on the second paint after the page changed. */
static void
shoot_after_paint (GdkFrameClock *clock,
                   Shot          *shot)
{
  if (++shot->paints == 2)
    shot->colours = screenshot (shot->widget, shot->name);
}

guint
screenshot_when_painted (GtkWidget  *widget,
                         const char *name)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  Shot shot = { widget, name, 0, 0 };
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;   /* valgrind is slow */
  gulong id;

  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (shoot_after_paint), &shot);
  while (shot.paints < 2 && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_draw (widget);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (clock, id);
  if (shot.paints < 2 && RUNNING_ON_VALGRIND)
    {
      /* Under valgrind the frame clock may not get to paint in time: the
       * screenshots are checked in the other runs, this one is for memory. */
      g_test_message ("screenshot %s skipped: no paint under valgrind", name);
      return G_MAXUINT;
    }
  g_assert_cmpuint (shot.paints, >=, 2);
  return shot.colours;
}

static void
print_as_comment (const char *text)
{
  static const char * const tap[] = { "ok ", "not ok ", "1..", "#", "Bail out!" };
  gboolean is_tap = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (tap); i++)
    is_tap |= g_str_has_prefix (text, tap[i]);
  if (!is_tap)
    fputs ("# ", stdout);
  fputs (text, stdout);
  fflush (stdout);
}

/* gtk_test_init(), and g_print() output as TAP comments. */
void
weft_gtk_test_init (int    *argc,
                    char ***argv)
{
  gtk_test_init (argc, argv, NULL);
  g_set_print_handler (print_as_comment);
}

GtkWidget *
find_widget_of_type (GtkWidget *root,
                     GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
press_keys (GtkWindow  *window,
            const char *keys)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *xid = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
  {
    const char *argv[] = { "xdotool", "windowfocus", "--sync", xid, "key", "--delay", "60", keys, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  spin (300);
}

guint
count_live (WeftLoop *loop)
{
  g_autoptr(GPtrArray) tasks = weft_all_tasks (loop);

  return tasks->len;
}

guint
count_tasks_in (WeftLoop      *loop,
                WeftTaskState  state)
{
  g_autoptr(GPtrArray) tasks = weft_all_tasks (loop);
  guint n = 0;

  for (guint i = 0; i < tasks->len; i++)
    n += weft_task_get_state (g_ptr_array_index (tasks, i)) == state;
  return n;
}
