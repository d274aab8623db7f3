// Guessing a meeting room's host PIN: one source tries the room again and again. Two shapes are
// visible in signalling: joins refused by the conference server (403), and PIN digits sent as SIP
// INFO inside the call, where a PIN of `pin_digits` digits is one attempt. DTMF sent in the media
// (RFC 4733) never reaches SIP and shows only as refused joins. Rooms come from configuration so
// that the per-room counters of a key stay bounded; silent until rooms are configured.
import { defineDetector, type CommonSettings } from './definition';
import { roomOf, ROOM_LIST_SCHEMA } from './meeting-room';

export interface HostPinSettings extends CommonSettings {
  /** rooms with a host PIN: `user` or `user@domain` */
  rooms: string[];
  /** final statuses of a join refused for a wrong PIN */
  refused_statuses: number[];
  /** digits of a PIN (plus its terminator): INFO requests that make one attempt */
  pin_digits: number;
  /** attempts on one room per window and source before a finding */
  min_attempts: number;
}

export default defineDetector<HostPinSettings>({
  id: 'policy/host-pin-guessing',
  name: 'Host PIN guessing on a meeting room',
  description: 'One source makes many failed PIN attempts on one meeting room: refused joins, or PIN digits sent as SIP INFO.',
  category: 'policy',
  keyType: 'ip',
  methods: ['INVITE', 'INFO'],
  labels: { behavior: 'conference:pin-bruteforce', mitre_technique: 'T1110.001' },
  remediation: 'block-source',
  defaults: {
    enabled: true,
    window_seconds: 300,
    suppress_seconds: 900,
    severity: 'high',
    rooms: [],
    refused_statuses: [403],
    pin_digits: 7,
    min_attempts: 5,
  },
  settingsSchema: {
    rooms: ROOM_LIST_SCHEMA,
    refused_statuses: { type: 'array', items: { type: 'integer', minimum: 400, maximum: 699 }, minItems: 1 },
    pin_digits: { type: 'integer', minimum: 1, maximum: 32 },
    min_attempts: { type: 'integer', minimum: 2 },
  },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    const method = r.sip.method.toUpperCase();
    if (method !== 'INVITE' && method !== 'INFO') return undefined;
    const room = roomOf(r, s.rooms);
    if (room === undefined) return undefined;
    if (method === 'INFO') return { count: { [`digits ${room}`]: 1 }, sample: { room } };
    if (r.sip.status === undefined || !s.refused_statuses.includes(r.sip.status)) return undefined;
    return { count: { [`refused ${room}`]: 1 }, sample: { room } };
  },
  evaluate(w, s) {
    const room = w.sample.room;
    if (room === undefined) return undefined;
    const refused = w.counts[`refused ${room}`] ?? 0;
    const digits = w.counts[`digits ${room}`] ?? 0;
    const attempts = refused + Math.floor(digits / s.pin_digits);
    if (attempts < s.min_attempts) return undefined;
    return {
      counts: { attempts, refused_joins: refused, info_digits: digits, threshold: s.min_attempts },
      reason: `${attempts} PIN attempts on room ${room} from ${w.key} in ${w.windowSeconds}s (threshold ${s.min_attempts})`,
    };
  },
});
