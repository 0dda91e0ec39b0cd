/*
 * parse_int.h - inside the parse stage: the parts of parse_init()
 * (tables.c) that other files of the stage own.  Not the stage's
 * interface: that is parse.h.
 */
#ifndef RINGAUDIT_PARSE_INT_H
#define RINGAUDIT_PARSE_INT_H

/* types.c: the record type names from libaudit; 0 or a negative errno. */
int types_init(void);
void types_fini(void);

#endif
