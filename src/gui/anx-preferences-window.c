/* anx-preferences-window.c: settings an officer may change
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-feed-uri.h"
#include "anx-preferences-window.h"

struct _AnxPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AnxApplication       *application;

  /* Template widgets */
  AdwEntryRow          *feed_row;
  GtkLabel             *feed_error_label;

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

  G_OBJECT_CLASS (anx_preferences_window_parent_class)->constructed (object);

  stored = g_settings_get_string (anx_application_get_settings (self->application), "feed-url");
  gtk_editable_set_text (GTK_EDITABLE (self->feed_row), stored);
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
