/* anx-test-display.c: helpers for tests that open real windows under Xvfb
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "anx-test-display.h"

/* The console notifies the desktop of a new alarm while its window is not
 * active (a dialog is open, say), and the test's private bus has no
 * notification server: GLib then warns that it could not send it. That is
 * the test's environment, not a fault of the console, and must not abort a
 * test whose simulator happens to raise an alarm at that moment.
 * test-console-views serves org.gtk.Notifications to check them. */
static gboolean
on_fatal_log (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "GLib-GIO") == 0 && (log_level & G_LOG_LEVEL_WARNING) != 0 &&
           g_str_has_prefix (message, "unable to send notifications through"));
}

/**
 * anx_test_display_init:
 *
 * Initializes GTest, the locale and the translations of the build tree, so
 * that `LANGUAGE=zh_CN` shows the Chinese interface without installing. A
 * notification the test's bus cannot deliver is not fatal.
 */
void
anx_test_display_init (int    *argc,
                       char ***argv)
{
  const char *build_root = g_getenv ("ANXIN_BUILD_ROOT");
  g_autofree char *localedir = NULL;

  setlocale (LC_ALL, "");
  localedir = g_build_filename (build_root != NULL ? build_root : ".", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (argc, argv, NULL);
  g_test_log_set_fatal_handler (on_fatal_log, NULL);
}

gboolean
anx_test_language_is_chinese (void)
{
  const char *language = g_getenv ("LANGUAGE");

  return language != NULL && g_str_has_prefix (language, "zh");
}

static gboolean
on_timeout_done (gpointer data)
{
  gboolean *done = data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * anx_test_iterate:
 * @milliseconds: how long to run the main context
 */
void
anx_test_iterate (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, on_timeout_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/**
 * anx_test_wait_for_draw:
 * @widget: a widget in a presented window
 *
 * Runs the main context until @widget is mapped and has a size, then a little
 * longer so that layout and the first frame settle. Fails after 10 s.
 */
void
anx_test_wait_for_draw (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  anx_test_iterate (300);
}

/**
 * anx_test_screenshot:
 * @widget: a mapped widget, usually a window
 * @name: file name without directory or extension, e.g. `main-window`
 *
 * Renders @widget as the user sees it to
 * `$ANXIN_SCREENSHOT_DIR/@name-LANG.png` and reads the file back to check it.
 *
 * Returns: (transfer full): the path written
 */
char *
anx_test_screenshot (GtkWidget  *widget,
                     const char *name)
{
  const char *dir = g_getenv ("ANXIN_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file_name = NULL;
  char *path;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  /* A widget between a relayout and its next frame has nothing to draw
   * yet (a loaded machine shows it): wait for frames, a few seconds at most. */
  for (guint attempt = 0; node == NULL && attempt < 100; attempt++)
    {
      if (attempt > 0)
        {
          gtk_widget_queue_draw (widget);
          anx_test_iterate (50);
          width = gtk_widget_get_width (widget);
          height = gtk_widget_get_height (widget);
        }
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  file_name = g_strdup_printf ("%s-%s.png", name, anx_test_language_is_chinese () ? "zh_CN" : "en");
  if (dir == NULL)
    dir = g_get_tmp_dir ();
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, file_name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  reloaded = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (reloaded), ==, width);
  g_assert_cmpint (gdk_texture_get_height (reloaded), ==, height);

  return path;
}

/**
 * anx_test_find_widget_of_type:
 *
 * Returns: (transfer none) (nullable): the first widget of @type in @root's
 *   subtree, depth first
 */
GtkWidget *
anx_test_find_widget_of_type (GtkWidget *root,
                              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = anx_test_find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}
