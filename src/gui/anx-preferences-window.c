/* anx-preferences-window.c: settings an officer may change
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-basemap-sources.h"
#include "anx-feed-uri.h"
#include "anx-preferences-window.h"

struct _AnxPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AnxApplication       *application;

  /* Template widgets */
  AdwEntryRow          *feed_row;
  GtkLabel             *feed_error_label;
  AdwActionRow         *token_status_row;
  GtkWidget            *token_forget_button;
  AdwPasswordEntryRow  *token_row;
  AdwActionRow         *ca_row;
  GtkWidget            *ca_clear_button;
  AdwComboRow          *basemap_row;
  AdwEntryRow          *tiles_row;
  AdwActionRow         *mbtiles_row;
  AdwEntryRow          *time_zone_row;

  GtkFileChooserNative *chooser;

  /* Wall display page */
  AdwComboRow          *wall_monitor_row;
  GtkSpinButton        *wall_text_scale_spin;
  GtkSwitch            *wall_rotate_switch;
  AdwActionRow         *wall_interval_row;
  GtkSpinButton        *wall_interval_spin;
};

G_DEFINE_FINAL_TYPE (AnxPreferencesWindow, anx_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_APPLICATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
anx_preferences_window_show_feed_error (AnxPreferencesWindow *self,
                                        const char           *message)
{
  gtk_label_set_label (self->feed_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->feed_error_label), message != NULL);

  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->feed_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->feed_row), "error");
}

static void
on_feed_row_apply (AnxPreferencesWindow *self,
                   AdwEntryRow          *row)
{
  GSettings *settings = anx_application_get_settings (self->application);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  normalized = anx_feed_uri_normalize (text, &error);
  if (normalized == NULL)
    {
      anx_preferences_window_show_feed_error (self, error->message);
      return;
    }

  anx_preferences_window_show_feed_error (self, NULL);
  g_settings_set_string (settings, "feed-url", normalized);
  gtk_editable_set_text (GTK_EDITABLE (row), normalized);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Feed address saved")));
}

static void
on_feed_row_changed (AnxPreferencesWindow *self,
                     AdwEntryRow          *row)
{
  /* The error described the previous text; editing makes it stale. */
  anx_preferences_window_show_feed_error (self, NULL);
}

static void
anx_preferences_window_toast (AnxPreferencesWindow *self,
                              const char           *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

/* The token row tells whether the keyring holds a token for the address in
 * effect; the token itself is never shown. */
static void
anx_preferences_window_update_token (AnxPreferencesWindow *self)
{
  const char *feed = anx_application_get_feed_uri (self->application);
  gboolean has_feed = feed != NULL && *feed != '\0';
  gboolean has_token = anx_application_has_token (self->application);

  adw_action_row_set_subtitle (self->token_status_row,
                               !has_feed    ? _("Set the feed address first")
                               : has_token ? _("Set")
                                           : _("Not set"));
  gtk_widget_set_sensitive (self->token_forget_button, has_token);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), has_feed);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->token_row),
                                 has_token ? _("Replace Token") : _("New Token"));
}

static void
on_token_row_apply (AnxPreferencesWindow *self)
{
  g_autofree char *token =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));
  g_autoptr(GError) error = NULL;

  if (*token == '\0')
    return;

  if (!anx_application_set_feed_token (self->application, token, &error))
    anx_preferences_window_toast (self,
                                  _("The token is used now but the keyring could not keep it"));
  else
    anx_preferences_window_toast (self, _("Token saved; reconnecting"));
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  anx_preferences_window_update_token (self);
}

static void
on_token_forget_clicked (AnxPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!anx_application_set_feed_token (self->application, NULL, &error))
    anx_preferences_window_toast (self, _("The keyring could not forget the token"));
  else
    anx_preferences_window_toast (self, _("Token forgotten"));
  anx_preferences_window_update_token (self);
}

static GSettings *
settings (AnxPreferencesWindow *self)
{
  return anx_application_get_settings (self->application);
}

static void
anx_preferences_window_update_files (AnxPreferencesWindow *self)
{
  g_autofree char *ca_file = g_settings_get_string (settings (self), "ca-file");
  g_autofree char *mbtiles = g_settings_get_string (settings (self), "basemap-mbtiles");
  g_autofree char *kind_name = g_settings_get_string (settings (self), "basemap-source");
  AnxBasemapKind kind = ANX_BASEMAP_KIND_OFFLINE;

  adw_action_row_set_subtitle (self->ca_row, *ca_file != '\0' ? ca_file
                                                              : _("The system's certificates"));
  gtk_widget_set_visible (self->ca_clear_button, *ca_file != '\0');
  adw_action_row_set_subtitle (self->mbtiles_row, *mbtiles != '\0' ? mbtiles : _("None chosen"));

  if (!anx_basemap_kind_from_string (kind_name, &kind))
    kind = ANX_BASEMAP_KIND_OFFLINE;
  if (adw_combo_row_get_selected (self->basemap_row) != (guint) kind)
    adw_combo_row_set_selected (self->basemap_row, kind);
  gtk_widget_set_visible (GTK_WIDGET (self->tiles_row), kind == ANX_BASEMAP_KIND_TILES);
  gtk_widget_set_visible (GTK_WIDGET (self->mbtiles_row), kind == ANX_BASEMAP_KIND_MBTILES);
}

