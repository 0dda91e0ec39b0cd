/*
 * gss.c - transport = KRB5: every client authenticated by Kerberos 5
 * through GSS-API, and everything it sends and is sent encrypted, as
 * auditd 3.0.9 and audisp-remote do it (docs/krb5-notes.md has what they
 * do, read in their source and seen on the wire).
 *
 * Tokens.  With KRB5 every unit on the wire, both ways, is a token: four
 * bytes of length, big-endian, then that many bytes, at most 8970.  A
 * connection begins with a negotiation: the client sends an empty token
 * ("someone has to go first"), then its AP-REQ; the server answers with
 * the AP-REP gss_accept_sec_context makes, and the context is complete.
 * From then on each of the client's frames (the 16-byte header and the
 * text) is one token, gss_wrap'ped with confidentiality, and each reply
 * is wrapped the same way.
 *
 * Not blocking.  auditd negotiates inside its accept handler, on a
 * blocking socket: a client that connects and says nothing stops every
 * other client and the log server with them.  Here a negotiation is a
 * state of the client: its tokens are taken as they come, in the one
 * network thread, between other clients' reads, and one still
 * negotiating at two ticks of NET_GSS_TICK seconds in a row is closed.
 *
 * Who may send.  As auditd: the client's principal, as gss_display_name
 * gives it, must be krb5_principal/<any host>@<the default realm>;
 * "GSS-API Accepted connection from: NAME" is said before the check, the
 * refusals in auditd's words after it.  A client refused, or one that
 * never completes a context, was never a client for the log: no
 * DAEMON_ACCEPT, no DAEMON_CLOSE, only the words (and a count).  Only a
 * client that passed gets its DAEMON_ACCEPT, and each of its records the
 * suffix " krb5=NAME" auditd appends.
 *
 * The key file.  Before anything, as auditd: krb5_key_file must be mode
 * 0400 and root's, in auditd's words if not.  auditd then sets
 * KRB5_KTNAME for the whole process; ringauditd has threads, and takes
 * the credential from the file itself (gss_acquire_cred_from, cred
 * store "keytab"), so nothing else in the process sees it.  The service
 * name is krb5_principal with no host, so any key krb5_principal/HOST in
 * the file serves, as with auditd.
 *
 * No allocation per record.  Tokens are unwrapped in place in the
 * client's read buffer (gss_unwrap_iov, a STREAM buffer) and replies
 * wrapped in place in its reply buffer (gss_wrap_iov).  What the library
 * allocates inside is its own; a negotiation allocates (a context, a
 * name), once per connection.
 *
 * Where it differs from auditd, knowingly: a token longer than 8970 in
 * the data phase closes the client (auditd waits for it for ever); a
 * record whose text with its suffix passes 8970 bytes keeps the text and
 * cuts the suffix (auditd logs the length it computed whether the suffix
 * fit or not); a failed key file or credential stops the daemon with
 * exit status 1 (auditd logs DAEMON_ABORT and exits 0: a service manager
 * sees a clean stop).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include "common/log.h"
#include "common/stat.h"
#include "net/net_int.h"

#define KRB5_SUFFIX " krb5="

/* GSS-API's input buffers are not const, and not written either. */
static void *
unconst(const void *p)
{
	return (void *)(uintptr_t)p;
}

/* "GSS error: WHAT: ..." for each message of each status, as auditd. */
static void
gss_say(const char *what, OM_uint32 major, OM_uint32 minor)
{
	const struct { OM_uint32 code; int type; } st[2] = {
		{ major, GSS_C_GSS_CODE }, { minor, GSS_C_MECH_CODE },
	};
	unsigned i;

	for (i = 0; i < 2; i++) {
		OM_uint32 ctx = 0, m;

		if (i == 1 && minor == 0)
			break;
		do {
			gss_buffer_desc text = GSS_C_EMPTY_BUFFER;

			if (GSS_ERROR(gss_display_status(&m, st[i].code,
			    st[i].type, GSS_C_NO_OID, &ctx, &text)))
				break;
			log_warnx("GSS error: %s: %.*s", what,
			    (int)text.length, (const char *)text.value);
			gss_release_buffer(&m, &text);
		} while (ctx != 0);
	}
}

/* auditd's checks of the key file; no word if there is none (GSS's
 * then says it). */
static int
key_file_ok(const char *file)
{
	struct stat sb;

	if (stat(file, &sb) < 0)
		return 0;
	if ((sb.st_mode & 07777) != 0400) {
		log_warnx("%s is not mode 0400 (it's %#o) - compromised key?",
		    file, (unsigned)(sb.st_mode & 07777));
		return -EKEYREJECTED;
	}
	if (sb.st_uid != 0) {
		log_warnx("%s is not owned by root (it's %u) - compromised key?",
		    file, (unsigned)sb.st_uid);
		return -EKEYREJECTED;
	}
	return 0;
}

