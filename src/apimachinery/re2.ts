import { RE2JS } from '@bufbuild/re2';

/**
 * Regular expressions from clients (a CRD's `pattern`, a CEL rule's `matches()`) run on
 * RE2, as kube-apiserver's Go regexp does: linear in the input whatever the pattern, so no
 * pattern can keep the loop busy (a backtracking RegExp takes minutes on `(a+)+$`), and the
 * syntax is Go's (no backreferences or lookarounds). Compiled once per pattern.
 */
const compiled = new Map<string, RE2JS | null>();

/** The compiled pattern, or null when RE2 cannot compile it. */
export function re2(pattern: string): RE2JS | null {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try { re = new RE2JS(pattern); } catch { re = null; }
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}
