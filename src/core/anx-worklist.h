/* anx-worklist.h: the chargers an officer should visit, most urgent first
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Priorities, most urgent first. */
typedef enum
{
  ANX_WORKLIST_CRITICAL_ALARM = 1,
  ANX_WORKLIST_ALARM = 2,
  ANX_WORKLIST_ROTATION_OVERDUE = 3,
  ANX_WORKLIST_ROTATION_DUE = 4,
} AnxWorklistPriority;

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
gboolean    anx_worklist_resolve_origin (sqlite3     *db,
                                         const char  *origin,
                                         double      *latitude,
                                         double      *longitude);
GListStore *anx_worklist_load           (sqlite3     *db,
                                         GDateTime   *today,
                                         guint        rotation_days,
                                         gboolean     has_origin,
                                         double       latitude,
                                         double       longitude);
const char *anx_worklist_priority_title (AnxWorklistPriority priority);
GString    *anx_worklist_to_csv         (GListModel  *worklist);
GString    *anx_worklist_history_to_csv (GListModel  *inspections);
/* clang-format on */

G_END_DECLS
