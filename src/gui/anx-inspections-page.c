/* anx-inspections-page.c: the inspection worklist and the history of the
 * inspections marked in this console, with their delivery
 *
 * The worklist (anx-worklist) lists the chargers with an alarm that needs a
 * check on site and the meters whose rotation is due within the days set in
 * GSettings, sorted by priority and distance from the chosen origin (a
 * station's code or coordinates). Both lists export to CSV.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-inspections-page"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-alarm-rules.h"
#include "anx-csv.h"
#include "anx-display-zone.h"
#include "anx-inspection-input.h"
#include "anx-inspections-page.h"
#include "anx-query-model.h"
#include "anx-worklist.h"

#define RELOAD_DELAY_MS 300

typedef enum
{
  COLUMN_PRIORITY,
  COLUMN_CHARGER,
  COLUMN_STATION,
  COLUMN_ALARMS,
  COLUMN_METER,
  COLUMN_ROTATION,
  COLUMN_DISTANCE,
  COLUMN_ACTION,
} Column;

struct _AnxInspectionsPage
{
  AdwBin                parent_instance;

  AnxStore             *store;
  AnxOutbox            *outbox;
  GSettings            *settings;
  AnxQueryModel        *inspections;
  AnxQueryModel        *outbox_rows;
  AnxQueryModel        *alarms;
  GListStore           *worklist;
  GtkNoSelection       *worklist_selection;
  guint                 reload_id;
  GtkFileChooserNative *chooser;
  GtkListStore         *stations;
  AnxDisplayZone       *display_zone;

  /* Template widgets */
  GtkStack             *pages;
  GtkWidget            *worklist_options;
  GtkStack             *worklist_stack;
  GtkColumnView        *worklist_view;
  GtkEntry             *origin_entry;
  GtkLabel             *origin_error;
  GtkSpinButton        *days_spin;
  GtkStack             *stack;
  AdwStatusPage        *empty_page;
  GtkLabel             *outbox_label;
  GtkListBox           *list_box;
};

G_DEFINE_FINAL_TYPE (AnxInspectionsPage, anx_inspections_page, ADW_TYPE_BIN)

static const char *
delivery_title (const char *state)
{
  if (g_strcmp0 (state, ANX_OUTBOX_DELIVERED) == 0)
    return _("Delivered");
  if (g_strcmp0 (state, ANX_OUTBOX_REJECTED) == 0)
    return _("Rejected");
  return _("Waiting to be delivered");
}

static const char *
result_title (const char *result)
{
  if (g_strcmp0 (result, "pass") == 0)
    return C_("inspection result", "Pass");
  if (g_strcmp0 (result, "fail") == 0)
    return C_("inspection result", "Fail");
  if (g_strcmp0 (result, "meter_replaced") == 0)
    return C_("inspection result", "Meter replaced");
  if (g_strcmp0 (result, "sealed") == 0)
    return C_("inspection result", "Sealed");
  if (g_strcmp0 (result, "suspended") == 0)
    return C_("inspection result", "Suspended");
  return result != NULL ? result : "";
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  AnxInspectionsPage *self = user_data;
  AnxStoreItem *inspection = item;
  GtkWidget *row = adw_action_row_new ();
  const char *delivery = anx_store_item_get_string (inspection, "delivery");
  GtkWidget *state = gtk_label_new (delivery_title (delivery));
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *record = NULL;
  g_autofree char *when = anx_inspection_display_time (
      anx_store_item_get_string (inspection, "inspected_at"),
      anx_display_zone_get_zone (self->display_zone));

  if (anx_store_item_get_int (inspection, "sequence") > 0)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                 anx_store_item_get_int (inspection, "sequence"));

      /* Translators: %s is the number of a record in a charger's chain */
      record = g_strdup_printf (_("record %s"), number);
    }
  /* Translators: %1$s is a charger's code, %2$s an inspection result */
  title =
      g_strdup_printf (_("%1$s · %2$s"), anx_store_item_get_string (inspection, "charger_code"),
                       result_title (anx_store_item_get_string (inspection, "result")));
  subtitle =
      g_strdup_printf ("%s · %s%s%s", anx_store_item_get_string (inspection, "inspector") ?: "",
                       when, record != NULL ? " · " : "", record != NULL ? record : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (g_strcmp0 (delivery, ANX_OUTBOX_REJECTED) == 0)
    {
      gtk_widget_add_css_class (state, "error");
      gtk_widget_set_tooltip_text (state, anx_store_item_get_string (inspection, "last_error"));
    }
  else if (g_strcmp0 (delivery, ANX_OUTBOX_DELIVERED) == 0)
    gtk_widget_add_css_class (state, "success");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
  return row;
}

