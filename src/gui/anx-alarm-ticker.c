/* anx-alarm-ticker.c: the newest open alarms, newest first, for the wall display
 *
 * Follows a list model of alarms sorted newest first (the store's
 * anx_query_model_new_alarms()) and shows its first rows as one line each:
 * the time it was raised (Asia/Shanghai), the severity, what it is and the
 * charger. Only critical and warning rows are coloured.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-alarm-ticker"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-alarm-rules.h"
#include "anx-alarm-ticker.h"
#include "anx-store-item.h"

#define DEFAULT_MAX_ROWS 6

struct _AnxAlarmTicker
{
  GtkWidget   parent_instance;

  GListModel *alarms;
  guint       max_rows;
  guint       update_id;
  GTimeZone  *zone;

  GtkWidget  *empty;
  GPtrArray  *rows; /* GtkLabel, in order */
};

G_DEFINE_FINAL_TYPE (AnxAlarmTicker, anx_alarm_ticker, GTK_TYPE_WIDGET)

static const char *
severity_title (const char *severity)
{
  if (g_strcmp0 (severity, "critical") == 0)
    return C_("alarm severity", "Critical");
  if (g_strcmp0 (severity, "warning") == 0)
    return C_("alarm severity", "Warning");
  return C_("alarm severity", "Notice");
}

static char *
format_row (AnxAlarmTicker *self,
            AnxStoreItem   *item)
{
  g_autoptr(GDateTime) raised = NULL;
  g_autofree char *time = NULL;
  const char *kind = anx_store_item_get_string (item, "kind");

  raised = g_date_time_new_from_unix_utc (anx_store_item_get_int (item, "raised_at_us") / G_USEC_PER_SEC);
  if (raised != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_timezone (raised, self->zone);

      time = g_date_time_format (local, "%X");
    }
  /* Translators: an alarm in the wall display's ticker: time, severity,
   * what it is, the charger's code */
  return g_strdup_printf (_("%1$s  %2$s  %3$s · %4$s"), time != NULL ? time : "",
                          severity_title (anx_store_item_get_string (item, "severity")),
                          kind != NULL ? anx_alarm_kind_get_title (kind) : "",
                          anx_store_item_get_string (item, "charger_code") ?: "");
}

static void
anx_alarm_ticker_update (AnxAlarmTicker *self)
{
  guint n = self->alarms != NULL ? g_list_model_get_n_items (self->alarms) : 0;

  n = MIN (n, self->max_rows);
  while (self->rows->len > n)
    {
      gtk_widget_unparent (g_ptr_array_index (self->rows, self->rows->len - 1));
      g_ptr_array_set_size (self->rows, self->rows->len - 1);
    }
  while (self->rows->len < n)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (label, "wall-ticker-row");
      gtk_widget_set_parent (label, GTK_WIDGET (self));
      g_ptr_array_add (self->rows, label);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (self->alarms, i);
      GtkWidget *label = g_ptr_array_index (self->rows, i);
      g_autofree char *text = format_row (self, item);
      const char *severity = anx_store_item_get_string (item, "severity");

      if (g_strcmp0 (text, gtk_label_get_label (GTK_LABEL (label))) != 0)
        gtk_label_set_label (GTK_LABEL (label), text);
      if (g_strcmp0 (severity, "critical") == 0)
        gtk_widget_add_css_class (label, "wall-critical");
      else
        gtk_widget_remove_css_class (label, "wall-critical");
      if (g_strcmp0 (severity, "warning") == 0)
        gtk_widget_add_css_class (label, "wall-warning");
      else
        gtk_widget_remove_css_class (label, "wall-warning");
    }
  gtk_widget_set_visible (self->empty, n == 0);
}

static gboolean
on_update_idle (gpointer user_data)
{
  AnxAlarmTicker *self = user_data;

  self->update_id = 0;
  anx_alarm_ticker_update (self);
  return G_SOURCE_REMOVE;
}

static void
on_items_changed (AnxAlarmTicker *self)
{
  if (self->update_id == 0)
    self->update_id = g_idle_add (on_update_idle, self);
}

