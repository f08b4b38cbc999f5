/* cliffwatch-cli.c: the executable; everything lives in the cwcli library. */
#include "cw-cli-commands.h"

int main (int argc, char **argv) { return cw_cli_main (argc, argv); }
