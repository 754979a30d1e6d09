/* anx-finding.h: one thing a verifier found wrong with a chain record
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Stable codes: the console's alarms and anxin-verify --json use them,
 * docs/feed-protocol.md ("Verifying a chain") defines them. */
#define ANX_FINDING_CHAIN_HASH_MISMATCH          "chain-hash-mismatch"
#define ANX_FINDING_CHAIN_LINK_BROKEN            "chain-link-broken"
#define ANX_FINDING_CHAIN_SEQUENCE_GAP           "chain-sequence-gap"
#define ANX_FINDING_CHAIN_SEQUENCE_DUPLICATE     "chain-sequence-duplicate"
#define ANX_FINDING_CHAIN_FORK                   "chain-fork"
#define ANX_FINDING_CHARGER_MISMATCH             "charger-mismatch"
#define ANX_FINDING_OCMF_MALFORMED               "ocmf-malformed"
#define ANX_FINDING_SIGNATURE_INVALID            "signature-invalid"
#define ANX_FINDING_UNKNOWN_METER_KEY            "unknown-meter-key"
#define ANX_FINDING_METER_STATUS                 "meter-status"
#define ANX_FINDING_CLOCK_UNSYNCHRONISED         "clock-unsynchronised"
#define ANX_FINDING_COUNTER_GAP                  "counter-gap"
#define ANX_FINDING_REGISTER_REGRESSION          "register-regression"
#define ANX_FINDING_ENERGY_MISMATCH              "energy-mismatch"
#define ANX_FINDING_AMOUNT_MISMATCH              "amount-mismatch"
#define ANX_FINDING_TARIFF_INCONSISTENT          "tariff-inconsistent"
#define ANX_FINDING_SEAL_OPENED                  "seal-opened"
#define ANX_FINDING_METER_EXCHANGE_UNREGISTERED  "meter-exchange-unregistered"
#define ANX_FINDING_INSPECTION_FAILED            "inspection-failed"

typedef enum
{
  ANX_FINDING_SEVERITY_NOTICE,
  ANX_FINDING_SEVERITY_WARNING,
  ANX_FINDING_SEVERITY_CRITICAL,
} AnxFindingSeverity;

#define ANX_TYPE_FINDING (anx_finding_get_type ())

typedef struct _AnxFinding AnxFinding;

GType               anx_finding_get_type            (void) G_GNUC_CONST;

const char         *anx_finding_severity_to_string  (AnxFindingSeverity severity);

AnxFinding         *anx_finding_new                 (const char        *code,
                                                     AnxFindingSeverity severity,
                                                     const char        *charger_id,
                                                     guint64            sequence,
                                                     const guint8      *record_hash,
                                                     const char        *message);
AnxFinding         *anx_finding_ref                 (AnxFinding        *self);
void                anx_finding_unref               (AnxFinding        *self);

void                anx_finding_set_int             (AnxFinding        *self,
                                                     const char        *name,
                                                     gint64             value);
void                anx_finding_set_double          (AnxFinding        *self,
                                                     const char        *name,
                                                     double             value);
void                anx_finding_set_string          (AnxFinding        *self,
                                                     const char        *name,
                                                     const char        *value);

const char         *anx_finding_get_code            (AnxFinding        *self);
AnxFindingSeverity  anx_finding_get_severity        (AnxFinding        *self);
const char         *anx_finding_get_charger_id      (AnxFinding        *self);
guint64             anx_finding_get_sequence        (AnxFinding        *self);
const guint8       *anx_finding_get_record_hash     (AnxFinding        *self);
const char         *anx_finding_get_message         (AnxFinding        *self);
GVariant           *anx_finding_get_details         (AnxFinding        *self);
GVariant           *anx_finding_lookup              (AnxFinding        *self,
                                                     const char        *name);
gboolean            anx_finding_lookup_int          (AnxFinding        *self,
                                                     const char        *name,
                                                     gint64            *value);
gboolean            anx_finding_lookup_double       (AnxFinding        *self,
                                                     const char        *name,
                                                     double            *value);

JsonNode           *anx_finding_to_json_node        (AnxFinding        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxFinding, anx_finding_unref)

G_END_DECLS
