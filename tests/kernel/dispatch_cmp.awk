# dispatch_cmp.awk - compare what two plugins were sent, or what a plugin
# was sent with the log its daemon wrote (tests/kernel/test_dispatch_diff.sh).
#
# Every input is text made by ra_plugin: `ra_plugin lines:FILE` (a string
# capture or a log, one record a line) or `ra_plugin frames:FILE` (a binary
# capture, one 8986-byte frame a line, "ver hlen type size tail<TAB>payload",
# tail the count of non-zero bytes past size).  Non-printable bytes are
# \xNN there, so plain mawk compares them.
#
#   LC_ALL=C awk -f dispatch_cmp.awk -v mode=pair -v fmt=string|binary \
#       -v first=SERIAL -v last=SERIAL [-v max_missing=PCT] \
#       [-v need_types="T1 T2"] [-v names="auditd ringauditd"] \
#       [-v clean_tail=1] [-v out=DIR] [-v show=N] REFERENCE CANDIDATE
#     Records are keyed by event serial, type and index among the records
#     of that type in the event; DAEMON_* records are left out (their
#     times and serials differ by design).  A key in both must have the same
#     bytes (binary: the same ver, hlen, type, size and payload).  Inside the
#     window (first <= serial <= last) a key the reference has alone is
#     "missing" (multicast may drop: fails past max_missing percent), one
#     the candidate has alone is "extra" and always fails.  Both must hold
#     EOE records and every type of need_types in the window.  Binary: every
#     frame's hlen is 16 and size at most 8970; with clean_tail=1 the
#     candidate's bytes past size must be zero (the reference's non-zero
#     tails are counted: auditd sends heap garbage there).
#
#   awk -f dispatch_cmp.awk -v mode=self -v logfmt=RAW|ENRICHED \
#       [-v name=auditd] STRING BINARY
#     One daemon's string and binary plugins, fed the same records in the
#     same order: line i and frame i are the same record.  RAW: ver 0 and
#     the line is "type=NAME msg=" and the payload; ENRICHED: ver 1 and
#     the line is the payload, up to a NUL in it (auditd counts the NUL
#     in size when it cuts an ENRICHED line at 8969 bytes), each '\n' in it
#     a space.  Each type name goes with one type number.
#
#   awk -f dispatch_cmp.awk -v mode=log -v first=S -v last=S \
#       [-v name=auditd] LOG STRING
#     The records of the log in the window, EOE and DAEMON_* aside, are the
#     string capture's, in the same order; a line may differ from the log's
#     by trailing spaces only (auditd trims one when it writes RAW; counted).
#
#   awk -f dispatch_cmp.awk -v mode=dest -v first=S -v last=S \
#       [-v src=lines|syslog] [-v key=KEY] [-v events=N] [-v name=NAME] \
#       LOG DEST
#     What one destination got (test_dispatch_real.sh): an af_unix client's
#     stream or a remote server's log (src=lines), or datagrams to /dev/log
#     (src=syslog: audisp-syslog's, the syslog header taken off and the
#     0x1D byte of the log's lines made a space, as audisp-syslog does).
#     The records of the window, EOE and DAEMON_* aside, must be the log's,
#     once each, in the log's order; of those, the SYSCALL records holding
#     key="KEY" must be `events` events with rising serials.
#
# Prints what it found; exits 0 when the check passes, 1 otherwise.
# Needs LC_ALL=C.

BEGIN {
	if (show == "")
		show = 10
	if (max_missing == "")
		max_missing = 1
	if (names == "")
		names = "reference candidate"
	split(names, nm, " ")
	if (name == "")
		name = "daemon"
	nfile = 0
	fail = 0
}

FNR == 1 {
	nfile++
	n[nfile] = 0
}

