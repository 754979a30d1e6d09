/* anx-sessions-page.c: the live charging sessions as a sortable, searchable table
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-sessions-page"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-query-model.h"
#include "anx-display-zone.h"
#include "anx-sessions-page.h"

struct _AnxSessionsPage
{
  AdwBin              parent_instance;

  AnxStore           *store;
  AnxQueryModel      *sessions;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkCustomFilter    *filter;
  GtkSingleSelection *selection;
  AnxDisplayZone     *display_zone;
  GTimeZone          *zone;
  GHashTable         *times;
  char               *selected_key; /* kept across live updates */
  gboolean            updating;     /* inside the rows' items-changed */
  char               *row_keys;     /* the rows' keys in order, as last shown */
  double              scrolled_to;  /* the scroll position before an update */
  GHashTable         *durations;    /* bound duration label → its item */
  guint               tick_id;
  AnxQueryModel      *operators;
  GPtrArray          *operator_ids; /* parallel to the drop-downs, from 1 */
  GPtrArray          *station_codes;
  gulong              store_changed_id;

  /* Template widgets */
  GtkSearchEntry     *search_entry;
  GtkDropDown        *operator_dropdown;
  GtkDropDown        *station_dropdown;
  GtkLabel           *count_label;
  GtkColumnView      *column_view;
};

G_DEFINE_FINAL_TYPE (AnxSessionsPage, anx_sessions_page, ADW_TYPE_BIN)

/* The sessions with where they run and who runs them. */
static const char sessions_sql[] =
  "SELECT s.charger_code || '/' || s.session_id, s.charger_code, s.session_id, s.started_us, "
  "s.power_w, s.energy_wh, s.amount_fen, s.updated_us, st.name AS station_name, "
  "st.code AS station_code, o.name AS operator_name, CAST(o.id AS TEXT) AS operator_id "
  "FROM sessions s "
  "LEFT JOIN chargers c ON c.code = s.charger_code "
  "LEFT JOIN stations st ON st.id = c.station_id "
  "LEFT JOIN operators o ON o.id = st.operator_id ORDER BY s.started_us DESC";

typedef enum
{
  COLUMN_CHARGER,
  COLUMN_STATION,
  COLUMN_OPERATOR,
  COLUMN_START,
  COLUMN_DURATION,
  COLUMN_POWER,
  COLUMN_ENERGY,
  COLUMN_AMOUNT,
  N_COLUMNS
} Column;

static char *
format_cell (AnxSessionsPage *self,
             AnxStoreItem    *item,
             Column           column)
{
  switch (column)
    {
    case COLUMN_CHARGER:
      return g_strdup (anx_store_item_get_string (item, "charger_code"));

    case COLUMN_STATION:
      return g_strdup (anx_store_item_get_string (item, "station_name"));

    case COLUMN_OPERATOR:
      return g_strdup (anx_store_item_get_string (item, "operator_name"));

    case COLUMN_START:
      {
        g_autoptr(GDateTime) utc =
            g_date_time_new_from_unix_utc (anx_store_item_get_int (item, "started_us") / G_USEC_PER_SEC);
        g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, self->zone) : NULL;

        return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : NULL;
      }

    case COLUMN_DURATION:
      {
        /* Since the start, ticking; never less than the last report says
         * (the simulator's clock may run ahead of this one). */
        gint64 started = anx_store_item_get_int (item, "started_us");
        gint64 seconds = MAX (anx_store_item_get_int (item, "updated_us") - started,
                              g_get_real_time () - started) / G_USEC_PER_SEC;

        seconds = MAX (seconds, 0);
        return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600),
                                (int) (seconds / 60 % 60), (int) (seconds % 60));
      }

    case COLUMN_POWER:
      return g_strdup_printf ("%.1f", anx_store_item_get_int (item, "power_w") / 1000.0);

    case COLUMN_ENERGY:
      return g_strdup_printf ("%.3f", anx_store_item_get_int (item, "energy_wh") / 1000.0);

    case COLUMN_AMOUNT:
      return g_strdup_printf ("¥%.2f", anx_store_item_get_int (item, "amount_fen") / 100.0);

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

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  if (column >= COLUMN_DURATION)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
    }
  else
    gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           AnxSessionsPage          *self)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkWidget *label = gtk_list_item_get_child (list_item);
  g_autofree char *text = format_cell (self, gtk_list_item_get_item (list_item), column);

  gtk_label_set_label (GTK_LABEL (label), text);
  /* The bound rows are the visible ones (and a few beyond): only those tick. */
  if (column == COLUMN_DURATION)
    g_hash_table_insert (self->durations, label, gtk_list_item_get_item (list_item));
  /* Those a new zone shows in at once. */
  if (column == COLUMN_START)
    g_hash_table_insert (self->times, label, gtk_list_item_get_item (list_item));
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             AnxSessionsPage          *self)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));

  if (column == COLUMN_DURATION)
    g_hash_table_remove (self->durations, gtk_list_item_get_child (list_item));
  if (column == COLUMN_START)
    g_hash_table_remove (self->times, gtk_list_item_get_child (list_item));
}

