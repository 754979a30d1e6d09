/* test-console-window.c: the console's window, menu, preferences and state
 *
 * Runs under xvfb-run and dbus-run-session with GSK_RENDERER=cairo and
 * GSETTINGS_BACKEND=memory; once with LANGUAGE=en and once with
 * LANGUAGE=zh_CN. Screenshots go to $ANXIN_SCREENSHOT_DIR.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "anx-application.h"
#include "anx-preferences-window.h"
#include "anx-test-display.h"
#include "anx-welcome-page.h"
#include "anx-window.h"

typedef struct
{
  AnxApplication *app;
  GSettings      *settings;
} Fixture;

static const char *
expected (const char *english,
          const char *chinese)
{
  return anx_test_language_is_chinese () ? chinese : english;
}

/* One application serves every test: a registered application stays
 * exported on the session bus until the process ends. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->app = g_object_ref ((AnxApplication *) data);
  fixture->settings = g_object_ref (anx_application_get_settings (fixture->app));
  g_settings_reset (fixture->settings, "feed-url");
  g_settings_reset (fixture->settings, "window-width");
  g_settings_reset (fixture->settings, "window-height");
  g_settings_reset (fixture->settings, "window-maximized");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  GList *windows;

  /* Every window must be freed once destroyed: a leaked reference to a
   * window keeps the whole widget tree and its models alive. */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (fixture->app))) != NULL)
    {
      GtkWindow *window = windows->data;

      g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
      gtk_window_destroy (window);
      anx_test_iterate (20);
      g_assert_null (window);
    }

  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->app);
}

static GtkWindow *
activate_main_window (Fixture *fixture)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (fixture->app));
  window = gtk_application_get_active_window (GTK_APPLICATION (fixture->app));
  g_assert_true (ANX_IS_WINDOW (window));
  anx_test_wait_for_draw (GTK_WIDGET (window));

  return window;
}

static GtkWindow *
find_window_of_type (Fixture *fixture,
                     GType    type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (fixture->app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;

  /* Transient windows without an application are still toplevels. */
  for (guint i = 0; i < g_list_model_get_n_items (gtk_window_get_toplevels ()); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (gtk_window_get_toplevels (), i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type))
        return GTK_WINDOW (toplevel);
    }

  return NULL;
}

static void
test_empty_state (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWindow *window;
  AnxWelcomePage *welcome;
  GtkWidget *address_row;
  g_autofree char *screenshot = NULL;

  g_settings_set_string (fixture->settings, "feed-url", "https://feed.example.gov.cn");
  window = activate_main_window (fixture);

  g_assert_cmpstr (gtk_window_get_title (window), ==, expected ("Anxin", "安心充电监管"));

  /* Without a token there is no feed client: the welcome page asks for it,
   * with the stored address filled in. */
  welcome = ANX_WELCOME_PAGE (anx_test_find_widget_of_type (GTK_WIDGET (window),
                                                            ANX_TYPE_WELCOME_PAGE));
  g_assert_nonnull (welcome);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (welcome)));
  address_row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (welcome),
                                                           ANX_TYPE_WELCOME_PAGE, "address_row"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address_row)), ==,
                   "https://feed.example.gov.cn");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (
                     anx_test_find_widget_of_type (GTK_WIDGET (welcome), ADW_TYPE_STATUS_PAGE))),
                   ==, expected ("Welcome to Anxin", "欢迎使用安心充电监管"));

  screenshot = anx_test_screenshot (GTK_WIDGET (window), "main-window");
  g_assert_true (g_file_test (screenshot, G_FILE_TEST_IS_REGULAR));
}

