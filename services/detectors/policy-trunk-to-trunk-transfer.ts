// A trunk asks us, with REFER, to connect the call to another external number: both legs are then
// outside, we pay for the second one, and no one of ours is on the call. The classic way to resell
// a PBX's routes. Trunks are named by address (CIDR) or account; phones transferring to a mobile
// number are normal and never reach this detector.
import type { SipFlow } from '../core/records';
import { checkCidrs, inCidrs } from './cidr-list';
import { defineDetector, type CommonSettings } from './definition';
import { cleanNumber, internationalDigits } from './dialed-number';
import { uriParts } from './sip-uri';

export interface TrunkTransferSettings extends CommonSettings {
  /** addresses or CIDRs of trunks */
  trunk_addresses: string[];
  /** accounts of trunks */
  trunk_accounts: string[];
  /** what marks a number as dialled in international form */
  international_prefixes: string[];
  /** a Refer-To user with at least this many digits is an external number even without an international prefix */
  min_external_digits: number;
}

function isTrunk(r: SipFlow, s: TrunkTransferSettings): boolean {
  const account = r.sip.account ?? r.sip.auth_user;
  if (account !== undefined && s.trunk_accounts.includes(account)) return true;
  return inCidrs(r.source.ip, s.trunk_addresses);
}

/** The external number a Refer-To points at, or undefined. */
export function externalTarget(referTo: string, s: TrunkTransferSettings): string | undefined {
  const user = uriParts(referTo).user;
  if (user === undefined) return undefined;
  if (internationalDigits(user, s.international_prefixes) !== undefined) return user;
  const digits = cleanNumber(user);
  return digits !== undefined && digits.length >= s.min_external_digits ? user : undefined;
}

export default defineDetector<TrunkTransferSettings>({
  id: 'policy/trunk-to-trunk-transfer',
  name: 'Trunk-to-trunk transfer',
  description: 'A trunk sends a REFER whose Refer-To is an external number, bridging two external legs.',
  category: 'policy',
  keyType: 'ip',
  methods: ['REFER'],
  labels: { behavior: 'fraud:transfer', mitre_technique: 'T1496' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 600,
    severity: 'high',
    trunk_addresses: [],
    trunk_accounts: [],
    international_prefixes: ['+', '00', '011'],
    min_external_digits: 7,
  },
  settingsSchema: {
    trunk_addresses: { type: 'array', items: { type: 'string', maxLength: 64 } },
    trunk_accounts: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 } },
    international_prefixes: { type: 'array', items: { type: 'string', pattern: '^(\\+|[0-9]{1,6})$' }, minItems: 1 },
    min_external_digits: { type: 'integer', minimum: 1, maximum: 32 },
  },
  resolve(s) {
    checkCidrs('trunk_addresses', s.trunk_addresses);
    return s;
  },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    if (r.sip.method.toUpperCase() !== 'REFER' || r.sip.refer_to === undefined) return undefined;
    const target = externalTarget(r.sip.refer_to, s);
    if (target === undefined || !isTrunk(r, s)) return undefined;
    return { count: { external_transfers: 1 }, sample: { target } };
  },
  evaluate: (w) => ({
    counts: { external_transfers: w.counts.external_transfers ?? 0 },
    reason: `trunk ${w.key} transferred a call to external number ${w.sample.target}`,
  }),
});
