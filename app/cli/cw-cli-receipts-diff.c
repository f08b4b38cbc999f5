/* cw-cli-receipts-diff.c: `cliffwatch-cli receipts diff [--db] DB ID1 [DB2] ID2`:
 * two receipts side by side, from one database or two. The fields and the
 * peak differences are the store library's (cw-receipt-diff.h), the same
 * the workbench's Compare Receipts window shows; this file prints them,
 * every value exact. Exit status: 0 shown (differing or not), 1 a database
 * or receipt that cannot be read, 2 bad usage. */
#include "cw-cli-commands.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-bytes.h"
#include "cw-cli-args.h"
#include "cw-cli-receipts-diff.h"
#include "cw-receipt-diff.h"
#include "cw-receipt-store.h"

#define EXIT_RUNTIME 1

static bool
parse_id (const char *text, int64_t *id)
{
  uint64_t v = 0;
  CwError e = CW_ERROR_INIT;

  if (!cw_cli_parse_positive_u64 ("id", text, false, &v, &e) || v > (uint64_t) INT64_MAX)
    return false;
  *id = (int64_t) v;
  return true;
}

static bool
is_receipt_ref (const char *text)
{
  int64_t id;

  return parse_id (text, &id) || strlen (text) == 36;
}

CwReceipt *
cw_cli_receipts_load_ref (const char *db, const char *which, CwError *error)
{
  CwReceiptStore *store;
  CwReceipt *r = NULL;
  int64_t id = 0;

  if (!is_receipt_ref (which))
    {
      cw_error_set (error, CW_ERROR_INVALID, "'%s' is neither a receipt id nor a UUID", which);
      return NULL;
    }
  store = cw_receipt_store_open (db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, error);
  if (store == NULL)
    return NULL;
  /* The comparison reads no trace: loading one would only cost time. */
  if (parse_id (which, &id))
    r = cw_receipt_store_load_without_trace (store, id, error);
  else
    {
      r = cw_receipt_store_load_uuid (store, which, error);
      if (r != NULL)
        cw_receipt_clear_trace (r);
    }
  cw_receipt_store_close (store);
  return r;
}

bool
cw_cli_receipts_diff_args (int n, const char *const *positional, const char *db_option, const char **db_a,
                           const char **id_a, const char **db_b, const char **id_b, CwError *error)
{
  /* --db DB ID1 [DB2] ID2, or DB ID1 [DB2] ID2 */
  *db_a = db_option;
  if (*db_a == NULL && n > 0)
    {
      *db_a = positional[0];
      positional++;
      n--;
    }
  if (*db_a == NULL || n < 2 || n > 3)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipts diff: give DB ID1 [DB2] ID2");
      return false;
    }
  *id_a = positional[0];
  *db_b = n == 3 ? positional[1] : *db_a;
  *id_b = positional[n - 1];
  if (!is_receipt_ref (*id_a) || !is_receipt_ref (*id_b))
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipts diff: '%s' is neither a receipt id nor a UUID",
                    is_receipt_ref (*id_a) ? *id_b : *id_a);
      return false;
    }
  return true;
}

/* "5658116096 B (5.27 GiB, 5.66 GB)" for sizes; counts and text as they are. */
static void
field_value (const CwReceiptDiffField *f, bool second, char *buf, size_t size)
{
  if (f->kind == CW_RECEIPT_DIFF_BYTES)
    cw_bytes_format (second ? f->b_value : f->a_value, buf, size);
  else
    {
      cw_receipt_diff_field_text (f, second, buf, size);
      if (buf[0] == '\0')
        snprintf (buf, size, "-");
    }
}

