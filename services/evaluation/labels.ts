// Ground truth of a lab recording (the format of ../shared/data/lab-dev/labels.json): the attacks
// with their sources, accounts and times, which sources must be blocked and which never. An event
// may also name its family, the detectors that must find it and the key they must find it by
// (`"key": {"type": "cidr", "value": "203.0.113.0/24"}`, or a list of such keys); without them the kind decides.
import { CallsentryError } from '../core/errors';
import type { Key, KeyType } from '../core/records';
import { familyOfKind, KIND_DETECTORS } from './families';

export interface LabelledEvent {
  id: string;
  kind: string;
  /** addresses or CIDRs the attack's packets carry as source */
  sources: string[];
  account?: string;
  startMs: number;
  endMs: number;
  expectBlock: boolean;
  /** dos, recon, credential, fraud, ...: compared with the finding detector's category */
  family: string;
  /** detectors whose findings count as detecting it */
  detectors: string[];
  /** the keys a finding may have (else: any of the sources, or the account) */
  keys?: Key[];
}

export interface Labels {
  events: LabelledEvent[];
  /** addresses that must never get a block: legit users, carrier, PBX, forged sources */
  neverBlock: Array<{ address: string; why: string }>;
}

interface RawKey {
  type?: string;
  value?: string;
}

interface RawLabels {
  events?: Array<{
    id: string;
    kind: string;
    source_ip?: string[];
    account?: string | null;
    start: string;
    end: string;
    expected_block?: boolean;
    family?: string;
    detectors?: string[];
    key?: RawKey | RawKey[];
  }>;
  address_plan?: {
    pbx?: { ip: string };
    carrier?: { ip: string };
    legit_users?: Array<{ ip?: string; ext?: number | string }>;
  };
}

const KEY_TYPES: KeyType[] = ['ip', 'cidr', 'account'];

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
    const keys = e.key === undefined ? undefined : Array.isArray(e.key) ? e.key : [e.key];
    if (keys?.some((k) => !KEY_TYPES.includes(k?.type as KeyType) || typeof k.value !== 'string' || !k.value)) {
      throw new CallsentryError('USAGE', `${source}: event ${e.id}: each key needs a type (${KEY_TYPES.join(', ')}) and a value`);
    }
    if (e.detectors !== undefined && (!Array.isArray(e.detectors) || e.detectors.some((d) => typeof d !== 'string'))) throw new CallsentryError('USAGE', `${source}: event ${e.id}: detectors must be a list of detector ids`);
    return {
      id: e.id,
      kind: e.kind,
      sources: e.source_ip ?? [],
      ...(e.account ? { account: String(e.account) } : {}),
      startMs,
      endMs,
      expectBlock: e.expected_block !== false,
      family: e.family ?? familyOfKind(e.kind),
      detectors: e.detectors ?? KIND_DETECTORS[e.kind] ?? [],
      ...(keys ? { keys: keys.map((k) => ({ type: k.type as KeyType, value: k.value! })) } : {}),
    };
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