static void
on_settings_changed (AnxPreferencesWindow *self,
                     const char           *key,
                     GSettings            *changed)
{
  anx_preferences_window_update_files (self);
}

typedef void (*ChosenFunc) (AnxPreferencesWindow *self,
                            GFile                *file);

static void
on_chooser_response (GtkNativeDialog      *chooser,
                     int                   response,
                     AnxPreferencesWindow *self)
{
  ChosenFunc chosen = g_object_get_data (G_OBJECT (chooser), "anx-chosen");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL && g_file_peek_path (file) != NULL)
        chosen (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
anx_preferences_window_choose (AnxPreferencesWindow *self,
                               const char           *title,
                               const char           *filter_name,
                               const char *const    *patterns,
                               ChosenFunc            chosen)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  gtk_file_filter_set_name (filter, filter_name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);

  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_set_data (G_OBJECT (self->chooser), "anx-chosen", chosen);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
ca_chosen (AnxPreferencesWindow *self,
           GFile                *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (g_file_peek_path (file), &error);

  /* Checked here so that a wrong file is said at once, not as a failing
   * connection later. */
  if (database == NULL)
    {
      /* Translators: %s is why the file holds no usable certificate */
      g_autofree char *message = g_strdup_printf (_("Not a CA file: %s"), error->message);

      anx_preferences_window_toast (self, message);
      return;
    }
  g_settings_set_string (settings (self), "ca-file", g_file_peek_path (file));
  anx_preferences_window_toast (self, _("Certificate authority saved; reconnecting"));
}

static void
on_ca_choose_clicked (AnxPreferencesWindow *self)
{
  static const char *const patterns[] = { "*.pem", "*.crt", "*.cer", NULL };

  anx_preferences_window_choose (self, _("Choose the Certificate Authority"),
                                 _("PEM certificates"), patterns, ca_chosen);
}

static void
on_ca_clear_clicked (AnxPreferencesWindow *self)
{
  g_settings_set_string (settings (self), "ca-file", "");
}

static void
mbtiles_chosen (AnxPreferencesWindow *self,
                GFile                *file)
{
  g_settings_set_string (settings (self), "basemap-mbtiles", g_file_peek_path (file));
}

static void
on_mbtiles_choose_clicked (AnxPreferencesWindow *self)
{
  static const char *const patterns[] = { "*.mbtiles", NULL };

  anx_preferences_window_choose (self, _("Choose an MBTiles File"), _("MBTiles files"), patterns,
                                 mbtiles_chosen);
}

static void
on_basemap_selected (AnxPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->basemap_row);

  /* The template sets the model before there is an application. */
  if (self->application == NULL || selected > ANX_BASEMAP_KIND_MBTILES)
    return;
  g_settings_set_string (settings (self), "basemap-source",
                         anx_basemap_kind_to_string ((AnxBasemapKind) selected));
}

static void
on_tiles_row_apply (AnxPreferencesWindow *self)
{
  g_autofree char *text =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->tiles_row))));
  g_autoptr(GError) error = NULL;
  g_autoptr(ShumateMapSource) source = anx_basemap_sources_new_tiles (text, NULL, NULL, NULL, 0,
                                                                     &error);

  if (source == NULL)
    {
      anx_preferences_window_toast (self, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->tiles_row), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->tiles_row), "error");
  g_settings_set_string (settings (self), "basemap-url", text);
}

static void
on_time_zone_row_apply (AnxPreferencesWindow *self)
{
  g_autofree char *text =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->time_zone_row))));
  g_autoptr(GTimeZone) zone = *text != '\0' ? g_time_zone_new_identifier (text) : NULL;

  if (zone == NULL)
    {
      /* Translators: %s is what was typed as a time zone */
      g_autofree char *message = g_strdup_printf (_("“%s” is not a time zone, such as "
                                                    "Asia/Shanghai"), text);

      anx_preferences_window_toast (self, message);
      gtk_widget_add_css_class (GTK_WIDGET (self->time_zone_row), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->time_zone_row), "error");
  g_settings_set_string (settings (self), "time-zone", text);
}

static void
on_wall_monitor_selected (AnxPreferencesWindow *self)
{
  GSettings *settings = anx_application_get_settings (self->application);
  guint selected = adw_combo_row_get_selected (self->wall_monitor_row);

  if (selected != GTK_INVALID_LIST_POSITION &&
      (int) selected != g_settings_get_int (settings, "wall-monitor"))
    g_settings_set_int (settings, "wall-monitor", (int) selected);
}