/* One timer for the page: once a second, the durations in view. */
static gboolean
on_tick (gpointer user_data)
{
  AnxSessionsPage *self = user_data;
  GHashTableIter iter;
  gpointer label;
  gpointer item;

  g_hash_table_iter_init (&iter, self->durations);
  while (g_hash_table_iter_next (&iter, &label, &item))
    {
      g_autofree char *text = format_cell (self, item, COLUMN_DURATION);

      gtk_label_set_label (GTK_LABEL (label), text);
    }
  return G_SOURCE_CONTINUE;
}

static void
on_zone_changed (AnxSessionsPage *self)
{
  GHashTableIter iter;
  gpointer label;
  gpointer item;

  g_clear_pointer (&self->zone, g_time_zone_unref);
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  g_hash_table_iter_init (&iter, self->times);
  while (g_hash_table_iter_next (&iter, &label, &item))
    {
      g_autofree char *text = format_cell (self, item, COLUMN_START);

      gtk_label_set_label (GTK_LABEL (label), text);
    }
}

static void
anx_sessions_page_map (GtkWidget *widget)
{
  AnxSessionsPage *self = ANX_SESSIONS_PAGE (widget);

  GTK_WIDGET_CLASS (anx_sessions_page_parent_class)->map (widget);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, on_tick, self);
  on_tick (self);
}

static void
anx_sessions_page_unmap (GtkWidget *widget)
{
  AnxSessionsPage *self = ANX_SESSIONS_PAGE (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  GTK_WIDGET_CLASS (anx_sessions_page_parent_class)->unmap (widget);
}

static int
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  AnxStoreItem *x = (AnxStoreItem *) a;
  AnxStoreItem *y = (AnxStoreItem *) b;
  static const char *const keys[N_COLUMNS] = {
    "charger_code", "station_name", "operator_name", "started_us",
    "updated_us", "power_w", "energy_wh", "amount_fen",
  };
  gint64 i;
  gint64 j;

  if (column <= COLUMN_OPERATOR)
    return g_utf8_collate (anx_store_item_get_string (x, keys[column]) ?: "",
                           anx_store_item_get_string (y, keys[column]) ?: "");

  i = anx_store_item_get_int (x, keys[column]);
  j = anx_store_item_get_int (y, keys[column]);
  if (column == COLUMN_DURATION)
    {
      i -= anx_store_item_get_int (x, "started_us");
      j -= anx_store_item_get_int (y, "started_us");
    }
  return i < j ? -1 : i > j ? 1 : 0;
}

