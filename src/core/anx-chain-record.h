/* anx-chain-record.h: one record of a charger's hash chain
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The hash-input byte string is specified in docs/feed-protocol.md,
 * section "The chain"; this file implements it and nothing else may. */

#define ANX_CHAIN_HASH_SIZE      32
#define ANX_CHAIN_RECORD_VERSION 1
/* Largest integer a record may carry in JSON (2^53 - 1), so that every
 * JSON implementation reads it exactly. */
#define ANX_CHAIN_MAX_INTEGER    G_GINT64_CONSTANT (9007199254740991)

#define ANX_CHAIN_RECORD_ERROR (anx_chain_record_error_quark ())

typedef enum
{
  ANX_CHAIN_RECORD_ERROR_INVALID_JSON,
  ANX_CHAIN_RECORD_ERROR_MISSING_MEMBER,
  ANX_CHAIN_RECORD_ERROR_UNKNOWN_MEMBER,
  ANX_CHAIN_RECORD_ERROR_WRONG_TYPE,
  ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
  ANX_CHAIN_RECORD_ERROR_UNSUPPORTED_VERSION,
} AnxChainRecordError;

typedef enum
{
  ANX_CHAIN_RECORD_KIND_CHARGE = 1,
  ANX_CHAIN_RECORD_KIND_SEAL = 2,
  ANX_CHAIN_RECORD_KIND_METER_EXCHANGE = 3,
  ANX_CHAIN_RECORD_KIND_INSPECTION = 4,
} AnxChainRecordKind;

typedef enum
{
  ANX_SEAL_ACTION_OPENED = 1,
  ANX_SEAL_ACTION_CLOSED = 2,
  ANX_SEAL_ACTION_APPLIED = 3,
  ANX_SEAL_ACTION_REMOVED = 4,
} AnxSealAction;

typedef enum
{
  ANX_INSPECTION_RESULT_PASS = 1,
  ANX_INSPECTION_RESULT_FAIL = 2,
  ANX_INSPECTION_RESULT_METER_REPLACED = 3,
  ANX_INSPECTION_RESULT_SEALED = 4,
  ANX_INSPECTION_RESULT_SUSPENDED = 5,
} AnxInspectionResult;

/* One time-of-use period of a charge's billing: @energy_wh of the billed
 * energy was charged at @price_millifen_per_kwh (1/1000 fen per kWh). */
typedef struct
{
  char  *label;
  gint64 energy_wh;
  gint64 price_millifen_per_kwh;
} AnxTariffSegment;

#define ANX_TYPE_CHAIN_RECORD (anx_chain_record_get_type ())

typedef struct _AnxChainRecord AnxChainRecord;

GType           anx_chain_record_get_type        (void) G_GNUC_CONST;
GQuark          anx_chain_record_error_quark     (void);

const guint8   *anx_chain_genesis_hash           (void);
char           *anx_chain_hash_to_hex            (const guint8 *hash);
gboolean        anx_chain_hash_from_hex          (const char   *hex,
                                                  guint8       *hash);
GDateTime      *anx_chain_parse_time             (const char   *text,
                                                  GError      **error);
char           *anx_chain_format_time            (GDateTime    *time);

const char     *anx_chain_record_kind_to_string  (AnxChainRecordKind  kind);
const char     *anx_seal_action_to_string        (AnxSealAction       action);
const char     *anx_inspection_result_to_string  (AnxInspectionResult result);

AnxChainRecord *anx_chain_record_new             (AnxChainRecordKind  kind,
                                                  const char         *charger_id,
                                                  guint64             sequence,
                                                  const guint8       *prev_hash,
                                                  GDateTime          *recorded_at);
AnxChainRecord *anx_chain_record_ref             (AnxChainRecord     *self);
void            anx_chain_record_unref           (AnxChainRecord     *self);
AnxChainRecord *anx_chain_record_copy            (AnxChainRecord     *self);

/* Common fields */
AnxChainRecordKind anx_chain_record_get_kind     (AnxChainRecord *self);
const char     *anx_chain_record_get_charger_id  (AnxChainRecord *self);
guint64         anx_chain_record_get_sequence    (AnxChainRecord *self);
void            anx_chain_record_set_sequence    (AnxChainRecord *self,
                                                  guint64         sequence);
const guint8   *anx_chain_record_get_prev_hash   (AnxChainRecord *self);
void            anx_chain_record_set_prev_hash   (AnxChainRecord *self,
                                                  const guint8   *prev_hash);
GDateTime      *anx_chain_record_get_recorded_at (AnxChainRecord *self);

/* Hashing */
GBytes         *anx_chain_record_get_hash_input  (AnxChainRecord *self);
void            anx_chain_record_compute_hash    (AnxChainRecord *self,
                                                  guint8         *hash);