static int
default_realm(struct net *n)
{
	krb5_context kc;
	krb5_error_code e;
	char *realm = NULL;

	if ((e = krb5_init_context(&kc)) != 0) {
		log_warnx("krb5 error: %s in krb5_init_context", error_message(e));
		return -EKEYREJECTED;
	}
	if ((e = krb5_get_default_realm(kc, &realm)) != 0) {
		const char *msg = krb5_get_error_message(kc, e);

		log_warnx("krb5 error: %s in krb5_get_default_realm", msg);
		krb5_free_error_message(kc, msg);
		krb5_free_context(kc);
		return -EKEYREJECTED;
	}
	snprintf(n->realm, sizeof(n->realm), "%s", realm);
	krb5_free_default_realm(kc, realm);
	krb5_free_context(kc);
	return 0;
}

int
net_gss_init(struct net *n)
{
	const char *svc = n->c.krb5_principal;
	gss_key_value_element_desc kv = { "keytab", n->c.krb5_key_file };
	gss_key_value_set_desc store = { 1, &kv };
	gss_buffer_desc nb;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major, minor, m2;
	int rc;

	n->gcred = GSS_C_NO_CREDENTIAL;
	if ((rc = key_file_ok(n->c.krb5_key_file)) < 0)
		return rc;
	/* The NUL counted, as auditd: the name ends there either way. */
	nb.value = unconst(svc);
	nb.length = strlen(svc) + 1;
	major = gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE,
	    &name);
	if (GSS_ERROR(major)) {
		gss_say("importing name", major, minor);
		return -EKEYREJECTED;
	}
	major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE,
	    gss_mech_set_krb5, GSS_C_ACCEPT, &store, &n->gcred, NULL, NULL);
	gss_release_name(&m2, &name);
	if (GSS_ERROR(major)) {
		gss_say("acquiring credentials", major, minor);
		n->gcred = GSS_C_NO_CREDENTIAL;
		return -EKEYREJECTED;
	}
	if ((rc = default_realm(n)) < 0) {
		gss_release_cred(&minor, &n->gcred);
		return rc;
	}
	log_debug("GSS creds for %s acquired", svc);
	return 0;
}

void
net_gss_fini(struct net *n)
{
	OM_uint32 minor;

	if (n->gcred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &n->gcred);
}

