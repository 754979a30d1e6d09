/* anx-window.c: the console's main window
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-window"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-alarms-page.h"
#include "anx-basemap-sources.h"
#include "anx-charger-page.h"
#include "anx-connection-indicator.h"
#include "anx-evidence-dialog.h"
#include "anx-inspection-dialog.h"
#include "anx-inspections-page.h"
#include "anx-map-page.h"
#include "anx-search-popover.h"
#include "anx-sessions-page.h"
#include "anx-welcome-page.h"
#include "anx-window.h"

struct _AnxWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  AdwViewSwitcherTitle   *switcher_title;
  AdwViewSwitcherBar     *switcher_bar;
  AnxConnectionIndicator *connection_indicator;
  GtkStack               *main_stack;
  AnxWelcomePage         *welcome_page;
  GtkMenuButton          *search_button;
  AnxSearchPopover       *search_popover;
  AdwViewStack           *view_stack;
  AnxMapPage             *map_page;
  AnxSessionsPage        *sessions_page;
  AnxAlarmsPage          *alarms_page;
  AnxInspectionsPage     *inspections_page;

  /* The views other than the map load after its first frame (startup time). */
  guint                   map_tick_id;
  guint                   load_views_id;
  gboolean                views_pending;

  /* The charger page over the views (win.show-charger, win.go-back) */
  AnxChargerPage         *charger_page;
  GtkButton              *back_button;
};

G_DEFINE_FINAL_TYPE (AnxWindow, anx_window, ADW_TYPE_APPLICATION_WINDOW)

static void
anx_window_update_empty_state (AnxWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  const char *feed = NULL;
  AnxFeedClient *client = NULL;

  if (app != NULL)
    {
      feed = anx_application_get_feed_uri (ANX_APPLICATION (app));
      client = anx_application_get_feed_client (ANX_APPLICATION (app));
    }

  anx_connection_indicator_set_client (self->connection_indicator, client);
  gtk_widget_set_visible (GTK_WIDGET (self->connection_indicator), client != NULL);
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, client != NULL);
  /* The bar is revealed whenever the title shows: not over the welcome page. */
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), client != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->search_button), client != NULL);
  {
    GAction *search = g_action_map_lookup_action (G_ACTION_MAP (self), "search");

    /* Nothing to search behind the welcome page. */
    if (search != NULL)
      g_simple_action_set_enabled (G_SIMPLE_ACTION (search), client != NULL);
  }
  gtk_stack_set_visible_child_name (self->main_stack, client != NULL ? "console" : "welcome");

  /* Without a feed client the welcome page asks for the address and token. */
  if (client == NULL)
    anx_welcome_page_set_feed_uri (self->welcome_page, feed);
}

/* The sessions, alarms and inspections views: their queries and sorts
 * took a quarter of the time to the first painted map, so they load after
 * it (or as soon as one of them is shown, or after a few seconds anyway). */
static void
anx_window_load_views (AnxWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  AnxStore *store = app != NULL ? anx_application_get_store (ANX_APPLICATION (app)) : NULL;
  AnxOutbox *outbox = app != NULL ? anx_application_get_outbox (ANX_APPLICATION (app)) : NULL;

  if (self->map_tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->map_page), self->map_tick_id);
  self->map_tick_id = 0;
  g_clear_handle_id (&self->load_views_id, g_source_remove);
  if (!self->views_pending)
    return;
  self->views_pending = FALSE;
  anx_sessions_page_set_store (self->sessions_page, store);
  anx_alarms_page_set_store (self->alarms_page, store, outbox);
  anx_inspections_page_set_store (self->inspections_page, store, outbox);
}

static gboolean
on_load_views_timeout (gpointer user_data)
{
  AnxWindow *self = user_data;

  self->load_views_id = 0;
  anx_window_load_views (self);
  return G_SOURCE_REMOVE;
}

/* A frame of the map with its stations is under way: the views load as soon
 * as it is painted (an idle runs after the frame clock's paint). */