static void
anx_inspections_page_update (AnxInspectionsPage *self)
{
  guint n =
      self->inspections != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->inspections)) : 0;
  g_autofree char *text = NULL;
  guint pending = 0;
  guint delivered = 0;
  guint rejected = 0;

  if (self->outbox != NULL)
    {
      pending = anx_outbox_count (self->outbox, ANX_OUTBOX_PENDING);
      delivered = anx_outbox_count (self->outbox, ANX_OUTBOX_DELIVERED);
      rejected = anx_outbox_count (self->outbox, ANX_OUTBOX_REJECTED);
    }

  /* Translators: the state of the writes to the feed */
  text = g_strdup_printf (_("Outbox: %u pending, %u delivered, %u rejected"), pending, delivered,
                          rejected);
  gtk_label_set_label (self->outbox_label, text);
  adw_status_page_set_description (self->empty_page, text);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

/* The worklist */

/* Stations to pick as the origin: typed by name or code, the code goes in. */
enum
{
  STATION_CODE,
  STATION_LABEL,
  STATION_SEARCH,
};

static void
load_stations (AnxInspectionsPage *self)
{
  sqlite3_stmt *stmt = NULL;

  gtk_list_store_clear (self->stations);
  if (self->store == NULL ||
      sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT code, name FROM stations WHERE latitude IS NOT NULL ORDER BY code",
                          -1, &stmt, NULL) != SQLITE_OK)
    return;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      g_autofree char *label = g_strdup_printf ("%s (%s)", name != NULL ? name : "", code);
      g_autofree char *search = g_utf8_casefold (label, -1);

      gtk_list_store_insert_with_values (self->stations, NULL, -1, STATION_CODE, code,
                                         STATION_LABEL, label, STATION_SEARCH, search, -1);
    }
  sqlite3_finalize (stmt);
}

static gboolean
match_station (GtkEntryCompletion *completion,
               const char         *key,
               GtkTreeIter        *iter,
               gpointer            user_data)
{
  GtkTreeModel *model = gtk_entry_completion_get_model (completion);
  g_autofree char *search = NULL;
  g_autofree char *folded = g_utf8_casefold (key, -1);

  gtk_tree_model_get (model, iter, STATION_SEARCH, &search, -1);
  return search != NULL && strstr (search, folded) != NULL;
}

static gboolean
on_station_selected (GtkEntryCompletion *completion,
                     GtkTreeModel       *model,
                     GtkTreeIter        *iter,
                     AnxInspectionsPage *self)
{
  g_autofree char *code = NULL;

  gtk_tree_model_get (model, iter, STATION_CODE, &code, -1);
  gtk_editable_set_text (GTK_EDITABLE (self->origin_entry), code);
  gtk_editable_set_position (GTK_EDITABLE (self->origin_entry), -1);
  return TRUE;
}