const guint8   *anx_chain_record_get_stated_hash (AnxChainRecord *self);
void            anx_chain_record_set_stated_hash (AnxChainRecord *self,
                                                  const guint8   *hash);
const guint8   *anx_chain_record_get_hash        (AnxChainRecord *self);
gboolean        anx_chain_record_hash_is_valid   (AnxChainRecord *self);

/* Charge */
void            anx_chain_record_set_charge      (AnxChainRecord *self,
                                                  const char     *session_id,
                                                  const char     *ocmf,
                                                  gint64          billed_wh,
                                                  gint64          amount_fen);
void            anx_chain_record_add_tariff_segment (AnxChainRecord *self,
                                                     const char     *label,
                                                     gint64          energy_wh,
                                                     gint64          price_millifen_per_kwh);
void            anx_chain_record_clear_tariff    (AnxChainRecord *self);
const char     *anx_chain_record_get_session_id  (AnxChainRecord *self);
const char     *anx_chain_record_get_ocmf        (AnxChainRecord *self);
gint64          anx_chain_record_get_billed_wh   (AnxChainRecord *self);
gint64          anx_chain_record_get_amount_fen  (AnxChainRecord *self);
guint           anx_chain_record_get_n_tariff_segments (AnxChainRecord *self);
const AnxTariffSegment *anx_chain_record_get_tariff_segment (AnxChainRecord *self,
                                                             guint           index);
gboolean        anx_chain_record_expected_amount (AnxChainRecord *self,
                                                  gint64         *amount_fen);

/* Seal event */
void            anx_chain_record_set_seal        (AnxChainRecord *self,
                                                  const char     *seal_id,
                                                  AnxSealAction   action,
                                                  GDateTime      *event_time,
                                                  const char     *signed_signal);
const char     *anx_chain_record_get_seal_id     (AnxChainRecord *self);
AnxSealAction   anx_chain_record_get_seal_action (AnxChainRecord *self);
GDateTime      *anx_chain_record_get_event_time  (AnxChainRecord *self);
const char     *anx_chain_record_get_signed_signal (AnxChainRecord *self);

/* Meter exchange */
void            anx_chain_record_set_meter_exchange (AnxChainRecord *self,
                                                     const char     *old_meter_serial,
                                                     GBytes         *old_public_key,
                                                     const char     *new_meter_serial,
                                                     GBytes         *new_public_key,
                                                     const char     *reason);
const char     *anx_chain_record_get_old_meter_serial (AnxChainRecord *self);
GBytes         *anx_chain_record_get_old_public_key   (AnxChainRecord *self);
const char     *anx_chain_record_get_new_meter_serial (AnxChainRecord *self);
GBytes         *anx_chain_record_get_new_public_key   (AnxChainRecord *self);
const char     *anx_chain_record_get_reason           (AnxChainRecord *self);

/* Inspection */
void            anx_chain_record_set_inspection  (AnxChainRecord     *self,
                                                  const char         *inspector,
                                                  AnxInspectionResult result,
                                                  GDateTime          *inspected_at,
                                                  const char         *notes,
                                                  const char         *idempotency_key);
void            anx_chain_record_set_measured_error (AnxChainRecord *self,
                                                     gboolean        measured,
                                                     gint32          error_basis_points);
void            anx_chain_record_add_seal_removed (AnxChainRecord *self,
                                                   const char     *seal_id);
void            anx_chain_record_add_seal_applied (AnxChainRecord *self,
                                                   const char     *seal_id);
const char     *anx_chain_record_get_inspector   (AnxChainRecord *self);
AnxInspectionResult anx_chain_record_get_inspection_result (AnxChainRecord *self);
GDateTime      *anx_chain_record_get_inspected_at (AnxChainRecord *self);
gboolean        anx_chain_record_get_measured_error (AnxChainRecord *self,
                                                     gint32         *error_basis_points);
const char * const *anx_chain_record_get_seals_removed (AnxChainRecord *self);
const char * const *anx_chain_record_get_seals_applied (AnxChainRecord *self);
const char     *anx_chain_record_get_notes       (AnxChainRecord *self);
const char     *anx_chain_record_get_idempotency_key (AnxChainRecord *self);

/* JSON */
JsonNode       *anx_chain_json_parse_strict      (const char     *text,
                                                  gssize          length,
                                                  GError        **error);
AnxChainRecord *anx_chain_record_new_from_json_node (JsonNode    *node,
                                                     GError     **error);
AnxChainRecord *anx_chain_record_new_from_json   (const char     *text,
                                                  gssize          length,
                                                  GError        **error);
JsonNode       *anx_chain_record_to_json_node    (AnxChainRecord *self);
char           *anx_chain_record_to_json         (AnxChainRecord *self,
                                                  gboolean        pretty);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxChainRecord, anx_chain_record_unref)

G_END_DECLS
