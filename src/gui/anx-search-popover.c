/* anx-search-popover.c: the header bar's search and its results
 *
 * A GtkSearchEntry over a list of what anx-search finds in the store, each
 * row saying what it is (charger, station, meter, operator) and where.
 * Focus stays in the entry: Down and Up move through the results, Enter
 * opens the selected one (the first by default), Escape closes. Opening goes
 * through the window's actions: win.show-charger for a charger or a meter's
 * charger, win.show-station for a station, and for an operator the map
 * (win.show-view) filtered to it through win.filter-operator where the map
 * offers that.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-search-popover"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "anx-search-popover.h"
#include "anx-search.h"

#define KIND_KEY   "anx-search-kind"
#define TARGET_KEY "anx-search-target"

struct _AnxSearchPopover
{
  GtkPopover  parent_instance;

  AnxStore   *store;
  guint       n_results;

  /* Template widgets */
  GtkSearchEntry *entry;
  GtkLabel       *status_label;
  GtkWidget      *scroller;
  GtkListBox     *results;
};

G_DEFINE_FINAL_TYPE (AnxSearchPopover, anx_search_popover, GTK_TYPE_POPOVER)

static const char *
kind_icon (AnxSearchKind kind)
{
  switch (kind)
    {
    case ANX_SEARCH_KIND_CHARGER:
      return "battery-level-70-charging-symbolic";
    case ANX_SEARCH_KIND_STATION:
      return "mark-location-symbolic";
    case ANX_SEARCH_KIND_METER:
      return "emblem-documents-symbolic";
    case ANX_SEARCH_KIND_OPERATOR:
      return "system-users-symbolic";
    default:
      return "edit-find-symbolic";
    }
}

static const char *
kind_name (AnxSearchKind kind)
{
  switch (kind)
    {
    case ANX_SEARCH_KIND_CHARGER:
      return C_("search result", "Charger");
    case ANX_SEARCH_KIND_STATION:
      return C_("search result", "Station");
    case ANX_SEARCH_KIND_METER:
      return C_("search result", "Meter");
    case ANX_SEARCH_KIND_OPERATOR:
      return C_("search result", "Operator");
    default:
      return "";
    }
}

static GtkWidget *
create_row (const AnxSearchResult *result)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (kind_icon (result->kind));
  g_autofree char *title = g_markup_escape_text (result->title, -1);
  g_autofree char *context = g_markup_escape_text (result->context, -1);
  g_autofree char *subtitle = NULL;

  /* Translators: a search result's subtitle: its kind, then where it is,
   * e.g. "Station · 330106-0042 · 西湖区 · 国网浙江" */
  subtitle = g_strdup_printf (C_("search result", "%1$s · %2$s"), kind_name (result->kind),
                              context);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  kind_name (result->kind), -1);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data (G_OBJECT (row), KIND_KEY, GINT_TO_POINTER (result->kind));
  g_object_set_data_full (G_OBJECT (row), TARGET_KEY, g_strdup (result->target), g_free);

  return row;
}

static void
anx_search_popover_show_status (AnxSearchPopover *self,
                                const char       *status)
{
  gtk_label_set_label (self->status_label, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
  gtk_widget_set_visible (self->scroller, status == NULL);
}

static void
anx_search_popover_run (AnxSearchPopover *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results))) != NULL)
    gtk_list_box_remove (self->results, child);
  self->n_results = 0;

  if (self->store == NULL)
    {
      anx_search_popover_show_status (self, _("Nothing to search yet: connect to a feed first."));
      return;
    }

  found = anx_search_run (anx_store_get_read_db (self->store), query, 0, &error);
  if (found == NULL)
    {
      g_message ("Search failed: %s", error->message);
      anx_search_popover_show_status (self, _("The search failed. Try again."));
      return;
    }

  for (guint i = 0; i < found->len; i++)
    gtk_list_box_append (self->results, create_row (g_ptr_array_index (found, i)));
  self->n_results = found->len;

  if (found->len > 0)
    {
      anx_search_popover_show_status (self, NULL);
      gtk_list_box_select_row (self->results, gtk_list_box_get_row_at_index (self->results, 0));
    }
  else
    {
      g_autofree char *stripped = g_strstrip (g_strdup (query));

      anx_search_popover_show_status (self, *stripped == '\0'
                                              ? _("Type a charger code, a station's name, a "
                                                  "meter serial or an operator.")
                                              : _("No charger, station, meter or operator "
                                                  "matches."));
    }
}

static void
anx_search_popover_open_row (AnxSearchPopover *self,
                             GtkListBoxRow    *row)
{
  AnxSearchKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), KIND_KEY));
  g_autofree char *target = g_strdup (g_object_get_data (G_OBJECT (row), TARGET_KEY));
  GtkWidget *widget = GTK_WIDGET (self);

  if (target == NULL)
    return;

  /* Closed first: the actions may move the focus elsewhere. */
  gtk_popover_popdown (GTK_POPOVER (self));

  switch (kind)
    {
    case ANX_SEARCH_KIND_CHARGER:
    case ANX_SEARCH_KIND_METER:
      if (!gtk_widget_activate_action (widget, "win.show-charger", "s", target))
        g_message ("No win.show-charger action to open %s", target);
      break;

    case ANX_SEARCH_KIND_STATION:
      gtk_widget_activate_action (widget, "win.show-view", "s", "map");
      if (!gtk_widget_activate_action (widget, "win.show-station", "s", target))
        g_message ("No win.show-station action to open station %s", target);
      break;

    case ANX_SEARCH_KIND_OPERATOR:
      gtk_widget_activate_action (widget, "win.show-view", "s", "map");
      /* The map shows only that operator's stations. */
      gtk_widget_activate_action (widget, "win.filter-operator", "s", target);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
on_row_activated (AnxSearchPopover *self,
                  GtkListBoxRow    *row)
{
  anx_search_popover_open_row (self, row);
}

static void
on_entry_activate (AnxSearchPopover *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->results);

  if (row == NULL)
    row = gtk_list_box_get_row_at_index (self->results, 0);
  if (row != NULL)
    anx_search_popover_open_row (self, row);
}

