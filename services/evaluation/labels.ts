// Ground truth of a lab recording (the format of ../shared/data/lab-dev/labels.json): the attacks
// with their sources, accounts and times, which sources must be blocked and which never.
import { CallsentryError } from '../core/errors';

export interface LabelledEvent {
  id: string;
  kind: string;
  /** addresses or CIDRs the attack's packets carry as source */
  sources: string[];
  account?: string;
  startMs: number;
  endMs: number;
  expectBlock: boolean;
}

export interface Labels {
  events: LabelledEvent[];
  /** addresses that must never get a block: legit users, carrier, PBX, forged sources */
  neverBlock: Array<{ address: string; why: string }>;
}

interface RawLabels {
  events?: Array<{ id: string; kind: string; source_ip?: string[]; account?: string | null; start: string; end: string; expected_block?: boolean }>;
  address_plan?: {
    pbx?: { ip: string };
    carrier?: { ip: string };
    legit_users?: Array<{ ip?: string; ext?: number | string }>;
  };
}

export function parseLabels(text: string, source = 'labels'): Labels {
  let raw: RawLabels;
  try {
    raw = JSON.parse(text) as RawLabels;
  } catch (err) {
    throw new CallsentryError('USAGE', `${source}: not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw.events)) throw new CallsentryError('USAGE', `${source}: no "events" list`);
  const events = raw.events.map((e) => {
    const startMs = Date.parse(e.start);
    const endMs = Date.parse(e.end);
    if (!e.id || !Number.isFinite(startMs) || !Number.isFinite(endMs)) throw new CallsentryError('USAGE', `${source}: event ${e.id ?? '?'} needs id, start and end`);
    return { id: e.id, kind: e.kind, sources: e.source_ip ?? [], ...(e.account ? { account: String(e.account) } : {}), startMs, endMs, expectBlock: e.expected_block !== false };
  });
  const plan = raw.address_plan ?? {};
  const neverBlock = [
    ...(plan.pbx ? [{ address: plan.pbx.ip, why: 'the PBX' }] : []),
    ...(plan.carrier ? [{ address: plan.carrier.ip, why: 'the carrier' }] : []),
    ...(plan.legit_users ?? []).filter((u) => u.ip && u.ip !== '-').map((u) => ({ address: u.ip!, why: `legit user ${u.ext ?? ''}`.trim() })),
    ...events.filter((e) => !e.expectBlock).flatMap((e) => e.sources.map((s) => ({ address: s, why: `forged source of ${e.id}` }))),
  ];
  return { events, neverBlock };
}
