/* anx-sessions-page.c: the live charging sessions as a sortable, searchable table
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-sessions-page"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-query-model.h"
#include "anx-sessions-page.h"

struct _AnxSessionsPage
{
  AdwBin              parent_instance;

  AnxStore           *store;
  AnxQueryModel      *sessions;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkCustomFilter    *filter;
  GTimeZone          *zone;

  /* Template widgets */
  GtkSearchEntry     *search_entry;
  GtkLabel           *count_label;
  GtkColumnView      *column_view;
};

G_DEFINE_FINAL_TYPE (AnxSessionsPage, anx_sessions_page, ADW_TYPE_BIN)

/* The sessions with where they run and who runs them. */
static const char sessions_sql[] =
  "SELECT s.charger_code || '/' || s.session_id, s.charger_code, s.session_id, s.started_us, "
  "s.power_w, s.energy_wh, s.amount_fen, s.updated_us, st.name AS station_name, "
  "st.code AS station_code, o.name AS operator_name FROM sessions s "
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
        /* As of the session's last report, so that it is never a guess. */
        gint64 seconds = (anx_store_item_get_int (item, "updated_us") -
                          anx_store_item_get_int (item, "started_us")) / G_USEC_PER_SEC;

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
  g_autofree char *text = format_cell (self, gtk_list_item_get_item (list_item), column);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)), text);
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
  g_autofree char *needle = NULL;

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

  /* AdwBin unparents its child itself: let go of it before the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_SESSIONS_PAGE);
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

  G_OBJECT_CLASS (anx_sessions_page_parent_class)->finalize (object);
}

static void
anx_sessions_page_class_init (AnxSessionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_sessions_page_dispose;
  object_class->finalize = anx_sessions_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/anx-sessions-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxSessionsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AnxSessionsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, AnxSessionsPage, column_view);
}

static void
anx_sessions_page_init (AnxSessionsPage *self)
{
  GtkSelectionModel *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Stations are in Hangzhou: their local time, whatever the desk's zone. */
  self->zone = g_time_zone_new_identifier ("Asia/Shanghai");
  if (self->zone == NULL)
    self->zone = g_time_zone_new_offset (8 * 3600);

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
  selection = GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted))));
  gtk_single_selection_set_autoselect (GTK_SINGLE_SELECTION (selection), FALSE);
  gtk_column_view_set_model (self->column_view, selection);
  g_object_unref (selection);

  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed),
                            self);
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

  g_set_object (&self->store, store);
  g_clear_object (&self->sessions);
  if (store != NULL)
    self->sessions = anx_query_model_new (store, sessions_sql,
                                          ANX_STORE_CHANGED_SESSIONS | ANX_STORE_CHANGED_REGISTRY);
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
