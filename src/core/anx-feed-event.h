/* anx-feed-event.h: one message of the regulator feed's event log and stream
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JSON form is specified in docs/feed-protocol.md ("Events"); anxin-feedd
 * writes it and the console reads it with this one implementation.
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "anx-chain-record.h"

G_BEGIN_DECLS

#define ANX_FEED_EVENT_ERROR (anx_feed_event_error_quark ())

typedef enum
{
  ANX_FEED_EVENT_ERROR_INVALID_JSON,
  ANX_FEED_EVENT_ERROR_TOO_LARGE,
  ANX_FEED_EVENT_ERROR_MISSING_MEMBER,
  ANX_FEED_EVENT_ERROR_WRONG_TYPE,
  ANX_FEED_EVENT_ERROR_INVALID_VALUE,
} AnxFeedEventError;

/* Events carry a cursor; control messages (hello and after) do not. An
 * event type this build does not know decodes as UNKNOWN with its name, so
 * a client skips it (and still advances its cursor). */
typedef enum
{
  ANX_FEED_EVENT_UNKNOWN,
  ANX_FEED_EVENT_CHARGER_STATUS,
  ANX_FEED_EVENT_SESSION_STARTED,
  ANX_FEED_EVENT_SESSION_PROGRESS,
  ANX_FEED_EVENT_SESSION_ENDED,
  ANX_FEED_EVENT_CHAIN_APPENDED,
  ANX_FEED_EVENT_ALARM_RAISED,
  ANX_FEED_EVENT_ALARM_CLEARED,
  ANX_FEED_EVENT_ALARM_ACKNOWLEDGED,
  ANX_FEED_EVENT_REGISTRY_CHANGED,
  ANX_FEED_EVENT_HELLO,
  ANX_FEED_EVENT_HEARTBEAT,
  ANX_FEED_EVENT_RESYNC_REQUIRED,
  ANX_FEED_EVENT_ERROR_MESSAGE,
} AnxFeedEventType;

/* Limits (docs/feed-protocol.md, "Limits"). */
#define ANX_FEED_EVENT_MAX_BYTES  (256 * 1024) /* one encoded event or control message */
#define ANX_FEED_EVENT_MAX_STRING 4096         /* any string member but the record */
#define ANX_FEED_EVENT_MAX_CODE   64           /* charger codes, type names, alarm codes */

#define ANX_TYPE_FEED_EVENT (anx_feed_event_get_type ())

typedef struct _AnxFeedEvent AnxFeedEvent;

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GType             anx_feed_event_get_type            (void) G_GNUC_CONST;
GQuark            anx_feed_event_error_quark         (void);

const char       *anx_feed_event_type_to_string      (AnxFeedEventType  type);
AnxFeedEventType  anx_feed_event_type_from_string    (const char       *name);
gboolean          anx_feed_event_type_is_control     (AnxFeedEventType  type);

AnxFeedEvent     *anx_feed_event_ref                 (AnxFeedEvent     *self);
void              anx_feed_event_unref               (AnxFeedEvent     *self);

/* Events: @cursor ≥ 1, @time_us in µs since the Unix epoch, the charger by
 * its numeric id and its code. */
AnxFeedEvent *anx_feed_event_new_charger_status   (guint64          cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   const char      *charger_code,
                                                   const char      *status);
AnxFeedEvent *anx_feed_event_new_session_started  (guint64          cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   const char      *charger_code,
                                                   const char      *session_id,
                                                   gint64           meter_start_wh);
AnxFeedEvent *anx_feed_event_new_session_progress (guint64          cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   const char      *charger_code,
                                                   const char      *session_id,
                                                   gint64           power_w,
                                                   gint64           energy_wh,
                                                   gint64           amount_fen);
AnxFeedEvent *anx_feed_event_new_session_ended    (guint64          cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   const char      *charger_code,
                                                   const char      *session_id,
                                                   gint64           energy_wh,
                                                   gint64           amount_fen);
AnxFeedEvent *anx_feed_event_new_chain_appended   (guint64          cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   AnxChainRecord  *record);
AnxFeedEvent *anx_feed_event_new_alarm_raised     (guint64          cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   const char      *charger_code,
                                                   gint64           alarm_id,
                                                   const char      *code,
                                                   const char      *severity,
                                                   gint64           sequence,
                                                   const char      *message,
                                                   JsonObject      *details);
