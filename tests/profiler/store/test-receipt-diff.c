/* test-receipt-diff.c: cw-receipt-diff.h on the committed H200 receipts.
 *
 * Fused against streaming at the same V4-Flash sq 65,536 (one database):
 * only lane and profile differ, and the peaks are the receipts' exact
 * measured bytes with B - A = -3,758,096,384 B. Across two databases (a
 * V4-Flash fused receipt against a V3.2 materialize OOM): the
 * configuration fields that differ, no measured peak for the OOM and so no
 * measured difference. Then the bounds: NULL input, a receipt against
 * itself, and a difference near 2^64 that an int64 would overflow. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-receipt-diff.h"
#include "cw-receipt-store.h"

#include "../../cw-test.h"

static CwReceipt *
load (const char *data, const char *db, int64_t id)
{
  char path[4096];
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store;
  CwReceipt *r;

  snprintf (path, sizeof path, "%s/receipts/%s", data, db);
  store = cw_receipt_store_open (path, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &error);
  CHECK (store != NULL, "%s: %s", path, error.message);
  if (store == NULL)
    exit (1);
  r = cw_receipt_store_load_without_trace (store, id, &error);
  CHECK (r != NULL, "%s #%lld: %s", db, (long long) id, error.message);
  cw_receipt_store_close (store);
  if (r == NULL)
    exit (1);
  return r;
}

/* The keys of the differing fields, comma-separated. */
static void
differing_keys (const CwReceiptDiff *d, char *buf, size_t size)
{
  buf[0] = '\0';
  for (size_t i = 0; i < cw_receipt_diff_get_n_fields (d); i++)
    {
      const CwReceiptDiffField *f = cw_receipt_diff_get_field (d, i);

      if (f->differs)
        snprintf (buf + strlen (buf), size - strlen (buf), "%s%s", buf[0] ? "," : "", f->key);
    }
}

static void
test_same_database (const char *data)
{
  CwReceipt *a = load (data, "h200-deepseek-v4-flash.db", 17), *b = load (data, "h200-deepseek-v4-flash.db", 27);
  CwError error = CW_ERROR_INIT;
  CwReceiptDiff *d = cw_receipt_diff_new (a, b, &error);
  const CwReceiptDiffPeak *pp, *mp;
  const CwReceiptDiffField *sq, *lane;
  char keys[512];

  CHECK (d != NULL, "%s", error.message);
  if (d == NULL)
    return;
  CHECK (cw_receipt_diff_get_id (d, false) == 17 && cw_receipt_diff_get_id (d, true) == 27);
  differing_keys (d, keys, sizeof keys);
  CHECK (strcmp (keys, "lane,profile") == 0, "differing: %s", keys);
  CHECK (cw_receipt_diff_get_n_differing (d) == 2);
  lane = cw_receipt_diff_find_field (d, "lane");
  CHECK (lane != NULL && strcmp (lane->a, "fused") == 0 && strcmp (lane->b, "streaming") == 0);
  sq = cw_receipt_diff_find_field (d, "sq");
  CHECK (sq != NULL && sq->kind == CW_RECEIPT_DIFF_COUNT && sq->a_value == 65536 && sq->b_value == 65536
         && !sq->differs);
  CHECK (cw_receipt_diff_find_field (d, "no-such-field") == NULL);
  CHECK (cw_receipt_diff_find_field (d, "program") == NULL, "a lane has no program field");

  pp = cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_PREDICTED);
  mp = cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_MEASURED);
  /* The receipts' own numbers (cliffwatch-cli receipts show ... 17 / 27). */
  CHECK (pp->has_a && pp->has_b && pp->a == 5658116096ull && pp->b == 1900019712ull);
  CHECK (mp->has_a && mp->has_b && mp->a == 5658116096ull && mp->b == 1900019712ull);
  CHECK (mp->has_delta && mp->sign == -1 && mp->delta == 3758096384ull, "delta %d %llu", mp->sign,
         (unsigned long long) mp->delta);
  CHECK (fabs (mp->percent - (-66.4195)) < 1e-3, "percent %.6f", mp->percent);
  {
    char buf[64];

    CHECK (strcmp (cw_receipt_diff_field_text (sq, true, buf, sizeof buf), "65536") == 0, "%s", buf);
  }
  cw_receipt_diff_free (d);
  cw_receipt_free (a);
  cw_receipt_free (b);
}

