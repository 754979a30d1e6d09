/* anx-query-model.h: a list model of store rows that follows the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "anx-store-item.h"
#include "anx-store.h"

G_BEGIN_DECLS

typedef gboolean (*AnxStoreItemFilterFunc) (AnxStoreItem *item,
                                            gpointer      user_data);

#define ANX_TYPE_QUERY_MODEL (anx_query_model_get_type ())

G_DECLARE_FINAL_TYPE (AnxQueryModel, anx_query_model, ANX, QUERY_MODEL, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxQueryModel *anx_query_model_new              (AnxStore              *store,
                                                 const char            *sql,
                                                 AnxStoreChanges        follows);
AnxQueryModel *anx_query_model_new_stations     (AnxStore              *store);
AnxQueryModel *anx_query_model_new_chargers     (AnxStore              *store);
AnxQueryModel *anx_query_model_new_sessions     (AnxStore              *store);
AnxQueryModel *anx_query_model_new_alarms       (AnxStore              *store,
                                                 gboolean               active_only);
AnxQueryModel *anx_query_model_new_inspections  (AnxStore              *store);
AnxQueryModel *anx_query_model_new_outbox       (AnxStore              *store);

void           anx_query_model_set_filter_func  (AnxQueryModel         *self,
                                                 AnxStoreItemFilterFunc func,
                                                 gpointer               user_data,
                                                 GDestroyNotify         destroy);
void           anx_query_model_set_sort_func    (AnxQueryModel         *self,
                                                 GCompareDataFunc       func,
                                                 gpointer               user_data,
                                                 GDestroyNotify         destroy);
void           anx_query_model_set_min_interval (AnxQueryModel         *self,
                                                 guint                  ms);
void           anx_query_model_reload           (AnxQueryModel         *self);
AnxStoreItem  *anx_query_model_find             (AnxQueryModel         *self,
                                                 const char            *key,
                                                 guint                 *position);
guint          anx_query_model_get_n_reloads    (AnxQueryModel         *self);
/* clang-format on */

G_END_DECLS