AnxFeedEvent *anx_feed_event_new_alarm_cleared    (guint64          cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   const char      *charger_code,
                                                   gint64           alarm_id,
                                                   const char      *code,
                                                   const char      *reason,
                                                   gint64           sequence);
AnxFeedEvent *anx_feed_event_new_alarm_acknowledged (guint64        cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   const char      *charger_code,
                                                   gint64           alarm_id,
                                                   const char      *actor,
                                                   const char      *note);
AnxFeedEvent *anx_feed_event_new_registry_changed (guint64          cursor,
                                                   gint64           time_us,
                                                   gint64           charger_id,
                                                   const char      *charger_code,
                                                   gint64           meter_id,
                                                   const char      *meter_serial,
                                                   const char      *algorithm,
                                                   const char      *public_key_hex,
                                                   gint64           from_sequence);

/* Control messages, without cursor */
AnxFeedEvent *anx_feed_event_new_hello            (gint64           time_us,
                                                   guint64          head,
                                                   guint64          oldest);
AnxFeedEvent *anx_feed_event_new_heartbeat        (gint64           time_us,
                                                   guint64          head);
AnxFeedEvent *anx_feed_event_new_resync_required  (gint64           time_us,
                                                   guint64          head,
                                                   guint64          oldest);
AnxFeedEvent *anx_feed_event_new_error            (gint64           time_us,
                                                   const char      *code,
                                                   const char      *message);

/* Common */
AnxFeedEventType anx_feed_event_get_event_type    (AnxFeedEvent     *self);
const char   *anx_feed_event_get_type_name        (AnxFeedEvent     *self);
guint64       anx_feed_event_get_cursor           (AnxFeedEvent     *self);
gint64        anx_feed_event_get_time             (AnxFeedEvent     *self);
gint64        anx_feed_event_get_charger_id       (AnxFeedEvent     *self);
const char   *anx_feed_event_get_charger_code     (AnxFeedEvent     *self);

/* Payloads: members a type does not carry read as NULL, 0 or -1 */
const char   *anx_feed_event_get_status           (AnxFeedEvent     *self);
const char   *anx_feed_event_get_session_id       (AnxFeedEvent     *self);
gint64        anx_feed_event_get_meter_start_wh   (AnxFeedEvent     *self);
gint64        anx_feed_event_get_power_w          (AnxFeedEvent     *self);
gint64        anx_feed_event_get_energy_wh        (AnxFeedEvent     *self);
gint64        anx_feed_event_get_amount_fen       (AnxFeedEvent     *self);
AnxChainRecord *anx_feed_event_get_record         (AnxFeedEvent     *self);
gint64        anx_feed_event_get_sequence         (AnxFeedEvent     *self);
const guint8 *anx_feed_event_get_hash             (AnxFeedEvent     *self);
gint64        anx_feed_event_get_alarm_id         (AnxFeedEvent     *self);
const char   *anx_feed_event_get_code             (AnxFeedEvent     *self);
const char   *anx_feed_event_get_severity         (AnxFeedEvent     *self);
const char   *anx_feed_event_get_message          (AnxFeedEvent     *self);
JsonObject   *anx_feed_event_get_details          (AnxFeedEvent     *self);
const char   *anx_feed_event_get_reason           (AnxFeedEvent     *self);
const char   *anx_feed_event_get_actor            (AnxFeedEvent     *self);
const char   *anx_feed_event_get_note             (AnxFeedEvent     *self);
gint64        anx_feed_event_get_meter_id         (AnxFeedEvent     *self);
const char   *anx_feed_event_get_meter_serial     (AnxFeedEvent     *self);
const char   *anx_feed_event_get_algorithm        (AnxFeedEvent     *self);
const char   *anx_feed_event_get_public_key       (AnxFeedEvent     *self);
gint64        anx_feed_event_get_protocol_version (AnxFeedEvent     *self);
guint64       anx_feed_event_get_head             (AnxFeedEvent     *self);
guint64       anx_feed_event_get_oldest           (AnxFeedEvent     *self);

/* JSON */
JsonNode     *anx_feed_event_to_json_node         (AnxFeedEvent     *self);
char         *anx_feed_event_to_json              (AnxFeedEvent     *self);
AnxFeedEvent *anx_feed_event_new_from_json        (const char       *text,
                                                   gssize            length,
                                                   GError          **error);
AnxFeedEvent *anx_feed_event_new_from_json_node   (JsonNode         *node,
                                                   GError          **error);

char         *anx_feed_format_time                (gint64           time_us);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxFeedEvent, anx_feed_event_unref)

G_END_DECLS