void
net_gss_client_end(struct net_client *cl)
{
	OM_uint32 minor;

	if (cl->gctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &cl->gctx, GSS_C_NO_BUFFER);
	cl->gctx = GSS_C_NO_CONTEXT;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

enum net_frame_rc
net_gss_token(const unsigned char *p, size_t len, size_t *size)
{
	uint32_t tlen;

	*size = 0;
	if (len < NET_TOKEN_HDR)
		return NET_FRAME_MORE;
	tlen = be32(p);
	if (tlen > NET_MSG_MAX)
		return NET_FRAME_TOO_LONG;
	if (len < NET_TOKEN_HDR + (size_t)tlen)
		return NET_FRAME_MORE;
	*size = NET_TOKEN_HDR + (size_t)tlen;
	return NET_FRAME_OK;
}

/* OUT's token around the LEN bytes at DATA: the length, big-endian. */
static size_t
put_token(unsigned char *out, size_t cap, const void *data, size_t len)
{
	if (len + NET_TOKEN_HDR > cap)
		return 0;
	out[0] = (unsigned char)(len >> 24);
	out[1] = (unsigned char)(len >> 16);
	out[2] = (unsigned char)(len >> 8);
	out[3] = (unsigned char)len;
	memcpy(out + NET_TOKEN_HDR, data, len);
	return len + NET_TOKEN_HDR;
}

/* The name auditd accepts: SERVICE/HOST@REALM, ours and our realm. */
static bool
name_ok(const struct net *n, const char *name)
{
	const char *slash = strchr(name, '/'), *at = strchr(name, '@');
	size_t svc_len;

	if (slash == NULL || at == NULL) {
		log_warnx("Invalid GSS name from remote client: %s", name);
		return false;
	}
	svc_len = (size_t)(slash - name);
	if (strlen(n->c.krb5_principal) != svc_len ||
	    memcmp(name, n->c.krb5_principal, svc_len) != 0) {
		log_warnx("Unauthorized GSS client name: %.*s (not %s)",
		    (int)svc_len, name, n->c.krb5_principal);
		return false;
	}
	if (strcmp(at + 1, n->realm) != 0) {
		log_warnx("Unauthorized GSS client realm: %s (not %s)", at + 1,
		    n->realm);
		return false;
	}
	return true;
}

/* The context is complete: the client's name, and whether it may send. */
static enum net_gss_rc
accepted(const struct net *n, struct net_client *cl, gss_name_t src)
{
	gss_buffer_desc nb = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;

	major = gss_display_name(&minor, src, &nb, NULL);
	if (GSS_ERROR(major)) {
		gss_say("displaying name", major, minor);
		return NET_GSS_FAIL;
	}
	if (nb.length >= NET_PRINCIPAL_MAX ||
	    memchr(nb.value, '\0', nb.length) != NULL) {
		log_warnx("Invalid GSS name from remote client: %.*s",
		    (int)nb.length, (const char *)nb.value);
		gss_release_buffer(&minor, &nb);
		return NET_GSS_FAIL;
	}
	memcpy(cl->principal, nb.value, nb.length);
	cl->principal[nb.length] = '\0';
	cl->principal_len = nb.length;
	gss_release_buffer(&minor, &nb);
	log_info("GSS-API Accepted connection from: %s", cl->principal);
	return name_ok(n, cl->principal) ? NET_GSS_DONE : NET_GSS_FAIL;
}

/* One token of the client's toward the context. */
static enum net_gss_rc
accept_token(struct net *n, struct net_client *cl, const unsigned char *tok,
    size_t len)
{
	gss_buffer_desc in = { len, unconst(tok) }, out = GSS_C_EMPTY_BUFFER;
	gss_name_t src = GSS_C_NO_NAME;
	OM_uint32 major, minor, m2;
	enum net_gss_rc rc = NET_GSS_MORE;
	size_t put;

	major = gss_accept_sec_context(&minor, &cl->gctx, n->gcred, &in,
	    GSS_C_NO_CHANNEL_BINDINGS, &src, NULL, &out, NULL, NULL, NULL);
	if (major != GSS_S_COMPLETE && major != GSS_S_CONTINUE_NEEDED) {
		gss_say("accepting context", major, minor);
		gss_release_buffer(&m2, &out);
		return NET_GSS_FAIL;
	}
	if (out.length > 0) {
		put = put_token(cl->obuf + cl->olen, net_obuf_cap(n) -
		    cl->olen, out.value, out.length);
		if (put == 0) {
			log_warnx("GSS-API error sending token length");
			rc = NET_GSS_FAIL;
		}
		cl->olen += put;
	}
	gss_release_buffer(&m2, &out);
	if (rc == NET_GSS_MORE && major == GSS_S_COMPLETE)
		rc = accepted(n, cl, src);
	gss_release_name(&m2, &src);
	return rc;
}

enum net_gss_rc
net_gss_negotiate(struct net *n, struct net_client *cl)
{
	enum net_gss_rc rc = NET_GSS_MORE;
	size_t off = 0, size;

	while (rc == NET_GSS_MORE) {
		enum net_frame_rc t = net_gss_token(cl->buf + off,
		    cl->len - off, &size);

		if (t == NET_FRAME_MORE)
			break;
		if (t == NET_FRAME_TOO_LONG) {
			log_warnx("GSS-API error: event length exceeds "
			    "MAX_AUDIT_LENGTH");
			log_warnx("TCP session from %52s:%u will be closed, "
			    "error ignored", cl->addr, cl->port);
			rc = NET_GSS_FAIL;
			break;
		}
		/* The client's empty opening token is skipped, as auditd. */
		if (size > NET_TOKEN_HDR)
			rc = accept_token(n, cl, cl->buf + off + NET_TOKEN_HDR,
			    size - NET_TOKEN_HDR);
		off += size;
	}
	if (off > 0) {
		memmove(cl->buf, cl->buf + off, cl->len - off);
		cl->len -= off;
	}
	return rc;
}

enum net_frame_rc
net_gss_unwrap(struct net *n, struct net_client *cl, unsigned char *tok,
    size_t size, struct net_frame *f)
{
	gss_iov_buffer_desc iov[2] = {
		{ GSS_IOV_BUFFER_TYPE_STREAM,
		  { size - NET_TOKEN_HDR, tok + NET_TOKEN_HDR } },
		{ GSS_IOV_BUFFER_TYPE_DATA, GSS_C_EMPTY_BUFFER },
	};
	OM_uint32 major, minor;
	const unsigned char *p;
	const char *nul;
	size_t len;
	int conf = 0;

	memset(f, 0, sizeof(*f));
	f->size = size;
	major = gss_unwrap_iov(&minor, cl->gctx, &conf, NULL, iov, 2);
	/* Complete, or refused: a replayed, old or out-of-order token comes
	 * back with a supplementary status and no data, and is said and
	 * counted as auditd does. */
	if (major != GSS_S_COMPLETE) {
		STAT_ADD(n->st.undecrypted, 1);
		if (log_ratelimit_ok(&n->grl))
			gss_say("decrypting message", major, minor);
		return NET_FRAME_BAD_MAGIC;
	}
	p = iov[1].buffer.value;
	len = iov[1].buffer.length;
	/* auditd wants the magic; without it the token is dropped, as a
	 * line without it is on plain TCP. */
	if (len < NET_HDR_SIZE || le32(p) != NET_MAGIC)
		return NET_FRAME_BAD_MAGIC;
	f->type = le32(p + 6);
	f->seq = le32(p + 12);
	f->len = (uint16_t)(p[10] | p[11] << 8);
	f->hver = p[4];
	f->mver = p[5];
	/* The token's length, not the header's, says where the text ends
	 * (as auditd); then up to a NUL, and every last '\n' cut. */
	f->text = (const char *)p + NET_HDR_SIZE;
	len -= NET_HDR_SIZE;
	if ((nul = memchr(f->text, '\0', len)) != NULL)
		len = (size_t)(nul - f->text);
	while (len > 0 && f->text[len - 1] == '\n')
		len--;
	f->text_len = len;
	return NET_FRAME_OK;
}

/* The record's text with auditd's suffix, into DST (CAP bytes). */
size_t
net_gss_text(const struct net_client *cl, const struct net_frame *f,
    char *dst, size_t cap)
{
	size_t len = f->text_len < cap ? f->text_len : cap;
	size_t room = cap - len, sfx = sizeof(KRB5_SUFFIX) - 1;

	memcpy(dst, f->text, len);
	/* Whole or not at all: half a name would name someone else. */
	if (room >= sfx + cl->principal_len) {
		memcpy(dst + len, KRB5_SUFFIX, sfx);
		memcpy(dst + len + sfx, cl->principal, cl->principal_len);
		len += sfx + cl->principal_len;
	}
	return len;
}

size_t
net_gss_wrap(struct net *n, struct net_client *cl, const unsigned char *reply,
    size_t len, unsigned char *out, size_t cap)
{
	gss_iov_buffer_desc iov[4] = {
		{ GSS_IOV_BUFFER_TYPE_HEADER, GSS_C_EMPTY_BUFFER },
		{ GSS_IOV_BUFFER_TYPE_DATA, { len, NULL } },
		{ GSS_IOV_BUFFER_TYPE_PADDING, GSS_C_EMPTY_BUFFER },
		{ GSS_IOV_BUFFER_TYPE_TRAILER, GSS_C_EMPTY_BUFFER },
	};
	OM_uint32 major, minor;
	size_t total = 0, off = NET_TOKEN_HDR;
	unsigned i;
	int conf = 0;

	major = gss_wrap_iov_length(&minor, cl->gctx, 1, GSS_C_QOP_DEFAULT,
	    &conf, iov, 4);
	if (GSS_ERROR(major)) {
		if (log_ratelimit_ok(&n->grl))
			gss_say("encrypting message", major, minor);
		return 0;
	}
	for (i = 0; i < 4; i++)
		total += iov[i].buffer.length;
	if (total + NET_TOKEN_HDR > cap || total > NET_MSG_MAX) {
		if (log_ratelimit_ok(&n->grl))
			log_warnx("GSS error: encrypting message: a reply of "
			    "%zu bytes wraps to %zu, past its room", len,
			    total);
		return 0;
	}
	/* In place, in the token's order: header, data, padding, trailer. */
	for (i = 0; i < 4; i++) {
		iov[i].buffer.value = out + off;
		off += iov[i].buffer.length;
	}
	memcpy(iov[1].buffer.value, reply, len);
	major = gss_wrap_iov(&minor, cl->gctx, 1, GSS_C_QOP_DEFAULT, &conf,
	    iov, 4);
	if (GSS_ERROR(major)) {
		if (log_ratelimit_ok(&n->grl))
			gss_say("encrypting message", major, minor);
		return 0;
	}
	out[0] = (unsigned char)(total >> 24);
	out[1] = (unsigned char)(total >> 16);
	out[2] = (unsigned char)(total >> 8);
	out[3] = (unsigned char)total;
	return total + NET_TOKEN_HDR;
}
