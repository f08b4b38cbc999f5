/* cw-index-cache-page.h: the Index cache page: layer roles, stage
 * boundaries, transfer or recompute. Owner: workbench. */
#pragma once

#include <gtk/gtk.h>

#include "cw-chart-view.h"
#include "cw-planner.h"

G_BEGIN_DECLS

#define CW_TYPE_INDEX_CACHE_PAGE (cw_index_cache_page_get_type ())

G_DECLARE_FINAL_TYPE (CwIndexCachePage, cw_index_cache_page, CW, INDEX_CACHE_PAGE, GtkWidget)

void         cw_index_cache_page_bind_settings  (CwIndexCachePage *self,
                                                 GSettings        *settings);
/* The Plan page's configuration and preset (for its layer list); NULL
 * while the Plan page's inputs are wrong: the page then says to fix them. */
void         cw_index_cache_page_set_config     (CwIndexCachePage *self,
                                                 const CwConfig   *config,
                                                 const char       *preset);
CwChartView *cw_index_cache_page_get_chart_view (CwIndexCachePage *self);
/* "layers=N full=F promoted=P payload=BYTES" plus one line per boundary
 * "boundary I consumer=L decision=NAME", or "error: ...". */
char        *cw_index_cache_page_dup_summary    (CwIndexCachePage *self);

G_END_DECLS
