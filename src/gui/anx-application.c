/* anx-application.c: the AdwApplication of anxin-console
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-application"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-application.h"
#include "anx-feed-uri.h"
#include "anxin-resources.h"
#include "anx-preferences-window.h"
#include "anx-window.h"

struct _AnxApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  /* From --feed: used for this run only, never written back to GSettings. */
  char           *feed_override;
  char           *feed_uri;
};

G_DEFINE_FINAL_TYPE (AnxApplication, anx_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_FEED_URI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { "feed", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
    N_("Use the feed at URL for this run"), N_("URL") },
  { NULL }
};

static void
anx_application_update_feed_uri (AnxApplication *self)
{
  g_autofree char *stored = NULL;
  const char *effective;

  if (self->settings == NULL)
    return;

  stored = g_settings_get_string (self->settings, "feed-url");
  effective = self->feed_override != NULL ? self->feed_override : stored;

  if (g_strcmp0 (effective, self->feed_uri) == 0)
    return;

  g_free (self->feed_uri);
  self->feed_uri = g_strdup (effective);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEED_URI]);
}

static void
on_feed_url_changed (GSettings      *settings,
                     const char     *key,
                     AnxApplication *self)
{
  anx_application_update_feed_uri (self);
}

static int
anx_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "anxin-console", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  return -1;
}

static int
anx_application_command_line (GApplication            *app,
                              GApplicationCommandLine *command_line)
{
  AnxApplication *self = ANX_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *feed = NULL;

  if (g_variant_dict_lookup (options, "feed", "&s", &feed))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = anx_feed_uri_normalize (feed, &error);

      if (normalized == NULL)
        {
          /* Translators: %s is the reason the address was refused. */
          g_application_command_line_printerr (command_line, _("Cannot use --feed: %s\n"),
                                               error->message);
          return 2;
        }

      g_free (self->feed_override);
      self->feed_override = g_steal_pointer (&normalized);
      anx_application_update_feed_uri (self);
    }

  g_application_activate (app);

  return EXIT_SUCCESS;
}

static void
anx_application_activate (GApplication *app)
{
  AnxApplication *self = ANX_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (anx_window_new (self));

  gtk_window_present (window);
}

static void
anx_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  AnxApplication *self = user_data;
  static const char *developers[] = { "The Anxin authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Anxin"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("The Anxin authors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Supervise every public EV charger of a city: live sessions, "
                                      "alarms, and the signed, tamper-evident history of every "
                                      "charge it billed."),
                        "website", "https://anxin.org",
                        "issue-url", "https://github.com/anxin-org/anxin/issues",
                        "support-url", "https://github.com/anxin-org/anxin/discussions",
                        "copyright", "© 2026 The Anxin authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: Replace "translator-credits" with your names, one name per line */
                        "translator-credits", _("translator-credits"),
                        NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static void
anx_application_preferences_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  AnxApplication *self = user_data;
  AnxPreferencesWindow *preferences;

  preferences = anx_preferences_window_new (self);
  gtk_window_set_transient_for (GTK_WINDOW (preferences),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
anx_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  AnxApplication *self = user_data;
  GList *windows;

  /* Close windows first so that each saves its state. */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (self))) != NULL)
    gtk_window_destroy (windows->data);

  g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "about", anx_application_about_action },
  { "preferences", anx_application_preferences_action },
  { "quit", anx_application_quit_action },
};

static void
anx_application_startup (GApplication *app)
{
  AnxApplication *self = ANX_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (anx_application_parent_class)->startup (app);

  /* Created here rather than in init so that `--version` and `--help` work
   * without the schema installed. */
  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed::feed-url",
                           G_CALLBACK (on_feed_url_changed), self, G_CONNECT_DEFAULT);
  anx_application_update_feed_uri (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);

  gtk_window_set_default_icon_name (APPLICATION_ID);
}

static void
anx_application_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AnxApplication *self = ANX_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_FEED_URI:
      g_value_set_string (value, self->feed_uri);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_application_finalize (GObject *object)
{
  AnxApplication *self = ANX_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->feed_override, g_free);
  g_clear_pointer (&self->feed_uri, g_free);

  G_OBJECT_CLASS (anx_application_parent_class)->finalize (object);
}

static void
anx_application_class_init (AnxApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  anxin_register_resource ();

  object_class->get_property = anx_application_get_property;
  object_class->finalize = anx_application_finalize;

  app_class->activate = anx_application_activate;
  app_class->startup = anx_application_startup;
  app_class->command_line = anx_application_command_line;
  app_class->handle_local_options = anx_application_handle_local_options;

  /**
   * AnxApplication:feed-uri:
   *
   * The feed address in effect: `--feed` if given, else the stored setting.
   */
  properties[PROP_FEED_URI] =
    g_param_spec_string ("feed-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
anx_application_init (AnxApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Supervision console for public EV chargers"));
}

/**
 * anx_application_new:
 * @application_id: `org.anxin.Console`, or the development profile's id
 *
 * Returns: (transfer full): a new #AnxApplication
 */
AnxApplication *
anx_application_new (const char *application_id)
{
  return g_object_new (ANX_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}

/**
 * anx_application_get_settings:
 *
 * Returns: (transfer none): the application's #GSettings
 */
GSettings *
anx_application_get_settings (AnxApplication *self)
{
  g_return_val_if_fail (ANX_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * anx_application_get_feed_uri:
 *
 * Returns: (nullable): the feed address in effect, or %NULL/empty when none is set
 */
const char *
anx_application_get_feed_uri (AnxApplication *self)
{
  g_return_val_if_fail (ANX_IS_APPLICATION (self), NULL);

  return self->feed_uri;
}
