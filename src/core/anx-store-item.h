/* anx-store-item.h: one row of the store, as an item of a list model
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define ANX_TYPE_STORE_ITEM (anx_store_item_get_type ())

G_DECLARE_FINAL_TYPE (AnxStoreItem, anx_store_item, ANX, STORE_ITEM, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxStoreItem *anx_store_item_new          (const char   *key,
                                           GVariant     *row);
AnxStoreItem *anx_store_item_new_from_statement
                                          (sqlite3_stmt *stmt);
const char   *anx_store_item_get_key      (AnxStoreItem *self);
GVariant     *anx_store_item_get_row      (AnxStoreItem *self);
gboolean      anx_store_item_equal_row    (AnxStoreItem *self,
                                           GVariant     *row);
gboolean      anx_store_item_equal        (AnxStoreItem *self,
                                           AnxStoreItem *other);
const char   *anx_store_item_get_string   (AnxStoreItem *self,
                                           const char   *column);
gint64        anx_store_item_get_int      (AnxStoreItem *self,
                                           const char   *column);
double        anx_store_item_get_double   (AnxStoreItem *self,
                                           const char   *column);
/* clang-format on */

G_END_DECLS