static gboolean
on_map_tick (GtkWidget     *map_page,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  AnxWindow *self = user_data;
  AnxMapPoints *points = anx_map_page_get_points (self->map_page);

  if (points == NULL || anx_map_points_get_n_points (points) == 0)
    return G_SOURCE_CONTINUE;
  self->map_tick_id = 0;
  g_clear_handle_id (&self->load_views_id, g_source_remove);
  self->load_views_id = g_idle_add (on_load_views_timeout, self);
  return G_SOURCE_REMOVE;
}

static void
on_view_stack_child_notify (AnxWindow *self)
{
  if (adw_view_stack_get_visible_child (self->view_stack) != GTK_WIDGET (self->map_page))
    anx_window_load_views (self);
}

static void
anx_window_defer_views (AnxWindow *self)
{
  self->views_pending = TRUE;
  if (self->map_tick_id == 0)
    self->map_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->map_page), on_map_tick,
                                                      self, NULL);
  if (self->load_views_id == 0)
    self->load_views_id = g_timeout_add_seconds (3, on_load_views_timeout, self);
}

static void
anx_window_set_data (AnxWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  AnxStore *store = app != NULL ? anx_application_get_store (ANX_APPLICATION (app)) : NULL;

  anx_map_page_set_store (self->map_page, store);
  anx_search_popover_set_store (self->search_popover, store);
  anx_window_defer_views (self);
}

static void
show_view_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  AnxWindow *self = user_data;
  const char *name = g_variant_get_string (parameter, NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

static void
show_alarms_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  AnxWindow *self = user_data;

  adw_view_stack_set_visible_child_name (self->view_stack, "alarms");
}

/* The charger page lies over the views in the main stack; Back (the
 * header bar's button, Alt+Left, Escape) returns to the view it came from. */
static void
anx_window_set_charger_shown (AnxWindow *self,
                              gboolean   shown)
{
  GAction *back = g_action_map_lookup_action (G_ACTION_MAP (self), "go-back");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (back), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), !shown);
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, !shown);
  if (shown)
    {
      /* Translators: the window's title on a charger's page; %s is its ID */
      g_autofree char *title = g_strdup_printf (_("Charger %s"),
                                                anx_charger_page_get_charger (self->charger_page));

      adw_view_switcher_title_set_title (self->switcher_title, title);
      gtk_window_set_title (GTK_WINDOW (self), title);
    }
  else
    {
      adw_view_switcher_title_set_title (self->switcher_title, _("Anxin"));
      gtk_window_set_title (GTK_WINDOW (self), _("Anxin"));
    }
  gtk_stack_set_visible_child_name (self->main_stack, shown ? "charger" : "console");
}

/* Whatever else changes the main stack (the feed going away) leaves the
 * charger page: the header bar follows. */
static void
on_main_stack_child_notify (AnxWindow  *self,
                            GParamSpec *pspec,
                            GtkStack   *stack)
{
  const char *name = gtk_stack_get_visible_child_name (stack);

  if (g_strcmp0 (name, "charger") != 0 && gtk_widget_get_visible (GTK_WIDGET (self->back_button)))
    {
      g_simple_action_set_enabled (
          G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "go-back")), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), TRUE);
      adw_view_switcher_title_set_title (self->switcher_title, _("Anxin"));
      gtk_window_set_title (GTK_WINDOW (self), _("Anxin"));
    }
}

static void
show_charger_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  AnxWindow *self = user_data;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  AnxStore *store = app != NULL ? anx_application_get_store (ANX_APPLICATION (app)) : NULL;

  if (store == NULL)
    return;
  anx_charger_page_set_charger (self->charger_page, store, g_variant_get_string (parameter, NULL));
  anx_window_set_charger_shown (self, TRUE);
}

static void
go_back_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  anx_window_set_charger_shown (ANX_WINDOW (user_data), FALSE);
}

static void
show_station_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  AnxWindow *self = user_data;

  adw_view_stack_set_visible_child_name (self->view_stack, "map");
  anx_map_page_centre_on_station (self->map_page, g_variant_get_string (parameter, NULL),
                                  ANX_MAP_PAGE_STATION_ZOOM);
}