static void
reload_worklist (AnxInspectionsPage *self)
{
  g_autoptr(GListStore) fresh = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *origin = NULL;
  gboolean has_origin = FALSE;
  double latitude = 0, longitude = 0;
  guint days = 30;

  if (self->store == NULL)
    {
      g_list_store_remove_all (self->worklist);
      gtk_stack_set_visible_child_name (self->worklist_stack, "empty");
      return;
    }
  /* The registry may arrive after the store is set. */
  if (gtk_tree_model_iter_n_children (GTK_TREE_MODEL (self->stations), NULL) == 0)
    load_stations (self);
  origin = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->origin_entry))));
  days = (guint) gtk_spin_button_get_value_as_int (self->days_spin);
  has_origin = anx_worklist_resolve_origin (anx_store_get_read_db (self->store), origin, &latitude,
                                            &longitude);
  if (*origin != '\0' && !has_origin)
    {
      /* Translators: %s is what the officer typed as the origin */
      g_autofree char *message = g_strdup_printf (
          _("“%s” is neither a station's code nor “latitude, longitude”: no distances"), origin);

      gtk_label_set_label (self->origin_error, message);
      gtk_widget_add_css_class (GTK_WIDGET (self->origin_entry), "error");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->origin_entry), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->origin_error), *origin != '\0' && !has_origin);

  fresh = anx_worklist_load (anx_store_get_read_db (self->store), now, days, has_origin, latitude,
                             longitude);
  {
    guint n = g_list_model_get_n_items (G_LIST_MODEL (fresh));
    g_autoptr(GPtrArray) items = g_ptr_array_new_full (n, g_object_unref);

    for (guint i = 0; i < n; i++)
      g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (fresh), i));
    g_list_store_splice (self->worklist, 0,
                         g_list_model_get_n_items (G_LIST_MODEL (self->worklist)), items->pdata,
                         items->len);
  }
  gtk_stack_set_visible_child_name (self->worklist_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->worklist)) > 0
                                        ? "list"
                                        : "empty");
}

static gboolean
on_reload_timeout (gpointer user_data)
{
  AnxInspectionsPage *self = user_data;

  self->reload_id = 0;
  reload_worklist (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (AnxInspectionsPage *self)
{
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY_MS, on_reload_timeout, self);
}

/* The origin and the window apply to the worklist only. */
static void
on_page_changed (AnxInspectionsPage *self)
{
  gtk_widget_set_visible (self->worklist_options,
                          g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "worklist") == 0);
}

static void
on_days_changed (AnxInspectionsPage *self)
{
  g_settings_set_int (self->settings, "inspection-rotation-days",
                      gtk_spin_button_get_value_as_int (self->days_spin));
  schedule_reload (self);
}

