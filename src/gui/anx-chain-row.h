/* anx-chain-row.h: one record of a charger's chain, as a list row
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "anx-store-item.h"

G_BEGIN_DECLS

#define ANX_TYPE_CHAIN_ROW (anx_chain_row_get_type ())

G_DECLARE_FINAL_TYPE (AnxChainRow, anx_chain_row, ANX, CHAIN_ROW, GtkWidget)

/* What the console's own verification says about one aspect of a record. */
typedef enum
{
  ANX_CHAIN_BADGE_NOT_CHECKED,
  ANX_CHAIN_BADGE_PASSED,
  ANX_CHAIN_BADGE_FAILED,
} AnxChainBadgeState;

typedef enum
{
  ANX_CHAIN_BADGE_HASH,
  ANX_CHAIN_BADGE_LINK,
  ANX_CHAIN_BADGE_SIGNATURE,
  ANX_CHAIN_BADGE_METER,
  ANX_CHAIN_BADGE_BILLING,
  ANX_CHAIN_N_BADGES,
} AnxChainBadge;

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GtkWidget          *anx_chain_row_new             (void);
void                anx_chain_row_set_item        (AnxChainRow  *self,
                                                   AnxStoreItem *item,
                                                   GTimeZone    *zone,
                                                   guint         tolerance_bp);
AnxChainBadgeState  anx_chain_row_badge_state     (guint         checks,
                                                   const char   *findings,
                                                   AnxChainBadge badge);
gboolean            anx_chain_row_is_break        (const char   *findings);
const char         *anx_chain_row_get_energy_text (AnxChainRow  *self);
gboolean            anx_chain_row_shows_mismatch  (AnxChainRow  *self);
gint64              anx_chain_row_get_sequence    (AnxChainRow  *self);
const char         *anx_chain_row_get_banner      (AnxChainRow  *self);
/* clang-format on */

G_END_DECLS
