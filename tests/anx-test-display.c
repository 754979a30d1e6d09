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
 * active (a dialog is open, say). The test's private bus has no
 * notification server, so GLib warned that it could not send one, which
 * aborts a test whose simulator happened to raise an alarm at that moment.
 * The test serves org.freedesktop.Notifications itself and drops what it
 * receives (test-console-views serves org.gtk.Notifications, which GLib
 * prefers, to check them). */
static const char fdo_notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "</interface></node>";

static void
on_fdo_notifications_call (GDBusConnection       *connection,
                           const char            *sender,
                           const char            *object_path,
                           const char            *interface_name,
                           const char            *method_name,
                           GVariant              *parameters,
                           GDBusMethodInvocation *invocation,
                           gpointer               user_data)
{
  guint *serial = user_data;

  if (g_strcmp0 (method_name, "Notify") == 0)
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", ++*serial));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
serve_notifications (void)
{
  static guint serial;
  /* Kept: the shared connection the application will use too. */
  static GDBusConnection *bus;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (fdo_notifications_xml, NULL);
  GDBusInterfaceVTable vtable = { on_fdo_notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GVariant) reply = NULL;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return;
  /* Registered for the life of the process, on the shared connection. */
  if (g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                         info->interfaces[0], &vtable, &serial, NULL, NULL) == 0)
    return;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 4),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
}

/**
 * anx_test_display_init:
 *
 * Initializes GTest, the locale and the translations of the build tree, so
 * that `LANGUAGE=zh_CN` shows the Chinese interface without installing, and
 * serves a desktop notification sink on the session bus.
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
  serve_notifications ();
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
