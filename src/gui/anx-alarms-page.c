/* anx-alarms-page.c: the open alarms, worst and newest first, to acknowledge
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-alarms-page"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-alarm-rules.h"
#include "anx-alarms-page.h"
#include "anx-display-zone.h"
#include "anx-query-model.h"

/* What the list shows of a charger, looked up once for all of them. */
typedef struct
{
  char *station_id;
  char *station_name;
  char *operator_id;
  char *operator_name;
} ChargerInfo;

static void
charger_info_free (gpointer data)
{
  ChargerInfo *info = data;

  g_free (info->station_id);
  g_free (info->station_name);
  g_free (info->operator_id);
  g_free (info->operator_name);
  g_free (info);
}

/* The choices of the state filter; the first three are the active alarms. */
typedef enum
{
  STATE_FILTER_ACTIVE,
  STATE_FILTER_OPEN,
  STATE_FILTER_ACKNOWLEDGED,
  STATE_FILTER_INSPECTION_SCHEDULED,
  STATE_FILTER_ENDED,
} StateFilter;

/* The choices of the time filter, in seconds back from now (0: any time). */
static const gint64 time_ranges_s[] = { 0, 3600, 24 * 3600, 7 * 24 * 3600, 30 * 24 * 3600 };

static const char *const alarm_kinds[] = {
  ANX_ALARM_ENERGY_MISMATCH, ANX_ALARM_AMOUNT_MISMATCH, ANX_ALARM_SIGNATURE_INVALID,
  ANX_ALARM_CHAIN_BROKEN, ANX_ALARM_COUNTER_GAP, ANX_ALARM_METER_STATUS,
  ANX_ALARM_SEAL_OPENED, ANX_ALARM_OFFLINE, ANX_ALARM_VERIFICATION_OVERDUE,
  ANX_ALARM_UNKNOWN_METER_KEY, ANX_ALARM_INSPECTION_FAILED,
};

/* A critical alarm raised longer ago than this is history, not news: no toast
 * while the console catches up on the backlog. */
#define TOAST_MAX_AGE_US (5 * 60 * G_USEC_PER_SEC)

struct _AnxAlarmsPage
{
  AdwBin             parent_instance;

  AnxStore          *store;
  AnxOutbox         *outbox;
  AnxQueryModel     *alarms;
  gboolean           alarms_active_only;
  GtkFilterListModel *filtered;
  GtkCustomFilter   *filter;
  GtkSortListModel  *sorted;
  GtkMultiSelection *selection;
  AnxDisplayZone    *display_zone;
  GTimeZone         *zone;
  GHashTable        *times;
  GHashTable        *seen;     /* keys of the alarms already shown */
  GHashTable        *selected_keys; /* the officer's selection, by alarm key */
  gboolean           loaded;
  GHashTable        *chargers; /* charger code → ChargerInfo, NULL until needed */
  gulong             store_changed_id;
  AnxQueryModel     *operators;
  GPtrArray         *operator_ids; /* parallel to the operator drop-down */
  char              *followed;     /* the charger the map was last sent to */
  guint              n_notifications;
  GPtrArray         *notified;     /* ids of the notifications still up */
  GtkWindow         *window;       /* whose focus is watched */

  /* Template widgets */
  GtkLabel          *count_label;
  GtkColumnView     *column_view;
  GtkDropDown       *kind_dropdown;
  GtkDropDown       *state_dropdown;
  GtkDropDown       *operator_dropdown;
  GtkDropDown       *time_dropdown;
};

G_DEFINE_FINAL_TYPE (AnxAlarmsPage, anx_alarms_page, ADW_TYPE_BIN)

typedef enum
{
  COLUMN_SEVERITY,
  COLUMN_ALARM,
  COLUMN_CHARGER,
  COLUMN_STATION,
  COLUMN_RAISED,
  COLUMN_STATE,
  N_COLUMNS
} Column;

static int
severity_rank (AnxStoreItem *item)
{
  const char *severity = anx_store_item_get_string (item, "severity");

  if (g_strcmp0 (severity, "critical") == 0)
    return 3;
  if (g_strcmp0 (severity, "warning") == 0)
    return 2;
  return 1;
}

static const char *
severity_title (AnxStoreItem *item)
{
  switch (severity_rank (item))
    {
    case 3:
      return _("Critical");
    case 2:
      return _("Warning");
    default:
      return _("Notice");
    }
}

/* One query for every charger, instead of one per row: rows are bound
 * again each time they scroll into view. Dropped when the registry changes. */