static void
test_two_databases (const char *data)
{
  CwReceipt *a = load (data, "h200-deepseek-v4-flash.db", 17), *b = load (data, "h200-deepseek-v3.2.db", 5);
  CwReceiptDiff *d = cw_receipt_diff_new (a, b, NULL);
  const CwReceiptDiffPeak *pp, *mp;
  char keys[512];

  CHECK (d != NULL);
  if (d == NULL)
    return;
  differing_keys (d, keys, sizeof keys);
  CHECK (strcmp (keys, "lane,profile,status,sq,sk,ratio,top_k,causal,git_revision") == 0, "differing: %s", keys);
  pp = cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_PREDICTED);
  mp = cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_MEASURED);
  CHECK (b->status == CW_RECEIPT_STATUS_OOM);
  CHECK (pp->has_delta && pp->sign == 1 && pp->b == 157852631040ull && pp->delta == 157852631040ull - 5658116096ull);
  /* An OOM's bytes are not a peak: no measured difference to show. */
  CHECK (mp->has_a && !mp->has_b && !mp->has_delta && isnan (mp->percent));
  cw_receipt_diff_free (d);
  cw_receipt_free (a);
  cw_receipt_free (b);
}

static void
test_bounds (void)
{
  CwReceipt *a = cw_receipt_new (), *b;
  CwError error = CW_ERROR_INIT;
  CwReceiptDiff *d;
  const CwReceiptDiffPeak *p;

  CHECK (cw_receipt_diff_new (a, NULL, &error) == NULL && error.code == CW_ERROR_INVALID);
  CW_RECEIPT_SET (a->lane, "fused");
  a->predicted_peak_bytes = 1;
  b = cw_receipt_dup (a);
  d = cw_receipt_diff_new (a, b, NULL);
  CHECK (d != NULL && cw_receipt_diff_get_n_differing (d) == 0);
  p = d != NULL ? cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_PREDICTED) : NULL;
  CHECK (p != NULL && p->has_delta && p->sign == 0 && p->delta == 0 && p->percent == 0.0);
  /* Not measured (measured_peak_bytes 0): no measured peak on either side. */
  p = d != NULL ? cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_MEASURED) : NULL;
  CHECK (p != NULL && !p->has_a && !p->has_b);
  cw_receipt_diff_free (d);

  b->predicted_peak_bytes = UINT64_MAX;
  d = cw_receipt_diff_new (a, b, NULL);
  p = d != NULL ? cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_PREDICTED) : NULL;
  CHECK (p != NULL && p->sign == 1 && p->delta == UINT64_MAX - 1);
  cw_receipt_diff_free (d);
  d = cw_receipt_diff_new (b, a, NULL);
  p = d != NULL ? cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_PREDICTED) : NULL;
  CHECK (p != NULL && p->sign == -1 && p->delta == UINT64_MAX - 1);
  CHECK (cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_N_PEAKS) == NULL);
  cw_receipt_diff_free (d);
  cw_receipt_free (a);
  cw_receipt_free (b);
}

/* Training lanes: a gradcheck field appears when either receipt has a
 * check (ok against failed differs; ok against ok does not), and not
 * between two receipts without one (the committed receipts above). */
static void
test_gradcheck (const char *data)
{
  CwReceipt *a = load (data, "h200-deepseek-v4-flash.db", 17), *b = load (data, "h200-deepseek-v4-flash.db", 17);
  CwError error = CW_ERROR_INIT;
  CwReceiptDiff *d = cw_receipt_diff_new (a, b, &error);
  const CwReceiptDiffField *f;
  char keys[1024];

  CHECK (d != NULL && cw_receipt_diff_find_field (d, "gradcheck") == NULL, "no gradcheck field without a check");
  cw_receipt_diff_free (d);
  CW_RECEIPT_SET (a->lane, "gradcheck");
  CW_RECEIPT_SET (b->lane, "gradcheck");
  a->gradcheck.status = CW_GRADCHECK_OK;
  b->gradcheck.status = CW_GRADCHECK_FAILED;
  d = cw_receipt_diff_new (a, b, &error);
  f = d ? cw_receipt_diff_find_field (d, "gradcheck") : NULL;
  CHECK (f != NULL && f->differs && strcmp (f->a, "ok") == 0 && strcmp (f->b, "failed") == 0,
         "gradcheck ok against failed");
  if (d)
    {
      differing_keys (d, keys, sizeof keys);
      CHECK (strcmp (keys, "gradcheck") == 0, "only the gradcheck differs: %s", keys);
    }
  cw_receipt_diff_free (d);
  b->gradcheck.status = CW_GRADCHECK_OK;
  d = cw_receipt_diff_new (a, b, &error);
  f = d ? cw_receipt_diff_find_field (d, "gradcheck") : NULL;
  CHECK (f != NULL && !f->differs && cw_receipt_diff_get_n_differing (d) == 0, "gradcheck ok against ok");
  cw_receipt_diff_free (d);
  cw_receipt_free (a);
  cw_receipt_free (b);
}

int
main (void)
{
  const char *data = getenv ("CW_DATA_DIR");

  if (data == NULL)
    {
      fprintf (stderr, "CW_DATA_DIR is not set\n");
      return 1;
    }
  test_same_database (data);
  test_two_databases (data);
  test_bounds ();
  test_gradcheck (data);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