static char *
alarm_kinds_text (const char *kinds)
{
  g_auto(GStrv) parts = g_strsplit (kinds != NULL ? kinds : "", ",", -1);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0')
        continue;
      if (text->len > 0)
        /* Translators: separates alarm kinds in a list */
        g_string_append (text, _(", "));
      g_string_append (text, anx_alarm_kind_get_title (parts[i]));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);

  if (column == COLUMN_ACTION)
    {
      GtkWidget *button = gtk_button_new_with_label (_("Mark Inspection…"));

      gtk_widget_add_css_class (button, "flat");
      gtk_list_item_set_child (list_item, button);
    }
  else
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_DISTANCE ? 1.0f : 0.0f);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_list_item_set_child (list_item, label);
    }
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  AnxStoreItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  gint64 priority = anx_store_item_get_int (item, "priority");
  g_autofree char *text = NULL;

  switch (column)
    {
    case COLUMN_PRIORITY:
      gtk_label_set_label (GTK_LABEL (child),
                           anx_worklist_priority_title ((AnxWorklistPriority) priority));
      gtk_widget_remove_css_class (child, "error");
      gtk_widget_remove_css_class (child, "warning");
      if (priority == ANX_WORKLIST_CRITICAL_ALARM || priority == ANX_WORKLIST_ROTATION_OVERDUE)
        gtk_widget_add_css_class (child, "error");
      else if (priority == ANX_WORKLIST_ALARM)
        gtk_widget_add_css_class (child, "warning");
      return;
    case COLUMN_CHARGER:
      gtk_label_set_label (GTK_LABEL (child), anx_store_item_get_string (item, "code"));
      return;
    case COLUMN_STATION:
      gtk_label_set_label (GTK_LABEL (child), anx_store_item_get_string (item, "station_name"));
      gtk_widget_set_tooltip_text (child, anx_store_item_get_string (item, "station"));
      return;
    case COLUMN_ALARMS:
      text = alarm_kinds_text (anx_store_item_get_string (item, "kinds"));
      gtk_label_set_label (GTK_LABEL (child), text);
      gtk_widget_set_tooltip_text (child, text);
      return;
    case COLUMN_METER:
      gtk_label_set_label (GTK_LABEL (child), anx_store_item_get_string (item, "meter_serial"));
      return;
    case COLUMN_ROTATION:
      gtk_label_set_label (GTK_LABEL (child), anx_store_item_get_string (item, "rotation_due"));
      return;
    case COLUMN_DISTANCE:
      {
        double distance = anx_store_item_get_double (item, "distance_m");

        /* Translators: a distance in kilometres */
        text = distance >= 0 ? g_strdup_printf (_("%.1f km"), distance / 1000.0) : g_strdup ("—");
        gtk_label_set_label (GTK_LABEL (child), text);
      }
      return;
    case COLUMN_ACTION:
      if (anx_store_item_get_int (item, "alarm_id") > 0)
        gtk_actionable_set_action_target (GTK_ACTIONABLE (child), "x",
                                          anx_store_item_get_int (item, "alarm_id"));
      else
        gtk_actionable_set_action_target (GTK_ACTIONABLE (child), "s",
                                          anx_store_item_get_string (item, "code"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (child),
                                      anx_store_item_get_int (item, "alarm_id") > 0
                                          ? "win.mark-inspection-for-alarm"
                                          : "win.mark-inspection");
      return;
    default:
      return;
    }
}

static void
add_column (AnxInspectionsPage *self,
            const char         *title,
            Column              column,
            gboolean            expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->worklist_view, view_column);
  g_object_unref (view_column);
}

/* CSV export */

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  AnxInspectionsPage *self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean history = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "anx-history"));

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL)
    {
      gboolean ok = history ? anx_inspections_page_export_history (self, path, &error)
                            : anx_inspections_page_export_worklist (self, path, &error);

      if (!ok)
        {
          GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
          GtkWidget *dialog =
              adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                      _("The File Was Not Saved"), error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
    }
  g_clear_object (&self->chooser);
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AnxInspectionsPage *self = ANX_INSPECTIONS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  gboolean history = g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "history") == 0;

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (history ? _("Export Inspection History")
                                                       : _("Export Worklist"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser),
                                     history ? "inspections.csv" : "worklist.csv");
  g_object_set_data (G_OBJECT (self->chooser), "anx-history", GINT_TO_POINTER (history));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* The rows' times, made anew in the new zone. */
static void
on_zone_changed (AnxInspectionsPage *self)
{
  if (self->inspections != NULL)
    gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->inspections), create_row, self,
                             NULL);
}