static void
load_chargers (AnxAlarmsPage *self)
{
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;

  self->chargers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, charger_info_free);
  db = self->store != NULL ? anx_store_get_read_db (self->store) : NULL;
  if (db == NULL ||
      sqlite3_prepare_v2 (db,
                          "SELECT c.code, s.id, s.name, o.id, o.name FROM chargers c "
                          "LEFT JOIN stations s ON s.id = c.station_id "
                          "LEFT JOIN operators o ON o.id = c.operator_id",
                          -1, &stmt, NULL) != SQLITE_OK)
    return;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ChargerInfo *info = g_new0 (ChargerInfo, 1);

      info->station_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      info->station_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      info->operator_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      info->operator_name = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      g_hash_table_insert (self->chargers, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                           info);
    }
  sqlite3_finalize (stmt);
}

static const ChargerInfo *
charger_info (AnxAlarmsPage *self,
              const char    *charger_code)
{
  if (self->chargers == NULL)
    load_chargers (self);
  return charger_code != NULL ? g_hash_table_lookup (self->chargers, charger_code) : NULL;
}

static void
on_store_changed (AnxAlarmsPage  *self,
                  AnxStoreChanges changes)
{
  if ((changes & ANX_STORE_CHANGED_REGISTRY) == 0 || self->chargers == NULL)
    return;
  g_clear_pointer (&self->chargers, g_hash_table_unref);
  /* The names of the rows shown, and the operator filter, may have changed. */
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  gtk_widget_queue_draw (GTK_WIDGET (self->column_view));
}

/**
 * anx_alarms_page_get_n_cached_chargers:
 *
 * Returns: how many chargers the page's station name cache holds
 */
guint
anx_alarms_page_get_n_cached_chargers (AnxAlarmsPage *self)
{
  g_return_val_if_fail (ANX_IS_ALARMS_PAGE (self), 0);

  return self->chargers != NULL ? g_hash_table_size (self->chargers) : 0;
}

static char *
format_cell (AnxAlarmsPage *self,
             AnxStoreItem  *item,
             Column         column)
{
  switch (column)
    {
    case COLUMN_SEVERITY:
      return g_strdup (severity_title (item));

    case COLUMN_ALARM:
      {
        const char *kind = anx_store_item_get_string (item, "kind");
        g_autofree char *sentence =
            anx_alarm_describe_json (kind, anx_store_item_get_string (item, "evidence"));

        return g_markup_printf_escaped ("<b>%s</b>\n<span size=\"small\">%s</span>",
                                        anx_alarm_kind_get_title (kind),
                                        sentence != NULL ? sentence : "");
      }

    case COLUMN_CHARGER:
      return g_strdup (anx_store_item_get_string (item, "charger_code"));

    case COLUMN_STATION:
      {
        const ChargerInfo *info = charger_info (self, anx_store_item_get_string (item, "charger_code"));

        return g_strdup (info != NULL ? info->station_name : NULL);
      }

    case COLUMN_RAISED:
      {
        g_autoptr(GDateTime) utc =
            g_date_time_new_from_unix_utc (anx_store_item_get_int (item, "raised_at_us") / G_USEC_PER_SEC);
        g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, self->zone) : NULL;

        return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : NULL;
      }

    case COLUMN_STATE:
      return g_strdup (anx_alarm_state_get_title (anx_store_item_get_string (item, "state")));

    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  if (column == COLUMN_ALARM)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_lines (GTK_LABEL (label), 3);
    }
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_RAISED)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           AnxAlarmsPage            *self)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));
  AnxStoreItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);
  g_autofree char *text = format_cell (self, item, column);

  if (column == COLUMN_ALARM)
    gtk_label_set_markup (GTK_LABEL (label), text);
  else
    gtk_label_set_label (GTK_LABEL (label), text);
  if (column == COLUMN_SEVERITY)
    {
      gtk_widget_remove_css_class (label, "error");
      gtk_widget_remove_css_class (label, "warning");
      gtk_widget_add_css_class (label, severity_rank (item) == 3 ? "error" : "warning");
      gtk_widget_add_css_class (label, "heading");
    }
  /* The bound cells are the visible ones (and a few beyond): a new zone
   * shows in those, the others as they are bound. */
  if (column == COLUMN_RAISED)
    g_hash_table_insert (self->times, label, item);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             AnxAlarmsPage            *self)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));

  if (column == COLUMN_RAISED)
    g_hash_table_remove (self->times, gtk_list_item_get_child (list_item));
}

