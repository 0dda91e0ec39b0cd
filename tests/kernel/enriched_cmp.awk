# enriched_cmp.awk - compare two ENRICHED audit logs record by record.
#
#   LC_ALL=C awk -f enriched_cmp.awk -v out=DIR [-v first=SERIAL]
#       [-v last=SERIAL] [-v max_missing=PCT] [-v need_types="T1 T2 ..."]
#       [-v need_kinds=FILE] [-v show=N] [-v names="auditd ringauditd"]
#       REFERENCE.log CANDIDATE.log
#
# The reference is what Debian's auditd wrote, the candidate what
# ringauditd wrote from the same kernel records.  DAEMON_* records are
# left out: their pids, times and serials differ by design.  Every other
# line is keyed by its event (audit(sec.msec:serial)), its record type and
# its index among the records of that type in that event (the second PATH
# of an event is PATH#1); a key in both logs must have byte-identical
# lines, the raw text, the 0x1D separator and the enriched fields after
# it.  Each difference is printed with both lines (0x1D shown as ^], other
# control and non-ASCII bytes as \xNN), the first differing column, and
# the first differing enriched field; out/diff.txt has them all.
#
# Keys in one log only are counted.  Inside the window (first <= serial
# <= last, the test's start and end markers) a record the reference has
# and the candidate lacks is "missing" (multicast may drop under load: the
# run fails only past max_missing percent); one the candidate has alone is
# "extra", and always fails.  Outside the window neither counts.
#
# Coverage: every type in need_types must be among the compared lines,
# every pattern in need_kinds (lines "label<TAB>regex", matched against
# the enriched part of the compared reference lines) must match one, and
# at least need_cut compared lines must be cut_len bytes long (auditd's
# limit: the lines it cut).
#
# Writes out/diff.txt, out/missing.txt, out/extra.txt and
# out/summary.txt; exits 0 when the candidate passes, 1 otherwise.
# Needs the C locale (bytes, not characters): LC_ALL=C.

BEGIN {
	SEP = "\035"
	if (show == "")
		show = 20
	if (max_missing == "")
		max_missing = 1
	if (names == "")
		names = "reference candidate"
	split(names, nm, " ")
	width = length(nm[1]) > length(nm[2]) ? length(nm[1]) : length(nm[2])
	for (i = 1; i < 256; i++)
		ord[sprintf("%c", i)] = i
	difffile = out "/diff.txt"
	printf "" > difffile
	printf "" > (out "/missing.txt")
	printf "" > (out "/extra.txt")
	nkinds = 0
	if (need_kinds != "") {
		while ((getline kl < need_kinds) > 0) {
			if (kl == "" || kl ~ /^#/)
				continue
			t = index(kl, "\t")
			nkinds++
			klabel[nkinds] = substr(kl, 1, t - 1)
			kre[nkinds] = substr(kl, t + 1)
		}
		close(need_kinds)
	}
}

# parse(line): sets p_type, p_stamp, p_serial; 0 if not a record line.
function parse(line,    s, e, rest) {
	rest = line
	if (rest ~ /^node=[^ ]* /)
		rest = substr(rest, index(rest, " ") + 1)
	if (rest !~ /^type=[^ ]+ msg=audit\([0-9]+\.[0-9]+:[0-9]+\): /)
		return 0
	s = index(rest, " ")
	p_type = substr(rest, 6, s - 6)
	rest = substr(rest, s + 11)
	e = index(rest, ")")
	p_stamp = substr(rest, 1, e - 1)
	p_serial = substr(p_stamp, index(p_stamp, ":") + 1) + 0
	return 1
}

function in_window(serial) {
	return (first == "" || serial >= first + 0) &&
	    (last == "" || serial <= last + 0)
}

# vis(s): the bytes a terminal would hide, made visible.
function vis(s,    r, i, c, n) {
	if (s !~ /[\001-\037\177-\377]/)
		return s
	r = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (c == SEP)
			r = r "^]"
		else if (c ~ /[\001-\037\177-\377]/)
			r = r sprintf("\\x%02x", ord[c])
		else
			r = r c
	}
	return r
}

# A window of a long line around column col, for the terminal; cut_from
# is where it starts.
function cut(s, col) {
	cut_from = 1
	if (length(s) <= 400)
		return s
	cut_from = col > 150 ? col - 150 : 1
	return (cut_from > 1 ? "..." : "") substr(s, cut_from, 300) \
	    (cut_from + 300 <= length(s) ? "..." : "")
}

# sort_keys(arr, out): out[1..n] = arr's keys in order; returns n.
function sort_keys(arr, sorted,    n, k, i, j, t) {
	n = 0
	for (k in arr)
		sorted[++n] = k
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) {
			t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t
		}
	return n
}