static gboolean
filter_item (gpointer item,
             gpointer user_data)
{
  AnxSessionsPage *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  static const char *const fields[] = { "charger_code", "station_name", "station_code",
                                        "operator_name" };
  guint operator = gtk_drop_down_get_selected (self->operator_dropdown);
  guint station = gtk_drop_down_get_selected (self->station_dropdown);
  g_autofree char *needle = NULL;

  if (operator > 0 && operator < self->operator_ids->len &&
      g_strcmp0 (anx_store_item_get_string (item, "operator_id"),
                 g_ptr_array_index (self->operator_ids, operator)) != 0)
    return FALSE;
  if (station > 0 && station < self->station_codes->len &&
      g_strcmp0 (anx_store_item_get_string (item, "station_code"),
                 g_ptr_array_index (self->station_codes, station)) != 0)
    return FALSE;

  if (text == NULL || *text == '\0')
    return TRUE;

  needle = g_utf8_casefold (text, -1);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value = anx_store_item_get_string (item, fields[i]);
      g_autofree char *folded = value != NULL ? g_utf8_casefold (value, -1) : NULL;

      if (folded != NULL && strstr (folded, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
anx_sessions_page_update_count (AnxSessionsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  g_autofree char *text = NULL;

  /* Translators: the number of sessions shown */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u session", "%u sessions", n), n);
  gtk_label_set_label (self->count_label, text);
}

static void
on_search_changed (AnxSessionsPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Fills a drop-down with "All …" and the rows of a two-column query (id,
 * name), keeping the selected id if it is still there. */
static void
fill_dropdown (AnxSessionsPage *self,
               GtkDropDown     *dropdown,
               GPtrArray       *ids,
               const char      *all,
               const char      *sql,
               const char      *parameter)
{
  GtkStringList *names = GTK_STRING_LIST (gtk_drop_down_get_model (dropdown));
  guint selected = gtk_drop_down_get_selected (dropdown);
  g_autofree char *kept = NULL;
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = self->store != NULL ? anx_store_get_read_db (self->store) : NULL;
  sqlite3_stmt *stmt = NULL;
  guint reselect = 0;

  if (selected > 0 && selected < ids->len)
    kept = g_strdup (g_ptr_array_index (ids, selected));
  g_ptr_array_set_size (ids, 1);
  g_ptr_array_add (strings, g_strdup (all));
  if (db != NULL && sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      if (parameter != NULL)
        sqlite3_bind_text (stmt, 1, parameter, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);

          if (g_strcmp0 (id, kept) == 0)
            reselect = ids->len;
          g_ptr_array_add (ids, g_strdup (id));
          g_ptr_array_add (strings, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
        }
      sqlite3_finalize (stmt);
    }
  g_ptr_array_add (strings, NULL);

  g_signal_handlers_block_by_func (dropdown, on_search_changed, self);
  gtk_string_list_splice (names, 0, g_list_model_get_n_items (G_LIST_MODEL (names)),
                          (const char *const *) strings->pdata);
  gtk_drop_down_set_selected (dropdown, reselect);
  g_signal_handlers_unblock_by_func (dropdown, on_search_changed, self);
}

static void
anx_sessions_page_fill_stations (AnxSessionsPage *self)
{
  guint operator = gtk_drop_down_get_selected (self->operator_dropdown);
  const char *operator_id = operator > 0 && operator < self->operator_ids->len
                              ? g_ptr_array_index (self->operator_ids, operator)
                              : NULL;

  fill_dropdown (self, self->station_dropdown, self->station_codes, _("All stations"),
                 operator_id != NULL
                   ? "SELECT code, name FROM stations WHERE operator_id = CAST(?1 AS INTEGER) "
                     "ORDER BY name"
                   : "SELECT code, name FROM stations ORDER BY name",
                 operator_id);
}

static void
on_operator_selected (AnxSessionsPage *self)
{
  anx_sessions_page_fill_stations (self);
  on_search_changed (self);
}

static void
anx_sessions_page_fill_filters (AnxSessionsPage *self)
{
  g_signal_handlers_block_by_func (self->operator_dropdown, on_operator_selected, self);
  fill_dropdown (self, self->operator_dropdown, self->operator_ids, _("All operators"),
                 "SELECT CAST(id AS TEXT), name FROM operators ORDER BY name", NULL);
  g_signal_handlers_unblock_by_func (self->operator_dropdown, on_operator_selected, self);
  anx_sessions_page_fill_stations (self);
  on_search_changed (self);
}

static void
on_store_changed (AnxSessionsPage *self,
                  AnxStoreChanges  changes)
{
  if (changes & ANX_STORE_CHANGED_REGISTRY)
    anx_sessions_page_fill_filters (self);
}

/* Live updates replace the rows that changed: select the same session again. */
/* The rows' keys in their order, as one string. */
static char *
rows_keys (AnxSessionsPage *self)
{
  GListModel *rows = G_LIST_MODEL (self->sorted);
  guint n = g_list_model_get_n_items (rows);
  GString *keys = g_string_sized_new (32 * n + 1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (rows, i);

      g_string_append (keys, anx_store_item_get_key (item));
      g_string_append_c (keys, '\n');
    }
  return g_string_free (keys, FALSE);
}

/* Before the view hears of the change: where it is scrolled to. */
static void
on_rows_changing (AnxSessionsPage *self)
{
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));

  self->updating = TRUE;
  self->scrolled_to = vadjustment != NULL ? gtk_adjustment_get_value (vadjustment) : 0;
}

/* After: an update that changed the rows' numbers only (every running
 * session's power and energy, each second) leaves the officer where they
 * were. The view replaces each changed row, and with all of them replaced
 * it may settle a row or two away. */
static void
keep_scroll_position (AnxSessionsPage *self)
{
  g_autofree char *keys = rows_keys (self);
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));

  if (vadjustment != NULL && g_strcmp0 (keys, self->row_keys) == 0 &&
      gtk_adjustment_get_value (vadjustment) != self->scrolled_to)
    gtk_adjustment_set_value (vadjustment, self->scrolled_to);
  g_free (self->row_keys);
  self->row_keys = g_steal_pointer (&keys);
}