static int
compare_alarms (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  AnxStoreItem *x = (AnxStoreItem *) a;
  AnxStoreItem *y = (AnxStoreItem *) b;
  int rx = severity_rank (x);
  int ry = severity_rank (y);
  gint64 tx;
  gint64 ty;

  if (rx != ry)
    return rx > ry ? -1 : 1;
  tx = anx_store_item_get_int (x, "raised_at_us");
  ty = anx_store_item_get_int (y, "raised_at_us");
  if (tx != ty)
    return tx > ty ? -1 : 1;
  return g_strcmp0 (anx_store_item_get_key (x), anx_store_item_get_key (y));
}

static gboolean
filter_alarm (gpointer item,
              gpointer user_data)
{
  AnxAlarmsPage *self = user_data;
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);
  guint state = gtk_drop_down_get_selected (self->state_dropdown);
  guint operator = gtk_drop_down_get_selected (self->operator_dropdown);
  guint range = gtk_drop_down_get_selected (self->time_dropdown);
  const char *item_state = anx_store_item_get_string (item, "state");

  if (kind > 0 && kind <= G_N_ELEMENTS (alarm_kinds) &&
      g_strcmp0 (anx_store_item_get_string (item, "kind"), alarm_kinds[kind - 1]) != 0)
    return FALSE;

  switch ((StateFilter) state)
    {
    case STATE_FILTER_OPEN:
      if (g_strcmp0 (item_state, ANX_ALARM_STATE_OPEN) != 0)
        return FALSE;
      break;
    case STATE_FILTER_ACKNOWLEDGED:
      if (g_strcmp0 (item_state, ANX_ALARM_STATE_ACKNOWLEDGED) != 0)
        return FALSE;
      break;
    case STATE_FILTER_INSPECTION_SCHEDULED:
      if (g_strcmp0 (item_state, ANX_ALARM_STATE_INSPECTION_SCHEDULED) != 0)
        return FALSE;
      break;
    case STATE_FILTER_ENDED:
      if (g_strcmp0 (item_state, ANX_ALARM_STATE_CLOSED) != 0 &&
          g_strcmp0 (item_state, ANX_ALARM_STATE_CLEARED) != 0)
        return FALSE;
      break;
    case STATE_FILTER_ACTIVE:
    default:
      if (g_strcmp0 (item_state, ANX_ALARM_STATE_CLOSED) == 0 ||
          g_strcmp0 (item_state, ANX_ALARM_STATE_CLEARED) == 0)
        return FALSE;
      break;
    }

  if (range > 0 && range < G_N_ELEMENTS (time_ranges_s) &&
      anx_store_item_get_int (item, "raised_at_us") <
          g_get_real_time () - time_ranges_s[range] * G_USEC_PER_SEC)
    return FALSE;

  if (operator > 0 && operator < self->operator_ids->len)
    {
      const ChargerInfo *info = charger_info (self, anx_store_item_get_string (item, "charger_code"));

      if (info == NULL ||
          g_strcmp0 (info->operator_id, g_ptr_array_index (self->operator_ids, operator)) != 0)
        return FALSE;
    }
  return TRUE;
}

static void on_alarms_changed (AnxAlarmsPage *self,
                               guint          position,
                               guint          removed,
                               guint          added);

/* Closed and cleared alarms are only loaded while the filter asks for them. */
static void
anx_alarms_page_load (AnxAlarmsPage *self)
{
  gboolean active_only = gtk_drop_down_get_selected (self->state_dropdown) != STATE_FILTER_ENDED;

  if (self->alarms != NULL && active_only == self->alarms_active_only)
    return;

  if (self->alarms != NULL)
    g_signal_handlers_disconnect_by_data (self->alarms, self);
  g_clear_object (&self->alarms);
  self->alarms_active_only = active_only;
  if (self->store != NULL)
    {
      self->alarms = anx_query_model_new_alarms (self->store, active_only);
      g_signal_connect_swapped (self->alarms, "items-changed", G_CALLBACK (on_alarms_changed),
                                self);
      on_alarms_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->alarms)));
    }
  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (self->alarms));
}