# fields(part, arr): arr[1..n] = the enriched part's NAME=value items
# (a value is "quoted", { braced }, or runs to the next space).
function fields(part, arr,    n, name, eq, v, end) {
	n = 0
	while (part != "") {
		sub(/^ +/, "", part)
		if (part == "")
			break
		eq = index(part, "=")
		if (eq == 0) {
			arr[++n] = part
			break
		}
		v = substr(part, eq + 1, 1)
		if (v == "\"")
			end = index(substr(part, eq + 2), "\"") + eq + 1
		else if (v == "{")
			end = index(substr(part, eq + 1), "}") + eq
		else
			end = index(substr(part, eq + 1), " ") + eq - 1
		if (end <= eq)
			end = length(part)
		arr[++n] = substr(part, 1, end)
		part = substr(part, end + 1)
	}
	return n
}

function enriched(line,    s) {
	s = index(line, SEP)
	return s ? substr(line, s + 1) : ""
}

# What differs, in a few words, and a category for the tally.
function explain(a, b,    sa, sb, na, nb, fa, fb, i, nm_) {
	sa = index(a, SEP)
	sb = index(b, SEP)
	if (!sa || !sb) {
		d_cat = sa ? "no 0x1D in " nm[2] : (sb ? "no 0x1D in " nm[1] : "raw text (no enrichment in either)")
		return d_cat
	}
	if (substr(a, 1, sa - 1) != substr(b, 1, sb - 1)) {
		d_cat = "raw text before 0x1D"
		return d_cat
	}
	na = fields(substr(a, sa + 1), fa)
	nb = fields(substr(b, sb + 1), fb)
	for (i = 1; i <= na && i <= nb; i++) {
		if (fa[i] != fb[i]) {
			nm_ = fa[i]
			sub(/=.*/, "", nm_)
			d_cat = "enriched " nm_ "="
			return "enriched field " i ": " vis(fa[i]) " vs " vis(fb[i])
		}
	}
	if (na > nb) {
		nm_ = fa[i]
		sub(/=.*/, "", nm_)
		d_cat = "enriched " nm_ "= missing"
		return "enriched field " i " only in " nm[1] ": " vis(fa[i])
	}
	if (nb > na) {
		nm_ = fb[i]
		sub(/=.*/, "", nm_)
		d_cat = "enriched " nm_ "= extra"
		return "enriched field " i " only in " nm[2] ": " vis(fb[i])
	}
	d_cat = "enriched spacing"
	return "enriched part differs in its spacing"
}

function first_col(a, b,    i, n) {
	n = length(a) < length(b) ? length(a) : length(b)
	for (i = 1; i <= n; i++)
		if (substr(a, i, 1) != substr(b, i, 1))
			return i
	return n + 1
}

function report(key, a, b,    col, why, hdr, caret, k, va) {
	col = first_col(a, b)
	why = explain(a, b)
	tally[p_type " | " d_cat]++
	split(key, k, SUBSEP)
	hdr = sprintf("DIFF %d: %s msg=audit(%s) (%s #%d of the event), " \
	    "first difference at column %d (lengths %d and %d)\n  %s", \
	    ndiff, k[2], k[1], k[2], k[3], col, length(a), length(b), why)
	printf "%s\n  %-*s %s\n  %-*s %s\n\n", hdr, width + 1, nm[1] ":", \
	    vis(a), width + 1, nm[2] ":", vis(b) >> difffile
	if (ndiff <= show + 0) {
		va = vis(cut(a, col))
		caret = length(vis(substr(a, cut_from, col - cut_from))) + \
		    (cut_from > 1 ? 3 : 0)
		printf "%s\n  %-*s %s\n  %-*s %s\n  %-*s %*s\n", hdr, \
		    width + 1, nm[1] ":", va, width + 1, nm[2] ":", \
		    vis(cut(b, col)), width + 1, "", caret + 1, "^"
	} else if (ndiff == show + 1)
		printf "(more differences: see diff.txt)\n"
}

FNR == NR {
	if (!parse($0)) {
		bad_a++
		if (bad_a <= 5)
			printf "%s line %d is not a record: %s\n", nm[1], FNR, \
			    vis(cut($0, 1))
		next
	}
	if (p_type ~ /^DAEMON_/)
		next
	key = p_stamp SUBSEP p_type SUBSEP cnt_a[p_stamp, p_type]++
	line_a[key] = $0
	type_a[key] = p_type
	serial_a[key] = p_serial
	order_a[++n_a] = key
	next
}