static void
on_rows_changed (AnxSessionsPage *self)
{
  guint n;

  self->updating = FALSE;
  keep_scroll_position (self);
  if (self->selected_key == NULL)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

      if (g_strcmp0 (anx_store_item_get_key (item), self->selected_key) == 0)
        {
          if (gtk_single_selection_get_selected (self->selection) != i)
            gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }
}

static void
on_selected_changed (AnxSessionsPage *self)
{
  AnxStoreItem *item = gtk_single_selection_get_selected_item (self->selection);

  /* Unselected by a live update, not by the officer: keep the key. */
  if (item == NULL)
    {
      if (!self->updating)
        g_clear_pointer (&self->selected_key, g_free);
      return;
    }
  g_free (self->selected_key);
  self->selected_key = g_strdup (anx_store_item_get_key (item));
}

static void
on_activate (AnxSessionsPage *self,
             guint            position)
{
  g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (item != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-charger", "s",
                                anx_store_item_get_string (item, "charger_code"));
}

static void
add_column (AnxSessionsPage *self,
            Column           column,
            const char      *title,
            gboolean         expand,
            int              fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;
  g_autoptr(GtkSorter) sorter = NULL;

  g_object_set_data (G_OBJECT (factory), "column", GINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), self);

  view_column = gtk_column_view_column_new (title, factory);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_items, GINT_TO_POINTER (column), NULL));
  gtk_column_view_column_set_sorter (view_column, sorter);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
}