static void
on_filter_changed (AnxAlarmsPage *self)
{
  /* The drop-downs are filled before the models exist. */
  if (self->filtered == NULL)
    return;
  anx_alarms_page_load (self);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
on_operators_changed (AnxAlarmsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->operators));
  guint selected = gtk_drop_down_get_selected (self->operator_dropdown);
  g_autofree char *kept = NULL;
  GtkStringList *names = GTK_STRING_LIST (gtk_drop_down_get_model (self->operator_dropdown));
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  guint reselect = 0;

  if (selected > 0 && selected < self->operator_ids->len)
    kept = g_strdup (g_ptr_array_index (self->operator_ids, selected));
  g_ptr_array_set_size (self->operator_ids, 1);
  g_ptr_array_add (strings, g_strdup (_("All operators")));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->operators), i);

      g_ptr_array_add (strings, g_strdup (anx_store_item_get_string (item, "name")));
      g_ptr_array_add (self->operator_ids, g_strdup (anx_store_item_get_key (item)));
      if (g_strcmp0 (kept, anx_store_item_get_key (item)) == 0)
        reselect = i + 1;
    }
  g_ptr_array_add (strings, NULL);

  g_signal_handlers_block_by_func (self->operator_dropdown, on_filter_changed, self);
  gtk_string_list_splice (names, 0, g_list_model_get_n_items (G_LIST_MODEL (names)),
                          (const char *const *) strings->pdata);
  gtk_drop_down_set_selected (self->operator_dropdown, reselect);
  g_signal_handlers_unblock_by_func (self->operator_dropdown, on_filter_changed, self);
  on_filter_changed (self);
}

/* The one alarm selected, if exactly one is. */
static AnxStoreItem *
get_single_selected (AnxAlarmsPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (gtk_bitset_get_size (selected) != 1)
    return NULL;
  return g_list_model_get_item (G_LIST_MODEL (self->sorted), gtk_bitset_get_nth (selected, 0));
}

static void
anx_alarms_page_update (AnxAlarmsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  gboolean can_acknowledge = FALSE;
  g_autofree char *text = NULL;
  GtkBitsetIter iter;
  guint position;

  /* Translators: the number of alarms the filters let through */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u alarm shown", "%u alarms shown", n), n);
  gtk_label_set_label (self->count_label, text);

  /* Only the console's own open alarms are acknowledged through the outbox. */
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok && !can_acknowledge;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

      can_acknowledge = item != NULL &&
                        g_strcmp0 (anx_store_item_get_string (item, "source"), "console") == 0 &&
                        g_strcmp0 (anx_store_item_get_string (item, "state"), ANX_ALARM_STATE_OPEN) == 0;
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alarms.acknowledge",
                                 can_acknowledge && self->outbox != NULL);

  {
    g_autoptr(AnxStoreItem) single = get_single_selected (self);
    gboolean console = single != NULL &&
                       g_strcmp0 (anx_store_item_get_string (single, "source"), "console") == 0;

    gtk_widget_action_set_enabled (GTK_WIDGET (self), "alarms.open-charger", single != NULL);
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "alarms.show-on-map", single != NULL);
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "alarms.schedule-inspection", console);
  }
}

/* The map follows the alarm selected, so that switching to it shows where
 * the alarm is; the list stays in view while the officer goes through it. */
/* What the officer selected, by key: a live update replaces a changed
 * alarm's row (its evidence grew), and the selection must stay on it. */
static void
remember_selection (AnxAlarmsPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  g_hash_table_remove_all (self->selected_keys);
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

      if (item != NULL)
        g_hash_table_add (self->selected_keys, g_strdup (anx_store_item_get_key (item)));
    }
}

static void
on_selection_items_changed (AnxAlarmsPage *self,
                            guint          position,
                            guint          removed,
                            guint          added)
{
  if (g_hash_table_size (self->selected_keys) == 0)
    return;
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

      if (item != NULL && g_hash_table_contains (self->selected_keys, anx_store_item_get_key (item)) &&
          !gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), i))
        gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, FALSE);
    }
}

static void
on_selection_changed (AnxAlarmsPage *self)
{
  g_autoptr(AnxStoreItem) single = NULL;

  remember_selection (self);
  single = get_single_selected (self);
  const char *code = single != NULL ? anx_store_item_get_string (single, "charger_code") : NULL;

  anx_alarms_page_update (self);
  if (code == NULL || g_strcmp0 (code, self->followed) == 0)
    return;
  g_free (self->followed);
  self->followed = g_strdup (code);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.locate-charger", "s", code);
}

static void
open_charger_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(AnxStoreItem) single = get_single_selected (ANX_ALARMS_PAGE (widget));

  if (single != NULL)
    gtk_widget_activate_action (widget, "win.show-charger", "s",
                                anx_store_item_get_string (single, "charger_code"));
}

