// Fixtures: records with the findings they must produce, benign and hostile, beside each detector.
// A compact form (a record template repeated at an interval) keeps floods readable; `{i}` or
// `{i+N}` in a template string becomes the repetition index (plus N), so a sweep over many
// hosts, users or numbers stays one line. A template with `media` is a media flow, one with `error`
// a malformed-SIP event, else a SIP flow.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NumberNormaliser } from '../collector/numbers/normalise';
import { DEFAULT_DIAL_PLANS } from '../core/dial-plan';
import type { MalformedSip, MediaFlow, SipFlow } from '../core/records';
import type { FlowRecord } from './definition';

export interface FixtureGroup {
  label: string;
  repeat?: number;
  every_ms?: number;
  at_ms: number;
  record: DeepPartial<SipFlow> & DeepPartial<Pick<MediaFlow, 'media'>> & DeepPartial<Pick<MalformedSip, 'error'>>;
}

export interface Fixture {
  detector: string;
  about: string;
  settings?: Record<string, unknown>;
  start: string;
  records: FixtureGroup[];
  /**
   * horizon: the horizon that fires (absent: the detector's own window). counts: the counts the finding must carry (others may be there too). observed: the sets it
   * must quote in evidence.observed, each with exactly these values in this order.
   */
  expected: Array<{ key: string; at: string; horizon?: string; counts?: Record<string, number>; observed?: Record<string, string[]> }>;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function fixturePath(detectorId: string): string {
  return path.join(__dirname, `${detectorId.replace('/', '-')}.fixture.json`);
}

export function loadFixture(detectorId: string): Fixture {
  return JSON.parse(readFileSync(fixturePath(detectorId), 'utf8')) as Fixture;
}

const INDEX = /\{i(?:\+(\d+))?\}/g;

function instantiate(template: FixtureGroup['record'], i: number): FixtureGroup['record'] {
  const text = JSON.stringify(template);
  if (!text.includes('{i')) return template;
  return JSON.parse(text.replace(INDEX, (_m, plus: string | undefined) => String(i + Number(plus ?? 0)))) as FixtureGroup['record'];
}

/**
 * Expands the fixture into complete flow records in event-time order. Records are what sensors
 * send; SIP flows are then read as the collector reads them (the dialled number with the default
 * dial plan, services/collector/numbers), so detectors see what they see in production.
 */
export function expandRecords(f: Fixture): FlowRecord[] {
  const numbers = new NumberNormaliser(DEFAULT_DIAL_PLANS, 1000);
  const t0 = Date.parse(f.start);
  const out: FlowRecord[] = [];
  f.records.forEach((g, gi) => {
    for (let i = 0; i < (g.repeat ?? 1); i++) {
      const t = t0 + g.at_ms + i * (g.every_ms ?? 0);
      const r = instantiate(g.record, i);
      if (r.error) {
        out.push({
          '@timestamp': new Date(t).toISOString(),
          event: { id: `fx-${gi}-${i}`, kind: 'event', dataset: 'sip.malformed' },
          source: { ip: '192.0.2.1', port: 5060, ...r.source },
          destination: { ip: '192.0.2.10', port: 5060, ...r.destination },
          network: { transport: 'udp', ...r.network },
          error: { code: 'bad-start-line', message: '', ...r.error } as MalformedSip['error'],
        });
        continue;
      }
      if (r.media) {
        out.push({
          '@timestamp': new Date(t).toISOString(),
          event: { id: `fx-${gi}-${i}`, kind: 'event', dataset: 'media.flow' },
          source: { ip: '192.0.2.1', port: 40000, ...r.source },
          destination: { ip: '192.0.2.10', port: 3478, ...r.destination },
          network: { transport: 'udp', ...r.network },
          ...(r.organization ? { organization: { id: r.organization.id ?? '' } } : {}),
          media: { srtp: true, packets: 0, bytes: 0, ...r.media } as MediaFlow['media'],
        });
        continue;
      }
      const flow: SipFlow = {
        '@timestamp': new Date(t).toISOString(),
        event: { id: `fx-${gi}-${i}`, kind: 'event', dataset: 'sip.flow' },
        source: { ip: '192.0.2.1', port: 5060, ...r.source },
        destination: { ip: '192.0.2.10', port: 5060, ...r.destination },
        network: { transport: 'udp', ...r.network },
        ...(r.tls ? { tls: { ...r.tls } } : {}),
        ...(r.user_agent ? { user_agent: { original: r.user_agent.original ?? '' } } : {}),
        ...(r.organization ? { organization: { id: r.organization.id ?? '' } } : {}),
        sip: { call_id: `fx-${gi}-${i}@fixture`, method: 'OPTIONS', ...r.sip, ...(r.sip?.to ? { to: { ...r.sip.to } } : {}) } as SipFlow['sip'],
      };
      numbers.apply(flow);
      out.push(flow);
    }
  });
  return out.sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
}
