/* cw-receipt-store-private.h: what the store shares with its generated
 * migration table (cw-receipt-store-migrations.c, from data/schema/). */
#pragma once

/* migrations[i] takes the schema from version i to i + 1. */
extern const char *const cw_receipt_store_migrations[];
extern const int cw_receipt_store_n_migrations;