static void
show_on_map_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AnxAlarmsPage *self = ANX_ALARMS_PAGE (widget);
  g_autoptr(AnxStoreItem) single = get_single_selected (self);
  const ChargerInfo *info =
      single != NULL ? charger_info (self, anx_store_item_get_string (single, "charger_code")) : NULL;

  if (info != NULL && info->station_id != NULL)
    gtk_widget_activate_action (widget, "win.show-station", "s", info->station_id);
}

static void
schedule_inspection_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  g_autoptr(AnxStoreItem) single = get_single_selected (ANX_ALARMS_PAGE (widget));

  if (single != NULL && g_strcmp0 (anx_store_item_get_string (single, "source"), "console") == 0)
    gtk_widget_activate_action (widget, "win.mark-inspection-for-alarm", "x",
                                anx_store_item_get_int (single, "id"));
}

static void
on_column_view_activate (AnxAlarmsPage *self,
                         guint          position)
{
  g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (item != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-charger", "s",
                                anx_store_item_get_string (item, "charger_code"));
}

/* Away from the console, the desktop tells: a notification whose default
 * action brings the window back on the alarm. */
static void
anx_alarms_page_notify (AnxAlarmsPage *self,
                        AnxStoreItem  *item,
                        const char    *title)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  const ChargerInfo *info;
  const char *kind;

  if (app == NULL || gtk_window_is_active (GTK_WINDOW (root)))
    return;

  kind = anx_store_item_get_string (item, "kind");
  info = charger_info (self, anx_store_item_get_string (item, "charger_code"));
  body = anx_alarm_describe_json (kind, anx_store_item_get_string (item, "evidence"));
  if (info != NULL && info->station_name != NULL)
    {
      g_autofree char *sentence = g_steal_pointer (&body);

      /* Translators: a notification's body: the station's name, then what happened */
      body = g_strdup_printf (_("%1$s: %2$s"), info->station_name, sentence ?: "");
    }

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
  g_notification_set_category (notification, "x-anxin.alarm");
  if (g_strcmp0 (anx_store_item_get_string (item, "source"), "console") == 0)
    g_notification_set_default_action_and_target_value (
        notification, "app.show-alarm", g_variant_new_int64 (anx_store_item_get_int (item, "id")));
  /* One per alarm: a later one does not replace an unread earlier one. */
  id = g_strdup_printf ("alarm-%s", anx_store_item_get_key (item));
  g_application_send_notification (G_APPLICATION (app), id, notification);
  g_ptr_array_add (self->notified, g_steal_pointer (&id));
  self->n_notifications++;
}

/* Back at the console: the notifications have done their job. */
static void
on_window_active (AnxAlarmsPage *self)
{
  GApplication *app;

  if (self->window == NULL || !gtk_window_is_active (self->window) || self->notified->len == 0)
    return;
  app = G_APPLICATION (gtk_window_get_application (self->window));
  for (guint i = 0; app != NULL && i < self->notified->len; i++)
    g_application_withdraw_notification (app, g_ptr_array_index (self->notified, i));
  g_ptr_array_set_size (self->notified, 0);
}

static void
on_zone_changed (AnxAlarmsPage *self)
{
  GHashTableIter iter;
  gpointer label;
  gpointer item;

  g_clear_pointer (&self->zone, g_time_zone_unref);
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  g_hash_table_iter_init (&iter, self->times);
  while (g_hash_table_iter_next (&iter, &label, &item))
    {
      g_autofree char *text = format_cell (self, item, COLUMN_RAISED);

      gtk_label_set_label (GTK_LABEL (label), text);
    }
}