{
	if (!parse($0)) {
		bad_b++
		if (bad_b <= 5)
			printf "%s line %d is not a record: %s\n", nm[2], FNR, \
			    vis(cut($0, 1))
		next
	}
	if (p_type ~ /^DAEMON_/)
		next
	key = p_stamp SUBSEP p_type SUBSEP cnt_b[p_stamp, p_type]++
	seen_b[key] = 1
	again = $0 == prev_b[p_stamp, p_type]
	prev_b[p_stamp, p_type] = $0
	if (!(key in line_a)) {
		if (in_window(p_serial)) {
			extra++
			if (again)
				twice++
			print vis($0) >> (out "/extra.txt")
		} else
			outside_b++
		next
	}
	compared++
	per_type[p_type]++
	# What the workload made: the reference's enrichment.
	ea = enriched(line_a[key])
	for (i = 1; i <= nkinds; i++)
		if (!(i in kind_seen) && ea ~ kre[i])
			kind_seen[i] = 1
	if (cut_len != "" && length(line_a[key]) == cut_len + 0)
		cut_seen++
	nf_ = fields(ea, fa_)
	for (i = 1; i <= nf_; i++) {
		fn_ = fa_[i]
		sub(/=.*/, "", fn_)
		field_seen[fn_]++
	}
	if ($0 == line_a[key])
		same++
	else {
		ndiff++
		per_type_diff[p_type]++
		report(key, line_a[key], $0)
	}
}

END {
	for (i = 1; i <= n_a; i++) {
		key = order_a[i]
		if (in_window(serial_a[key]))
			window_a++
		if (key in seen_b)
			continue
		if (in_window(serial_a[key])) {
			missing++
			missing_type[type_a[key]]++
			print vis(line_a[key]) >> (out "/missing.txt")
		} else
			outside_a++
	}

	fail = 0
	sumf = out "/summary.txt"
	printf "" > sumf
	say(sprintf("compared %d record lines (in both logs): %d identical, %d differ", \
	    compared, same, ndiff))
	if (ndiff > 0) {
		fail = 1
		say("differences by record type and what differs first:")
		n = sort_keys(tally, srt)
		for (i = 1; i <= n; i++)
			say(sprintf("  %5d  %s", tally[srt[i]], srt[i]))
	}
	pct = window_a ? 100 * missing / window_a : 0
	say(sprintf("missing from %s: %d of the %d lines %s wrote between the markers (%.2f%%, at most %s%% allowed)", \
	    nm[2], missing, window_a, nm[1], pct, max_missing))
	n = sort_keys(missing_type, srt)
	for (i = 1; i <= n; i++)
		say(sprintf("  %5d  %s", missing_type[srt[i]], srt[i]))
	if (pct > max_missing + 0 || compared == 0)
		fail = 1
	say(sprintf("only in %s between the markers (extra): %d; outside the markers: %d only in %s, %d only in %s", \
	    nm[2], extra, outside_a, nm[1], outside_b, nm[2]))
	if (extra > 0)
		fail = 1
	if (twice > 0)
		say(sprintf("  (%d of them repeat the line before them: written twice?)", twice))
	if (bad_b > 0) {
		say(sprintf("%s has %d lines that are not records", nm[2], bad_b))
		fail = 1
	}
	if (bad_a > 0)
		say(sprintf("%s has %d lines that are not records", nm[1], bad_a))

	say("lines compared per record type (identical/compared):")
	n = sort_keys(per_type, srt)
	row = ""
	for (i = 1; i <= n; i++) {
		row = row sprintf("  %-18s %5d/%-5d", srt[i], \
		    per_type[srt[i]] - per_type_diff[srt[i]], per_type[srt[i]])
		if (i % 3 == 0 || i == n) {
			say(row)
			row = ""
		}
	}
	n = sort_keys(field_seen, srt)
	row = "enriched field names in the compared lines (" nm[1] "'s, with counts):"
	for (i = 1; i <= n; i++) {
		row = row sprintf(" %s(%d)", srt[i], field_seen[srt[i]])
	}
	say(row)

	nt = split(need_types, nt_)
	miss_t = ""
	for (i = 1; i <= nt; i++)
		if (!(nt_[i] in per_type))
			miss_t = miss_t " " nt_[i]
	if (miss_t != "") {
		say("coverage: no compared line of type" miss_t)
		fail = 1
	} else if (nt > 0)
		say(sprintf("coverage: all %d record types wanted were compared", nt))
	miss_k = ""
	for (i = 1; i <= nkinds; i++)
		if (!(i in kind_seen))
			miss_k = miss_k " [" klabel[i] "]"
	if (miss_k != "") {
		say("coverage: no compared line enriched with" miss_k)
		fail = 1
	} else if (nkinds > 0)
		say(sprintf("coverage: all %d kinds of enriched value wanted were compared", nkinds))
	if (need_cut + 0 > 0) {
		say(sprintf("coverage: %d compared lines %d bytes long, cut at auditd's limit (%d wanted)", \
		    cut_seen, cut_len, need_cut))
		if (cut_seen < need_cut + 0)
			fail = 1
	}
	exit fail
}

# A line of the summary: to the terminal and to summary.txt.
function say(s) {
	print s
	print s >> sumf
}