static void
test_actions (Fixture       *fixture,
              gconstpointer  data)
{
  GtkWindow *window = activate_main_window (fixture);
  GtkWindow *preferences;
  GtkWindow *about;
  g_autofree char *screenshot = NULL;
  g_auto(GStrv) accels = NULL;

  /* The primary menu's entries lead to real actions with shortcuts. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fixture->app), "preferences"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fixture->app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fixture->app), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app),
                                                  "app.preferences");
  g_assert_cmpstr (accels[0], ==, "<Control>comma");

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  preferences = find_window_of_type (fixture, ANX_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  anx_test_wait_for_draw (GTK_WIDGET (preferences));
  g_assert_true (gtk_window_get_transient_for (preferences) == window);
  screenshot = anx_test_screenshot (GTK_WIDGET (preferences), "preferences");
  gtk_window_destroy (preferences);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "about", NULL);
  about = find_window_of_type (fixture, ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==,
                   expected ("Anxin", "安心充电监管"));
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==,
                   GTK_LICENSE_GPL_3_0);
  g_assert_nonnull (adw_about_window_get_website (ADW_ABOUT_WINDOW (about)));
  gtk_window_destroy (about);
}

static void
test_preferences_feed (Fixture       *fixture,
                       gconstpointer  data)
{
  AnxPreferencesWindow *preferences;
  GtkWidget *row;
  GtkWidget *error_label;
  g_autofree char *stored = NULL;

  activate_main_window (fixture);
  preferences = anx_preferences_window_new (fixture->app);
  gtk_window_present (GTK_WINDOW (preferences));
  anx_test_wait_for_draw (GTK_WIDGET (preferences));

  row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                   ANX_TYPE_PREFERENCES_WINDOW, "feed_row"));
  error_label = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                           ANX_TYPE_PREFERENCES_WINDOW,
                                                           "feed_error_label"));

  /* Plain http to a remote host is refused and explained next to the field. */
  gtk_editable_set_text (GTK_EDITABLE (row), "http://feed.example.gov.cn");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "https://"));
  stored = g_settings_get_string (fixture->settings, "feed-url");
  g_assert_cmpstr (stored, ==, "");
  anx_test_iterate (100);
  g_free (anx_test_screenshot (GTK_WIDGET (preferences), "preferences-error"));

  /* A valid address is normalized and stored. */
  gtk_editable_set_text (GTK_EDITABLE (row), " https://Feed.Example.gov.cn/ ");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_signal_emit_by_name (row, "apply");
  g_clear_pointer (&stored, g_free);
  stored = g_settings_get_string (fixture->settings, "feed-url");
  g_assert_cmpstr (stored, ==, "https://feed.example.gov.cn");
  g_assert_cmpstr (anx_application_get_feed_uri (fixture->app), ==, "https://feed.example.gov.cn");
  g_assert_false (gtk_widget_has_css_class (row, "error"));

  gtk_window_destroy (GTK_WINDOW (preferences));
}

static void
test_window_state (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWindow *window;
  int width = 0;
  int height = 0;

  g_settings_set_int (fixture->settings, "window-width", 1024);
  g_settings_set_int (fixture->settings, "window-height", 768);
  window = activate_main_window (fixture);

  /* Restored from the settings (the frame's border is inside the default
   * size, so the content is a few pixels smaller)... */
  gtk_window_get_default_size (window, &width, &height);
  g_assert_cmpint (width, ==, 1024);
  g_assert_cmpint (height, ==, 768);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, 1000);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 1024);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), >=, 740);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 768);
  g_assert_false (gtk_window_is_maximized (window));

  /* ...and saved on close. */
  gtk_window_maximize (window);
  anx_test_iterate (500);
  g_assert_true (gtk_window_is_maximized (window));
  gtk_window_close (window);
  anx_test_iterate (50);

  g_assert_true (g_settings_get_boolean (fixture->settings, "window-maximized"));
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-width"), ==, 1024);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-height"), ==, 768);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AnxApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  anx_test_display_init (&argc, &argv);

  app = anx_application_new (APPLICATION_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/console/window/empty-state", Fixture, app,
              fixture_set_up, test_empty_state, fixture_tear_down);
  g_test_add ("/console/window/actions", Fixture, app,
              fixture_set_up, test_actions, fixture_tear_down);
  g_test_add ("/console/window/preferences-feed", Fixture, app,
              fixture_set_up, test_preferences_feed, fixture_tear_down);
  g_test_add ("/console/window/state", Fixture, app,
              fixture_set_up, test_window_state, fixture_tear_down);

  return g_test_run ();
}
