/* anx-verify-output.h: how anxin-verify reports, for people and machines
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "anx-finding.h"

G_BEGIN_DECLS

/* The exit status is part of the interface: scripts rely on it */
typedef enum
{
  ANX_VERIFY_EXIT_OK = 0,
  ANX_VERIFY_EXIT_FINDINGS = 1,
  ANX_VERIFY_EXIT_USAGE = 2,
} AnxVerifyExit;

void  anx_verify_print_error   (const char *format,
                                ...) G_GNUC_PRINTF (1, 2);
void  anx_verify_print_json    (JsonNode   *node);
void  anx_verify_print_finding (AnxFinding *finding);
char *anx_verify_read_input    (const char *path,
                                gsize      *length,
                                GError    **error);

G_END_DECLS
