/* anx-record-detail.h: one chain record, decoded and checked again
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_RECORD_DETAIL (anx_record_detail_get_type ())

G_DECLARE_FINAL_TYPE (AnxRecordDetail, anx_record_detail, ANX, RECORD_DETAIL, AdwWindow)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxRecordDetail *anx_record_detail_new            (GtkWindow       *parent,
                                                   AnxStore        *store,
                                                   const char      *charger_code,
                                                   gint64           sequence,
                                                   const char      *hash_hex);
void             anx_record_detail_verify_again   (AnxRecordDetail *self);
guint            anx_record_detail_get_n_checks   (AnxRecordDetail *self);
const char      *anx_record_detail_get_verdict    (AnxRecordDetail *self);
const char      *anx_record_detail_get_comparison (AnxRecordDetail *self);
const char      *anx_record_detail_get_raw        (AnxRecordDetail *self);
/* clang-format on */

G_END_DECLS