static void
anx_alarm_ticker_dispose (GObject *object)
{
  AnxAlarmTicker *self = ANX_ALARM_TICKER (object);

  g_clear_handle_id (&self->update_id, g_source_remove);
  anx_alarm_ticker_set_model (self, NULL);
  for (guint i = 0; i < self->rows->len; i++)
    gtk_widget_unparent (g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  g_clear_pointer (&self->empty, gtk_widget_unparent);

  G_OBJECT_CLASS (anx_alarm_ticker_parent_class)->dispose (object);
}

static void
anx_alarm_ticker_finalize (GObject *object)
{
  AnxAlarmTicker *self = ANX_ALARM_TICKER (object);

  g_ptr_array_unref (self->rows);
  g_time_zone_unref (self->zone);

  G_OBJECT_CLASS (anx_alarm_ticker_parent_class)->finalize (object);
}

static void
anx_alarm_ticker_class_init (AnxAlarmTickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_alarm_ticker_dispose;
  object_class->finalize = anx_alarm_ticker_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "alarmticker");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LIST);
}

static void
anx_alarm_ticker_init (AnxAlarmTicker *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  self->max_rows = DEFAULT_MAX_ROWS;
  self->rows = g_ptr_array_new ();
  self->zone = g_time_zone_new_identifier ("Asia/Shanghai");
  if (self->zone == NULL)
    self->zone = g_time_zone_new_offset (8 * 3600);

  self->empty = gtk_label_new (_("No open alarms"));
  gtk_label_set_xalign (GTK_LABEL (self->empty), 0);
  gtk_widget_add_css_class (self->empty, "wall-ticker-row");
  gtk_widget_add_css_class (self->empty, "dim-label");
  gtk_widget_set_parent (self->empty, GTK_WIDGET (self));
}

/**
 * anx_alarm_ticker_new:
 *
 * Returns: (transfer floating): a new, empty ticker
 */
GtkWidget *
anx_alarm_ticker_new (void)
{
  return g_object_new (ANX_TYPE_ALARM_TICKER, NULL);
}

/**
 * anx_alarm_ticker_set_model:
 * @alarms: (nullable): alarms, newest first, as #AnxStoreItem
 */
void
anx_alarm_ticker_set_model (AnxAlarmTicker *self,
                            GListModel     *alarms)
{
  g_return_if_fail (ANX_IS_ALARM_TICKER (self));

  if (self->alarms == alarms)
    return;
  if (self->alarms != NULL)
    g_signal_handlers_disconnect_by_data (self->alarms, self);
  g_set_object (&self->alarms, alarms);
  if (alarms != NULL)
    g_signal_connect_swapped (alarms, "items-changed", G_CALLBACK (on_items_changed), self);
  if (self->rows != NULL && self->empty != NULL)
    anx_alarm_ticker_update (self);
}

/**
 * anx_alarm_ticker_set_max_rows:
 * @max_rows: how many alarms to show at most
 */
void
anx_alarm_ticker_set_max_rows (AnxAlarmTicker *self,
                               guint           max_rows)
{
  g_return_if_fail (ANX_IS_ALARM_TICKER (self));

  if (self->max_rows == max_rows)
    return;
  self->max_rows = max_rows;
  anx_alarm_ticker_update (self);
}

/**
 * anx_alarm_ticker_get_n_rows:
 *
 * Returns: the number of alarms shown
 */
guint
anx_alarm_ticker_get_n_rows (AnxAlarmTicker *self)
{
  g_return_val_if_fail (ANX_IS_ALARM_TICKER (self), 0);

  return self->rows->len;
}

/**
 * anx_alarm_ticker_get_row_text:
 * @index: a row, 0 for the newest
 *
 * Returns: the row's text
 */
const char *
anx_alarm_ticker_get_row_text (AnxAlarmTicker *self,
                               guint           index)
{
  g_return_val_if_fail (ANX_IS_ALARM_TICKER (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  return gtk_label_get_label (GTK_LABEL (g_ptr_array_index (self->rows, index)));
}