static void
anx_inspections_page_dispose (GObject *object)
{
  AnxInspectionsPage *self = ANX_INSPECTIONS_PAGE (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->inspections != NULL)
    g_signal_handlers_disconnect_by_data (self->inspections, self);
  if (self->outbox_rows != NULL)
    g_signal_handlers_disconnect_by_data (self->outbox_rows, self);
  if (self->alarms != NULL)
    g_signal_handlers_disconnect_by_data (self->alarms, self);
  /* AdwBin unparents its child itself: let go of it before the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_INSPECTIONS_PAGE);
  g_clear_object (&self->inspections);
  g_clear_object (&self->outbox_rows);
  g_clear_object (&self->alarms);
  g_clear_object (&self->worklist_selection);

  G_OBJECT_CLASS (anx_inspections_page_parent_class)->dispose (object);
}

static void
anx_inspections_page_finalize (GObject *object)
{
  AnxInspectionsPage *self = ANX_INSPECTIONS_PAGE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->outbox);
  g_clear_object (&self->settings);
  g_clear_object (&self->worklist);
  g_clear_object (&self->stations);
  g_clear_object (&self->display_zone);

  G_OBJECT_CLASS (anx_inspections_page_parent_class)->finalize (object);
}

static void
anx_inspections_page_class_init (AnxInspectionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_inspections_page_dispose;
  object_class->finalize = anx_inspections_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/anx-inspections-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, pages);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, worklist_options);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, worklist_stack);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, worklist_view);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, origin_entry);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, origin_error);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, days_spin);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, outbox_label);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, list_box);
  gtk_widget_class_install_action (widget_class, "inspections.export-csv", NULL,
                                   export_csv_action);
}

static void
anx_inspections_page_init (AnxInspectionsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->display_zone = anx_display_zone_dup_default ();
  g_signal_connect_object (self->display_zone, "changed", G_CALLBACK (on_zone_changed), self,
                           G_CONNECT_SWAPPED);
  self->worklist = g_list_store_new (ANX_TYPE_STORE_ITEM);
  self->worklist_selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->worklist)));
  gtk_column_view_set_model (self->worklist_view, GTK_SELECTION_MODEL (self->worklist_selection));
  add_column (self, _("Priority"), COLUMN_PRIORITY, FALSE);
  add_column (self, _("Charger"), COLUMN_CHARGER, FALSE);
  add_column (self, _("Station"), COLUMN_STATION, TRUE);
  add_column (self, _("Alarms"), COLUMN_ALARMS, TRUE);
  add_column (self, _("Meter"), COLUMN_METER, FALSE);
  add_column (self, _("Rotation due"), COLUMN_ROTATION, FALSE);
  add_column (self, _("Distance"), COLUMN_DISTANCE, FALSE);
  add_column (self, "", COLUMN_ACTION, FALSE);

  self->stations = gtk_list_store_new (3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  {
    g_autoptr(GtkEntryCompletion) completion = gtk_entry_completion_new ();

    gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->stations));
    gtk_entry_completion_set_text_column (completion, STATION_LABEL);
    gtk_entry_completion_set_match_func (completion, match_station, NULL, NULL);
    gtk_entry_completion_set_minimum_key_length (completion, 1);
    g_signal_connect (completion, "match-selected", G_CALLBACK (on_station_selected), self);
    gtk_entry_set_completion (self->origin_entry, completion);
  }

  self->settings = g_settings_new (APPLICATION_ID);
  gtk_spin_button_set_value (self->days_spin,
                             g_settings_get_int (self->settings, "inspection-rotation-days"));
  g_settings_bind (self->settings, "inspection-origin", self->origin_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (self->origin_entry, "changed", G_CALLBACK (schedule_reload), self);
  g_signal_connect_swapped (self->days_spin, "value-changed", G_CALLBACK (on_days_changed), self);
  g_signal_connect_swapped (self->pages, "notify::visible-child-name", G_CALLBACK (on_page_changed),
                            self);
  anx_inspections_page_update (self);
}

/**
 * anx_inspections_page_set_store:
 * @store: (nullable): the console's store
 * @outbox: (nullable): the outbox whose state it shows
 *
 * Lists the store's inspections and worklist, and follows them.
 */
void
anx_inspections_page_set_store (AnxInspectionsPage *self,
                                AnxStore           *store,
                                AnxOutbox          *outbox)
{
  g_return_if_fail (ANX_IS_INSPECTIONS_PAGE (self));

  g_set_object (&self->outbox, outbox);
  if (self->store != store)
    {
      if (self->inspections != NULL)
        g_signal_handlers_disconnect_by_data (self->inspections, self);
      if (self->outbox_rows != NULL)
        g_signal_handlers_disconnect_by_data (self->outbox_rows, self);
      if (self->alarms != NULL)
        g_signal_handlers_disconnect_by_data (self->alarms, self);
      g_clear_object (&self->inspections);
      g_clear_object (&self->outbox_rows);
      g_clear_object (&self->alarms);
      g_set_object (&self->store, store);
      if (store != NULL)
        {
          self->inspections = anx_query_model_new_inspections (store);
          self->outbox_rows = anx_query_model_new_outbox (store);
          /* The worklist follows the active alarms (and the registry, through them). */
          self->alarms = anx_query_model_new_alarms (store, TRUE);
          g_signal_connect_swapped (self->inspections, "items-changed",
                                    G_CALLBACK (anx_inspections_page_update), self);
          g_signal_connect_swapped (self->outbox_rows, "items-changed",
                                    G_CALLBACK (anx_inspections_page_update), self);
          g_signal_connect_swapped (self->alarms, "items-changed", G_CALLBACK (schedule_reload),
                                    self);
        }
      gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->inspections), create_row, self,
                               NULL);
    }
  anx_inspections_page_update (self);
  load_stations (self);
  schedule_reload (self);
}

