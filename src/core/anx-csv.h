/* anx-csv.h: CSV files that spreadsheets in China open as they are
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GString  *anx_csv_new          (void);
void      anx_csv_append_field (GString            *csv,
                                const char         *field,
                                gboolean            first);
void      anx_csv_append_row   (GString            *csv,
                                const char *const  *fields,
                                gssize              n_fields);
gboolean  anx_csv_save         (GString            *csv,
                                const char         *path,
                                GError            **error);
/* clang-format on */

G_END_DECLS
