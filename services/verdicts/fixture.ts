// Verdict rule fixtures: a state built from records (decisions, findings, compact flows), and
// calls with the answer the rule must give. Shared by the fixture test and the judge test.
import { DEFAULT_VERDICTS, type VerdictSettings } from '../core/verdict-config';
import type { Decision, Finding, SipFlow } from '../core/records';
import { RateDeck } from './rate-deck';
import { VerdictState } from './state';
import type { CallQuery } from './verdict';

export interface CompactFlow {
  at: string;
  account: string;
  method: 'INVITE' | 'BYE' | 'CANCEL';
  to?: string;
  status?: number;
  call_id: string;
  tenant?: string;
}

export interface RuleFixture {
  rule: string;
  settings?: Partial<Record<keyof VerdictSettings, unknown>>;
  rates?: Record<string, number>;
  now: string;
  decisions?: Array<Partial<Decision>>;
  findings?: Array<Partial<Finding>>;
  flows?: CompactFlow[];
  /** BYEs as flows.sip.v1 carries them: without an account */
  hangups?: Array<{ at: string; call_id: string }>;
  cases: Array<{ name: string; query: CallQuery; expect: 'deny' | 'limit' | 'none'; reason?: string }>;
}

export function fixtureSettings(f: RuleFixture): VerdictSettings {
  return { ...DEFAULT_VERDICTS, ...(f.settings as Partial<VerdictSettings>) };
}

export function flowOf(c: CompactFlow, i: number): SipFlow {
  const r: SipFlow = {
    '@timestamp': c.at,
    event: { id: `f${i}`, kind: 'event', dataset: 'sip.flow' },
    source: { ip: '192.0.2.10', port: 5060 },
    destination: { ip: '192.0.2.1', port: 5060 },
    network: { transport: 'udp' },
    sip: { call_id: c.call_id, method: c.method, account: c.account, ...(c.to ? { to: { user: c.to } } : {}), ...(c.status !== undefined ? { status: c.status } : {}) },
  };
  if (c.tenant) r.organization = { id: c.tenant };
  return r;
}

export function fixtureState(f: RuleFixture, s: VerdictSettings): { state: VerdictState; deck: RateDeck } {
  const deck = RateDeck.empty();
  for (const [p, price] of Object.entries(f.rates ?? {})) deck.set(p, price);
  const state = new VerdictState(s, deck);
  const decisions = state.partition('decisions.v1', 0);
  const findings = state.partition('findings.v1', 0);
  const flows = state.partition('flows.sip.by-account.v1', 0);
  for (const d of f.decisions ?? []) state.applyDecision(decisions, d as Decision);
  for (const x of f.findings ?? []) state.applyFinding(findings, x as Finding);
  (f.flows ?? []).forEach((c, i) => state.applyFlow(flows, flowOf(c, i)));
  (f.hangups ?? []).forEach((h, i) => {
    const r = flowOf({ ...h, account: '', method: 'BYE' }, 1000 + i);
    delete r.sip.account;
    state.applyHangup(r);
  });
  return { state, deck };
}
