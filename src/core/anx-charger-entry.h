/* anx-charger-entry.h: a charger's registry entry, with its meters' keys
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One meter key of a charger and the chain records it is valid for:
 * sequence numbers @from_sequence to @to_sequence inclusive (@to_sequence
 * is G_MAXUINT64 while the meter is in service). A meter whose key was
 * changed has one entry per key. */
typedef struct
{
  char    *serial;
  char    *model;
  char    *accuracy_class;
  guint    tolerance_bp;
  char    *algorithm;
  GBytes  *public_key;
  guint64  from_sequence;
  guint64  to_sequence;
} AnxMeterEntry;

#define ANX_TYPE_CHARGER_ENTRY (anx_charger_entry_get_type ())

typedef struct _AnxChargerEntry AnxChargerEntry;

GType            anx_charger_entry_get_type          (void) G_GNUC_CONST;

guint            anx_accuracy_class_get_tolerance_bp (const char      *accuracy_class);

AnxChargerEntry *anx_charger_entry_new               (const char      *charger_id);
AnxChargerEntry *anx_charger_entry_ref               (AnxChargerEntry *self);
void             anx_charger_entry_unref             (AnxChargerEntry *self);

const char      *anx_charger_entry_get_charger_id    (AnxChargerEntry *self);
void             anx_charger_entry_set_station       (AnxChargerEntry *self,
                                                      const char      *station_id,
                                                      const char      *station_name);
const char      *anx_charger_entry_get_station_id    (AnxChargerEntry *self);
const char      *anx_charger_entry_get_station_name  (AnxChargerEntry *self);
void             anx_charger_entry_set_operator      (AnxChargerEntry *self,
                                                      const char      *operator_id,
                                                      const char      *operator_name);
const char      *anx_charger_entry_get_operator_id   (AnxChargerEntry *self);
const char      *anx_charger_entry_get_operator_name (AnxChargerEntry *self);

const AnxMeterEntry *anx_charger_entry_add_meter     (AnxChargerEntry *self,
                                                      const char      *serial,
                                                      const char      *model,
                                                      const char      *accuracy_class,
                                                      const char      *algorithm,
                                                      GBytes          *public_key,
                                                      guint64          from_sequence,
                                                      guint64          to_sequence);
guint            anx_charger_entry_get_n_meters      (AnxChargerEntry *self);
const AnxMeterEntry *anx_charger_entry_get_meter     (AnxChargerEntry *self,
                                                      guint            index);
GPtrArray       *anx_charger_entry_find_meters       (AnxChargerEntry *self,
                                                      const char      *serial,
                                                      guint64          sequence);

AnxChargerEntry *anx_charger_entry_new_from_json_node (JsonNode       *node,
                                                       GError        **error);
JsonNode        *anx_charger_entry_to_json_node      (AnxChargerEntry *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxChargerEntry, anx_charger_entry_unref)

G_END_DECLS
