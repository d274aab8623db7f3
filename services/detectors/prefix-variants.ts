// Dial-plan probing (toll-fraud reconnaissance): one E.164 number dialled through many dial
// prefixes, `+`, `011`, `9011`, `1010333011`, `1010288011` ..., to find which one the switch routes.
// The collector read each dialled string into its number (sip.to.e164) and what was dialled before
// it (sip.to.dial_prefix), so the variants of one number are distinct prefixes before one e164.
//
// State, in the engine's terms: one set per prefix (`via:<prefix>`), holding the numbers dialled
// through it. The prefixes tried before the number being evaluated are the sets that hold it. A
// dial plan's prefixes are few, and the engine folds set names past its bound (256) into one
// column, so a scanner walking thousands of carrier codes costs bounded memory; its excess
// prefixes then count as one more variant (`other`).
import type { SipFlow } from '../core/records';
import type { CommonSettings, Observation, Verdict, WindowView } from './definition';
import type { HorizonOverride } from './horizons';

export interface PrefixProbingSettings extends CommonSettings {
  /** distinct dial prefixes before one number, within the window, for a finding */
  min_prefixes: number;
  horizons?: HorizonOverride[];
}

const VIA = 'via:';
/** how a number dialled with nothing before it (a bare national number) is named */
const NONE = '(none)';

/** Every INVITE to a number the collector could read counts, refused, unanswered or answered. */
export function observeVariant(r: SipFlow): Observation | undefined {
  const to = r.sip.to;
  if (!to?.e164 || r.sip.method.toUpperCase() !== 'INVITE') return undefined;
  // `numbers` and `prefixes` are what a finding quotes (evidence.observed, once the engine fills it)
  return { distinct: { [`${VIA}${to.dial_prefix ?? ''}`]: to.e164, numbers: to.e164, prefixes: to.dial_prefix || NONE }, sample: { e164: to.e164 } };
}

/** The prefixes the window holds for one number (a folded `other` column counts as one). */
export function prefixesOf(w: WindowView, e164: string): string[] {
  const out: string[] = [];
  for (const name in w.distinct) {
    if (!(name.startsWith(VIA) || name === 'other') || !w.has(name, e164)) continue;
    out.push(name === 'other' ? 'other' : name.slice(VIA.length) || NONE);
  }
  return out;
}

export function evaluateVariants(w: WindowView, s: PrefixProbingSettings, who: string): Verdict | undefined {
  const e164 = w.sample.e164;
  if (!e164) return undefined;
  const prefixes = prefixesOf(w, e164);
  if (prefixes.length < s.min_prefixes) return undefined;
  return {
    counts: { prefixes: prefixes.length, threshold: s.min_prefixes, invites: w.counts.invites ?? 0 },
    // the prefixes tried are the evidence a NOC engineer needs (evidence.observed, once the engine fills it)
    reason: `${who} ${w.key} dialled ${e164} through ${prefixes.length} dial prefixes (${prefixes.sort().join(', ')}) in ${w.windowSeconds}s: dial-plan probing for a route to the PSTN`,
  };
}

/**
 * Defaults: 4 distinct prefixes before one number within 1 h, and again over a 24 h horizon for
 * slow probes. Why 4: with a NANP plan a phone dials an international number in at most three
 * plain forms (`+`, `011`, and `9011` behind a PBX), and an office behind one address may mix them;
 * a fourth needs a carrier access code or an odd variant, which phones do not dial but scanners
 * do (the captures of issue 15 tried six; SentryPeer honeypots see many more). NEMEA flags more
 * than 10 prefixes per source, tuned for Internet honeypots where nobody dials legitimately; a
 * provider's own customers share the sources, so a lower bound with a proven-benign ceiling of 3
 * is used here.
 */
export const PREFIX_PROBING_DEFAULTS: Omit<PrefixProbingSettings, 'severity'> = {
  enabled: true,
  window_seconds: 3600,
  suppress_seconds: 3600,
  min_prefixes: 4,
  horizons: [{ name: 'day', window_seconds: 86_400, suppress_seconds: 86_400 }],
};

export const PREFIX_PROBING_SCHEMA = {
  min_prefixes: { type: 'integer', minimum: 2, maximum: 256 },
};
