/* anx-charger-info.h: what the store knows about one charger and its meter
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "anx-charger-entry.h"

G_BEGIN_DECLS

/* One seal of the meter and the last thing the chain says happened to it. */
typedef struct
{
  char   *seal_id;
  char   *kind;        /* "physical" or "electronic" */
  char   *last_action; /* opened, closed, applied, removed; NULL: no record */
  gint64  last_action_us;
} AnxSealState;

/* One open alarm of the charger. */
typedef struct
{
  gint64  id;
  char   *kind;
  char   *severity;
  char   *state;
  char   *evidence;
  gint64  raised_at_us;
} AnxChargerAlarm;

/* One charge record's billed/metered ratio, for the chart. */
typedef struct
{
  gint64 time_us;
  gint64 sequence;
  double ratio;
} AnxRatioPoint;

typedef struct
{
  char      *code;
  char      *station_code;
  char      *station_name;
  char      *operator_name;
  char      *current;
  gint64     rated_power_w;
  char      *status;
  gint64     last_seen_us;
  gint64     n_records;

  gboolean   has_meter;
  char      *meter_serial;
  char      *meter_manufacturer;
  char      *meter_model;
  gint64     accuracy_class;
  guint      tolerance_bp;
  char      *algorithm;
  char      *fingerprint; /* SHA-256 of the DER key, hex; NULL without a key */
  char      *first_verification;
  char      *rotation_due;
  GPtrArray *seals;  /* of AnxSealState */
  gboolean   seals_checked; /* whether the chain was read for seal events */
  GPtrArray *alarms; /* of AnxChargerAlarm */
} AnxChargerInfo;

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxChargerInfo  *anx_charger_info_load          (sqlite3        *db,
                                                 const char     *code,
                                                 GError        **error);
void             anx_charger_info_load_seal_states (AnxChargerInfo *info,
                                                    sqlite3        *db);
void             anx_charger_info_copy_seal_states (AnxChargerInfo *info,
                                                    AnxChargerInfo *from);
void             anx_charger_info_free          (AnxChargerInfo *info);
gboolean         anx_charger_info_rotation_overdue (AnxChargerInfo *info,
                                                    GDateTime      *now);
char            *anx_charger_info_group_fingerprint (const char   *hex);
GArray          *anx_charger_info_load_ratios   (sqlite3        *db,
                                                 const char     *code,
                                                 guint           max_points);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxChargerInfo, anx_charger_info_free)

G_END_DECLS