/* B - A, signed in each unit: "-3758096384 B (-3.50 GiB, -3.76 GB) (-66.42 %)". */
static void
peak_delta_text (const CwReceiptDiffPeak *p, char *buf, size_t size)
{
  char b[CW_BYTES_FORMAT_SIZE], signed_text[2 * CW_BYTES_FORMAT_SIZE];
  const char *sign = p->sign < 0 ? "-" : p->sign > 0 ? "+" : "";
  size_t n = 0;

  if (!p->has_delta)
    {
      snprintf (buf, size, "-");
      return;
    }
  cw_bytes_format (p->delta, b, sizeof b);
  n += (size_t) snprintf (signed_text, sizeof signed_text, "%s", sign);
  for (const char *c = b; *c != '\0' && n + 2 < sizeof signed_text; c++)
    {
      signed_text[n++] = *c;
      if ((*c == '(' || (*c == ' ' && c > b && c[-1] == ',')) && p->sign != 0)
        signed_text[n++] = sign[0];
    }
  signed_text[n] = '\0';
  if (isnan (p->percent))
    snprintf (buf, size, "%s", signed_text);
  else
    snprintf (buf, size, "%s (%+.2f %%)", signed_text, p->percent);
}

static void
print_table (const CwReceiptDiff *d, const char *db_a, const char *db_b)
{
  char a[CW_RECEIPT_DIFF_VALUE_MAX + 64], b[CW_RECEIPT_DIFF_VALUE_MAX + 64], delta[3 * CW_BYTES_FORMAT_SIZE];

  printf ("A: receipt %" PRId64 " of %s\nB: receipt %" PRId64 " of %s\n", cw_receipt_diff_get_id (d, false), db_a,
          cw_receipt_diff_get_id (d, true), db_b);
  printf ("%-24s %-40s %-40s %s\n", "field", "A", "B", "");
  for (size_t i = 0; i < cw_receipt_diff_get_n_fields (d); i++)
    {
      const CwReceiptDiffField *f = cw_receipt_diff_get_field (d, i);

      field_value (f, false, a, sizeof a);
      field_value (f, true, b, sizeof b);
      printf ("%-24s %-40s %-40s %s\n", f->key, a, b, f->differs ? "differs" : "");
    }
  printf ("%-24s %-40s %-40s %s\n", "peak", "A", "B", "B - A");
  for (int k = 0; k < CW_RECEIPT_DIFF_N_PEAKS; k++)
    {
      const CwReceiptDiffPeak *p = cw_receipt_diff_get_peak (d, (CwReceiptDiffPeakKind) k);

      if (p->has_a)
        cw_bytes_format (p->a, a, sizeof a);
      else
        snprintf (a, sizeof a, "-");
      if (p->has_b)
        cw_bytes_format (p->b, b, sizeof b);
      else
        snprintf (b, sizeof b, "-");
      peak_delta_text (p, delta, sizeof delta);
      printf ("%-24s %-40s %-40s %s\n", p->key, a, b, delta);
    }
  printf ("%zu of %zu fields differ\n", cw_receipt_diff_get_n_differing (d), cw_receipt_diff_get_n_fields (d));
}

static void
json_value (const CwReceiptDiffField *f, bool second)
{
  char buf[CW_RECEIPT_DIFF_VALUE_MAX];

  if (f->kind == CW_RECEIPT_DIFF_TEXT)
    cw_cli_json_string (stdout, cw_receipt_diff_field_text (f, second, buf, sizeof buf));
  else
    printf ("%" PRIu64, second ? f->b_value : f->a_value);
}