# --- reading: every mode keeps the records of each file in order --------
{
	i = ++n[nfile]
	line = $0
	if (mode == "dest" && src == "syslog" && nfile == 2) {
		# <PRI>Mmm dd hh:mm:ss IDENT[PID]: text
		if (!match(line, /^<[0-9]+>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]+ [^ :]+: /)) {
			n[nfile]--
			next
		}
		head = substr(line, 1, RLENGTH)
		line = substr(line, RLENGTH + 1)
		if (head !~ / audisp-syslog(\[[0-9]+\])?: $/) {
			others++
			n[nfile]--
			next
		}
		sub(/\\x0a$/, "", line)
	}
	if (substr(line, 1, 1) == "#") {
		bad[nfile] = bad[nfile] + 1
		if (bad[nfile] <= 3)
			printf "  %s record %d: %s\n", label(nfile), i,
			    substr(line, 1, 80)
		n[nfile]--
		next
	}
	hdr = ""
	if (fmt == "binary" || (mode == "self" && nfile == 2)) {
		t = index(line, "\t")
		hdr = substr(line, 1, t - 1)
		text = substr(line, t + 1)
		split(hdr, h, " ")
		typ = h[3]
		daemon = typ >= 1200 && typ <= 1299
		eoe = typ == 1320
		if (h[2] != 16 || h[4] > 8970) {
			badhdr[nfile]++
			if (badhdr[nfile] <= 3)
				printf "  %s frame %d: hlen %s size %s\n",
				    label(nfile), i, h[2], h[4]
		}
		tail[nfile, i] = h[5]
		vers[nfile, i] = h[1]
		ver[nfile, h[1]]++
		if (h[5] != 0)
			dirty[nfile]++
		# The tail is not the record: auditd's is heap garbage.
		body = h[1] " " h[2] " " h[3] " " h[4] "\t" text
	} else {
		text = line
		typ = ""
		if (match(text, /^(node=[^ ]* )?type=[^ ]*/)) {
			typ = substr(text, 1, RLENGTH)
			sub(/^.*type=/, "", typ)
		}
		daemon = typ ~ /^DAEMON_/
		eoe = typ == "EOE"
		body = text
	}
	ser = ""
	if (match(text, /audit\([0-9]+\.[0-9]+:[0-9]+\)/))
		ser = substr(text, RSTART + 6, RLENGTH - 7)
	sub(/^.*:/, "", ser)
	rtype[nfile, i] = typ
	rser[nfile, i] = ser
	rdaemon[nfile, i] = daemon
	reoe[nfile, i] = eoe
	rtext[nfile, i] = text
	rbody[nfile, i] = body
	inwin[nfile, i] = ser != "" && (first == "" || ser + 0 >= first + 0) &&
	    (last == "" || ser + 0 <= last + 0)
}

function label(f) {
	if (mode == "pair")
		return nm[f]
	if (mode == "self")
		return name (f == 1 ? " string" : " binary")
	if (mode == "dest")
		return f == 1 ? "the log" : name
	return name (f == 1 ? " log" : " string capture")
}

function shorten(s, w) {
	return length(s) > w ? substr(s, 1, w) "..." : s
}

function firstdiff(a, b,    k) {
	for (k = 1; k <= length(a) && k <= length(b); k++)
		if (substr(a, k, 1) != substr(b, k, 1))
			break
	return k
}

function showdiff(what, a, b, la, lb,    c) {
	c = firstdiff(a, b)
	printf "  %s (column %d):\n", what, c
	printf "    %-10s %s\n", la ":", shorten(a, 300)
	printf "    %-10s %s\n", lb ":", shorten(b, 300)
	if (c > 120)
		printf "    at column %d: %s | %s\n", c,
		    shorten(substr(a, c - 20), 80), shorten(substr(b, c - 20), 80)
}

END {
	if (nfile < 2) {
		# An empty file has no FNR == 1.
		for (f = nfile + 1; f <= 2; f++)
			n[f] = 0
	}
	for (f = 1; f <= 2; f++) {
		if (bad[f]) {
			printf "FAIL - %s: %d malformed records (above)\n",
			    label(f), bad[f]
			fail = 1
		}
		if (badhdr[f]) {
			printf "FAIL - %s: %d frames with a wrong hlen or size\n",
			    label(f), badhdr[f]
			fail = 1
		}
	}
	if (mode == "pair")
		pair()
	else if (mode == "self")
		self()
	else if (mode == "log")
		logcmp()
	else if (mode == "dest")
		dest()
	else {
		print "dispatch_cmp.awk: mode is pair, self, log or dest"
		exit 2
	}
	exit fail
}

