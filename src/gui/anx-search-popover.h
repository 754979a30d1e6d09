/* anx-search-popover.h: the header bar's search and its results
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_SEARCH_POPOVER (anx_search_popover_get_type ())

G_DECLARE_FINAL_TYPE (AnxSearchPopover, anx_search_popover, ANX, SEARCH_POPOVER, GtkPopover)

void        anx_search_popover_set_store     (AnxSearchPopover *self,
                                              AnxStore         *store);
void        anx_search_popover_set_query     (AnxSearchPopover *self,
                                              const char       *query);
GtkListBox *anx_search_popover_get_results   (AnxSearchPopover *self);
guint       anx_search_popover_get_n_results (AnxSearchPopover *self);
GtkWidget  *anx_search_popover_get_entry     (AnxSearchPopover *self);

G_END_DECLS