static void
anx_alarms_page_root (GtkWidget *widget)
{
  AnxAlarmsPage *self = ANX_ALARMS_PAGE (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (anx_alarms_page_parent_class)->root (widget);
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    {
      self->window = GTK_WINDOW (root);
      g_signal_connect_object (root, "notify::is-active", G_CALLBACK (on_window_active), self,
                               G_CONNECT_SWAPPED);
    }
}

static void
anx_alarms_page_unroot (GtkWidget *widget)
{
  AnxAlarmsPage *self = ANX_ALARMS_PAGE (widget);

  if (self->window != NULL)
    g_signal_handlers_disconnect_by_func (self->window, on_window_active, self);
  self->window = NULL;
  GTK_WIDGET_CLASS (anx_alarms_page_parent_class)->unroot (widget);
}

static void
on_alarms_changed (AnxAlarmsPage *self,
                   guint          position,
                   guint          removed,
                   guint          added)
{
  gint64 now = g_get_real_time ();
  guint n_new_critical = 0;
  g_autoptr(AnxStoreItem) last = NULL;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->alarms), i);
      const char *key = anx_store_item_get_key (item);

      if (g_hash_table_contains (self->seen, key))
        continue;
      g_hash_table_add (self->seen, g_strdup (key));
      if (self->loaded && severity_rank (item) == 3 &&
          now - anx_store_item_get_int (item, "raised_at_us") < TOAST_MAX_AGE_US)
        {
          n_new_critical++;
          g_set_object (&last, item);
        }
    }
  self->loaded = TRUE;

  if (n_new_critical > 0)
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
      g_autofree char *title = NULL;
      AdwToast *toast;

      if (overlay == NULL)
        return;
      if (n_new_critical == 1)
        /* Translators: a toast; %s is the alarm's kind, then the charger's code */
        title = g_strdup_printf (_("Critical alarm: %s on %s"),
                                 anx_alarm_kind_get_title (anx_store_item_get_string (last, "kind")),
                                 anx_store_item_get_string (last, "charger_code"));
      else
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new critical alarm",
                                              "%u new critical alarms", n_new_critical),
                                 n_new_critical);
      toast = adw_toast_new (title);
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_button_label (toast, _("_Show"));
      if (g_strcmp0 (anx_store_item_get_string (last, "source"), "console") == 0)
        {
          adw_toast_set_action_name (toast, "win.show-alarm");
          adw_toast_set_action_target_value (toast,
                                             g_variant_new_int64 (anx_store_item_get_int (last, "id")));
        }
      else
        adw_toast_set_action_name (toast, "win.show-alarms");
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);

      anx_alarms_page_notify (self, last, title);
    }
}

static void
on_acknowledged (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!anx_outbox_finish (ANX_OUTBOX (object), result, &error))
    g_message ("Could not acknowledge an alarm: %s", error->message);
}

static void
acknowledge_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AnxAlarmsPage *self = ANX_ALARMS_PAGE (widget);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  if (self->outbox == NULL)
    return;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

      if (item == NULL ||
          g_strcmp0 (anx_store_item_get_string (item, "source"), "console") != 0 ||
          g_strcmp0 (anx_store_item_get_string (item, "state"), ANX_ALARM_STATE_OPEN) != 0)
        continue;
      anx_outbox_acknowledge_alarm_async (self->outbox, anx_store_item_get_int (item, "id"),
                                          g_get_user_name (), NULL, on_acknowledged, NULL);
    }
}

static void
add_column (AnxAlarmsPage *self,
            Column         column,
            const char    *title,
            gboolean       expand,
            int            fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_object_set_data (G_OBJECT (factory), "column", GINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), self);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
}