# --- pair: the same records, the same bytes --------------------------------
function pair(    f, i, k, key, cnt, diffs, compared, missing, extra, winref,
    eoes, types, ntypes, tl, t, nt, need, only_out) {
	for (f = 1; f <= 2; f++) {
		delete cnt
		for (i = 1; i <= n[f]; i++) {
			if (rdaemon[f, i])
				continue
			key = rser[f, i] SUBSEP rtype[f, i]
			key = key SUBSEP (cnt[key]++)
			at[f, key] = i
			if (f == 1)
				order[++nref] = key
			else
				corder[++ncand] = key
			if (inwin[f, i] && reoe[f, i])
				eoes[f]++
		}
	}
	for (k = 1; k <= nref; k++) {
		key = order[k]
		i = at[1, key]
		if ((2, key) in at) {
			j = at[2, key]
			compared++
			t = rtype[1, i]
			if (!(t in types))
				tl[++ntypes] = t
			types[t]++
			if (rbody[1, i] != rbody[2, j]) {
				if (++diffs <= show)
					showdiff("differs: serial " rser[1, i] \
					    " type " t, rbody[1, i], rbody[2, j],
					    nm[1], nm[2])
			}
			if (inwin[1, i])
				winref++
		} else if (inwin[1, i]) {
			winref++
			if (++missing <= show)
				printf "  missing from %s: %s\n", nm[2],
				    shorten(rbody[1, i], 200)
		} else
			only_out++
	}
	for (k = 1; k <= ncand; k++) {
		key = corder[k]
		j = at[2, key]
		if ((1, key) in at)
			continue
		if (inwin[2, j]) {
			if (++extra <= show)
				printf "  %s sent alone: %s\n", nm[2],
				    shorten(rbody[2, j], 200)
		} else
			only_out++
	}
	tl_s = ""
	for (t = 1; t <= ntypes; t++)
		tl_s = tl_s " " tl[t] "(" types[tl[t]] ")"
	printf "  %s records compared (%d types):%s\n", compared + 0, ntypes,
	    tl_s
	printf "  in the window: %d records of %s's, %d missing from %s's, " \
	    "%d %s sent alone; outside it, %d in one capture only\n",
	    winref + 0, nm[1], missing + 0, nm[2], extra + 0, nm[2],
	    only_out + 0
	printf "  EOE records in the window: %s %d, %s %d\n", nm[1],
	    eoes[1] + 0, nm[2], eoes[2] + 0
	if (fmt == "binary")
		printf "  frames with non-zero bytes past size: %s %d of %d, " \
		    "%s %d of %d\n", nm[1], dirty[1] + 0, n[1], nm[2],
		    dirty[2] + 0, n[2]
	if (compared == 0) {
		print "FAIL - no record to compare"
		fail = 1
	}
	if (diffs) {
		printf "FAIL - %d records differ\n", diffs
		fail = 1
	}
	if (extra) {
		printf "FAIL - %d records %s sent and %s did not\n", extra,
		    nm[2], nm[1]
		fail = 1
	}
	if (winref && missing * 100 > max_missing * winref) {
		printf "FAIL - %d of %d records missing, past %s%%\n", missing,
		    winref, max_missing
		fail = 1
	}
	for (f = 1; f <= 2; f++)
		if (!eoes[f]) {
			printf "FAIL - no EOE record from %s\n", nm[f]
			fail = 1
		}
	if (fmt == "binary" && clean_tail && dirty[2]) {
		printf "FAIL - %d of %s's frames have non-zero bytes past " \
		    "size\n", dirty[2], nm[2]
		fail = 1
	}
	nt = split(need_types, need, " ")
	for (t = 1; t <= nt; t++)
		if (!(need[t] in types)) {
			printf "FAIL - no %s record compared\n", need[t]
			fail = 1
		}
}

# --- self: the string line and the frame of each record --------------------
function self(    i, m, want, pre, mism, nmap, s, b, z, nul) {
	want = logfmt == "RAW" ? 0 : 1
	m = n[1] < n[2] ? n[1] : n[2]
	if (n[1] != n[2]) {
		printf "FAIL - %s: %d string records, %d frames\n", name, n[1],
		    n[2]
		fail = 1
	}
	for (i = 1; i <= m; i++) {
		if (vers[2, i] != want) {
			if (++badver <= 3)
				printf "  frame %d: ver %s, not %d\n", i,
				    vers[2, i], want
		}
		s = rtext[1, i]
		if (logfmt == "RAW") {
			pre = index(s, " msg=")
			s = pre ? substr(s, pre + 5) : ""
		}
		# The string is "%.*s\n" of the payload, each '\n' in it
		# made a space: it ends at a NUL (auditd counts one in size
		# when it cuts a line at 8969 bytes).
		b = rtext[2, i]
		if ((z = index(b, "\\x00")) > 0) {
			b = substr(b, 1, z - 1)
			nul++
		}
		gsub(/\\x0a/, " ", b)
		if (s != b) {
			if (++mism <= show)
				showdiff("record " i ": line and frame differ",
				    rtext[1, i], rtext[2, i], "string",
				    "binary")
		}
		if ((rtype[1, i] in num) && num[rtype[1, i]] != rtype[2, i]) {
			if (++nmap <= 3)
				printf "  type %s is %s and %s\n", rtype[1, i],
				    num[rtype[1, i]], rtype[2, i]
		}
		num[rtype[1, i]] = rtype[2, i]
	}
	printf "  %s: %d records, string and binary (ver %d); %d frames " \
	    "whose payload holds a NUL\n", name, m, want, nul + 0
	if (badver) {
		printf "FAIL - %s: %d frames with ver other than %d\n", name,
		    badver, want
		fail = 1
	}
	if (mism) {
		printf "FAIL - %s: %d string records differ from their frame\n",
		    name, mism
		fail = 1
	}
	if (nmap) {
		printf "FAIL - %s: a type name goes with two type numbers\n",
		    name
		fail = 1
	}
	if (m == 0) {
		printf "FAIL - %s: no record\n", name
		fail = 1
	}
}

