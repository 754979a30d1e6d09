/* anx-search.h: find chargers, stations, meters and operators in the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/**
 * AnxSearchKind:
 * @ANX_SEARCH_KIND_CHARGER: a charger, by its code; the target is the code
 * @ANX_SEARCH_KIND_STATION: a station, by name, code or address; the target
 *   is the station's id (decimal), as the map names stations
 * @ANX_SEARCH_KIND_METER: a meter, by serial; the target is its charger's code
 * @ANX_SEARCH_KIND_OPERATOR: an operator, by Chinese or English name; the
 *   target is the operator's id (decimal)
 */
typedef enum
{
  ANX_SEARCH_KIND_CHARGER,
  ANX_SEARCH_KIND_STATION,
  ANX_SEARCH_KIND_METER,
  ANX_SEARCH_KIND_OPERATOR,
} AnxSearchKind;

typedef struct
{
  AnxSearchKind  kind;
  char          *target;
  char          *title;
  char          *context;
} AnxSearchResult;

/* At most this many results of each kind. */
#define ANX_SEARCH_DEFAULT_LIMIT 8
/* Longer queries are refused rather than searched. */
#define ANX_SEARCH_MAX_QUERY     128

/* clang-format off */
void       anx_search_result_free (AnxSearchResult  *result);
GPtrArray *anx_search_run         (sqlite3          *db,
                                   const char       *query,
                                   guint             limit_per_kind,
                                   GError          **error);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxSearchResult, anx_search_result_free)

G_END_DECLS
