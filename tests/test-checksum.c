/* test-checksum.c: the example app (weft-checksum) driven under Xvfb
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Builds a folder tree with known contents, opens the app's window on it,
 * clicks its buttons and checks what the app computed against
 * g_compute_checksum_for_data(); checks that GTK's main loop kept running
 * (a heartbeat timeout never waited long) and that Cancel stops everything.
 */
#include "config.h"

#include <dirent.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "checksum-window.h"
#include "weft-inspector.h"
#include "test-heartbeat.h"
#include "weft-gtk-test-common.h"

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

typedef struct
{
  char       *root;
  GHashTable *expected;    /* relative name -> sha256 */
} Tree;

static void
tree_add (Tree       *tree,
          const char *name,
          gsize       size,
          guint       seed)
{
  g_autofree char *path = g_build_filename (tree->root, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree guchar *data = g_malloc (size + 1);
  g_autoptr(GError) error = NULL;
  guint32 x = seed * 2654435761u + 1;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13; x ^= x >> 17; x ^= x << 5;
      data[i] = x & 0xff;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, (char *) data, size, &error);
  g_assert_no_error (error);
  g_hash_table_insert (tree->expected, g_strdup (name),
                       g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size));
}

static void
tree_init (Tree *tree)
{
  g_autoptr(GError) error = NULL;

  tree->root = g_dir_make_tmp ("weft-checksum-XXXXXX", &error);
  g_assert_no_error (error);
  tree->expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

static void
tree_clear (Tree *tree)
{
  remove_tree (tree->root);
  g_free (tree->root);
  g_hash_table_unref (tree->expected);
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Measures the longest wait of a 5 ms GLib timeout: how long GTK's main loop
 * was kept from running. */
static gboolean
beat (gpointer data)
{
  test_heartbeat_beat (data, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

static void
click (ChecksumWindow *window,
       const char     *button)
{
  GtkWidget *widget = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), CHECKSUM_TYPE_WINDOW, button));

  /* What a click on a sensitive button does. */
  g_assert_true (gtk_widget_is_sensitive (widget));
  g_signal_emit_by_name (widget, "clicked");
}

static void
wait_until_finished (ChecksumJob *job)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!checksum_job_is_finished (job) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (checksum_job_is_finished (job));
}

static void
test_checksums_folder (void)
{
  g_autoptr(WeftLoop) loop = weft_loop_new_for_context (NULL);
  ChecksumWindow *window = checksum_window_new (NULL, loop);
  g_autoptr(GFile) folder = NULL;
  TestHeartbeat heart = { 0 };
  ChecksumJob *job;
  GListModel *items;
  Tree tree;
  guint heartbeat_id, fds_before;
  g_autoptr(GPtrArray) left = NULL;

  tree_init (&tree);
  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/file-%02u.bin", i % 3 == 0 ? "a" : i % 3 == 1 ? "b/c" : ".", i);
      g_autofree char *clean = g_strdup (g_str_has_prefix (name, "./") ? name + 2 : name);

      tree_add (&tree, clean, 1000 * i + 17, i);
    }
  tree_add (&tree, "empty", 0, 99);
  tree_add (&tree, "b/big-1.bin", 3 * 1024 * 1024 + 5, 100);
  tree_add (&tree, "big-2.bin", 2 * 1024 * 1024, 101);
  tree_add (&tree, "a/huge.bin", 32 * 1024 * 1024, 102);   /* hashing takes a while */
  folder = g_file_new_for_path (tree.root);

  gtk_window_present (GTK_WINDOW (window));
  checksum_window_set_folder (window, folder);
  spin (100);
  fds_before = count_fds ();

  heartbeat_id = g_timeout_add (5, beat, &heart);
  click (window, "start_button");
  job = checksum_window_get_job (window);
  g_assert_nonnull (job);
  wait_until_finished (job);
  g_source_remove (heartbeat_id);

  g_assert_cmpint (checksum_job_get_state (job), ==, CHECKSUM_JOB_DONE);
  items = checksum_job_get_items (job);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, g_hash_table_size (tree.expected));
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(ChecksumItem) item = g_list_model_get_item (items, i);
      const char *expected = g_hash_table_lookup (tree.expected, checksum_item_get_name (item));

      g_assert_nonnull (expected);
      g_assert_cmpint (checksum_item_get_state (item), ==, CHECKSUM_ITEM_DONE);
      g_assert_cmpstr (checksum_item_get_digest (item), ==, expected);
    }
  g_assert_cmpuint (checksum_job_get_files_done (job), ==, g_hash_table_size (tree.expected));
  g_assert_cmpuint (checksum_job_get_bytes_done (job), ==, checksum_job_get_bytes_total (job));
  /* Many files were read at once, by at most the 8 workers. */
  g_test_message ("files read at once: at most %u", checksum_job_get_max_busy (job));
  g_assert_cmpuint (checksum_job_get_max_busy (job), >, 1);
  g_assert_cmpuint (checksum_job_get_max_busy (job), <=, 8);
  /* GTK's main loop was never held up: the 5 ms heartbeat kept beating. */
  g_test_message ("heartbeats %u, longest gap %.1f ms", heart.beats, heart.worst / 1000.0);
  g_assert_cmpuint (heart.beats, >=, 10);
  if (!RUNNING_ON_VALGRIND)   /* valgrind runs every thread in turn, slowly */
    g_assert_cmpint (heart.worst, <, 100 * 1000);
  /* Every file was closed; the loop has no task left. */
  g_assert_cmpuint (count_fds (), <=, fds_before);
  left = weft_all_tasks (loop);
  g_assert_cmpuint (left->len, ==, 0);

  g_assert_cmpuint (screenshot_when_painted (GTK_WIDGET (window), "checksum"), >, 3);

  gtk_window_destroy (GTK_WINDOW (window));
  tree_clear (&tree);
}

