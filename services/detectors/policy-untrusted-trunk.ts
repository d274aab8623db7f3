// A call that claims to come from one of our trunks (its account, or its From domain) but arrives
// from an address outside that trunk's list: a forged carrier leg, or a trunk credential used from
// elsewhere. Either way the proxy should not route it as the trunk. Silent until trunks are
// configured; alerts only (the address list may simply be out of date).
import type { SipFlow } from '../core/records';
import { chargedAccount } from './authorised-call';
import { checkCidrs, inCidrs } from './cidr-list';
import { defineDetector, type CommonSettings } from './definition';

export interface Trunk {
  name: string;
  /** addresses or CIDRs the trunk sends from */
  addresses: string[];
  /** accounts the trunk is charged to */
  accounts?: string[];
  /** From domains the trunk uses (compared without case) */
  domains?: string[];
}

export interface UntrustedTrunkSettings extends CommonSettings {
  trunks: Trunk[];
}

/** The trunk a request claims to be, by account first, then by From domain. */
function claimed(r: SipFlow, trunks: readonly Trunk[]): Trunk | undefined {
  const account = chargedAccount(r);
  const domain = r.sip.from?.domain?.toLowerCase();
  return (
    trunks.find((t) => account !== undefined && t.accounts?.includes(account)) ??
    trunks.find((t) => domain !== undefined && t.domains?.some((d) => d.toLowerCase() === domain))
  );
}

export default defineDetector<UntrustedTrunkSettings>({
  id: 'policy/untrusted-trunk',
  name: 'Call claiming a trunk from outside its addresses',
  description: "An INVITE claims a configured trunk (its account or From domain) but comes from an address outside the trunk's list.",
  category: 'policy',
  keyType: 'ip',
  methods: ['INVITE'],
  labels: { behavior: 'sip:trunk-spoofing', mitre_technique: 'T1078' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 600,
    severity: 'high',
    trunks: [],
  },
  settingsSchema: {
    trunks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'addresses'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 128 },
          addresses: { type: 'array', items: { type: 'string' }, minItems: 1 },
          accounts: { type: 'array', items: { type: 'string', minLength: 1 } },
          domains: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
  resolve(s) {
    for (const t of s.trunks) checkCidrs(`trunks.${t.name}.addresses`, t.addresses);
    return s;
  },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    if (r.sip.method.toUpperCase() !== 'INVITE') return undefined;
    const trunk = claimed(r, s.trunks);
    if (trunk === undefined || inCidrs(r.source.ip, trunk.addresses)) return undefined;
    return { count: { invites: 1 }, sample: { trunk: trunk.name } };
  },
  evaluate(w) {
    const invites = w.counts.invites ?? 0;
    if (invites < 1) return undefined;
    return {
      counts: { invites },
      reason: `INVITE claiming trunk ${w.sample.trunk ?? '?'} from ${w.key}, outside its addresses`,
    };
  },
});
