/*
 * cfg_msg.c - inside the configuration module: the messages a load gives,
 * each naming the file and the line ("PATH:LINE: ..."), with the value
 * quoted so that a control character or a stray quote shows as it is.
 * fail() words the error that ends a load; note() keeps a warning for the
 * daemon to log once the load is done.  cfg.c (reading the files) and
 * cfg_keys.c (the values) both word their messages here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/cfg_keys.h"

static void vmsg(char *, size_t, const struct ld *, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

/* s, quotable: control characters, '"' and '\' escaped; cut if long. */
const char *
esc(char *buf, size_t len, const char *s)
{
	static const char more[] = "...";
	size_t o = 0;
	unsigned char ch;

	for (; (ch = (unsigned char)*s) != '\0'; s++) {
		if (o + 4 + sizeof(more) >= len) {
			memcpy(buf + o, more, sizeof(more) - 1);
			o += sizeof(more) - 1;
			break;
		}
		if (ch == '\t')
			o += (size_t)snprintf(buf + o, len - o, "\\t");
		else if (ch == '\r')
			o += (size_t)snprintf(buf + o, len - o, "\\r");
		else if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o] = '\0';
	return buf;
}

static void
vmsg(char *buf, size_t len, const struct ld *l, const char *fmt, va_list ap)
{
	int n;

	if (buf == NULL || len == 0)
		return;
	if (l->line > 0)
		n = snprintf(buf, len, "%s:%u: ", l->path, l->line);
	else
		n = snprintf(buf, len, "%s: ", l->path);
	if (n < 0 || (size_t)n >= len)
		return;
	vsnprintf(buf + n, len - (size_t)n, fmt, ap);
}

int
fail(struct ld *l, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(l->err, l->errlen, l, fmt, ap);
	va_end(ap);
	return rc;
}

void
note(struct ld *l, const char *fmt, ...)
{
	va_list ap;

	if (l->c->n_warn >= CFG_WARN_MAX)
		return;
	va_start(ap, fmt);
	vmsg(l->c->warn[l->c->n_warn++], CFG_WARN_LEN, l, fmt, ap);
	va_end(ap);
}
