// Dial-plan probing through one account (prefix-variants.ts explains the shape and the default):
// a cracked account tries one number through many prefixes, possibly from many addresses, which
// the per-source detector sees only piecemeal. Keyed by the account the call is charged to (only a
// proven sender charges one by its credentials, authorised-call.ts; the proxy's own account
// field always does); refused attempts count.
import { chargedAccount } from './authorised-call';
import { defineDetector } from './definition';
import { evaluateVariants, observeVariant, PREFIX_PROBING_DEFAULTS, PREFIX_PROBING_SCHEMA, type PrefixProbingSettings } from './prefix-variants';

export default defineDetector<PrefixProbingSettings>({
  id: 'fraud/prefix-probing-account',
  name: 'Dial-plan probing through an account',
  description: 'One account dials the same E.164 number through several distinct dial prefixes, from any source, answered or refused.',
  category: 'fraud',
  keyType: 'account',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:dialplan-probing', mitre_technique: 'T1595' },
  remediation: 'suspend-account',
  observed: ['numbers', 'prefixes'],
  defaults: { ...PREFIX_PROBING_DEFAULTS, severity: 'high' },
  settingsSchema: PREFIX_PROBING_SCHEMA,
  // a name in credentials nobody checked is a forger's claim: it must not get an account suspended
  keyOf: (r) => (r.sip.source_proven === true ? chargedAccount(r) : r.sip.account),
  observe: (r) => {
    const o = observeVariant(r);
    return o && { ...o, count: { invites: 1 } };
  },
  evaluate: (w, s) => evaluateVariants(w, s, 'account'),
});
