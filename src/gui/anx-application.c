/* anx-application.c: the AdwApplication of anxin-console
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-application"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-application.h"
#include "anx-feed-client.h"
#include "anx-feed-uri.h"
#include "anx-ingest.h"
#include "anx-outbox.h"
#include "anx-store.h"
#include "anx-token-store.h"
#include "anxin-resources.h"
#include "anx-preferences-window.h"
#include "anx-window.h"
#include "anx-wall-window.h"

struct _AnxApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  AnxDisplayZone *display_zone;
  /* From --feed: used for this run only, never written back to GSettings. */
  char           *feed_override;
  char           *feed_uri;

  /* The console's data: opened at startup, closed at shutdown. */
  AnxStore       *store;
  AnxIngest      *ingest;
  AnxOutbox      *outbox;
  AnxFeedClient  *feed_client;
  AnxTokenStore  *token_store;
  GCancellable   *token_lookup;
  /* The bearer token for feed_uri; never logged. */
  char           *token;
};

G_DEFINE_FINAL_TYPE (AnxApplication, anx_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_FEED_URI,
  PROP_FEED_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { "feed", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
    N_("Use the feed at URL for this run"), N_("URL") },
  { "token-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Read the feed's access token from FILE and keep it in the keyring"), N_("FILE") },
  { "wall", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Show the read-only wall display, full screen"), NULL },
  { "monitor", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, NULL,
    N_("Show the wall display on monitor N (counted from 0), and remember it"), N_("N") },
  { NULL }
};

/* The custom CA of the ca-file setting, if any, for the new client. */
static void
anx_application_apply_ca_file (AnxApplication *self)
{
  g_autofree char *ca_file = NULL;
  g_autoptr(GError) error = NULL;

  if (self->settings == NULL || self->feed_client == NULL)
    return;

  ca_file = g_settings_get_string (self->settings, "ca-file");
  if (*ca_file != '\0' && !anx_feed_client_set_ca_file (self->feed_client, ca_file, &error))
    /* The client then trusts the system's CAs only: a server signed by the
     * custom CA fails its handshake, which the indicator shows. */
    g_message ("Cannot use the CA file %s: %s", ca_file, error->message);
}

static void
anx_application_restart_client (AnxApplication *self)
{
  if (self->feed_client != NULL)
    {
      anx_feed_client_stop (self->feed_client);
      g_clear_object (&self->feed_client);
    }

  /* Without an address or a token there is nothing to subscribe to; the
   * window explains what is missing. */
  if (self->ingest != NULL && self->feed_uri != NULL && *self->feed_uri != '\0' &&
      self->token != NULL && *self->token != '\0')
    {
      self->feed_client = anx_feed_client_new (self->ingest, self->feed_uri);
      anx_feed_client_set_outbox (self->feed_client, self->outbox);
      anx_feed_client_set_token (self->feed_client, self->token);
      anx_application_apply_ca_file (self);
      anx_feed_client_start (self->feed_client);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEED_CLIENT]);
}

static void
anx_application_set_token (AnxApplication *self,
                           const char     *token)
{
  if (g_strcmp0 (token, self->token) == 0)
    return;

  g_clear_pointer (&self->token, g_free);
  self->token = g_strdup (token);
  anx_application_restart_client (self);
}

