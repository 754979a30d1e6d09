/* anx-outbox.h: writes to the feed that must not be lost
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "anx-chain-record.h"
#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_OUTBOX_PENDING   "pending"
#define ANX_OUTBOX_DELIVERED "delivered"
#define ANX_OUTBOX_REJECTED  "rejected"

/* An inspection as an officer marks it. */
typedef struct
{
  const char *charger;          /* code */
  const char *inspector;
  AnxInspectionResult result;
  GDateTime *inspected_at;      /* nullable: the server's time */
  gboolean measured;
  gint32 measured_error_bp;
  const char *const *seals_removed;
  const char *const *seals_applied;
  const char *notes;
  gint64 alarm_id;              /* the console alarm it answers, or 0 */
} AnxInspectionMark;

#define ANX_TYPE_OUTBOX (anx_outbox_get_type ())

G_DECLARE_FINAL_TYPE (AnxOutbox, anx_outbox, ANX, OUTBOX, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxOutbox *anx_outbox_new                     (AnxStore                *store);

void       anx_outbox_mark_inspection_async   (AnxOutbox               *self,
                                               const AnxInspectionMark *mark,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
char      *anx_outbox_mark_inspection_finish  (AnxOutbox               *self,
                                               GAsyncResult            *result,
                                               GError                 **error);
void       anx_outbox_acknowledge_alarm_async (AnxOutbox               *self,
                                               gint64                   alarm_id,
                                               const char              *actor,
                                               const char              *note,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
void       anx_outbox_schedule_inspection_async (AnxOutbox             *self,
                                               gint64                   alarm_id,
                                               const char              *actor,
                                               const char              *note,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
gboolean   anx_outbox_finish                  (AnxOutbox               *self,
                                               GAsyncResult            *result,
                                               GError                 **error);

void       anx_outbox_deliver_async           (AnxOutbox               *self,
                                               gpointer                 session,
                                               const char              *base_uri,
                                               const char              *token,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
gboolean   anx_outbox_deliver_finish          (AnxOutbox               *self,
                                               GAsyncResult            *result,
                                               guint                   *n_delivered,
                                               GError                 **error);
gboolean   anx_outbox_is_delivering           (AnxOutbox               *self);

char      *anx_outbox_get_state               (AnxOutbox               *self,
                                               const char              *idempotency_key,
                                               char                   **reason);
guint      anx_outbox_count                   (AnxOutbox               *self,
                                               const char              *state);
/* clang-format on */

G_END_DECLS
