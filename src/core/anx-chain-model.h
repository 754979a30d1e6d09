/* anx-chain-model.h: one charger's chain, newest first, paged from the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "anx-store-item.h"
#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_CHAIN_MODEL_PAGE 64

#define ANX_TYPE_CHAIN_MODEL (anx_chain_model_get_type ())

G_DECLARE_FINAL_TYPE (AnxChainModel, anx_chain_model, ANX, CHAIN_MODEL, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxChainModel *anx_chain_model_new             (AnxStore      *store,
                                                const char    *charger_code);
const char    *anx_chain_model_get_charger     (AnxChainModel *self);
char          *anx_chain_model_get_record_json (AnxChainModel *self,
                                                guint          position);
guint          anx_chain_model_get_n_loaded_pages (AnxChainModel *self);
guint          anx_chain_model_get_n_page_loads   (AnxChainModel *self);
gboolean       anx_chain_model_item_get_metered_wh (AnxStoreItem *item,
                                                    double       *wh);
/* clang-format on */

G_END_DECLS
