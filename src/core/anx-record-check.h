/* anx-record-check.h: one stored chain record, checked again from raw data
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "anx-chain-record.h"
#include "anx-chain-verifier.h"
#include "anx-ocmf.h"

G_BEGIN_DECLS

typedef struct
{
  AnxChainRecord *record;
  AnxOcmf        *ocmf;        /* NULL for other kinds or malformed data */
  GError         *ocmf_error;  /* why there is no OCMF for a charge record */
  char           *json;        /* the record as stored */
  GPtrArray      *findings;    /* of AnxFinding, from the core verifier */
  AnxChainChecks  performed;
  char           *key_fingerprint; /* of the key checked against, hex */
  char           *accuracy_class;
  guint           tolerance_bp;
  gboolean        has_energy;
  double          metered_wh;
  gint64          billed_wh;
} AnxRecordCheck;

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxRecordCheck *anx_record_check_run             (sqlite3        *db,
                                                  const char     *charger_code,
                                                  gint64          sequence,
                                                  const char     *hash_hex,
                                                  GError        **error);
void            anx_record_check_free            (AnxRecordCheck *check);
gboolean        anx_record_check_has_finding     (AnxRecordCheck *check,
                                                  const char     *code);
double          anx_record_check_get_deviation   (AnxRecordCheck *check);
gboolean        anx_record_check_energy_outside  (AnxRecordCheck *check);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxRecordCheck, anx_record_check_free)

G_END_DECLS