static void
anx_alarms_page_dispose (GObject *object)
{
  AnxAlarmsPage *self = ANX_ALARMS_PAGE (object);

  if (self->alarms != NULL)
    g_signal_handlers_disconnect_by_data (self->alarms, self);
  if (self->operators != NULL)
    g_signal_handlers_disconnect_by_data (self->operators, self);
  g_clear_object (&self->operators);
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  /* AdwBin unparents its child itself: let go of it before the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_ALARMS_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->alarms);

  G_OBJECT_CLASS (anx_alarms_page_parent_class)->dispose (object);
}

static void
anx_alarms_page_finalize (GObject *object)
{
  AnxAlarmsPage *self = ANX_ALARMS_PAGE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->outbox);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_object (&self->display_zone);
  g_clear_pointer (&self->times, g_hash_table_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_clear_pointer (&self->selected_keys, g_hash_table_unref);
  g_clear_pointer (&self->chargers, g_hash_table_unref);
  g_clear_pointer (&self->operator_ids, g_ptr_array_unref);
  g_clear_pointer (&self->followed, g_free);
  g_clear_pointer (&self->notified, g_ptr_array_unref);

  G_OBJECT_CLASS (anx_alarms_page_parent_class)->finalize (object);
}

static void
anx_alarms_page_class_init (AnxAlarmsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_alarms_page_dispose;
  object_class->finalize = anx_alarms_page_finalize;
  widget_class->root = anx_alarms_page_root;
  widget_class->unroot = anx_alarms_page_unroot;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/anx-alarms-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxAlarmsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, AnxAlarmsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, AnxAlarmsPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AnxAlarmsPage, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AnxAlarmsPage, operator_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AnxAlarmsPage, time_dropdown);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate);

  gtk_widget_class_install_action (widget_class, "alarms.acknowledge", NULL, acknowledge_action);
  gtk_widget_class_install_action (widget_class, "alarms.open-charger", NULL, open_charger_action);
  gtk_widget_class_install_action (widget_class, "alarms.show-on-map", NULL, show_on_map_action);
  gtk_widget_class_install_action (widget_class, "alarms.schedule-inspection", NULL,
                                   schedule_inspection_action);
}

static void
anx_alarms_page_init (AnxAlarmsPage *self)
{
  GtkCustomSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->times = g_hash_table_new (NULL, NULL);
  self->display_zone = anx_display_zone_dup_default ();
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  g_signal_connect_object (self->display_zone, "changed", G_CALLBACK (on_zone_changed), self,
                           G_CONNECT_SWAPPED);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->selected_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->operator_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->operator_ids, g_strdup (""));
  self->notified = g_ptr_array_new_with_free_func (g_free);

  {
    GtkStringList *kinds = GTK_STRING_LIST (gtk_drop_down_get_model (self->kind_dropdown));
    GtkStringList *states = GTK_STRING_LIST (gtk_drop_down_get_model (self->state_dropdown));
    GtkStringList *ranges = GTK_STRING_LIST (gtk_drop_down_get_model (self->time_dropdown));
    GtkStringList *operators = GTK_STRING_LIST (gtk_drop_down_get_model (self->operator_dropdown));

    gtk_string_list_append (kinds, _("All types"));
    for (guint i = 0; i < G_N_ELEMENTS (alarm_kinds); i++)
      gtk_string_list_append (kinds, anx_alarm_kind_get_title (alarm_kinds[i]));
    gtk_string_list_append (states, _("Active"));
    gtk_string_list_append (states, anx_alarm_state_get_title (ANX_ALARM_STATE_OPEN));
    gtk_string_list_append (states, anx_alarm_state_get_title (ANX_ALARM_STATE_ACKNOWLEDGED));
    gtk_string_list_append (states, anx_alarm_state_get_title (ANX_ALARM_STATE_INSPECTION_SCHEDULED));
    gtk_string_list_append (states, _("Closed or cleared"));
    gtk_string_list_append (ranges, _("Any time"));
    gtk_string_list_append (ranges, _("Last hour"));
    gtk_string_list_append (ranges, _("Last 24 hours"));
    gtk_string_list_append (ranges, _("Last 7 days"));
    gtk_string_list_append (ranges, _("Last 30 days"));
    gtk_string_list_append (operators, _("All operators"));
  }

  add_column (self, COLUMN_SEVERITY, _("Severity"), FALSE, 100);
  add_column (self, COLUMN_ALARM, _("Alarm"), TRUE, -1);
  add_column (self, COLUMN_CHARGER, _("Charger"), FALSE, 170);
  add_column (self, COLUMN_STATION, _("Station"), FALSE, 220);
  add_column (self, COLUMN_RAISED, _("Raised"), FALSE, 170);
  add_column (self, COLUMN_STATE, _("State"), FALSE, 120);

  self->filter = gtk_custom_filter_new (filter_alarm, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (g_object_ref (self->filter)));
  sorter = gtk_custom_sorter_new (compare_alarms, NULL, NULL);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->filtered)),
                                          GTK_SORTER (sorter));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  gtk_column_view_set_enable_rubberband (self->column_view, TRUE);

  g_signal_connect_swapped (self->sorted, "items-changed", G_CALLBACK (anx_alarms_page_update),
                            self);
  g_signal_connect_swapped (self->selection, "selection-changed",
                            G_CALLBACK (on_selection_changed), self);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (on_selection_items_changed), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  anx_alarms_page_update (self);
}

/**
 * anx_alarms_page_set_store:
 * @store: (nullable): the console's store
 * @outbox: (nullable): where acknowledgements go
 *
 * Lists the store's open alarms, and follows them.
 */
void
anx_alarms_page_set_store (AnxAlarmsPage *self,
                           AnxStore      *store,
                           AnxOutbox     *outbox)
{
  g_return_if_fail (ANX_IS_ALARMS_PAGE (self));

  g_set_object (&self->outbox, outbox);
  if (self->store == store)
    return;

  if (self->alarms != NULL)
    g_signal_handlers_disconnect_by_data (self->alarms, self);
  g_clear_object (&self->alarms);
  if (self->operators != NULL)
    g_signal_handlers_disconnect_by_data (self->operators, self);
  g_clear_object (&self->operators);
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  g_clear_pointer (&self->chargers, g_hash_table_unref);
  g_set_object (&self->store, store);
  g_hash_table_remove_all (self->seen);
  self->loaded = FALSE;

  if (store != NULL)
    {
      self->store_changed_id = g_signal_connect_swapped (store, "changed",
                                                         G_CALLBACK (on_store_changed), self);
      self->operators = anx_query_model_new (store,
                                             "SELECT CAST(id AS TEXT), id, name FROM operators "
                                             "ORDER BY name",
                                             ANX_STORE_CHANGED_REGISTRY);
      g_signal_connect_swapped (self->operators, "items-changed",
                                G_CALLBACK (on_operators_changed), self);
      on_operators_changed (self);
    }
  anx_alarms_page_load (self);
  anx_alarms_page_update (self);
}

/**
 * anx_alarms_page_get_rows:
 *
 * Returns: (transfer none): the rows the list shows, sorted
 */
GListModel *
anx_alarms_page_get_rows (AnxAlarmsPage *self)
{
  g_return_val_if_fail (ANX_IS_ALARMS_PAGE (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

/**
 * anx_alarms_page_get_selection:
 *
 * Returns: (transfer none): the rows' selection
 */
GtkSelectionModel *
anx_alarms_page_get_selection (AnxAlarmsPage *self)
{
  g_return_val_if_fail (ANX_IS_ALARMS_PAGE (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

/**
 * anx_alarms_page_select_alarm:
 * @alarm_id: the console's id of an alarm
 *
 * Selects the alarm and scrolls to it; clears filters that hide it.
 *
 * Returns: %TRUE if the alarm is in the list
 */
gboolean
anx_alarms_page_select_alarm (AnxAlarmsPage *self,
                              gint64         alarm_id)
{
  g_autofree char *key = NULL;
  guint n;

  g_return_val_if_fail (ANX_IS_ALARMS_PAGE (self), FALSE);

  if (self->alarms == NULL)
    return FALSE;

  key = g_strdup_printf ("c%" G_GINT64_FORMAT, alarm_id);
  /* The alarm may have been raised a moment ago. */
  if (anx_query_model_find (self->alarms, key, NULL) == NULL)
    anx_query_model_reload (self->alarms);

  /* As filtered; then every active alarm; then the ended ones. */
  for (int attempt = 0; attempt < 3; attempt++)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

          if (g_strcmp0 (anx_store_item_get_key (item), key) != 0)
            continue;
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
          /* GTK 4.8 has no gtk_column_view_scroll_to: its inner list view
           * has an action for it. */
          for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
               child != NULL; child = gtk_widget_get_next_sibling (child))
            if (GTK_IS_LIST_VIEW (child))
              gtk_widget_activate_action (child, "list.scroll-to-item", "u", i);
          return TRUE;
        }
      /* Hidden by a filter: show every active alarm (or every alarm). */
      g_signal_handlers_block_by_func (self->kind_dropdown, on_filter_changed, self);
      g_signal_handlers_block_by_func (self->operator_dropdown, on_filter_changed, self);
      g_signal_handlers_block_by_func (self->time_dropdown, on_filter_changed, self);
      gtk_drop_down_set_selected (self->kind_dropdown, 0);
      gtk_drop_down_set_selected (self->operator_dropdown, 0);
      gtk_drop_down_set_selected (self->time_dropdown, 0);
      g_signal_handlers_unblock_by_func (self->kind_dropdown, on_filter_changed, self);
      g_signal_handlers_unblock_by_func (self->operator_dropdown, on_filter_changed, self);
      g_signal_handlers_unblock_by_func (self->time_dropdown, on_filter_changed, self);
      g_signal_handlers_block_by_func (self->state_dropdown, on_filter_changed, self);
      gtk_drop_down_set_selected (self->state_dropdown,
                                  attempt == 0 ? STATE_FILTER_ACTIVE : STATE_FILTER_ENDED);
      g_signal_handlers_unblock_by_func (self->state_dropdown, on_filter_changed, self);
      on_filter_changed (self);
    }
  return FALSE;
}

/**
 * anx_alarms_page_get_n_notifications:
 *
 * Returns: how many desktop notifications the page sent
 */
guint
anx_alarms_page_get_n_notifications (AnxAlarmsPage *self)
{
  g_return_val_if_fail (ANX_IS_ALARMS_PAGE (self), 0);

  return self->n_notifications;
}