static void
on_search_changed (AnxSearchPopover *self)
{
  anx_search_popover_run (self);
}

static void
on_stop_search (AnxSearchPopover *self)
{
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
on_show (AnxSearchPopover *self)
{
  /* The store may have changed since: search again. */
  anx_search_popover_run (self);
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
anx_search_popover_move (AnxSearchPopover *self,
                         int               delta)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->results);
  int index = row != NULL ? gtk_list_box_row_get_index (row) + delta : 0;
  GtkListBoxRow *next;

  if (self->n_results == 0)
    return;

  index = CLAMP (index, 0, (int) self->n_results - 1);
  next = gtk_list_box_get_row_at_index (self->results, index);
  gtk_list_box_select_row (self->results, next);
  /* Keep it in view without moving the focus out of the entry. */
  {
    GtkAdjustment *adjustment =
        gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
    graphene_rect_t bounds;

    if (gtk_widget_compute_bounds (GTK_WIDGET (next), GTK_WIDGET (self->results), &bounds))
      {
        double top = gtk_adjustment_get_value (adjustment);
        double page = gtk_adjustment_get_page_size (adjustment);

        if (bounds.origin.y < top)
          gtk_adjustment_set_value (adjustment, bounds.origin.y);
        else if (bounds.origin.y + bounds.size.height > top + page)
          gtk_adjustment_set_value (adjustment, bounds.origin.y + bounds.size.height - page);
      }
  }
}

static gboolean
on_entry_key_pressed (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      AnxSearchPopover      *self)
{
  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      anx_search_popover_move (self, 1);
      return GDK_EVENT_STOP;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      anx_search_popover_move (self, -1);
      return GDK_EVENT_STOP;

    case GDK_KEY_Page_Down:
      anx_search_popover_move (self, 5);
      return GDK_EVENT_STOP;

    case GDK_KEY_Page_Up:
      anx_search_popover_move (self, -5);
      return GDK_EVENT_STOP;

    default:
      return GDK_EVENT_PROPAGATE;
    }
}

static void
anx_search_popover_dispose (GObject *object)
{
  AnxSearchPopover *self = ANX_SEARCH_POPOVER (object);

  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_SEARCH_POPOVER);

  G_OBJECT_CLASS (anx_search_popover_parent_class)->dispose (object);
}

static void
anx_search_popover_class_init (AnxSearchPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_search_popover_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/anx-search-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxSearchPopover, entry);
  gtk_widget_class_bind_template_child (widget_class, AnxSearchPopover, status_label);
  gtk_widget_class_bind_template_child (widget_class, AnxSearchPopover, scroller);
  gtk_widget_class_bind_template_child (widget_class, AnxSearchPopover, results);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_show);
}

static void
anx_search_popover_init (AnxSearchPopover *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Capture phase: before the entry's own handling of the arrows. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_entry_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);

  anx_search_popover_show_status (self, _("Type a charger code, a station's name, a meter "
                                          "serial or an operator."));
}

/**
 * anx_search_popover_set_store:
 * @store: (nullable): the store to search
 */
void
anx_search_popover_set_store (AnxSearchPopover *self,
                              AnxStore         *store)
{
  g_return_if_fail (ANX_IS_SEARCH_POPOVER (self));

  if (g_set_object (&self->store, store))
    anx_search_popover_run (self);
}

/**
 * anx_search_popover_set_query:
 * @query: what to search for, as if typed
 *
 * Sets the entry's text and searches at once (without the entry's delay).
 */
void
anx_search_popover_set_query (AnxSearchPopover *self,
                              const char       *query)
{
  g_return_if_fail (ANX_IS_SEARCH_POPOVER (self));

  gtk_editable_set_text (GTK_EDITABLE (self->entry), query != NULL ? query : "");
  anx_search_popover_run (self);
}

/**
 * anx_search_popover_get_results:
 *
 * Returns: (transfer none): the list of results
 */
GtkListBox *
anx_search_popover_get_results (AnxSearchPopover *self)
{
  g_return_val_if_fail (ANX_IS_SEARCH_POPOVER (self), NULL);

  return self->results;
}

/**
 * anx_search_popover_get_n_results:
 *
 * Returns: how many results are shown
 */
guint
anx_search_popover_get_n_results (AnxSearchPopover *self)
{
  g_return_val_if_fail (ANX_IS_SEARCH_POPOVER (self), 0);

  return self->n_results;
}

/**
 * anx_search_popover_get_entry:
 *
 * Returns: (transfer none): the search entry
 */
GtkWidget *
anx_search_popover_get_entry (AnxSearchPopover *self)
{
  g_return_val_if_fail (ANX_IS_SEARCH_POPOVER (self), NULL);

  return GTK_WIDGET (self->entry);
}
