/* anx-chain-verifier.h: checks a charger's chain record by record
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "anx-key-cache.h"
#include "anx-chain-record.h"
#include "anx-charger-entry.h"
#include "anx-finding.h"

G_BEGIN_DECLS

/* Which checks anx_chain_verifier_add_full() could carry out for a record:
 * a check that was done and gave no finding passed; one that could not be
 * done (no stated hash, a gap before the record, no registered key, a first
 * record of a meter) is neither passed nor failed. */
typedef enum
{
  ANX_CHAIN_CHECK_HASH         = 1 << 0,
  ANX_CHAIN_CHECK_LINK         = 1 << 1,
  ANX_CHAIN_CHECK_SIGNATURE    = 1 << 2,
  ANX_CHAIN_CHECK_METER_STATUS = 1 << 3,
  ANX_CHAIN_CHECK_COUNTER      = 1 << 4,
  ANX_CHAIN_CHECK_REGISTER     = 1 << 5,
  ANX_CHAIN_CHECK_ENERGY       = 1 << 6,
  ANX_CHAIN_CHECK_AMOUNT       = 1 << 7,
  ANX_CHAIN_CHECK_REGISTRY     = 1 << 8,
} AnxChainChecks;

#define ANX_TYPE_CHAIN_VERIFIER (anx_chain_verifier_get_type ())

G_DECLARE_FINAL_TYPE (AnxChainVerifier, anx_chain_verifier, ANX, CHAIN_VERIFIER, GObject)

AnxChainVerifier *anx_chain_verifier_new               (AnxChargerEntry  *charger);
AnxChargerEntry  *anx_chain_verifier_get_charger       (AnxChainVerifier *self);
void              anx_chain_verifier_set_window        (AnxChainVerifier *self,
                                                        guint             window);
void              anx_chain_verifier_set_key_cache     (AnxChainVerifier *self,
                                                        AnxKeyCache      *cache);
void              anx_chain_verifier_start_at          (AnxChainVerifier *self,
                                                        guint64           sequence,
                                                        const guint8     *prev_hash);
void              anx_chain_verifier_seed              (AnxChainVerifier *self,
                                                        AnxChainRecord   *record);
GPtrArray        *anx_chain_verifier_add               (AnxChainVerifier *self,
                                                        AnxChainRecord   *record);
GPtrArray        *anx_chain_verifier_add_full          (AnxChainVerifier *self,
                                                        AnxChainRecord   *record,
                                                        AnxChainChecks   *performed);
GPtrArray        *anx_chain_verifier_finish            (AnxChainVerifier *self,
                                                        guint64           last_sequence);
guint64           anx_chain_verifier_get_next_sequence (AnxChainVerifier *self);
const guint8     *anx_chain_verifier_get_head_hash     (AnxChainVerifier *self);
guint             anx_chain_verifier_get_n_verified    (AnxChainVerifier *self);

G_END_DECLS
