// Dial-plan probing from one source (prefix-variants.ts explains the shape and the default): a
// scanner or an open-gateway hunter tries one foreign number through many dial prefixes. Keyed by
// source address, so it sees unauthenticated probes that charge no account; refused attempts count.
import { defineDetector } from './definition';
import { evaluateVariants, observeVariant, PREFIX_PROBING_DEFAULTS, PREFIX_PROBING_SCHEMA, type PrefixProbingSettings } from './prefix-variants';

export default defineDetector<PrefixProbingSettings>({
  id: 'fraud/prefix-probing',
  name: 'Dial-plan probing from a source',
  description: 'One source dials the same E.164 number through several distinct dial prefixes (international access code, outside line, carrier access codes), answered or refused.',
  category: 'fraud',
  keyType: 'ip',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:dialplan-probing', mitre_technique: 'T1595' },
  remediation: 'block-source',
  observed: ['numbers', 'prefixes'],
  defaults: { ...PREFIX_PROBING_DEFAULTS, severity: 'high' },
  settingsSchema: PREFIX_PROBING_SCHEMA,
  keyOf: (r) => r.source.ip,
  observe: (r) => {
    const o = observeVariant(r);
    return o && { ...o, count: { invites: 1 } };
  },
  evaluate: (w, s) => evaluateVariants(w, s, 'source'),
});
