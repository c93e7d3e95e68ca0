# Scans memcheck logs (one per process) for error reports.
#   OURS=REGEX        (environment) a stack frame line of the extension
#   -v report=FILE    where to write the error blocks involving the extension
#   -v others=FILE    where to write the other unsuppressed error blocks
# Prints "suppression NAME xCOUNT" for each suppression used, "summary NPROC NOURS NOTHER NSUPPRESSED NNOSUMMARY NOURS_ORIGIN",
# "logs PATH..." (logs with unsuppressed errors), and a line per unique error.
# NOURS_ORIGIN of NOURS have the extension only in an allocation/origin stack
# (with memory contexts, the malloc of a block that later chunks share).
# An error is one reported context (valgrind prints each context once per
# process); NSUPPRESSED counts suppressed occurrences.  An error involves the
# extension when any frame of its block matches: the error's own stack, or
# the stack that allocated the block / created the uninitialised value.

function flush_block(   i, isours, sig, first, target) {
	if (nb == 0)
		return
	first = block[1]
	if (hasstack && first !~ /^(HEAP SUMMARY|LEAK SUMMARY|Memcheck,|Copyright|Using Valgrind|Command:|Parent PID:)/) {
		isours = 0
		inprimary = 0
		sig = first
		if (first ~ ours)
			isours = 1
		for (i = 2; i <= nb; i++) {
			isframe = (block[i] ~ /^ +(at|by) 0x/)
			# inprimary: 1 in the error's own stack, 2 after it
			if (isframe && inprimary == 0)
				inprimary = 1
			else if (!isframe && inprimary == 1)
				inprimary = 2
			if (block[i] ~ ours)
				isours = (isours == 1 || inprimary == 1) ? 1 : 2
			if (isframe) {
				# the signature: function names, not addresses
				f = block[i]
				sub(/^ +(at|by) 0x[0-9A-Fa-f]+: /, "", f)
				sig = sig " | " f
			} else if (block[i] ~ /^ +(Uninitialised value was created|Address 0x)/)
				sig = sig " || " block[i]
		}
		gsub(/0x[0-9A-Fa-f]+/, "0x", sig)
		if (first ~ /^Process terminating/)
			crashed[FILENAME] = 1
		if (isours) {
			nours++
			if (isours == 2)
				nours_origin++
			target = report
			kind = (isours == 1) ? "ours" : "ours-origin-only"
		} else {
			nother++
			target = others
			kind = "other"
		}
		haserr[FILENAME] = 1
		if (!(sig in seen)) {
			seen[sig] = 0
			order[++nsig] = sig
			sigkind[sig] = kind
			sigfile[sig] = FILENAME
		}
		seen[sig]++
		print "== " FILENAME " (" kind ")" > target
		for (i = 1; i <= nb; i++)
			print "   " block[i] > target
		print "" > target
	}
	nb = 0
	hasstack = 0
}

BEGIN {
	ours = ENVIRON["OURS"]
}

FNR == 1 {
	flush_block()
	nproc++
	files[nproc] = FILENAME
}

# with -s (--show-error-list=yes) each log lists the suppressions used ...
/^--[0-9]+-- used_suppression:/ {
	n = $3
	name = $4
	if (!(name in used))
		usedorder[++nused] = name
	used[name] += n
	next
}

# ... and repeats its errors after the first ERROR SUMMARY: skip those
/^==[0-9]+==/ && (FILENAME in summarized) {
	next
}

/^==[0-9]+==/ {
	line = $0
	sub(/^==[0-9]+== ?/, "", line)
	if (line ~ /^[ \t]*$/) {
		flush_block()
		next
	}
	if (line ~ /^ERROR SUMMARY: /) {
		flush_block()
		summarized[FILENAME] = 1
		n = line
		sub(/^.*suppressed: /, "", n)
		sub(/ .*/, "", n)
		nsupp += n
		next
	}
	block[++nb] = line
	if (line ~ /^ +(at|by) 0x/)
		hasstack = 1
}

END {
	flush_block()
	nnosum = 0
	for (i = 1; i <= nproc; i++) {
		if (!(files[i] in summarized) || (files[i] in crashed)) {
			nnosum++
			print "no-summary-or-crashed " files[i]
		}
	}
	for (i = 1; i <= nused; i++)
		print "suppression " usedorder[i] " x" used[usedorder[i]]
	for (i = 1; i <= nsig; i++) {
		s = order[i]
		print "unique " sigkind[s] " x" seen[s] " (first in " sigfile[s] "): " substr(s, 1, 400)
	}
	printf "logs"
	for (i = 1; i <= nproc; i++)
		if (files[i] in haserr)
			printf " %s", files[i]
	printf "\n"
	printf "summary %d %d %d %d %d %d\n", nproc, nours + 0, nother + 0, nsupp + 0, nnosum, nours_origin + 0
}