/**
 * anx_inspections_page_get_rows:
 *
 * Returns: (transfer none) (nullable): the inspections it lists
 */
GListModel *
anx_inspections_page_get_rows (AnxInspectionsPage *self)
{
  g_return_val_if_fail (ANX_IS_INSPECTIONS_PAGE (self), NULL);

  return G_LIST_MODEL (self->inspections);
}

/**
 * anx_inspections_page_get_worklist:
 *
 * Returns: (transfer none): the worklist it shows (#AnxStoreItem rows of anx_worklist_load())
 */
GListModel *
anx_inspections_page_get_worklist (AnxInspectionsPage *self)
{
  g_return_val_if_fail (ANX_IS_INSPECTIONS_PAGE (self), NULL);

  return G_LIST_MODEL (self->worklist);
}

/**
 * anx_inspections_page_reload:
 *
 * Reloads the worklist now.
 */
void
anx_inspections_page_reload (AnxInspectionsPage *self)
{
  g_return_if_fail (ANX_IS_INSPECTIONS_PAGE (self));

  g_clear_handle_id (&self->reload_id, g_source_remove);
  reload_worklist (self);
}

/**
 * anx_inspections_page_export_worklist:
 * @path: the CSV file to write
 *
 * Returns: %TRUE on success
 */
gboolean
anx_inspections_page_export_worklist (AnxInspectionsPage  *self,
                                      const char          *path,
                                      GError             **error)
{
  g_autoptr(GString) csv = NULL;

  g_return_val_if_fail (ANX_IS_INSPECTIONS_PAGE (self), FALSE);

  csv = anx_worklist_to_csv (G_LIST_MODEL (self->worklist));
  return anx_csv_save (csv, path, error);
}

/**
 * anx_inspections_page_export_history:
 * @path: the CSV file to write
 *
 * Returns: %TRUE on success
 */
gboolean
anx_inspections_page_export_history (AnxInspectionsPage  *self,
                                     const char          *path,
                                     GError             **error)
{
  g_autoptr(GString) csv = NULL;
  g_autoptr(GListStore) empty = NULL;

  g_return_val_if_fail (ANX_IS_INSPECTIONS_PAGE (self), FALSE);

  if (self->inspections == NULL)
    empty = g_list_store_new (ANX_TYPE_STORE_ITEM);
  csv = anx_worklist_history_to_csv (self->inspections != NULL ? G_LIST_MODEL (self->inspections)
                                                               : G_LIST_MODEL (empty));
  return anx_csv_save (csv, path, error);
}
