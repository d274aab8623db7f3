// Attack tools announce themselves: sipvicious sends `friendly-scanner`, sipcli, VaxSIP and kin
// keep their default User-Agent. One such request is enough to know the source is scanning.
// Names match as whole words, case-insensitively: `smap` matches `smap/0.6` but not `Asmapp`,
// and a configured name is plain text, never a pattern. One request is enough in its own window,
// so its 1 h and 24 h horizons stay silent while that window speaks (a horizon does not repeat
// another); they catch a tool that stays under `min_requests` when an operator raises it.
import { defineDetector, type CommonSettings } from './definition';

export interface ScannerUaSettings extends CommonSettings {
  /** tool names looked for in User-Agent (whole words, case-insensitive) */
  user_agents: string[];
  /** requests with a scanner User-Agent per window before a finding */
  min_requests: number;
}

export const DEFAULT_SCANNER_AGENTS = [
  'friendly-scanner',
  'sipvicious',
  'sipcli',
  'VaxSIPUserAgent',
  'sundayddr',
  'iWar',
  'SIPScan',
  'sip-scan',
  'smap',
  'pplsip',
];

/** The first name that occurs in `text` as a whole word (not inside a longer word), case-insensitively. */
export function findToolName(text: string, names: readonly string[]): string | undefined {
  const hay = text.toLowerCase();
  for (const name of names) {
    const needle = name.toLowerCase();
    if (!needle) continue;
    for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
      if (!isWordChar(hay, at - 1) && !isWordChar(hay, at + needle.length)) return name;
    }
  }
  return undefined;
}

function isWordChar(s: string, i: number): boolean {
  return i >= 0 && i < s.length && /[a-z0-9]/.test(s[i]);
}

export default defineDetector<ScannerUaSettings>({
  id: 'sip/scanner-ua',
  name: 'SIP scanner user agent',
  description: 'A source sends requests whose User-Agent names a known SIP attack tool.',
  category: 'recon',
  keyType: 'ip',
  labels: { behavior: 'sip:scan', mitre_technique: 'T1595' },
  remediation: 'block-source',
  observed: ['user_agents'],
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 600,
    severity: 'high',
    user_agents: DEFAULT_SCANNER_AGENTS,
    min_requests: 1,
    horizons: [
      { name: '1h', window_seconds: 3600, suppress_seconds: 3600, min_requests: 10 },
      { name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_requests: 30 },
    ],
  },
  settingsSchema: {
    user_agents: { type: 'array', items: { type: 'string', minLength: 3, maxLength: 128 }, maxItems: 1000 },
    min_requests: { type: 'integer', minimum: 1 },
  },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    const ua = r.user_agent?.original;
    if (ua === undefined) return undefined;
    const tool = findToolName(ua, s.user_agents);
    return tool === undefined ? undefined : { count: { scanner_requests: 1 }, distinct: { user_agents: ua }, sample: { tool } };
  },
  evaluate(w, s) {
    const n = w.counts.scanner_requests ?? 0;
    if (n < s.min_requests) return undefined;
    return {
      counts: { scanner_requests: n, threshold: s.min_requests },
      reason: `User-Agent of ${w.sample.tool ?? 'a known scanner'} on ${n} request(s) in ${w.windowSeconds}s`,
    };
  },
});