static void
test_cancel (void)
{
  g_autoptr(WeftLoop) loop = weft_loop_new_for_context (NULL);
  ChecksumWindow *window = checksum_window_new (NULL, loop);
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GPtrArray) left = NULL;
  ChecksumJob *job;
  GListModel *items;
  guint64 bytes_at_end;
  guint n_done = 0, n_cancelled = 0, fds_before;
  gint64 deadline;
  Tree tree;

  tree_init (&tree);
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *name = g_strdup_printf ("large-%02u.bin", i);

      tree_add (&tree, name, 6 * 1024 * 1024, i);
    }
  folder = g_file_new_for_path (tree.root);
  gtk_window_present (GTK_WINDOW (window));
  checksum_window_set_folder (window, folder);
  spin (100);
  fds_before = count_fds ();

  click (window, "start_button");
  job = checksum_window_get_job (window);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (checksum_job_get_bytes_done (job) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (checksum_job_get_bytes_done (job), >, 0);
  g_assert_cmpint (checksum_job_get_state (job), ==, CHECKSUM_JOB_HASHING);

  click (window, "cancel_button");
  wait_until_finished (job);
  g_assert_cmpint (checksum_job_get_state (job), ==, CHECKSUM_JOB_CANCELLED);

  /* Nothing moves after a cancel; every file is done or cancelled. */
  bytes_at_end = checksum_job_get_bytes_done (job);
  spin (200);
  g_assert_cmpuint (checksum_job_get_bytes_done (job), ==, bytes_at_end);
  g_assert_cmpuint (bytes_at_end, <, checksum_job_get_bytes_total (job));
  items = checksum_job_get_items (job);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(ChecksumItem) item = g_list_model_get_item (items, i);

      if (checksum_item_get_state (item) == CHECKSUM_ITEM_DONE)
        {
          n_done++;
          g_assert_cmpstr (checksum_item_get_digest (item), ==,
                           g_hash_table_lookup (tree.expected, checksum_item_get_name (item)));
        }
      else
        {
          g_assert_cmpint (checksum_item_get_state (item), ==, CHECKSUM_ITEM_CANCELLED);
          n_cancelled++;
        }
    }
  g_test_message ("cancelled: %u files done, %u cancelled", n_done, n_cancelled);
  g_assert_cmpuint (n_cancelled, >, 0);
  g_assert_cmpuint (n_done, ==, checksum_job_get_files_done (job));
  /* The cancelled reads were really given up: no file left open, no task left. */
  g_assert_cmpuint (count_fds (), <=, fds_before);
  left = weft_all_tasks (loop);
  g_assert_cmpuint (left->len, ==, 0);
  /* And the window can start again. */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
    GTK_WIDGET (window), CHECKSUM_TYPE_WINDOW, "start_button"))));

  gtk_window_destroy (GTK_WINDOW (window));
  tree_clear (&tree);
}

/* The inspector window on @loop among the toplevels, or NULL. */
static WeftInspector *
find_inspector (WeftLoop *loop)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      GtkWidget *child = find_widget_of_type (GTK_WIDGET (window), WEFT_TYPE_INSPECTOR);

      if (child != NULL && weft_inspector_get_loop (WEFT_INSPECTOR (child)) == loop)
        return WEFT_INSPECTOR (child);
    }
  return NULL;
}

/* WEFT_INSPECTOR=1 opens the inspector on the app's loop, as GTK_DEBUG=interactive
 * opens GTK's: the app never linked a line of it. Without it, nothing opens. */
static void
test_inspector_env (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(WeftLoop) loop = NULL;
      gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

      g_assert_nonnull (g_getenv ("WEFT_INSPECTOR_MODULE"));
      g_setenv ("WEFT_INSPECTOR", "1", TRUE);
      loop = weft_loop_new_for_context (NULL);
      while (find_inspector (loop) == NULL && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_nonnull (find_inspector (loop));
      gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (find_inspector (loop)))));
      return;
    }

  {
    g_autoptr(WeftLoop) loop = weft_loop_new_for_context (NULL);

    g_unsetenv ("WEFT_INSPECTOR");
    spin (200);
    g_assert_null (find_inspector (loop));
  }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  weft_gtk_test_init (&argc, &argv);

  g_test_add_func ("/Weft/Checksum/inspector-env", test_inspector_env);
  g_test_add_func ("/Weft/Checksum/folder", test_checksums_folder);
  g_test_add_func ("/Weft/Checksum/cancel", test_cancel);

  return g_test_run ();
}
