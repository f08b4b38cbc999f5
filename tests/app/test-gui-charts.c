/* test-gui-charts.c: the Compare page's error view (app/gui/cw-gui-charts.c,
 * cw_gui_chart_compare_error), without a display.
 *
 * The bundled receipts all agree to the byte, so the self-test cannot tell
 * a wrong scale or sign from a right one; these receipts are made up here
 * with known errors: +5 %, -0.5 %, 0, an OOM (no point) and, alone, external
 * programs (their own band). Each point must sit at its predicted peak and
 * its signed error in percent, answer a hit test with its row, and the y
 * axis must show the largest error and the band's slope. */
#include "cw-build-config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "cw-chart-builder.h"
#include "cw-gui-charts.h"
#include "cw-receipt-charts.h"
#include "cw-receipt-row.h"

#include "../cw-test.h"

#define MiB (1024.0 * 1024.0)
#define GiB (1024.0 * MiB)

static CwReceiptRow *
new_row (const char *lane, CwReceiptStatus status, uint64_t predicted, uint64_t measured)
{
  CwReceipt *r = cw_receipt_new ();

  CW_RECEIPT_SET (r->lane, lane);
  CW_RECEIPT_SET (r->profile, lane);
  r->status = status;
  r->predicted_peak_bytes = predicted;
  r->measured_peak_bytes = measured;
  return cw_receipt_row_new_take (r);
}

static void
append (GListStore *store, CwReceiptRow *row)
{
  g_list_store_append (store, row);
  g_object_unref (row);
}

static const CwChartLayer *
find_layer (CwChart *chart, const char *kind)
{
  for (size_t l = 0; l < cw_chart_get_n_layers (chart); l++)
    if (g_strcmp0 (cw_chart_layer_get_kind (cw_chart_get_layer (chart, l)), kind) == 0)
      return cw_chart_get_layer (chart, l);
  return NULL;
}

static void
test_points (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CW_TYPE_RECEIPT_ROW);
  static const struct { const char *lane; double predicted, measured, error; } want[] = {
    { "fused", 1.0 * GiB, 1.05 * GiB, 5.0 },
    { "streaming", 100.0 * GiB, 99.5 * GiB, -0.5 },
    { "materialize", 16.0 * MiB, 16.0 * MiB, 0.0 },
  };
  CwChart *chart;
  double y_min = 0, y_max = 0;
  size_t n_points = 0;

  for (size_t i = 0; i < G_N_ELEMENTS (want); i++)
    append (store, new_row (want[i].lane, CW_RECEIPT_STATUS_OK, (uint64_t) want[i].predicted,
                            (uint64_t) want[i].measured));
  /* Row 3: ran out of memory, so no measured peak and no point. */
  append (store, new_row ("fused", CW_RECEIPT_STATUS_OOM, (uint64_t) (200 * GiB), 0));

  chart = cw_gui_chart_compare_error (G_LIST_MODEL (store), NULL);
  CHECK (chart != NULL && find_layer (chart, "point") != NULL, "no points");
  CHECK (find_layer (chart, "area") != NULL, "no tolerance band");
  CHECK (cw_chart_layout (chart, 1280, 800), "layout");

  for (size_t l = 0; l < cw_chart_get_n_layers (chart); l++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, l);

      if (g_strcmp0 (cw_chart_layer_get_kind (layer), "point") != 0)
        continue;
      for (size_t i = 0; i < cw_chart_layer_get_n_items (layer); i++)
        {
          double x = 0, y = 0, px = 0, py = 0;
          CwChartHit hit = { 0 };
          size_t row;

          n_points++;
          cw_chart_point_layer_get_point (layer, i, &x, &y);
          CHECK (cw_chart_data_to_device (chart, x, y, &px, &py) && cw_chart_hit_test (chart, px, py, 1.0, &hit),
                 "point (%g, %g) is not hit", x, y);
          row = hit.tag;
          CHECK (row < G_N_ELEMENTS (want), "a point is tagged with row %zu", row);
          if (row >= G_N_ELEMENTS (want))
            continue;
          CHECK (g_strcmp0 (cw_chart_layer_get_label (layer), want[row].lane) == 0, "row %zu in layer '%s'", row,
                 cw_chart_layer_get_label (layer));
          CHECK (x == want[row].predicted, "row %zu at x %g, want its predicted %g", row, x, want[row].predicted);
          CHECK (fabs (y - want[row].error) < 1e-6, "row %zu at y %g %%, want %g %%", row, y, want[row].error);
        }
    }
  CHECK (n_points == G_N_ELEMENTS (want), "%zu points for %zu receipts with both peaks", n_points,
         G_N_ELEMENTS (want));

  /* The largest error, with room, and at least twice the 1 % slope. */
  CHECK (cw_chart_get_axis_range (chart, CW_CHART_AXIS_Y, &y_min, &y_max), "y range");
  CHECK (y_max >= 6.2 && y_min <= -6.2, "y from %g to %g hides the +5 %% point", y_min, y_max);
  CHECK (y_max < 50.0, "y up to %g: the error is not in percent", y_max);
  cw_chart_free (chart);

  /* Only exact receipts: the axis still shows the band's 1 % each side. */
  g_list_store_remove_all (store);
  append (store, new_row ("fused", CW_RECEIPT_STATUS_OK, (uint64_t) GiB, (uint64_t) GiB));
  chart = cw_gui_chart_compare_error (G_LIST_MODEL (store), NULL);
  CHECK (cw_chart_layout (chart, 640, 400) && cw_chart_get_axis_range (chart, CW_CHART_AXIS_Y, &y_min, &y_max)
         && y_min <= -1.0 && y_max >= 1.0, "exact receipts: y from %g to %g", y_min, y_max);
  cw_chart_free (chart);
}

/* External programs alone are judged by max(0.5 %, 8 MiB): the band says so. */
static void
test_exec_band (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CW_TYPE_RECEIPT_ROW);
  CwReceiptRow *row = new_row (CW_RECEIPT_EXEC_LANE, CW_RECEIPT_STATUS_OK, (uint64_t) GiB, (uint64_t) GiB);
  CwReceipt *r = (CwReceipt *) cw_receipt_row_get_receipt (row);
  const CwChartLayer *band;
  CwChart *chart;

  CW_RECEIPT_SET (r->profile, "transformers");
  CW_RECEIPT_SET (r->exec.range_name, "indexer:transformers");
  append (store, row);
  chart = cw_gui_chart_compare_error (G_LIST_MODEL (store), NULL);
  band = chart != NULL ? find_layer (chart, "area") : NULL;
  CHECK (band != NULL && strstr (cw_chart_layer_get_label (band), "0.5 %") != NULL,
         "external programs' band: '%s'", band != NULL ? cw_chart_layer_get_label (band) : "(none)");
  cw_chart_free (chart);
}

static void
test_empty (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CW_TYPE_RECEIPT_ROW);
  CwChart *chart;

  append (store, new_row ("fused", CW_RECEIPT_STATUS_OOM, (uint64_t) GiB, 0));
  chart = cw_gui_chart_compare_error (G_LIST_MODEL (store), NULL);
  CHECK (chart != NULL && find_layer (chart, "point") == NULL, "an OOM receipt alone drew points");
  cw_chart_free (chart);
  chart = cw_gui_chart_compare_error (NULL, NULL);
  CHECK (chart != NULL && cw_chart_get_n_layers (chart) == 0, "no rows drew layers");
  cw_chart_free (chart);
}

int
main (void)
{
  setlocale (LC_ALL, "C");
  test_points ();
  test_exec_band ();
  test_empty ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