static void
show_alarm_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  AnxWindow *self = user_data;

  /* From the charger page too (its open alarms): back to the views. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "charger") == 0)
    anx_window_set_charger_shown (self, FALSE);
  adw_view_stack_set_visible_child_name (self->view_stack, "alarms");
  anx_alarms_page_select_alarm (self->alarms_page, g_variant_get_int64 (parameter));
}

/* The map follows the alarm selected in the alarms view, without leaving it. */
static void
locate_charger_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AnxWindow *self = user_data;

  anx_map_page_follow_charger (self->map_page, g_variant_get_string (parameter, NULL));
}

/* An operator found by the search: the map, showing only its stations. */
static void
filter_operator_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  AnxWindow *self = user_data;

  adw_view_stack_set_visible_child_name (self->view_stack, "map");
  anx_map_page_filter_operator (self->map_page, g_variant_get_string (parameter, NULL));
}

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  AnxWindow *self = user_data;

  gtk_menu_button_popup (self->search_button);
}

static const GActionEntry win_actions[] = {
  { "show-view", show_view_action, "s" },
  { "show-alarms", show_alarms_action },
  { "show-station", show_station_action, "s" },
  { "show-alarm", show_alarm_action, "x" },
  { "locate-charger", locate_charger_action, "s" },
  { "search", search_action },
  { "filter-operator", filter_operator_action, "s" },
  { "show-charger", show_charger_action, "s" },
  { "go-back", go_back_action },
};

/* Inspections and evidence (the forms are in their own files) */
static void
mark_inspection_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  anx_inspection_dialog_present_for (GTK_WINDOW (user_data), g_variant_get_string (parameter, NULL),
                                     0);
}

static void
mark_inspection_for_alarm_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  anx_inspection_dialog_present_for (GTK_WINDOW (user_data), NULL, g_variant_get_int64 (parameter));
}

static void
export_evidence_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  anx_evidence_dialog_present_for (GTK_WINDOW (user_data), g_variant_get_string (parameter, NULL));
}

static const GActionEntry inspection_actions[] = {
  { "mark-inspection", mark_inspection_action, "s" },
  { "mark-inspection-for-alarm", mark_inspection_for_alarm_action, "x" },
  { "export-evidence", export_evidence_action, "s" },
};

static void
on_feed_uri_notify (AnxWindow  *self,
                    GParamSpec *pspec,
                    GObject    *application)
{
  anx_window_update_empty_state (self);
}

/* The basemap of the basemap-* settings, switched live; a source that
 * cannot be used (no file, a bad template) leaves the offline map and says why. */
static void
anx_window_apply_basemap (AnxWindow *self)
{
  g_autofree char *kind_name = g_settings_get_string (self->settings, "basemap-source");
  g_autofree char *location = NULL;
  g_autoptr(ShumateMapSource) source = NULL;
  g_autoptr(GError) error = NULL;
  AnxBasemapKind kind = ANX_BASEMAP_KIND_OFFLINE;

  if (!anx_basemap_kind_from_string (kind_name, &kind))
    kind = ANX_BASEMAP_KIND_OFFLINE;
  if (kind == ANX_BASEMAP_KIND_TILES)
    location = g_settings_get_string (self->settings, "basemap-url");
  else if (kind == ANX_BASEMAP_KIND_MBTILES)
    location = g_settings_get_string (self->settings, "basemap-mbtiles");

  source = anx_basemap_sources_new (kind, location != NULL && *location != '\0' ? location : NULL,
                                    &error);
  if (source == NULL)
    {
      /* The template's content is the window's toast overlay. */
      AdwToastOverlay *toasts =
          ADW_TOAST_OVERLAY (adw_application_window_get_content (ADW_APPLICATION_WINDOW (self)));
      /* Translators: %s is why a basemap could not be used */
      g_autofree char *message = g_strdup_printf (_("The offline map is shown: %s"),
                                                  error->message);
      AdwToast *toast = adw_toast_new (message);

      adw_toast_set_timeout (toast, 10);
      adw_toast_overlay_add_toast (toasts, toast);
      source = anx_basemap_sources_new_offline ();
    }
  anx_map_page_set_map_source (self->map_page, source);
}

static void
on_basemap_setting_changed (AnxWindow  *self,
                            const char *key,
                            GSettings  *settings)
{
  anx_window_apply_basemap (self);
}