static void
anx_sessions_page_dispose (GObject *object)
{
  AnxSessionsPage *self = ANX_SESSIONS_PAGE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  /* AdwBin unparents its child itself: let go of it before the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_SESSIONS_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->sessions);

  G_OBJECT_CLASS (anx_sessions_page_parent_class)->dispose (object);
}

static void
anx_sessions_page_finalize (GObject *object)
{
  AnxSessionsPage *self = ANX_SESSIONS_PAGE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_object (&self->display_zone);
  g_clear_pointer (&self->row_keys, g_free);
  g_clear_pointer (&self->times, g_hash_table_unref);
  g_clear_pointer (&self->selected_key, g_free);
  g_clear_pointer (&self->durations, g_hash_table_unref);
  g_clear_pointer (&self->operator_ids, g_ptr_array_unref);
  g_clear_pointer (&self->station_codes, g_ptr_array_unref);

  G_OBJECT_CLASS (anx_sessions_page_parent_class)->finalize (object);
}

static void
anx_sessions_page_class_init (AnxSessionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_sessions_page_dispose;
  object_class->finalize = anx_sessions_page_finalize;
  widget_class->map = anx_sessions_page_map;
  widget_class->unmap = anx_sessions_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/anx-sessions-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxSessionsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AnxSessionsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, AnxSessionsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, AnxSessionsPage, operator_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AnxSessionsPage, station_dropdown);
}

static void
anx_sessions_page_init (AnxSessionsPage *self)
{
  g_autoptr(GtkExpression) expression = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->durations = g_hash_table_new (NULL, NULL);
  self->operator_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->operator_ids, g_strdup (""));
  self->station_codes = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->station_codes, g_strdup (""));
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  gtk_drop_down_set_expression (self->operator_dropdown, expression);
  gtk_drop_down_set_expression (self->station_dropdown, expression);

  /* The configured zone (the stations' own, Asia/Shanghai, by default). */
  self->times = g_hash_table_new (NULL, NULL);
  self->display_zone = anx_display_zone_dup_default ();
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  g_signal_connect_object (self->display_zone, "changed", G_CALLBACK (on_zone_changed), self,
                           G_CONNECT_SWAPPED);

  add_column (self, COLUMN_CHARGER, _("Charger"), FALSE, 170);
  add_column (self, COLUMN_STATION, _("Station"), TRUE, -1);
  add_column (self, COLUMN_OPERATOR, _("Operator"), TRUE, -1);
  add_column (self, COLUMN_START, _("Started"), FALSE, 170);
  add_column (self, COLUMN_DURATION, _("Duration"), FALSE, 90);
  add_column (self, COLUMN_POWER, _("Power (kW)"), FALSE, 100);
  add_column (self, COLUMN_ENERGY, _("Energy (kWh)"), FALSE, 110);
  add_column (self, COLUMN_AMOUNT, _("Billed so far"), FALSE, 110);

  self->filter = gtk_custom_filter_new (filter_item, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (g_object_ref (self->filter)));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->filtered)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  /* Before the selection model hears of a change, and after. */
  g_signal_connect_swapped (self->sorted, "items-changed", G_CALLBACK (on_rows_changing), self);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_selected_changed),
                            self);
  g_signal_connect_swapped (self->sorted, "items-changed", G_CALLBACK (on_rows_changed), self);
  g_signal_connect_swapped (self->column_view, "activate", G_CALLBACK (on_activate), self);

  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed),
                            self);
  g_signal_connect_swapped (self->operator_dropdown, "notify::selected",
                            G_CALLBACK (on_operator_selected), self);
  g_signal_connect_swapped (self->station_dropdown, "notify::selected",
                            G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->sorted, "items-changed",
                            G_CALLBACK (anx_sessions_page_update_count), self);
  anx_sessions_page_update_count (self);
}

/**
 * anx_sessions_page_set_store:
 * @store: (nullable): the console's store
 *
 * Lists the store's live sessions, and follows them.
 */
void
anx_sessions_page_set_store (AnxSessionsPage *self,
                             AnxStore        *store)
{
  g_return_if_fail (ANX_IS_SESSIONS_PAGE (self));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  g_set_object (&self->store, store);
  g_clear_object (&self->sessions);
  if (store != NULL)
    {
      self->sessions = anx_query_model_new (store, sessions_sql,
                                            ANX_STORE_CHANGED_SESSIONS | ANX_STORE_CHANGED_REGISTRY);
      self->store_changed_id = g_signal_connect_swapped (store, "changed",
                                                         G_CALLBACK (on_store_changed), self);
    }
  anx_sessions_page_fill_filters (self);
  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (self->sessions));
}

/**
 * anx_sessions_page_get_rows:
 *
 * Returns: (transfer none): the rows the table shows, filtered and sorted
 */
GListModel *
anx_sessions_page_get_rows (AnxSessionsPage *self)
{
  g_return_val_if_fail (ANX_IS_SESSIONS_PAGE (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

/**
 * anx_sessions_page_get_selected_key:
 *
 * Returns: (nullable): the key of the session selected
 */
const char *
anx_sessions_page_get_selected_key (AnxSessionsPage *self)
{
  AnxStoreItem *item;

  g_return_val_if_fail (ANX_IS_SESSIONS_PAGE (self), NULL);

  item = gtk_single_selection_get_selected_item (self->selection);
  return item != NULL ? anx_store_item_get_key (item) : NULL;
}

/**
 * anx_sessions_page_get_n_ticking:
 *
 * Returns: how many duration cells the page's timer updates
 */
guint
anx_sessions_page_get_n_ticking (AnxSessionsPage *self)
{
  g_return_val_if_fail (ANX_IS_SESSIONS_PAGE (self), 0);

  return g_hash_table_size (self->durations);
}