# --- log: what was written, what was sent ----------------------------------
function logcmp(    f, i, k, m, a, b, trim, mism, c) {
	for (f = 1; f <= 2; f++) {
		c = 0
		for (i = 1; i <= n[f]; i++)
			if (inwin[f, i] && !rdaemon[f, i] && !reoe[f, i])
				seq[f, ++c] = i
		cnt[f] = c
	}
	m = cnt[1] < cnt[2] ? cnt[1] : cnt[2]
	for (k = 1; k <= m; k++) {
		a = rtext[1, seq[1, k]]
		b = rtext[2, seq[2, k]]
		if (a == b)
			continue
		sub(/ +$/, "", a)
		sub(/ +$/, "", b)
		if (a == b) {
			trim++
			continue
		}
		if (++mism <= show)
			showdiff("record " k " of the window", rtext[1, seq[1, k]],
			    rtext[2, seq[2, k]], "log", "plugin")
	}
	printf "  %s: %d records in the log's window, %d in the string " \
	    "capture's (EOE, DAEMON_* aside); %d differ by trailing spaces " \
	    "only\n", name, cnt[1], cnt[2], trim + 0
	if (cnt[1] != cnt[2]) {
		printf "FAIL - %s: the log and the plugin have %d and %d " \
		    "records in the window\n", name, cnt[1], cnt[2]
		fail = 1
	}
	if (mism) {
		printf "FAIL - %s: %d records differ between the log and the " \
		    "plugin\n", name, mism
		fail = 1
	}
	if (cnt[1] == 0) {
		printf "FAIL - %s: no record in the window\n", name
		fail = 1
	}
}

# --- dest: every record of the log, once, in order -------------------------
function dest(    f, i, k, c, a, b, m, t, seen, want, got, dup, missing, extra,
    diverge, ev, evdup, evback, prev, ser, keyre) {
	for (f = 1; f <= 2; f++) {
		c = 0
		for (i = 1; i <= n[f]; i++)
			if (inwin[f, i] && !rdaemon[f, i] && !reoe[f, i]) {
				t = rtext[f, i]
				if (f == 1 && src == "syslog")
					gsub(/\\x1d/, " ", t)
				seq[f, ++c] = t
				sser[f, c] = rser[f, i]
				styp[f, c] = rtype[f, i]
			}
		cnt[f] = c
	}
	for (k = 1; k <= cnt[1]; k++)
		want[seq[1, k]]++
	for (k = 1; k <= cnt[2]; k++) {
		t = seq[2, k]
		if (++got[t] > want[t] + 0) {
			if (t in want)
				dup++
			else
				extra++
			if (dup + extra <= 3)
				printf "  %s: %s: %s\n", name,
				    (t in want) ? "again" : "not in the log",
				    shorten(t, 200)
		}
	}
	for (t in want)
		if (got[t] + 0 < want[t])
			missing += want[t] - got[t]
	m = cnt[1] < cnt[2] ? cnt[1] : cnt[2]
	for (k = 1; k <= m; k++)
		if (seq[1, k] != seq[2, k]) {
			diverge = k
			break
		}
	if (!diverge && cnt[1] != cnt[2])
		diverge = m + 1
	keyre = "key=\"" key "\""
	prev = -1
	for (k = 1; k <= cnt[2]; k++) {
		if (key == "" || styp[2, k] != "SYSCALL" ||
		    index(seq[2, k], keyre) == 0)
			continue
		ser = sser[2, k] + 0
		if (ser in seen)
			evdup++
		else
			ev++
		seen[ser] = 1
		if (ser <= prev)
			evback++
		prev = ser
	}
	printf "  %s: %d records of the log's %d (EOE, DAEMON_* aside); " \
	    "%d missing, %d twice, %d not in the log", name, cnt[2], cnt[1],
	    missing + 0, dup + 0, extra + 0
	if (key != "")
		printf "; %d events keyed %s (of %d), %d twice, %d out of order",
		    ev + 0, key, events + 0, evdup + 0, evback + 0
	printf "\n"
	if (diverge && diverge <= cnt[1] && diverge <= cnt[2] && !missing &&
	    !dup && !extra)
		showdiff("record " diverge " of the window is not the log's",
		    seq[1, diverge], seq[2, diverge], "log", name)
	if (cnt[1] == 0) {
		printf "FAIL - %s: the log has no record in the window\n", name
		fail = 1
	}
	if (diverge) {
		printf "FAIL - %s: not every record of the log, once, in " \
		    "order (from record %d of %d)\n", name, diverge, cnt[1]
		fail = 1
	}
	if (key != "" && (ev != events || evdup || evback)) {
		printf "FAIL - %s: %d of %d events, %d twice, %d out of " \
		    "order\n", name, ev + 0, events, evdup + 0, evback + 0
		fail = 1
	}
}
