/* anx-evidence-export.h: a charger's evidence from the console's store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "anx-evidence-bundle.h"
#include "anx-report.h"

G_BEGIN_DECLS

/* Which records: sequence numbers, or (when @from_time is set) the records
 * recorded from @from_time up to, not including, @to_time. */
typedef struct
{
  guint64    from_sequence;
  guint64    to_sequence; /* G_MAXUINT64: the last there is */
  GDateTime *from_time;
  GDateTime *to_time;
} AnxEvidenceRange;

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxEvidenceBundle *anx_evidence_export_bundle (sqlite3               *db,
                                              const char             *code,
                                              const AnxEvidenceRange *range,
                                              GDateTime              *exported_at,
                                              GError                **error);
AnxReport         *anx_evidence_export_report (sqlite3               *db,
                                              AnxEvidenceBundle      *bundle,
                                              GTimeZone              *zone);
/* clang-format on */

G_END_DECLS
