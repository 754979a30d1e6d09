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
#include "anx-query-model.h"

/* A critical alarm raised longer ago than this is history, not news: no toast
 * while the console catches up on the backlog. */
#define TOAST_MAX_AGE_US (5 * 60 * G_USEC_PER_SEC)

struct _AnxAlarmsPage
{
  AdwBin             parent_instance;

  AnxStore          *store;
  AnxOutbox         *outbox;
  AnxQueryModel     *alarms;
  GtkSortListModel  *sorted;
  GtkMultiSelection *selection;
  GTimeZone         *zone;
  GHashTable        *seen;     /* keys of the alarms already shown */
  gboolean           loaded;

  /* Template widgets */
  GtkLabel          *count_label;
  GtkColumnView     *column_view;
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

static char *
station_name (AnxAlarmsPage *self,
              const char    *charger_code)
{
  sqlite3 *db = anx_store_get_read_db (self->store);
  sqlite3_stmt *stmt = NULL;
  char *name = NULL;

  if (db == NULL || sqlite3_prepare_v2 (db,
                                        "SELECT s.name FROM chargers c JOIN stations s ON "
                                        "s.id = c.station_id WHERE c.code = ?",
                                        -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return name;
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
      return station_name (self, anx_store_item_get_string (item, "charger_code"));

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

static void
anx_alarms_page_update (AnxAlarmsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  gboolean can_acknowledge = FALSE;
  g_autofree char *text = NULL;
  GtkBitsetIter iter;
  guint position;

  /* Translators: the number of open alarms */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u open alarm", "%u open alarms", n), n);
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
      adw_toast_set_action_name (toast, "win.show-alarms");
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
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
  /* AdwBin unparents its child itself: let go of it before the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_ALARMS_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
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
  g_clear_pointer (&self->seen, g_hash_table_unref);

  G_OBJECT_CLASS (anx_alarms_page_parent_class)->finalize (object);
}

static void
anx_alarms_page_class_init (AnxAlarmsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_alarms_page_dispose;
  object_class->finalize = anx_alarms_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/anx-alarms-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxAlarmsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, AnxAlarmsPage, column_view);

  gtk_widget_class_install_action (widget_class, "alarms.acknowledge", NULL, acknowledge_action);
}

static void
anx_alarms_page_init (AnxAlarmsPage *self)
{
  GtkCustomSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->zone = g_time_zone_new_identifier ("Asia/Shanghai");
  if (self->zone == NULL)
    self->zone = g_time_zone_new_offset (8 * 3600);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  add_column (self, COLUMN_SEVERITY, _("Severity"), FALSE, 100);
  add_column (self, COLUMN_ALARM, _("Alarm"), TRUE, -1);
  add_column (self, COLUMN_CHARGER, _("Charger"), FALSE, 170);
  add_column (self, COLUMN_STATION, _("Station"), FALSE, 220);
  add_column (self, COLUMN_RAISED, _("Raised"), FALSE, 170);
  add_column (self, COLUMN_STATE, _("State"), FALSE, 120);

  sorter = gtk_custom_sorter_new (compare_alarms, NULL, NULL);
  self->sorted = gtk_sort_list_model_new (NULL, GTK_SORTER (sorter));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  gtk_column_view_set_enable_rubberband (self->column_view, TRUE);

  g_signal_connect_swapped (self->sorted, "items-changed", G_CALLBACK (anx_alarms_page_update),
                            self);
  g_signal_connect_swapped (self->selection, "selection-changed",
                            G_CALLBACK (anx_alarms_page_update), self);
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
  g_set_object (&self->store, store);
  g_hash_table_remove_all (self->seen);
  self->loaded = FALSE;

  if (store != NULL)
    {
      self->alarms = anx_query_model_new_alarms (store, TRUE);
      g_signal_connect_swapped (self->alarms, "items-changed", G_CALLBACK (on_alarms_changed),
                                self);
      on_alarms_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->alarms)));
    }
  gtk_sort_list_model_set_model (self->sorted, G_LIST_MODEL (self->alarms));
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