static void
print_json (const CwReceiptDiff *d, const char *db_a, const char *db_b)
{
  fputs ("{\"a\": {\"db\": ", stdout);
  cw_cli_json_string (stdout, db_a);
  printf (", \"id\": %" PRId64 "}, \"b\": {\"db\": ", cw_receipt_diff_get_id (d, false));
  cw_cli_json_string (stdout, db_b);
  printf (", \"id\": %" PRId64 "},\n \"fields\": [", cw_receipt_diff_get_id (d, true));
  for (size_t i = 0; i < cw_receipt_diff_get_n_fields (d); i++)
    {
      const CwReceiptDiffField *f = cw_receipt_diff_get_field (d, i);

      printf ("%s{\"key\": \"%s\", \"a\": ", i ? ",\n  " : "\n  ", f->key);
      json_value (f, false);
      fputs (", \"b\": ", stdout);
      json_value (f, true);
      printf (", \"differs\": %s}", f->differs ? "true" : "false");
    }
  fputs ("],\n \"peaks\": [", stdout);
  for (int k = 0; k < CW_RECEIPT_DIFF_N_PEAKS; k++)
    {
      const CwReceiptDiffPeak *p = cw_receipt_diff_get_peak (d, (CwReceiptDiffPeakKind) k);

      printf ("%s{\"key\": \"%s\", \"a_bytes\": ", k ? ",\n  " : "\n  ", p->key);
      if (p->has_a)
        printf ("%" PRIu64, p->a);
      else
        fputs ("null", stdout);
      fputs (", \"b_bytes\": ", stdout);
      if (p->has_b)
        printf ("%" PRIu64, p->b);
      else
        fputs ("null", stdout);
      fputs (", \"difference_bytes\": ", stdout);
      if (p->has_delta)
        printf ("%s%" PRIu64, p->sign < 0 ? "-" : "", p->delta);
      else
        fputs ("null", stdout);
      fputs (", \"difference_percent\": ", stdout);
      if (isnan (p->percent))
        fputs ("null", stdout);
      else
        printf ("%.6f", p->percent);
      fputs ("}", stdout);
    }
  printf ("],\n \"differing\": %zu}\n", cw_receipt_diff_get_n_differing (d));
}

static void
print_csv (const CwReceiptDiff *d)
{
  char buf[CW_RECEIPT_DIFF_VALUE_MAX];

  fputs ("key,a,b,differs,difference_bytes\n", stdout);
  for (size_t i = 0; i < cw_receipt_diff_get_n_fields (d); i++)
    {
      const CwReceiptDiffField *f = cw_receipt_diff_get_field (d, i);

      printf ("%s,", f->key);
      cw_cli_csv_field (stdout, cw_receipt_diff_field_text (f, false, buf, sizeof buf));
      fputc (',', stdout);
      cw_cli_csv_field (stdout, cw_receipt_diff_field_text (f, true, buf, sizeof buf));
      printf (",%s,\n", f->differs ? "yes" : "no");
    }
  for (int k = 0; k < CW_RECEIPT_DIFF_N_PEAKS; k++)
    {
      const CwReceiptDiffPeak *p = cw_receipt_diff_get_peak (d, (CwReceiptDiffPeakKind) k);

      printf ("%s,", p->key);
      if (p->has_a)
        printf ("%" PRIu64, p->a);
      fputc (',', stdout);
      if (p->has_b)
        printf ("%" PRIu64, p->b);
      printf (",%s,", p->has_delta ? (p->sign != 0 ? "yes" : "no") : "");
      if (p->has_delta)
        printf ("%s%" PRIu64, p->sign < 0 ? "-" : "", p->delta);
      fputc ('\n', stdout);
    }
}

int
cw_cli_receipts_diff (int n, const char *const *positional, const char *db_option, CwCliFormat format)
{
  CwError error = CW_ERROR_INIT;
  const char *db_a, *db_b, *id_a, *id_b;
  CwReceipt *a = NULL, *b = NULL;
  CwReceiptDiff *d = NULL;

  if (!cw_cli_receipts_diff_args (n, positional, db_option, &db_a, &id_a, &db_b, &id_b, &error))
    return cw_cli_fail (&error);
  if ((a = cw_cli_receipts_load_ref (db_a, id_a, &error)) == NULL
      || (b = cw_cli_receipts_load_ref (db_b, id_b, &error)) == NULL
      || (d = cw_receipt_diff_new (a, b, &error)) == NULL)
    {
      fprintf (stderr, "cliffwatch-cli: receipts diff: %s\n", error.message);
      cw_receipt_free (a);
      cw_receipt_free (b);
      return EXIT_RUNTIME;
    }
  if (format == CW_CLI_FORMAT_JSON)
    print_json (d, db_a, db_b);
  else if (format == CW_CLI_FORMAT_CSV)
    print_csv (d);
  else
    print_table (d, db_a, db_b);
  cw_receipt_diff_free (d);
  cw_receipt_free (a);
  cw_receipt_free (b);
  return 0;
}