static void
anx_window_save_state (AnxWindow *self)
{
  int width = 0;
  int height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
anx_window_close_request (GtkWindow *window)
{
  anx_window_save_state (ANX_WINDOW (window));

  return GTK_WINDOW_CLASS (anx_window_parent_class)->close_request (window);
}

static void
on_application_notify (AnxWindow  *self,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  /* The application is set after construction, so follow it here. */
  if (app != NULL)
    {
      g_signal_connect_object (app, "notify::feed-uri",
                               G_CALLBACK (on_feed_uri_notify), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (app, "notify::feed-client",
                               G_CALLBACK (on_feed_uri_notify), self, G_CONNECT_SWAPPED);
    }
  anx_window_set_data (self);
  anx_window_update_empty_state (self);
}

static void
anx_window_constructed (GObject *object)
{
  AnxWindow *self = ANX_WINDOW (object);

  G_OBJECT_CLASS (anx_window_parent_class)->constructed (object);

  self->settings = g_settings_new (APPLICATION_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_notify), NULL);
  g_signal_connect_object (self->settings, "changed::basemap-source",
                           G_CALLBACK (on_basemap_setting_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::basemap-url",
                           G_CALLBACK (on_basemap_setting_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::basemap-mbtiles",
                           G_CALLBACK (on_basemap_setting_changed), self, G_CONNECT_SWAPPED);
  anx_window_apply_basemap (self);
  anx_window_update_empty_state (self);
}

static void
anx_window_dispose (GObject *object)
{
  AnxWindow *self = ANX_WINDOW (object);

  /* libadwaita 1.2's switchers must let go of the stack before it goes:
   * the bar is disposed after the stack it refers to. */
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  g_clear_handle_id (&self->load_views_id, g_source_remove);
  if (self->map_tick_id != 0 && self->map_page != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->map_page), self->map_tick_id);
  self->map_tick_id = 0;

  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_WINDOW);

  G_OBJECT_CLASS (anx_window_parent_class)->dispose (object);
}

static void
anx_window_finalize (GObject *object)
{
  AnxWindow *self = ANX_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (anx_window_parent_class)->finalize (object);
}

static void
anx_window_class_init (AnxWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = anx_window_constructed;
  object_class->dispose = anx_window_dispose;
  object_class->finalize = anx_window_finalize;

  window_class->close_request = anx_window_close_request;

  g_type_ensure (ANX_TYPE_CONNECTION_INDICATOR);
  g_type_ensure (ANX_TYPE_MAP_PAGE);
  g_type_ensure (ANX_TYPE_SESSIONS_PAGE);
  g_type_ensure (ANX_TYPE_ALARMS_PAGE);
  g_type_ensure (ANX_TYPE_INSPECTIONS_PAGE);
  g_type_ensure (ANX_TYPE_SEARCH_POPOVER);
  g_type_ensure (ANX_TYPE_WELCOME_PAGE);
  g_type_ensure (ANX_TYPE_CHARGER_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/anx-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, connection_indicator);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, search_popover);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, map_page);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, sessions_page);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, alarms_page);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, inspections_page);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, charger_page);
  gtk_widget_class_bind_template_child (widget_class, AnxWindow, back_button);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.go-back", NULL);
}

static void
anx_window_init (AnxWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions),
                                   self);
  g_action_map_add_action_entries (G_ACTION_MAP (self), inspection_actions,
                                   G_N_ELEMENTS (inspection_actions), self);
  g_simple_action_set_enabled (
      G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "go-back")), FALSE);
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (on_main_stack_child_notify), self, G_CONNECT_SWAPPED);
  /* A view shown before the map's first frame loads at once. */
  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (on_view_stack_child_notify), self, G_CONNECT_SWAPPED);

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/**
 * anx_window_new:
 * @application: the running #AnxApplication
 *
 * Returns: (transfer full): a new main window
 */
AnxWindow *
anx_window_new (AnxApplication *application)
{
  return g_object_new (ANX_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/**
 * anx_window_get_view_stack:
 *
 * Returns: (transfer none): the stack of the console's views
 */
AdwViewStack *
anx_window_get_view_stack (AnxWindow *self)
{
  g_return_val_if_fail (ANX_IS_WINDOW (self), NULL);

  return self->view_stack;
}