/* The wall display's settings: bound, so a running wall display follows live. */
static void
anx_preferences_window_bind_wall (AnxPreferencesWindow *self)
{
  GSettings *settings = anx_application_get_settings (self->application);
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  int current = g_settings_get_int (settings, "wall-monitor");

  for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      g_autofree char *name = NULL;

      /* Translators: a monitor: its number and connector (e.g. HDMI-1) */
      name = g_strdup_printf (_("Monitor %1$u · %2$s"), i + 1,
                              gdk_monitor_get_connector (monitor) ?: "?");
      gtk_string_list_append (names, name);
    }
  /* A remembered monitor that is unplugged now stays selectable. */
  for (guint i = g_list_model_get_n_items (monitors); (int) i <= current; i++)
    {
      /* Translators: a monitor that is not connected now; %u is its number */
      g_autofree char *name = g_strdup_printf (_("Monitor %u (not connected)"), i + 1);

      gtk_string_list_append (names, name);
    }
  adw_combo_row_set_model (self->wall_monitor_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->wall_monitor_row, (guint) MAX (current, 0));
  g_signal_connect_swapped (self->wall_monitor_row, "notify::selected",
                            G_CALLBACK (on_wall_monitor_selected), self);

  g_settings_bind (settings, "wall-text-scale",
                   gtk_spin_button_get_adjustment (self->wall_text_scale_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "wall-rotate", self->wall_rotate_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "wall-rotate", self->wall_interval_row, "sensitive",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "wall-rotate-interval",
                   gtk_spin_button_get_adjustment (self->wall_interval_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
}

static void
anx_preferences_window_constructed (GObject *object)
{
  AnxPreferencesWindow *self = ANX_PREFERENCES_WINDOW (object);
  g_autofree char *stored = NULL;
  g_autofree char *tiles = NULL;
  g_autofree char *time_zone = NULL;
  static const char *const keys[] = { "ca-file", "basemap-source", "basemap-mbtiles" };

  G_OBJECT_CLASS (anx_preferences_window_parent_class)->constructed (object);

  stored = g_settings_get_string (anx_application_get_settings (self->application), "feed-url");
  gtk_editable_set_text (GTK_EDITABLE (self->feed_row), stored);
  tiles = g_settings_get_string (settings (self), "basemap-url");
  gtk_editable_set_text (GTK_EDITABLE (self->tiles_row), tiles);
  time_zone = g_settings_get_string (settings (self), "time-zone");
  gtk_editable_set_text (GTK_EDITABLE (self->time_zone_row), time_zone);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *signal = g_strconcat ("changed::", keys[i], NULL);

      g_signal_connect_object (settings (self), signal, G_CALLBACK (on_settings_changed), self,
                               G_CONNECT_SWAPPED);
    }
  g_signal_connect_object (self->application, "notify::feed-uri",
                           G_CALLBACK (anx_preferences_window_update_token), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->application, "notify::feed-client",
                           G_CALLBACK (anx_preferences_window_update_token), self,
                           G_CONNECT_SWAPPED);
  anx_preferences_window_update_files (self);
  anx_preferences_window_update_token (self);

  anx_preferences_window_bind_wall (self);
}

static void
anx_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  AnxPreferencesWindow *self = ANX_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      self->application = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_preferences_window_dispose (GObject *object)
{
  AnxPreferencesWindow *self = ANX_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (anx_preferences_window_parent_class)->dispose (object);
}

static void
anx_preferences_window_class_init (AnxPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = anx_preferences_window_constructed;
  object_class->set_property = anx_preferences_window_set_property;
  object_class->dispose = anx_preferences_window_dispose;

  properties[PROP_APPLICATION] =
    g_param_spec_object ("anx-application", NULL, NULL, ANX_TYPE_APPLICATION,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/anx-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, feed_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, feed_error_label);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, wall_monitor_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, wall_text_scale_spin);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, wall_rotate_switch);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, wall_interval_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, wall_interval_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_feed_row_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_feed_row_changed);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, token_status_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, token_forget_button);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, token_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, ca_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, ca_clear_button);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, basemap_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, tiles_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, mbtiles_row);
  gtk_widget_class_bind_template_child (widget_class, AnxPreferencesWindow, time_zone_row);
  gtk_widget_class_bind_template_callback (widget_class, on_token_row_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_token_forget_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_ca_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_ca_clear_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_mbtiles_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_basemap_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_tiles_row_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_time_zone_row_apply);
}

static void
anx_preferences_window_init (AnxPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * anx_preferences_window_new:
 * @application: the running #AnxApplication, whose settings are edited
 *
 * Returns: (transfer full): a new preferences window
 */
AnxPreferencesWindow *
anx_preferences_window_new (AnxApplication *application)
{
  return g_object_new (ANX_TYPE_PREFERENCES_WINDOW,
                       "anx-application", application,
                       NULL);
}