static void
on_token_looked_up (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(AnxApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = anx_token_store_lookup_finish (ANX_TOKEN_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    /* No keyring is not an error of the console: it shows "no token". */
    g_debug ("No token from the keyring: %s", error->message);

  g_clear_object (&self->token_lookup);
  anx_application_set_token (self, token);
}

static void
anx_application_lookup_token (AnxApplication *self)
{
  g_cancellable_cancel (self->token_lookup);
  g_clear_object (&self->token_lookup);

  if (self->token_store == NULL || self->feed_uri == NULL || *self->feed_uri == '\0')
    {
      anx_application_set_token (self, NULL);
      return;
    }

  self->token_lookup = g_cancellable_new ();
  anx_token_store_lookup_async (self->token_store, self->feed_uri, self->token_lookup,
                                on_token_looked_up, g_object_ref (self));
}

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

  /* A token belongs to one address: drop it until the lookup answers. */
  g_clear_pointer (&self->token, g_free);
  anx_application_restart_client (self);
  anx_application_lookup_token (self);
}

static gboolean
anx_application_use_token_file (AnxApplication           *self,
                                const char               *path,
                                GApplicationCommandLine  *command_line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *contents = NULL;

  /* Relative to the caller's directory, which a remote instance does not share. */
  file = g_application_command_line_create_file_for_arg (command_line, path);
  if (!g_file_load_contents (file, NULL, &contents, NULL, NULL, &error))
    {
      /* Translators: %s is the reason the file could not be read. */
      g_application_command_line_printerr (command_line, _("Cannot use --token-file: %s\n"),
                                           error->message);
      return FALSE;
    }
  g_strstrip (contents);
  if (*contents == '\0' || self->feed_uri == NULL || *self->feed_uri == '\0')
    {
      g_application_command_line_printerr (command_line, "%s\n",
                                           *contents == '\0'
                                             ? _("Cannot use --token-file: the file is empty")
                                             : _("Cannot use --token-file: no feed address is set"));
      return FALSE;
    }

  /* The token file wins over a lookup still under way. */
  g_cancellable_cancel (self->token_lookup);
  g_clear_object (&self->token_lookup);

  if (!anx_token_store_save_sync (self->token_store, self->feed_uri, contents, NULL, &error))
    /* Still used for this run; only keeping it failed. */
    g_message ("Could not keep the token in the keyring: %s", error->message);

  anx_application_set_token (self, contents);
  return TRUE;
}

static void
on_feed_url_changed (GSettings      *settings,
                     const char     *key,
                     AnxApplication *self)
{
  anx_application_update_feed_uri (self);
}

static void
on_ca_file_changed (GSettings      *settings,
                    const char     *key,
                    AnxApplication *self)
{
  /* A new CA reconnects at once, as a new address or token does. */
  anx_application_restart_client (self);
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

/* The one wall display, on @monitor (-1: the remembered one). */
static void
anx_application_show_wall (AnxApplication *self,
                           int             monitor)
{
  AnxWallWindow *wall = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (ANX_IS_WALL_WINDOW (l->data))
      wall = l->data;
  if (wall == NULL)
    wall = anx_wall_window_new (self);
  anx_wall_window_present_on_monitor (wall, monitor);
}

static int
anx_application_command_line (GApplication            *app,
                              GApplicationCommandLine *command_line)
{
  AnxApplication *self = ANX_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *feed = NULL;
  const char *token_file = NULL;

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

  if (g_variant_dict_lookup (options, "token-file", "^&ay", &token_file) &&
      !anx_application_use_token_file (self, token_file, command_line))
    return 2;

  if (g_variant_dict_contains (options, "wall"))
    {
      int monitor = -1;

      if (g_variant_dict_lookup (options, "monitor", "i", &monitor) && monitor < 0)
        {
          g_application_command_line_printerr (command_line, "%s\n",
                                               _("Cannot use --monitor: N counts from 0"));
          return 2;
        }
      anx_application_show_wall (self, monitor);
      return EXIT_SUCCESS;
    }
  if (g_variant_dict_contains (options, "monitor"))
    {
      g_application_command_line_printerr (command_line, "%s\n",
                                           _("--monitor goes with --wall"));
      return 2;
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
anx_application_wall_display_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  anx_application_show_wall (user_data, -1);
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

/* The default action of an alarm's desktop notification: the window, on
 * that alarm. */
static void
anx_application_show_alarm_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  GApplication *app = user_data;
  GtkWindow *window;

  g_application_activate (app);
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window != NULL)
    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.show-alarm", parameter);
}

static const GActionEntry app_actions[] = {
  { "about", anx_application_about_action },
  { "preferences", anx_application_preferences_action },
  { "quit", anx_application_quit_action },
  { "show-alarm", anx_application_show_alarm_action, "x" },
  { "wall-display", anx_application_wall_display_action },
};

static void
anx_application_open_store (AnxApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  /* ANXIN_CONSOLE_STORE lets tests and a second profile use a store of
   * their own. */
  if (g_getenv ("ANXIN_CONSOLE_STORE") != NULL)
    path = g_strdup (g_getenv ("ANXIN_CONSOLE_STORE"));
  else
    path = anx_store_default_path ();

  self->store = anx_store_open (path, &error);
  if (self->store == NULL)
    {
      g_message ("Cannot open the store %s: %s", path, error->message);
      return;
    }
  self->ingest = anx_ingest_new (self->store);
  self->outbox = anx_outbox_new (self->store);
}

static void
anx_application_shutdown (GApplication *app)
{
  AnxApplication *self = ANX_APPLICATION (app);

  g_cancellable_cancel (self->token_lookup);
  g_clear_object (&self->token_lookup);
  if (self->feed_client != NULL)
    anx_feed_client_stop (self->feed_client);
  g_clear_object (&self->feed_client);
  if (self->ingest != NULL)
    anx_ingest_wait_sync (self->ingest, NULL);
  if (self->store != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!anx_store_flush_sync (self->store, &error))
        g_message ("Could not flush the store: %s", error->message);
      anx_store_close (self->store);
    }

  G_APPLICATION_CLASS (anx_application_parent_class)->shutdown (app);
}

static void
anx_application_startup (GApplication *app)
{
  AnxApplication *self = ANX_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *const views[] = { "map", "sessions", "alarms", "inspections" };

  G_APPLICATION_CLASS (anx_application_parent_class)->startup (app);

  anx_application_open_store (self);
  self->token_store = anx_token_store_new ();

  /* Created here rather than in init so that `--version` and `--help` work
   * without the schema installed. */
  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed::feed-url",
                           G_CALLBACK (on_feed_url_changed), self, G_CONNECT_DEFAULT);
  anx_application_update_feed_uri (self);
  g_signal_connect_object (self->settings, "changed::ca-file",
                           G_CALLBACK (on_ca_file_changed), self, G_CONNECT_DEFAULT);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *action = g_strdup_printf ("win.show-view('%s')", views[i]);
      g_autofree char *accel = g_strdup_printf ("<Control>%u", i + 1);
      const char *accels[] = { accel, NULL };

      gtk_application_set_accels_for_action (GTK_APPLICATION (self), action, accels);
    }

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

    case PROP_FEED_CLIENT:
      g_value_set_object (value, self->feed_client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_application_finalize (GObject *object)
{
  AnxApplication *self = ANX_APPLICATION (object);

  g_clear_object (&self->display_zone);
  g_clear_object (&self->settings);
  g_clear_object (&self->token_lookup);
  g_clear_object (&self->feed_client);
  g_clear_object (&self->outbox);
  g_clear_object (&self->ingest);
  g_clear_object (&self->store);
  g_clear_object (&self->token_store);
  g_clear_pointer (&self->token, g_free);
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
  app_class->shutdown = anx_application_shutdown;
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

  /**
   * AnxApplication:feed-client:
   *
   * The running feed client, or %NULL without an address or a token.
   * Replaced whenever the address or the token changes.
   */
  properties[PROP_FEED_CLIENT] =
    g_param_spec_object ("feed-client", NULL, NULL, ANX_TYPE_FEED_CLIENT,
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

/**
 * anx_application_get_store:
 *
 * Returns: (transfer none) (nullable): the console's store, %NULL if it could not be opened
 */
AnxStore *
anx_application_get_store (AnxApplication *self)
{
  g_return_val_if_fail (ANX_IS_APPLICATION (self), NULL);

  return self->store;
}

/**
 * anx_application_get_outbox:
 *
 * Returns: (transfer none) (nullable): the outbox of writes to the feed
 */
AnxOutbox *
anx_application_get_outbox (AnxApplication *self)
{
  g_return_val_if_fail (ANX_IS_APPLICATION (self), NULL);

  return self->outbox;
}

/**
 * anx_application_get_feed_client:
 *
 * Returns: (transfer none) (nullable): the running feed client; follow
 *   #AnxApplication:feed-client, it is replaced when the address or token changes
 */
AnxFeedClient *
anx_application_get_feed_client (AnxApplication *self)
{
  g_return_val_if_fail (ANX_IS_APPLICATION (self), NULL);

  return self->feed_client;
}

/**
 * anx_application_has_token:
 *
 * Returns: whether a token for the feed address in effect is known
 */
gboolean
anx_application_has_token (AnxApplication *self)
{
  g_return_val_if_fail (ANX_IS_APPLICATION (self), FALSE);

  return self->token != NULL && *self->token != '\0';
}

/**
 * anx_application_set_feed_token:
 * @token: (nullable): the new token for the feed address in effect, %NULL to forget it
 * @error: return location for a keyring error
 *
 * Keeps @token in the keyring (or removes the stored one) and reconnects with
 * it. The token is used for this run even when the keyring fails.
 *
 * Returns: whether the keyring holds what was asked
 */
gboolean
anx_application_set_feed_token (AnxApplication  *self,
                                const char      *token,
                                GError         **error)
{
  gboolean kept = TRUE;

  g_return_val_if_fail (ANX_IS_APPLICATION (self), FALSE);

  if (self->feed_uri == NULL || *self->feed_uri == '\0')
    {
      anx_application_set_token (self, NULL);
      return TRUE;
    }

  /* What the officer says wins over a lookup still under way. */
  g_cancellable_cancel (self->token_lookup);
  g_clear_object (&self->token_lookup);

  if (token != NULL && *token != '\0')
    kept = anx_token_store_save_sync (self->token_store, self->feed_uri, token, NULL, error);
  else
    kept = anx_token_store_clear_sync (self->token_store, self->feed_uri, NULL, error);

  anx_application_set_token (self, token != NULL && *token != '\0' ? token : NULL);
  return kept;
}

/**
 * anx_application_use_feed:
 * @uri: a normalized feed address (see anx_feed_uri_normalize())
 * @token: its token
 * @error: return location for a keyring error
 *
 * Makes @uri the stored feed address (it replaces `--feed` for the rest of
 * the run), keeps @token in the keyring and connects: what the welcome page
 * does once the probe succeeded.
 *
 * Returns: whether the keyring kept the token (it is used either way)
 */
gboolean
anx_application_use_feed (AnxApplication  *self,
                          const char      *uri,
                          const char      *token,
                          GError         **error)
{
  g_return_val_if_fail (ANX_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  g_clear_pointer (&self->feed_override, g_free);
  g_settings_set_string (self->settings, "feed-url", uri);
  /* The change signal may come later; the address is needed now. */
  anx_application_update_feed_uri (self);

  return anx_application_set_feed_token (self, token, error);
}

/**
 * anx_application_dup_time_zone:
 *
 * Returns: (transfer full): the time zone of displayed times (the time-zone
 *   setting, Asia/Shanghai by default or when the setting is not a zone)
 */
GTimeZone *
anx_application_dup_time_zone (AnxApplication *self)
{
  g_autofree char *identifier = NULL;
  GTimeZone *zone = NULL;

  g_return_val_if_fail (ANX_IS_APPLICATION (self), NULL);

  if (self->settings != NULL)
    identifier = g_settings_get_string (self->settings, "time-zone");
  if (identifier != NULL && *identifier != '\0')
    zone = g_time_zone_new_identifier (identifier);
  if (zone == NULL)
    zone = g_time_zone_new_identifier ("Asia/Shanghai");
  return zone;
}

/**
 * anx_application_get_display_zone:
 *
 * Returns: (transfer none): the zone of displayed times, following the
 *   time-zone setting live
 */
AnxDisplayZone *
anx_application_get_display_zone (AnxApplication *self)
{
  g_return_val_if_fail (ANX_IS_APPLICATION (self), NULL);

  if (self->display_zone == NULL)
    self->display_zone = anx_display_zone_new (self->settings);
  return self->display_zone;
}
